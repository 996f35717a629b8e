#pragma once
// A model the workbench has open: the engine's model, its tokenizer when the folder has one, and where it came
// from. Shared, read-only, between the pages and the jobs that use it; the engine types stay incomplete here so
// that ui headers need no LibTorch.
#include "common/progress.h"

#include <QString>

#include <memory>

namespace spw {
class EncoderModel;
class Tokenizer;
} // namespace spw

namespace spw::ui {

struct LoadedModel {
    std::shared_ptr<const EncoderModel> model;
    std::shared_ptr<const Tokenizer> tokenizer; // null when the folder has no tokenizer files
    QString directory;
    bool demo = false; // a built-in demo model (ui/model/demo_model.h)
    bool randomWeights = false; // the random-weights demo model: its outputs mean nothing

    bool isValid() const { return bool(model); }
};

// Reads DIR's model (with the sparse attention a converted folder records) and, when present, its tokenizer.
// Progress covers both; throws spw::Error with the engine's one-line message.
LoadedModel loadModelFolder(const QString& directory, const ProgressCallback& progress = {});

} // namespace spw::ui
