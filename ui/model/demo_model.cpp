#include "model/demo_model.h"

#include "common/error.h"
#include "model/create_model.h"
#include "tokenizer/demo_tokenizer.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace spw::ui {

QString shippedDemoModelDirectory()
{
    return QStringLiteral(SPW_DEMO_MODEL_DIR);
}

LoadedModel openBuiltInDemoModel(const ProgressCallback& progress)
{
    const QString shipped = shippedDemoModelDirectory();
    if (QFileInfo(shipped + QStringLiteral("/config.json")).isFile()) {
        try {
            LoadedModel loaded = loadModelFolder(shipped, progress);
            loaded.demo = true;
            return loaded;
        } catch (const Error&) {
            // A damaged checkout: the random-weights demo still lets the workbench start.
        }
    }
    return ensureDemoModel(demoModelDirectory(), DemoModelShape {}, progress);
}

QString demoModelDirectory(const DemoModelShape& shape)
{
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    return QDir(cache).filePath(QStringLiteral("demo-bert-L%1-H%2-A%3-I%4-P%5-s%6")
                                    .arg(shape.layers)
                                    .arg(shape.hidden)
                                    .arg(shape.heads)
                                    .arg(shape.intermediate)
                                    .arg(shape.maxPosition)
                                    .arg(shape.seed));
}

LoadedModel ensureDemoModel(const QString& directory, const DemoModelShape& shape, const ProgressCallback& progress)
{
    auto scaled = [&](float from, float to) {
        return ProgressCallback(
            [&progress, from, to](float fraction) { return !progress || progress(from + (to - from) * fraction); });
    };
    if (QFileInfo(directory).isDir()) {
        try {
            LoadedModel loaded = loadModelFolder(directory, progress);
            loaded.demo = true;
            loaded.randomWeights = true;
            return loaded;
        } catch (const Error&) {
            // A damaged or half-deleted cache folder: rebuilt below rather than shown as an error.
            QDir(directory).removeRecursively();
        }
    }
    if (!QDir().mkpath(QFileInfo(directory).absolutePath()))
        fail("cannot create the cache folder {}", QFileInfo(directory).absolutePath().toStdString());
    reportProgress(progress, 0.f);
    CreateModelOptions options;
    options.family = ModelFamily::Bert;
    options.layers = shape.layers;
    options.hidden = shape.hidden;
    options.heads = shape.heads;
    options.intermediate = shape.intermediate;
    options.maxPosition = shape.maxPosition;
    // The demo tokenizer's own vocabulary: a 30k-row table of random vectors would only make the demo slower.
    options.vocab = demoVocabularySize(ModelFamily::Bert);
    options.seed = std::uint64_t(shape.seed);
    createModelFolder(directory.toStdString(), options);
    reportProgress(progress, 0.6f);
    LoadedModel loaded = loadModelFolder(directory, scaled(0.6f, 1.f));
    loaded.demo = true;
    loaded.randomWeights = true;
    return loaded;
}

} // namespace spw::ui
