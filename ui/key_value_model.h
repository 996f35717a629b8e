#pragma once
// A read-only two-column table of (key, value) rows: the model's configuration, a conversion preview. Values are
// display text; an optional tooltip explains a row.
#include <QAbstractTableModel>
#include <QString>
#include <QVector>

namespace spw::ui {

struct KeyValueRow {
    QString key;
    QString value;
    QString toolTip;
};

class KeyValueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    KeyValueModel(QString keyHeader, QString valueHeader, QObject* parent = nullptr);

    void setRows(QVector<KeyValueRow> rows);
    const QVector<KeyValueRow>& rows() const { return m_rows; }
    // The value of the first row named `key`, or a null string.
    QString value(const QString& key) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString m_keyHeader;
    QString m_valueHeader;
    QVector<KeyValueRow> m_rows;
};

} // namespace spw::ui
