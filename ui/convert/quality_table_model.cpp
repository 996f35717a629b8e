#include "convert/quality_table_model.h"

#include <QLocale>

namespace spw::ui {

QualityTableModel::QualityTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void QualityTableModel::setRows(QVector<QualityRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int QualityTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QualityTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant QualityTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QualityRow& row = m_rows[index.row()];
    if (role == ValueRole) {
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case LengthColumn:
            return qlonglong(row.length);
        case TokensColumn:
            return qlonglong(row.tokens);
        case LossColumn:
            return row.loss;
        case PerplexityColumn:
            return row.perplexity;
        case AccuracyColumn:
            return row.accuracy;
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        const QLocale locale;
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case LengthColumn:
            return locale.toString(qlonglong(row.length));
        case TokensColumn:
            return locale.toString(qlonglong(row.tokens));
        case LossColumn:
            return locale.toString(row.loss, 'f', 4);
        case PerplexityColumn:
            return locale.toString(row.perplexity, 'f', 3);
        case AccuracyColumn:
            return QStringLiteral("%1 %").arg(locale.toString(100.0 * row.accuracy, 'f', 2));
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == NameColumn)
        return row.description;
    if (role == Qt::TextAlignmentRole && index.column() != NameColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant QualityTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const bool tip = role == Qt::ToolTipRole;
    switch (section) {
    case NameColumn:
        return tr("Model");
    case LengthColumn:
        return tip ? tr("Window length in tokens: the text is cut into windows this long") : tr("Length");
    case TokensColumn:
        return tip ? tr("Masked tokens predicted, the same ones in every row") : tr("Tokens");
    case LossColumn:
        return tip ? tr("Mean cross-entropy of the true token (natural log); lower is better") : tr("Loss");
    case PerplexityColumn:
        return tip ? tr("exp(loss); lower is better") : tr("Perplexity");
    case AccuracyColumn:
        return tip ? tr("How often the most likely token is the true one; higher is better") : tr("Accuracy");
    }
    return {};
}

} // namespace spw::ui
