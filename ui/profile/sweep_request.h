#pragma once
// What the Profile page asks the engine to run, and running it on a worker thread (engine/profile/profiler.h).
//
// The model is either the one the Model page has open (copied as a bare encoder on the device and dtype asked, so
// the sweep never touches the shared model) or an in-memory random demo encoder of a given shape, whose position
// table is made long enough for the sweep. Inputs are synthetic token ids. With a quality text, the loaded model
// (which then needs a masked-LM head and its tokenizer) also scores the text at each length
// (engine/profile/profile_quality.h).
#include "common/progress.h"
#include "model/loaded_model.h"
#include "profile/profile_types.h"
#include "profile/sweep_results.h"
#include "quality_text.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace spw::ui {

struct DemoEncoderShape {
    int layers = 2;
    int hidden = 256;
    int heads = 4;
    int intermediate = 1024;
};

struct SweepRequest {
    ProfileSettings settings;
    LoadedModel model; // invalid: the in-memory demo encoder
    DemoEncoderShape demo;
    QString device = QStringLiteral("cpu"); // "cpu" or "cuda"
    QString dtype = QStringLiteral("float32"); // "float32", "float16", "bfloat16" (CUDA only)
    std::optional<QualityTextChoice> quality; // masked-LM quality at each length on this text
};

// Called on the worker thread: `started` once the model is ready (the report's machine and settings, so that
// partial results can be saved), then `point` for every finished point.
struct SweepCallbacks {
    std::function<void(const nlohmann::json& machine, const nlohmann::json& settings)> started;
    std::function<void(const ProfilePoint& point)> point;
};

// Runs the sweep; throws spw::Error (bad settings, a length beyond the model without extend, a quality text that
// cannot be read or a model that cannot score it, ...) or spw::Cancelled when `progress` returns false.
SweepResults runSweep(const SweepRequest& request, const SweepCallbacks& callbacks, const ProgressCallback& progress);

// Whether this build of LibTorch has CUDA and a device is present.
bool cudaAvailable();

// The longest length `model` accepts without extending its position table.
std::int64_t usableModelLength(const LoadedModel& model);

// "64, 128 256" -> {64, 128, 256}: whole numbers in [minimum, maximum] separated by commas or spaces, at least one,
// no repeats. On failure nullopt, with a one-line reason naming `field` in *error.
std::optional<std::vector<std::int64_t>> parseSizeList(
    const QString& text, const QString& field, std::int64_t minimum, std::int64_t maximum, QString* error);
QString formatSizeList(const std::vector<std::int64_t>& values);

} // namespace spw::ui
