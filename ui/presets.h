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
// What the preset is, for the designer's list (the mode list beside it already names the modes): the pattern's
// usual name and its sizes, "BigBird: 3-block window, 1 global, 1 random (block 16)". The name itself for a preset
// that does not load.
QString presetTitle(const QString& name);

} // namespace spw::ui
