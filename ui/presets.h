#pragma once
// The sparsity presets compiled into the workbench (resources/presets/*.json, under ":/presets").
#include "sparsity/sparsity_config.h"

#include <QStringList>

namespace spw::ui {

// Registers the resources linked from the static spw_ui library; call once before using them (runWorkbench does).
void initResources();

// Preset names without ".json", sorted.
QStringList presetNames();
// Throws spw::Error naming the preset when it is missing or invalid.
SparsityConfig loadPreset(const QString& name);

} // namespace spw::ui
