#include "widgets/quality_text_picker.h"

#include "workbench_settings.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>
#include <limits>

namespace spw::ui {
namespace {

const QString kDialog = QStringLiteral("qualityText");

} // namespace

QualityTextPicker::QualityTextPicker(QWidget* parent)
    : QWidget(parent)
{
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto* sourceRow = new QHBoxLayout;
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("qualityTextSource"));
    // Item 0 is the shipped text; item 1, once something is chosen, the file or folder (its path as data).
    m_source->addItem(tr("Held-out text shipped with the workbench"), QString());
    m_source->setToolTip(tr("The text whose masked tokens the models predict"));
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        updateNote();
        Q_EMIT choiceChanged();
    });
    sourceRow->addWidget(m_source, 1);
    m_choose = new QToolButton(this);
    m_choose->setObjectName(QStringLiteral("chooseQualityText"));
    m_choose->setText(tr("Choose…"));
    m_choose->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_choose);
    menu->addAction(tr("A text file…"), this, &QualityTextPicker::chooseFile);
    menu->addAction(tr("A folder of .txt files…"), this, &QualityTextPicker::chooseFolder);
    m_choose->setMenu(menu);
    sourceRow->addWidget(m_choose);
    form->addRow(tr("Text:"), sourceRow);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("qualityTextNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    form->addRow(QString(), m_note);

    m_budget = new QSpinBox(this);
    m_budget->setObjectName(QStringLiteral("qualityTokens"));
    m_budget->setRange(64, std::numeric_limits<int>::max());
    m_budget->setSingleStep(4096);
    m_budget->setValue(int(kDefaultQualityTokens));
    m_budget->setGroupSeparatorShown(true);
    m_budget->setSuffix(tr(" tokens"));
    m_budget->setToolTip(tr("Score only the first tokens of the text: 15 % of them are masked and predicted. More "
                            "tokens give steadier numbers and take proportionally longer."));
    connect(m_budget, &QSpinBox::valueChanged, this, &QualityTextPicker::choiceChanged);
    form->addRow(tr("Token budget:"), m_budget);
    updateNote();
}

QualityTextChoice QualityTextPicker::choice() const
{
    QualityTextChoice choice;
    choice.path = m_source->currentData().toString();
    choice.maxTokens = m_budget->value();
    return choice;
}

void QualityTextPicker::setPath(const QString& path)
{
    if (path.isEmpty()) {
        m_source->setCurrentIndex(0);
        return;
    }
    const QFileInfo info(path);
    const QString label = info.isDir() ? tr("Folder: %1").arg(info.fileName()) : tr("File: %1").arg(info.fileName());
    {
        const QSignalBlocker blocker(m_source);
        if (m_source->count() == 1)
            m_source->addItem(label, path);
        else
            m_source->setItemText(1, label);
        m_source->setItemData(1, path);
        m_source->setItemData(1, QDir::toNativeSeparators(path), Qt::ToolTipRole);
        m_source->setCurrentIndex(1);
    }
    updateNote();
    Q_EMIT choiceChanged();
}

void QualityTextPicker::setMaxTokens(std::int64_t tokens)
{
    m_budget->setValue(int(std::min<std::int64_t>(tokens, m_budget->maximum())));
}

void QualityTextPicker::chooseFile()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Text to measure quality on"), dialogFolder(kDialog), tr("Text (*.txt);;All files (*)"));
    if (file.isEmpty())
        return;
    rememberDialogFolder(kDialog, file);
    setPath(file);
}

void QualityTextPicker::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Folder of .txt files to measure quality on"), dialogFolder(kDialog));
    if (folder.isEmpty())
        return;
    rememberDialogFolder(kDialog, folder, true);
    setPath(folder);
}

void QualityTextPicker::updateNote()
{
    const QualityTextChoice current = choice();
    m_note->setText(current.isShipped()       ? tr("By default: %1.").arg(current.description())
            : QFileInfo(current.path).isDir() ? tr("Every .txt file of %1, in name order.").arg(current.description())
                                              : current.description());
}

} // namespace spw::ui
