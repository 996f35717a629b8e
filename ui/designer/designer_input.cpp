#include "designer/designer_input.h"

#include "common/error.h"
#include "sparsity/layout.h"

#include <QRegularExpression>
#include <QStringList>

namespace spw::ui {

DesignerInput defaultDesignerInput()
{
    DesignerInput input;
    input.config = defaultsFor(SparsityMode::BSLongformer);
    input.config.numHeads = 12;
    input.config.seed = 0;
    input.seqLen = 1024;
    return input;
}

namespace {

// Above this many blocks (all heads) the layout is refused rather than built: its mask and sources alone would
// take gigabytes.
constexpr double kMaxBlocks = double(1 << 28);

} // namespace

QString designerInputError(const DesignerInput& input)
{
    try {
        if (input.config.numHeads <= 0)
            fail("num_heads must be positive (got {})", input.config.numHeads);
        validateLayoutRequest(input.config, input.seqLen, input.config.numHeads);
        const double blocks = double(input.seqLen) / input.config.block;
        if (blocks * blocks * input.config.numHeads > kMaxBlocks)
            fail("seq_len {} with block {} and {} heads is too large to draw; use a larger block", input.seqLen,
                input.config.block, input.config.numHeads);
    } catch (const Error& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

DesignerInput withConfig(const DesignerInput& current, SparsityConfig config)
{
    DesignerInput input = current;
    if (config.numHeads <= 0)
        config.numHeads = current.config.numHeads;
    if (!config.seed)
        config.seed = current.seed();
    input.config = std::move(config);
    return input;
}

std::optional<std::vector<int>> parseIntList(const QString& text, const QString& field, QString* error)
{
    std::vector<int> values;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        bool ok = false;
        const int value = part.toInt(&ok);
        if (!ok) {
            if (error)
                *error = QStringLiteral("%1: '%2' is not an integer").arg(field, part);
            return std::nullopt;
        }
        values.push_back(value);
    }
    return values;
}

QString formatIntList(const std::vector<int>& values)
{
    QStringList parts;
    for (int value : values)
        parts << QString::number(value);
    return parts.join(QStringLiteral(", "));
}

} // namespace spw::ui
