#include "designer_test_support.h"

#include "designer/parameter_form.h"
#include "presets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

namespace spw::ui::test {
namespace {

template <typename Widget> Widget* field(LayoutDesignerPage& page, const QString& key)
{
    auto* widget = page.form()->findChild<Widget*>(key);
    if (!widget)
        qFatal("no form field '%s'", qPrintable(key));
    return widget;
}

} // namespace

bool actAndWaitForLayout(LayoutDesignerPage& page, const std::function<void()>& action)
{
    QSignalSpy shown(&page, &LayoutDesignerPage::layoutShown);
    action();
    return shown.count() > 0 || shown.wait(10000);
}

bool actAndWaitForRejection(LayoutDesignerPage& page, const std::function<void()>& action)
{
    QSignalSpy rejected(&page, &LayoutDesignerPage::inputRejected);
    action();
    return rejected.count() > 0 || rejected.wait(10000);
}

bool applyPresetAndWait(LayoutDesignerPage& page, const QString& preset)
{
    if (withConfig(page.input(), loadPreset(preset)) == page.input())
        return page.layout() != nullptr;
    return actAndWaitForLayout(page, [&] { page.applyPreset(preset); });
}

bool selectModeAndWait(LayoutDesignerPage& page, const QString& mode)
{
    if (QString::fromUtf8(modeName(page.input().config.mode)) == mode)
        return page.layout() != nullptr;
    return actAndWaitForLayout(page, [&] { setComboField(page, "mode", mode); });
}

void setSpinField(LayoutDesignerPage& page, const QString& key, int value)
{
    auto* box = field<QSpinBox>(page, key);
    // Types the number and commits it with Enter, as a user does.
    box->selectAll();
    QTest::keyClicks(box, QString::number(value));
    QTest::keyClick(box, Qt::Key_Return);
    QCOMPARE(box->value(), value);
}

void setTextField(LayoutDesignerPage& page, const QString& key, const QString& text)
{
    auto* line = field<QLineEdit>(page, key);
    line->selectAll();
    QTest::keyClick(line, Qt::Key_Backspace);
    QTest::keyClicks(line, text);
    QTest::keyClick(line, Qt::Key_Return);
}

void setComboField(LayoutDesignerPage& page, const QString& key, const QString& text)
{
    auto* box = field<QComboBox>(page, key);
    const int index = box->findText(text);
    if (index < 0)
        qFatal("no item '%s' in '%s'", qPrintable(text), qPrintable(key));
    box->setCurrentIndex(index);
}

void setCheckField(LayoutDesignerPage& page, const QString& key, bool checked)
{
    field<QCheckBox>(page, key)->setChecked(checked);
}

} // namespace spw::ui::test
