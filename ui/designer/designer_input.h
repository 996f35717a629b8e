#pragma once
// What the layout designer edits: a sparsity configuration (with its head count and seed) and the sequence length
// the layout is drawn at. One value of this type is one undo step.
#include "sparsity/sparsity_config.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace spw::ui {

struct DesignerInput {
    SparsityConfig config; // numHeads and seed always set here: the designer needs both to draw
    std::int64_t seqLen = 1024;

    std::uint64_t seed() const { return config.seed.value_or(0); }
    bool operator==(const DesignerInput& other) const { return seqLen == other.seqLen && config == other.config; }
    bool operator!=(const DesignerInput& other) const { return !(*this == other); }
};

DesignerInput defaultDesignerInput();

// Why the designer cannot draw `input` (the engine's one-line reason, naming the fields), or empty when it can.
QString designerInputError(const DesignerInput& input);

// Adopts a loaded configuration, keeping the current head count when the file names none, and the sequence length.
DesignerInput withConfig(const DesignerInput& current, SparsityConfig config);

// "0, 4, 8" <-> {0, 4, 8}. Parsing fails (nullopt, with a reason naming `field`) on anything but integers
// separated by commas or spaces.
std::optional<std::vector<int>> parseIntList(const QString& text, const QString& field, QString* error);
QString formatIntList(const std::vector<int>& values);

} // namespace spw::ui
