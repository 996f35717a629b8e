#pragma once
// Which files of a checkpoint folder an export carries over, and the tokenizer files it rewrites.
//   Copied byte for byte: every top-level regular file up to 64 MiB except config.json and weights (*.safetensors,
//   *.safetensors.index.json, *.bin, *.bin.index.json, *.h5, *.msgpack, *.ckpt, *.pt, *.pth, *.onnx, *.ot), which
//   the export writes itself. That keeps special_tokens_map.json, vocab.txt, vocab.json, merges.txt,
//   added_tokens.json, README.md, ...
//   Skipped, and listed as skipped: links leading outside the folder (common/folder_containment.h: the source is
//   untrusted, and a link to /etc/shadow must not end up in an export), FIFOs, devices and sockets, files over
//   64 MiB. Subfolders are not carried over.
//   Rewritten when the maximum length changed:
//     tokenizer_config.json  model_max_length = N; every other key kept, in its order
//     tokenizer.json         truncation.max_length and model_max_length = N, only where present (else copied)
//   A folder with tokenizer files but no tokenizer_config.json gets one holding model_max_length alone.
//   Rewritten files are indented by 2 as transformers writes them, unless that would make them more than four times
//   their compact size (deep nesting): then compact, so that what is written stays in proportion to what was read.
#include "common/progress.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace spw {

struct CopiedFiles {
    std::vector<std::string> written; // file names
    std::vector<std::string> skipped; // "<name> (<why>)"
};

// Copies (and rewrites) `source`'s files into `target`. Throws spw::Error naming the file when a source file cannot
// be read, spw::EnvironmentError when `target` cannot be written, spw::Cancelled when `progress` cancels (called once
// per file with fractions in [0, 1]).
CopiedFiles copyFolderFiles(const std::filesystem::path& source, const std::filesystem::path& target,
    std::optional<std::int64_t> modelMaxLength, const ProgressCallback& progress = {});

} // namespace spw
