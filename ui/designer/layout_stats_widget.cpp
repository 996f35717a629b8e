#include "designer/layout_stats_widget.h"

#include "designer/layout_stats_model.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace spw::ui {

LayoutStatsWidget::LayoutStatsWidget(QWidget* parent)
    : QWidget(parent)
    , m_model(new LayoutStatsModel(this))
    , m_table(new QTableView(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* totals = new QFormLayout;
    m_blocks = new QLabel(this);
    m_blocks->setObjectName(QStringLiteral("nonzeroBlocks"));
    m_flops = new QLabel(this);
    m_flops->setObjectName(QStringLiteral("flops"));
    m_memory = new QLabel(this);
    m_memory->setObjectName(QStringLiteral("scoreMemory"));
    m_scores = new QLabel(this);
    m_scores->setObjectName(QStringLiteral("scoreElements"));
    totals->addRow(tr("Nonzero blocks:"), m_blocks);
    totals->addRow(tr("Attention FLOPs:"), m_flops);
    totals->addRow(tr("Score memory:"), m_memory);
    totals->addRow(tr("Scores computed:"), m_scores);
    layout->addLayout(totals);

    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    layout->addWidget(m_table, 1);
}

void LayoutStatsWidget::showStats(const Layout& layout, const LayoutStats& stats)
{
    m_model->setStats(stats);
    const QLocale locale;
    const qint64 all = qint64(layout.numHeads) * layout.numBlocks * layout.numBlocks;
    m_blocks->setText(tr("%1 of %2 (%3 %)")
                          .arg(locale.toString(qlonglong(stats.nonzeroBlocks)), locale.toString(qlonglong(all)))
                          .arg(stats.density * 100.0, 0, 'f', 2));
    m_flops->setText(tr("%1 % of dense").arg(stats.flopsRelativeToDense * 100.0, 0, 'f', 2));
    m_memory->setText(tr("%1 % of dense").arg(stats.scoreMemoryRelativeToDense * 100.0, 0, 'f', 2));
    m_scores->setText(tr("%1 per sequence").arg(locale.toString(qlonglong(stats.scoreElements))));
}

int LayoutStatsWidget::widthForFigures() const
{
    QFont bold = m_table->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold); // the widest case: bold is never narrower
    // The item delegate's text margin on both sides, and a pixel for the grid line.
    const int padding = 2 * (m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_table) + 1) + 1;
    int widest = 0;
    for (int column = 0; column < m_model->columnCount(); ++column) {
        widest = std::max(widest, metrics.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString()));
        for (int row = 0; row < m_model->rowCount(); ++row)
            widest = std::max(widest, metrics.horizontalAdvance(m_model->index(row, column).data().toString()));
    }
    return std::max(sizeHint().width(), m_model->columnCount() * (widest + padding) + 2 * m_table->frameWidth());
}

QString LayoutStatsWidget::summaryText() const
{
    return m_blocks->text();
}

} // namespace spw::ui
