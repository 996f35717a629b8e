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

std::unique_ptr<QCPColorMapData> buildHeatmapData(
    const Layout& layout, int head, const BlockWindow& window, int maxCells, const ProgressCallback& progress)
{
    const DownsampledLayout pooled = downsampleMax(layout, head, window, maxCells);
    reportProgress(progress, 0.8f);
    const int per = pooled.blocksPerCell;
    // Cell i covers blocks first + i·per .. first + (i+1)·per - 1: its centre is (per - 1) / 2 past the first.
    const double offset = (per - 1) / 2.0;
    auto range = [&](int first, int cells) { return QCPRange(first + offset, first + (cells - 1) * per + offset); };
    auto data = std::make_unique<QCPColorMapData>(pooled.cols, pooled.rows, range(pooled.window.firstCol, pooled.cols),
        range(pooled.window.firstRow, pooled.rows));
    for (int row = 0; row < pooled.rows; ++row)
        for (int col = 0; col < pooled.cols; ++col)
            data->setCell(col, row, double(categoryOf(pooled.at(row, col))));
    // Fixes the data range now, on the worker, so the GUI thread does not rescan the cells.
    data->recalculateDataBounds();
    return data;
}

} // namespace spw::ui
