#pragma once
// The built-in demo model the workbench opens when no --model is given: a small randomly initialised BERT
// (engine/model/create_model.h) with the demo tokenizer, written once into the user's cache folder and reused.
#include "model/loaded_model.h"

#include <QString>

namespace spw::ui {

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

// Loads the demo folder, creating it first when it is missing or does not load (a damaged folder is replaced).
// Runs on a worker thread; progress covers creating and loading.
LoadedModel ensureDemoModel(const QString& directory, const DemoModelShape& shape, const ProgressCallback& progress);

} // namespace spw::ui
