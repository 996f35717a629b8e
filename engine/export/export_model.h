#pragma once
// Exporting a (converted) model as a HuggingFace folder that transformers loads (design.md §5):
//   config.json        the source's config.json with every key kept, max_position_embeddings updated and
//                      "sparse_attention" describing the sparse layers (engine/convert/sparse_attention_record.h;
//                      removed when every layer is dense)
//   model.safetensors  every parameter under its HuggingFace name, in the SOURCE's dtype, __metadata__
//                      {"format": "pt"}; a tied masked-LM decoder is omitted, as transformers omits it
//   tokenizer and other small files from the source (engine/export/folder_files.h), tokenizer_config.json's
//                      model_max_length set to the conversion's new maximum
// The folder is written beside `outDirectory` and renamed into place (engine/export/staging_folder.h): an error
// or a cancel leaves nothing behind, and an existing `outDirectory` is replaced only with `force` (without it:
// OutputFolderExists, which names the folder and leaves the way out to the caller). The source
// folder is never written to: `outDirectory` must be neither the source, inside it, nor a folder containing it.
#include "common/progress.h"
#include "convert/model_conversion.h"
#include "model/encoder_model.h"

#include <string>
#include <vector>

namespace spw {

struct ExportResult {
    std::string directory; // the absolute output folder
    std::vector<std::string> files; // the file names written, sorted
    std::vector<std::string> skipped; // source files not carried over, "<name> (<why>)" (export/folder_files.h)
};

// `sourceDirectory` may be empty (a model not loaded from a folder): then only config.json and the weights are
// written. Throws spw::Error naming the folder or file at fault, spw::Cancelled when `progress` returns false.
ExportResult exportModel(const EncoderModel& model, const ConversionRecord& record, const std::string& sourceDirectory,
    const std::string& outDirectory, bool force, const ProgressCallback& progress = {});

} // namespace spw
