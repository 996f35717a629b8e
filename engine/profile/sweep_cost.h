#pragma once
// What a profile sweep's forwards are expected to cost, relative to each other, so that its progress counts work
// rather than results: at hidden 768 one 4096-token dense forward costs about 29 of 256 tokens, so a sweep that
// has finished half its results may have done a small part of its work.
//
// The model: multiply-adds per layer and batch row of a BERT encoder layer: the Q, K, V and output projections
// (4·L·H²), the feed-forward (2·L·H·I), and attention's two products QKᵀ and PV over the layout's nonzero blocks
// (2·L²·H·density; 1 for dense). Embeddings, LayerNorms and softmax are linear in L and small beside these.
#include "io/model_config.h"

#include <cstdint>
#include <optional>

namespace spw {

// Relative cost of one forward of `batch` rows of `length` tokens whose attention computes `density` of the
// L² scores (1 for dense).
double forwardCost(const ModelConfig& config, std::int64_t length, std::int64_t batch, double density);

// Relative cost of a masked-LM evaluation (engine/quality/evaluation.h) scoring `textTokens` tokens of text in
// windows of `length` tokens whose attention computes `density` of the scores: the forwards over the
// ceil(textTokens / length) windows (the masked-LM head runs on the scored tokens only, about 15 %, and is left out).
double evaluationCost(const ModelConfig& config, std::int64_t textTokens, std::int64_t length, double density);

// Seconds left for work `fraction` done after `elapsedSeconds`, assuming the rest goes at the same rate; nullopt
// while too little is done to tell (under 1 % or under a second).
std::optional<double> estimateSecondsLeft(double elapsedSeconds, double fraction);

} // namespace spw
