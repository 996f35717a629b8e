#include "convert/conversion_wording.h"

#include <fmt/format.h>

namespace spw {

std::string layerRangesText(const std::vector<int>& layers)
{
    std::string text;
    for (std::size_t i = 0; i < layers.size();) {
        std::size_t j = i;
        while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1)
            ++j;
        if (!text.empty())
            text += ", ";
        text += i == j ? fmt::format("{}", layers[i]) : fmt::format("{}–{}", layers[i], layers[j]);
        i = j + 1;
    }
    return text;
}

std::string percentText(double fraction)
{
    return fmt::format("{:.1f} %", 100.0 * fraction);
}

std::string attentionCostText(const ConversionPreview& preview)
{
    const auto sparse = preview.layersTouched.size();
    if (sparse == 0 || !preview.layoutStats)
        return "dense attention in every layer";
    const std::string perLayer = percentText(preview.layoutStats->flopsRelativeToDense);
    if (int(sparse) == preview.layerCount)
        return fmt::format("{} of dense attention in each of the {} layers", perLayer, sparse);
    const int dense = preview.layerCount - int(sparse);
    return fmt::format("{} of dense attention in the {} sparse layer{} ({}), dense in the other {}: {} over the "
                       "whole model",
        perLayer, sparse, sparse == 1 ? "" : "s", layerRangesText(preview.layersTouched), dense,
        percentText(preview.attentionCostRelativeToDense));
}

} // namespace spw
