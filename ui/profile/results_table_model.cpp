#include "profile/results_table_model.h"

#include <QColor>
#include <QLocale>

#include <algorithm>

namespace spw::ui {

ResultsTableModel::ResultsTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ResultsTableModel::setPoints(std::vector<ProfilePoint> points)
{
    beginResetModel();
    m_points = std::move(points);
    endResetModel();
}

void ResultsTableModel::appendPoint(const ProfilePoint& point)
{
    const int row = int(m_points.size());
    beginInsertRows({}, row, row);
    m_points.push_back(point);
    endInsertRows();
}

void ResultsTableModel::clear()
{
    setPoints({});
}

bool ResultsTableModel::hasQuality() const
{
    return std::any_of(
        m_points.begin(), m_points.end(), [](const ProfilePoint& point) { return point.sparse.quality.has_value(); });
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_points.size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultsTableModel::value(const ProfilePoint& p, int column) const
{
    switch (column) {
    case LengthColumn:
        return qlonglong(p.seqLen);
    case BatchColumn:
        return qlonglong(p.batch);
    case LayoutColumn:
        return QString::fromStdString(p.layout);
    case DensityColumn:
        return p.density;
    case DenseMsColumn:
        return p.dense.time.medianMs;
    case SparseMsColumn:
        return p.sparse.time.medianMs;
    case SpeedupColumn:
        return p.speedup;
    case DensePeakColumn:
        return p.dense.peakMiB;
    case SparsePeakColumn:
        return p.sparse.peakMiB;
    case MaxDiffColumn:
        return p.maxAbsDiff;
    case CosineColumn:
        return p.cosine;
    case LossColumn:
        return p.sparse.quality ? QVariant(p.sparse.quality->loss) : QVariant();
    case AccuracyColumn:
        return p.sparse.quality ? QVariant(p.sparse.quality->accuracy) : QVariant();
    }
    return {};
}

QString ResultsTableModel::display(const ProfilePoint& p, int column) const
{
    switch (column) {
    case LengthColumn:
        return p.paddedLength != p.seqLen ? tr("%1 (→%2)").arg(p.seqLen).arg(p.paddedLength)
                                          : QString::number(p.seqLen);
    case DensityColumn:
        return QStringLiteral("%1 %").arg(p.density * 100.0, 0, 'f', 1);
    case DenseMsColumn:
    case SparseMsColumn:
        return QString::number(value(p, column).toDouble(), 'f', 2);
    case SpeedupColumn:
        return QStringLiteral("%1×").arg(p.speedup, 0, 'f', 2);
    case DensePeakColumn:
    case SparsePeakColumn:
        return QString::number(value(p, column).toDouble(), 'f', 1);
    case MaxDiffColumn:
        return QString::number(p.maxAbsDiff, 'g', 3);
    case CosineColumn:
        return QString::number(p.cosine, 'f', 6);
    case LossColumn:
        return p.sparse.quality ? QString::number(p.sparse.quality->loss, 'f', 4) : QString();
    case AccuracyColumn:
        return p.sparse.quality ? QStringLiteral("%1 %").arg(p.sparse.quality->accuracy * 100.0, 0, 'f', 2) : QString();
    }
    return value(p, column).toString();
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ProfilePoint& point = m_points[std::size_t(index.row())];
    switch (role) {
    case Qt::UserRole:
        return value(point, index.column());
    case Qt::DisplayRole:
        return display(point, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == LayoutColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                              : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        // A slowdown reads at a glance.
        if (index.column() == SpeedupColumn && point.speedup > 0 && point.speedup < 1)
            return QColor(0xb0, 0x00, 0x20);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == DenseMsColumn)
            return tr("min %1 ms, max %2 ms")
                .arg(point.dense.time.minMs, 0, 'f', 2)
                .arg(point.dense.time.maxMs, 0, 'f', 2);
        if (index.column() == SparseMsColumn)
            return tr("min %1 ms, max %2 ms")
                .arg(point.sparse.time.minMs, 0, 'f', 2)
                .arg(point.sparse.time.maxMs, 0, 'f', 2);
        if ((index.column() == LossColumn || index.column() == AccuracyColumn) && point.sparse.quality
            && point.dense.quality) {
            const MlmQuality& sparse = *point.sparse.quality;
            const MlmQuality& dense = *point.dense.quality;
            return tr("%1: loss %2, perplexity %3, accuracy %4 %\ndense: loss %5, perplexity %6, accuracy %7 %\n"
                      "over %8 masked tokens at %9 tokens per window")
                .arg(QString::fromStdString(point.layout))
                .arg(sparse.loss, 0, 'f', 4)
                .arg(sparse.perplexity, 0, 'f', 3)
                .arg(sparse.accuracy * 100.0, 0, 'f', 2)
                .arg(dense.loss, 0, 'f', 4)
                .arg(dense.perplexity, 0, 'f', 3)
                .arg(dense.accuracy * 100.0, 0, 'f', 2)
                .arg(QLocale().toString(qlonglong(sparse.tokens)))
                .arg(point.seqLen);
        }
        if (index.column() == LengthColumn && point.paddedLength != point.seqLen)
            return tr("The sparse run padded %1 tokens to %2, a multiple of the layout's block")
                .arg(point.seqLen)
                .arg(point.paddedLength);
        return {};
    }
    return {};
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return QAbstractTableModel::headerData(section, orientation, role);
    const bool tip = role == Qt::ToolTipRole;
    switch (section) {
    case LengthColumn:
        return tip ? tr("Sequence length in tokens (padded length of the sparse run)") : tr("Length");
    case BatchColumn:
        return tr("Batch");
    case LayoutColumn:
        return tip ? tr("Sparsity configuration") : tr("Layout");
    case DensityColumn:
        return tip ? tr("Nonzero blocks / all blocks at this length") : tr("Density");
    case DenseMsColumn:
        return tip ? tr("Dense forward, median of the repeats (ms)") : tr("Dense ms");
    case SparseMsColumn:
        return tip ? tr("Block-sparse forward, median of the repeats (ms)") : tr("Sparse ms");
    case SpeedupColumn:
        return tip ? tr("Dense time / sparse time") : tr("Speedup");
    case DensePeakColumn:
        return tip ? tr("Peak memory the dense forwards added (MiB)") : tr("Dense MiB");
    case SparsePeakColumn:
        return tip ? tr("Peak memory the sparse forwards added (MiB)") : tr("Sparse MiB");
    case MaxDiffColumn:
        return tip ? tr("Largest |dense − sparse| of the last hidden state over real tokens") : tr("Max |Δ|");
    case CosineColumn:
        return tip ? tr("Cosine similarity of the dense and sparse last hidden states") : tr("Cosine");
    case LossColumn:
        return tip ? tr("The layout's masked-LM loss on the quality text at this length (lower is better)")
                   : tr("Loss");
    case AccuracyColumn:
        return tip ? tr("The layout's top-1 masked-LM accuracy on the quality text at this length") : tr("Accuracy");
    }
    return {};
}

} // namespace spw::ui
