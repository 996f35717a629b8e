#pragma once
// The text a masked-LM quality measurement scores, as the Convert and Profile pages let the user pick it: by default
// the held-out text shipped with the workbench (a Qt resource, so it is there without any file), else a UTF-8 .txt
// file or a folder of them; and how many of its tokens to score.
#include "common/progress.h"
#include "profile/profile_types.h"
#include "quality/evaluation_text.h"

#include <QString>

#include <cstdint>

namespace spw {
class Tokenizer;
} // namespace spw

namespace spw::ui {

struct LoadedModel;

// The Linux kernel's cgroup-v2 admin guide (111 kB), which the demo model never saw in training.
extern const QString kHeldOutTextResource;

struct QualityTextChoice {
    QString path; // a file or a folder; empty: the held-out text shipped with the workbench
    std::int64_t maxTokens = kDefaultQualityTokens;

    bool isShipped() const { return path.isEmpty(); }
    // What the pages say was scored: "the held-out text shipped with the workbench (…)" or the path.
    QString description() const;
};

// Why `model`'s masked-LM quality cannot be measured (no model, no masked-LM head, no tokenizer), or empty when it
// can: the pages say so before anything runs.
QString qualityUnavailableReason(const LoadedModel& model);

// Reads the chosen text and tokenizes it with the model's tokenizer up to choice.maxTokens (evaluation_text.h).
// spw::Error naming the file when it cannot be read, is binary or not UTF-8, or gives no tokens.
TokenizedText tokenizeQualityText(
    const QualityTextChoice& choice, const Tokenizer& tokenizer, const ProgressCallback& progress = {});

} // namespace spw::ui
