#include "profile/sweep_cost.h"

namespace spw {

double forwardCost(const ModelConfig& config, std::int64_t length, std::int64_t batch, double density)
{
    const double L = double(length);
    const double H = double(config.hiddenSize);
    const double I = double(config.intermediateSize);
    return double(batch) * (4.0 * L * H * H + 2.0 * L * H * I + 2.0 * L * L * H * density);
}

double evaluationCost(const ModelConfig& config, std::int64_t textTokens, std::int64_t length, double density)
{
    const std::int64_t windows = length > 0 ? (textTokens + length - 1) / length : 0;
    return forwardCost(config, length, windows, density);
}

std::optional<double> estimateSecondsLeft(double elapsedSeconds, double fraction)
{
    if (fraction < 0.01 || elapsedSeconds < 1.0)
        return std::nullopt;
    if (fraction >= 1.0)
        return 0.0;
    return elapsedSeconds * (1.0 - fraction) / fraction;
}

} // namespace spw
