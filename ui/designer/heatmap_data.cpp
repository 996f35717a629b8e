#include "designer/heatmap_data.h"

#include "qcustomplot_include.h"
#include <QObject>

namespace spw::ui {

BlockCategory categoryOf(BlockSource source)
{
    switch (source) {
    case BlockSource::None:
        return BlockCategory::None;
    case BlockSource::Local:
        return BlockCategory::Local;
    case BlockSource::Global:
        return BlockCategory::Global;
    case BlockSource::Random:
        return BlockCategory::Random;
    case BlockSource::Dense:
        return BlockCategory::Dense;
    }
    return BlockCategory::None;
}

QString categoryName(BlockCategory category)
{
    switch (category) {
    case BlockCategory::None:
        return QObject::tr("not attended");
    case BlockCategory::Local:
        return QObject::tr("local");
    case BlockCategory::Global:
        return QObject::tr("global");
    case BlockCategory::Random:
        return QObject::tr("random");
    case BlockCategory::Dense:
        return QObject::tr("dense");
    }
    return {};
}

std::unique_ptr<QCPColorMapData> buildHeatmapData(const Layout& layout, int head, const ProgressCallback& progress)
{
    const int n = layout.numBlocks;
    auto data = std::make_unique<QCPColorMapData>(n, n, QCPRange(0, n - 1), QCPRange(0, n - 1));
    for (int row = 0; row < n; ++row) {
        for (int col = 0; col < n; ++col) {
            const BlockSource source
                = layout.at(head, row, col) ? layout.source[layout.index(head, row, col)] : BlockSource::None;
            data->setCell(col, row, double(categoryOf(source)));
        }
        if (row % 64 == 0)
            reportProgress(progress, float(row) / float(n));
    }
    // Fixes the data range now, on the worker, so the GUI thread does not rescan the cells.
    data->recalculateDataBounds();
    return data;
}

} // namespace spw::ui
