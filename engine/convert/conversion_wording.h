#pragma once
// A conversion's figures in words, for the GUI's preview and anything else that says them to a person. Kept here,
// beside the figures, so that every place says "26.7 % of dense" and "layers 0–2" the same way.
#include "convert/conversion_plan.h"

#include <string>
#include <vector>

namespace spw {

// "0–2, 5" for {0, 1, 2, 5}: runs of consecutive layers as ranges. `layers` sorted.
std::string layerRangesText(const std::vector<int>& layers);

// "26.7 %" (one decimal).
std::string percentText(double fraction);

// The self-attention cost at the new maximum length, per sparse layer and for the whole model. With every layer
// sparse: "26.7 % of dense attention in each of the 4 layers"; with some: "26.7 % of dense attention in the 3
// sparse layers (0–2), dense in the other 1: 45.0 % over the whole model"; without sparse layers: "dense
// attention in every layer".
std::string attentionCostText(const ConversionPreview& preview);

} // namespace spw
