#include "model/loaded_model.h"

#include "convert/sparse_attention_record.h"
#include "model/encoder_model.h"
#include "tokenizer/tokenizer.h"

namespace spw::ui {

LoadedModel loadModelFolder(const QString& directory, const ProgressCallback& progress)
{
    const std::string path = directory.toStdString();
    LoadedModel loaded;
    loaded.directory = directory;
    // The weights are nearly all of the work: they take 95 % of the bar, the tokenizer the rest.
    // loadForRun: a converted folder comes back with the block-sparse attention its config.json records.
    loaded.model = loadForRun(path, {}, [&](float fraction) { return !progress || progress(0.95f * fraction); });
    if (Tokenizer::hasTokenizerFiles(path))
        loaded.tokenizer = Tokenizer::load(path);
    reportProgress(progress, 1.f);
    return loaded;
}

} // namespace spw::ui
