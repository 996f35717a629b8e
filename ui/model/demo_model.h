#pragma once
// The built-in demo models the workbench opens when no --model is given:
//   - the trained one shipped in the source tree (resources/models/demo-roberta: a small RoBERTa masked-LM trained
//     on the Linux kernel documentation), read where it is, so that every page shows real behaviour;
//   - a small randomly initialised BERT (engine/model/create_model.h) with the demo tokenizer, written once into the
//     user's cache folder and reused: the fallback when the shipped folder is not where the build put it.
#include "model/loaded_model.h"

#include <QString>

namespace spw::ui {

// Where the build found resources/models/demo-roberta.
QString shippedDemoModelDirectory();

// The shipped model when its folder is there; the random-weights demo model otherwise, or when the shipped folder
// does not load (it is then not touched). Runs on a worker thread.
LoadedModel openBuiltInDemoModel(const ProgressCallback& progress);

struct DemoModelShape {
    int layers = 4;
    int hidden = 256;
    int heads = 4;
    int intermediate = 1024;
    int maxPosition = 512;
    int seed = 0;
};

// <cache>/demo-bert-L4-H256-A4-I1024-P512-s0: the shape is in the name, so a changed shape gets a new folder.
QString demoModelDirectory(const DemoModelShape& shape = {});

// Loads the random-weights demo folder, creating it first when it is missing or does not load (a damaged folder is
// replaced). Runs on a worker thread; progress covers creating and loading.
LoadedModel ensureDemoModel(const QString& directory, const DemoModelShape& shape, const ProgressCallback& progress);

} // namespace spw::ui
