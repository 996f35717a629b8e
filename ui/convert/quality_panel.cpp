#include "convert/quality_panel.h"

#include "convert/quality_table_model.h"
#include "widgets/fitted_table_view.h"
#include "widgets/inline_message.h"
#include "widgets/quality_text_picker.h"
#include "widgets/section_title.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

QString count(std::int64_t value)
{
    return QLocale().toString(qlonglong(value));
}

} // namespace

QualityPanel::QualityPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(sectionTitle(tr("Masked-LM quality on a text"), this));
    auto* intro = new QLabel(tr("How well the model predicts masked tokens before and after the conversion: the "
                                "same 15 % of the text's tokens masked (BERT's 80/10/10 rule) and predicted by the "
                                "original at its own length and by the conversion at the converted length."),
        this);
    intro->setWordWrap(true);
    intro->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    layout->addWidget(intro);

    m_picker = new QualityTextPicker(this);
    connect(m_picker, &QualityTextPicker::choiceChanged, this, [this] { markStale(tr("the text changed")); });
    layout->addWidget(m_picker);
    auto* buttons = new QHBoxLayout;
    m_measure = new QPushButton(tr("Measure quality"), this);
    m_measure->setObjectName(QStringLiteral("measureQuality"));
    m_measure->setToolTip(tr("Score the text with the loaded model and with a converted copy (sharing its weights)"));
    connect(m_measure, &QPushButton::clicked, this, &QualityPanel::measureRequested);
    buttons->addWidget(m_measure);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_message = new InlineMessage(InlineMessage::Kind::Error, this);
    m_message->setObjectName(QStringLiteral("qualityMessage"));
    layout->addWidget(m_message);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("qualityNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    layout->addWidget(m_note);
    m_staleNote = new QLabel(this);
    m_staleNote->setObjectName(QStringLiteral("qualityStale"));
    m_staleNote->setWordWrap(true);
    m_staleNote->setStyleSheet(QStringLiteral("QLabel { color: #8a1c1c; font-weight: bold; }"));
    m_staleNote->hide();
    layout->addWidget(m_staleNote);

    m_model = new QualityTableModel(this);
    m_view = fittedTableView(m_model, QStringLiteral("qualityTable"), this);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    layout->addWidget(m_view);
    layout->addStretch(1);
    clear();
}

QualityTextChoice QualityPanel::choice() const
{
    return m_picker->choice();
}

void QualityPanel::setUnavailableReason(const QString& reason)
{
    m_unavailable = reason;
    if (reason.isEmpty())
        m_message->clearMessage();
    else
        m_message->showMessage(reason);
    updateButton();
}

void QualityPanel::setMeasureEnabled(bool enabled)
{
    m_enabled = enabled;
    updateButton();
}

void QualityPanel::updateButton()
{
    m_measure->setEnabled(m_enabled && m_unavailable.isEmpty());
}

void QualityPanel::showReport(const QualityReport& report)
{
    m_hasReport = true;
    m_stale = false;
    clearError();
    m_model->setRows(report.rows);
    const std::int64_t scored = report.rows.isEmpty() ? 0 : report.rows.front().tokens;
    const QString read = report.wholeText ? tr("all its %1 tokens").arg(count(report.textTokens))
                                          : tr("its first %1 tokens (the budget)").arg(count(report.textTokens));
    m_note->setText(
        tr("On %1: %2, %3 of them masked and predicted by every model.%4")
            .arg(report.text, read, count(scored))
            .arg(report.throughLayout ? QString()
                                      : tr(" The conversion is not one layout in every layer of a dense model, so a "
                                           "converted copy was scored as it is.")));
    m_staleNote->hide();
    m_view->setEnabled(true);
}

void QualityPanel::showError(const QString& message)
{
    m_message->showMessage(message);
}

void QualityPanel::clearError()
{
    if (m_unavailable.isEmpty())
        m_message->clearMessage();
    else
        m_message->showMessage(m_unavailable);
}

void QualityPanel::clear()
{
    m_hasReport = false;
    m_stale = false;
    m_model->setRows({});
    m_note->setText(tr("Measure quality to compare the converted model with the original."));
    m_staleNote->hide();
    m_view->setEnabled(true);
    clearError();
}

void QualityPanel::showCancelled()
{
    if (!m_hasReport)
        m_note->setText(tr("Cancelled before it finished: nothing was measured. Measure quality to compare the "
                           "converted model with the original."));
}

void QualityPanel::markStale(const QString& why)
{
    if (!m_hasReport)
        return;
    m_stale = true;
    m_staleNote->setText(tr("Stale: %1 since this measurement. Measure again for current results.").arg(why));
    m_staleNote->show();
    m_view->setEnabled(false);
}

QString QualityPanel::messageText() const
{
    return m_message->message();
}

QString QualityPanel::noteText() const
{
    return m_note->text();
}

} // namespace spw::ui
