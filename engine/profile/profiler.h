#pragma once
// A profile sweep (profile_types.h): sequence lengths × batch sizes, dense then each sparse layout, on one model.
//
// For the GUI: run it on a worker thread; `onPoint` receives each finished point (seq_len, batch, layout) as soon
// as it is measured, in sweep order (lengths outer, batches, then layouts), so a plot can grow as results arrive;
// `progress` receives the fraction of the expected work done (each forward weighed by sweep_cost.h) before every
// forward pass, never decreasing, and returning false cancels (spw::Cancelled is thrown; points already delivered
// stay valid). The model is left as it was found (every layer's attention setting restored), except that with
// settings.extend its position table may have grown.
//
// Dense runs once per (seq_len, batch) and is shared by that pair's layouts. A length that is not a multiple of a
// layout's block is padded on the right for the sparse run (convert/padding.h), and its output cut back before the
// drift is measured.
#include "model/encoder_model.h"
#include "profile/profile_types.h"

#include <functional>
#include <vector>

namespace spw {

class Tokenizer;

using ProfilePointCallback = std::function<void(const ProfilePoint& point)>;

// Throws spw::Error for empty lists, non-positive values, a length beyond the model's maximum without
// settings.extend, a layout the model cannot take (num_heads), or text inputs without a tokenizer.
std::vector<ProfilePoint> runProfileSweep(EncoderModel& model, const ProfileSettings& settings,
    const Tokenizer* tokenizer = nullptr, const ProfilePointCallback& onPoint = {},
    const ProgressCallback& progress = {});

// The work runProfileSweep's progress counts (sweep_cost.h's units) for a model of `config` before the sweep
// extends it: for callers that weigh the sweep against other work. Throws as runProfileSweep does for bad settings.
double expectedSweepCost(const ModelConfig& config, const ProfileSettings& settings);

// How peak memory was measured on `device` (memory_meter.h): "cuda-allocator", "vmhwm-reset" or "vmhwm-growth".
std::string memoryMethod(at::Device device);

} // namespace spw
