#include "presets.h"

#include "common/error.h"
#include "common/file_reading.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <nlohmann/json.hpp>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initWorkbenchResources()
{
    Q_INIT_RESOURCE(workbench);
}

namespace spw::ui {

void initResources()
{
    initWorkbenchResources();
}

QStringList presetNames()
{
    QStringList names;
    const QStringList files
        = QDir(QStringLiteral(":/presets")).entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
    for (const QString& file : files)
        names << file.chopped(5);
    return names;
}

SparsityConfig loadPreset(const QString& name)
{
    QFile file(QStringLiteral(":/presets/%1.json").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        fail("preset '{}' not found", name.toStdString());
    const QByteArray bytes = file.readAll();
    return sparsityConfigFromJson(parseJson(std::string_view(bytes.constData(), std::size_t(bytes.size())),
        fmt::format("preset '{}'", name.toStdString())));
}

namespace {

QString indexList(const std::vector<int>& values)
{
    QStringList parts;
    for (int value : values)
        parts << QString::number(value);
    return parts.join(QStringLiteral(", "));
}

QString patternText(const SparsityConfig& c)
{
    const bool causal = c.attention == AttentionDirection::Unidirectional;
    const QString globals = QCoreApplication::translate("Presets", "global block%1 %2")
                                .arg(c.globalBlockIndices.size() == 1 ? QString() : QStringLiteral("s"))
                                .arg(indexList(c.globalBlockIndices));
    QString text;
    switch (c.mode) {
    case SparsityMode::Dense:
        return QCoreApplication::translate("Presets", "Dense: every block, the baseline");
    case SparsityMode::Fixed:
        text = QCoreApplication::translate("Presets", "Sparse Transformer: %1-block windows, %2 global each%3")
                   .arg(c.numLocalBlocks)
                   .arg(c.numGlobalBlocks)
                   .arg(c.numDifferentGlobalPatterns > 1
                           ? QCoreApplication::translate("Presets", ", %1 patterns over the heads")
                                 .arg(c.numDifferentGlobalPatterns)
                           : QString());
        break;
    case SparsityMode::Variable:
        text = QCoreApplication::translate("Presets", "Variable windows: %1 blocks, %2%3")
                   .arg(indexList(c.localWindowBlocks), globals)
                   .arg(c.numRandomBlocks > 0
                           ? QCoreApplication::translate("Presets", ", %1 random").arg(c.numRandomBlocks)
                           : QString());
        break;
    case SparsityMode::BigBird:
        text = QCoreApplication::translate("Presets", "BigBird: %1-block window, %2 global, %3 random")
                   .arg(c.numSlidingWindowBlocks)
                   .arg(c.numGlobalBlocks)
                   .arg(c.numRandomBlocks);
        break;
    case SparsityMode::BSLongformer:
        text = QCoreApplication::translate("Presets", "Longformer: %1-block window, %2")
                   .arg(c.numSlidingWindowBlocks)
                   .arg(globals);
        break;
    case SparsityMode::Local:
        text = QCoreApplication::translate("Presets", "Sliding window: %1 blocks").arg(c.numSlidingWindowBlocks);
        break;
    }
    if (causal)
        text += QCoreApplication::translate("Presets", ", causal");
    return text;
}

} // namespace

QString presetTitle(const QString& name)
{
    try {
        const SparsityConfig config = loadPreset(name);
        return QCoreApplication::translate("Presets", "%1 (block %2)").arg(patternText(config)).arg(config.block);
    } catch (const Error&) {
        return name;
    }
}

} // namespace spw::ui
