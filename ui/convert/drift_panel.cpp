#include "convert/drift_panel.h"

#include "convert/drift_chart.h"
#include "convert/drift_table_model.h"
#include "widgets/fitted_table_view.h"
#include "widgets/section_title.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace spw::ui {
namespace {

QString count(std::int64_t value)
{
    return QLocale().toString(qlonglong(value));
}

QString fillDescription(const DriftReport& report)
{
    if (report.fill == DriftFill::Pad)
        return DriftPanel::tr("the sample text (%1 tokens) padded to %2: only its own tokens are attended and compared")
            .arg(count(std::min(report.textTokens, report.tokens)), count(report.tokens));
    if (report.repeats > 1)
        return DriftPanel::tr("the sample text (%1 tokens) repeated %2 times and cut to %3")
            .arg(count(report.textTokens))
            .arg(report.repeats)
            .arg(count(report.tokens));
    if (report.textTokens > report.tokens)
        return DriftPanel::tr("the sample text cut from %1 to %2 tokens")
            .arg(count(report.textTokens), count(report.tokens));
    return DriftPanel::tr("the sample text (%1 tokens)").arg(count(report.tokens));
}

} // namespace

DriftPanel::DriftPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* title = new QHBoxLayout;
    title->addWidget(sectionTitle(tr("Output drift on the sample text"), this), 1);
    title->addWidget(new QLabel(tr("Fill to the length by"), this));
    m_fill = new QComboBox(this);
    m_fill->setObjectName(QStringLiteral("driftFill"));
    m_fill->addItem(tr("repeating the text"), int(DriftFill::Repeat));
    m_fill->addItem(tr("padding"), int(DriftFill::Pad));
    m_fill->setToolTip(tr("The comparison runs at the converted maximum length. Repeating fills every position with "
                          "real tokens, so sparse attention is tested over the whole length; padding keeps the text "
                          "once and masks the rest."));
    connect(m_fill, &QComboBox::activated, this, [this] { Q_EMIT fillChanged(); });
    title->addWidget(m_fill);
    layout->addLayout(title);

    m_note = new QLabel(tr("Compare on sample text to measure how far the converted model's outputs move."), this);
    m_note->setObjectName(QStringLiteral("driftNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: #5f6670; }"));
    layout->addWidget(m_note);
    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("driftWarning"));
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("QLabel { color: #6a4a00; background: #fff4d6; border: 1px solid #e8cf8a;"
                                            " border-radius: 4px; padding: 6px; }"));
    m_warning->hide();
    layout->addWidget(m_warning);
    m_staleNote = new QLabel(this);
    m_staleNote->setObjectName(QStringLiteral("driftStale"));
    m_staleNote->setWordWrap(true);
    m_staleNote->setStyleSheet(QStringLiteral("QLabel { color: #8a1c1c; font-weight: bold; }"));
    m_staleNote->hide();
    layout->addWidget(m_staleNote);

    m_model = new DriftTableModel(this);
    m_view = fittedTableView(m_model, QStringLiteral("driftTable"), this);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    layout->addWidget(m_view);
    m_chart = new DriftChart(this);
    layout->addWidget(m_chart, 1);
}

DriftFill DriftPanel::fill() const
{
    return DriftFill(m_fill->currentData().toInt());
}

void DriftPanel::setFill(DriftFill fill)
{
    m_fill->setCurrentIndex(m_fill->findData(int(fill)));
}

void DriftPanel::showReport(const DriftReport& report)
{
    m_hasReport = true;
    m_stale = false;
    m_model->setRows(report.rows);
    m_chart->showDrift(report.rows);
    if (report.positionsOnly)
        m_reportNote = tr("Positions only: compared with the loaded model at its own %1 tokens, the longest it takes, "
                          "on %2. The extended table copies the original rows, so these positions are unchanged.")
                           .arg(count(report.tokens), fillDescription(report));
    else
        m_reportNote = tr("Run at %1 tokens, the converted length, on %2; compared with the same conversion without "
                          "sparse attention: each layer's hidden state and the final outputs, over %3 real tokens.")
                           .arg(count(report.tokens), fillDescription(report), count(report.realTokens));
    m_note->setText(m_reportNote);
    const bool dense = report.layoutDensity && *report.layoutDensity >= 1.0;
    m_warning->setText(dense ? tr("At %1 tokens (%2 padded to the block) the layout covers every block: the sparse "
                                  "layers compute exactly what dense ones do, so no drift is expected. Use a longer "
                                  "maximum length or a sparser layout to see its effect.")
                                   .arg(count(report.tokens), count(report.paddedTokens))
                             : QString());
    m_warning->setVisible(dense);
    m_staleNote->hide();
    m_view->setEnabled(true);
    m_chart->setEnabled(true);
}

void DriftPanel::clear()
{
    m_hasReport = false;
    m_stale = false;
    m_model->setRows({});
    m_chart->showDrift({});
    m_note->setText(tr("Compare on sample text to measure how far the converted model's outputs move."));
    m_warning->hide();
    m_warning->clear();
    m_staleNote->hide();
    m_view->setEnabled(true);
    m_chart->setEnabled(true);
}

void DriftPanel::markStale(const QString& why)
{
    if (!m_hasReport)
        return;
    m_stale = true;
    m_staleNote->setText(tr("Stale: %1 since this comparison. Compare again for current results.").arg(why));
    m_staleNote->show();
    m_view->setEnabled(false);
    m_chart->setEnabled(false);
}

QString DriftPanel::noteText() const
{
    return m_note->text();
}

QString DriftPanel::warningText() const
{
    return m_warning->text();
}

} // namespace spw::ui
