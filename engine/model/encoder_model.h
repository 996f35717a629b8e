#pragma once
// A BERT or RoBERTa encoder with its optional pooler and head, running transformers' forward exactly (eval mode,
// eager attention): embeddings (word + token type + position, LayerNorm), the layers, then the pooler / masked-LM
// head / sequence-classification head of the checkpoint's architecture (engine/model/architecture.h).
//
// Weights live as plain ATen tensors in the compute dtype on the compute device. On CPU the model always computes
// in float32 (a float16/bfloat16 checkpoint is widened on load); on CUDA the dtype option (float32, float16,
// bfloat16) is the compute dtype. sourceDtype() remembers the checkpoint's stored dtype, for export.
//
// Parameters carry their HuggingFace names (namedParameters()): the encoder's with the source's prefix convention
// ("bert."/"roberta." when the checkpoint had it, none otherwise), LayerNorm as weight/bias even when the source
// used the legacy gamma/beta, the heads' names without prefix, and a tied masked-LM decoder omitted (as
// transformers omits it when tie_word_embeddings is true).
#include "common/progress.h"
#include "io/model_config.h"
#include "model/architecture.h"
#include "model/forward_observer.h"
#include "model/layers.h"
#include "model/self_attention.h"

#include <ATen/ATen.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spw {

struct ModelInputs {
    at::Tensor inputIds; // I64 [B, L]
    std::optional<at::Tensor> attentionMask; // [B, L], 1 keep / 0 padding (any numeric dtype)
    std::optional<at::Tensor> tokenTypeIds; // I64 [B, L]; zeros when absent
    std::optional<at::Tensor> positionIds; // I64 [B, L] or [1, L]; the family's rule when absent
};

struct ModelOutputs {
    at::Tensor lastHiddenState; // [B, L, hidden]
    std::optional<at::Tensor> poolerOutput; // [B, hidden] when the model has a pooler
    std::optional<at::Tensor> logits; // [B, L, vocab] (masked LM) or [B, num_labels] (classification)
};

struct LoadOptions {
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat; // compute dtype on CUDA; CPU computes in float32 whatever is asked
};

// How a parameter is initialised by EncoderModel::randomlyInitialized (transformers' _init_weights).
enum class ParameterInit { Normal, Zeros, Ones };

struct ParameterSpec {
    std::string name; // HuggingFace name, as written on export
    std::vector<std::int64_t> shape;
    ParameterInit init = ParameterInit::Normal;
    std::vector<std::string> aliases; // other names a checkpoint may use (older transformers)
};

struct EncoderLayer {
    SelfAttention attention;
    LinearLayer attentionOutput;
    LayerNormLayer attentionNorm;
    LinearLayer intermediate;
    LinearLayer output;
    LayerNormLayer outputNorm;
};

class EncoderModel {
public:
    // Reads DIR's config.json and weights (engine/io). Missing or mis-shaped tensors, unsupported architectures:
    // spw::Error naming them.
    static std::unique_ptr<EncoderModel> load(
        const std::string& directory, const LoadOptions& options = {}, const ProgressCallback& progress = {});
    // Builds a model from tensors already in memory; `source` names them in messages.
    static std::unique_ptr<EncoderModel> fromTensors(const ModelConfig& config,
        const std::map<std::string, at::Tensor>& tensors, const LoadOptions& options = {},
        const std::string& source = "model.safetensors");
    // transformers' initialisation: normal(0, initializerRange) for linear and embedding weights (the padding
    // row of the word embeddings zero), zero biases, LayerNorm 1/0; seeded, float32, CPU.
    static std::unique_ptr<EncoderModel> randomlyInitialized(
        const ModelConfig& config, std::uint64_t seed, double initializerRange = 0.02);

    ModelOutputs forward(const ModelInputs& inputs) const;
    // The masked-LM head alone (transform dense, activation, LayerNorm, decoder + bias) on hidden states [..., hidden]
    // from forward's lastHiddenState, e.g. only the masked positions' rows: [..., vocab]. spw::Error unless the model
    // has a masked-LM head.
    at::Tensor maskedLmLogits(const at::Tensor& hidden) const;
    // Profilers watch forward() through this (nullptr: none). The observer must outlive its use.
    void setForwardObserver(ForwardObserver* observer) { m_observer = observer; }

    const ModelConfig& config() const { return m_config; }
    // For conversion/export (e.g. the "sparse_attention" object). setPositionEmbeddings keeps
    // max_position_embeddings in step itself.
    ModelConfig& mutableConfig() { return m_config; }
    const std::string& sourceDirectory() const { return m_sourceDirectory; }
    void setSourceDirectory(const std::string& directory) { m_sourceDirectory = directory; }
    Architecture architecture() const { return m_architecture; }
    ModelFamily family() const { return m_config.family(); }
    ModelHead head() const { return architectureHead(m_architecture); }
    bool hasPooler() const { return m_withPooler; }
    // "bert." / "roberta." when the checkpoint's encoder tensors had the prefix, "" otherwise.
    const std::string& basePrefix() const { return m_basePrefix; }
    at::ScalarType sourceDtype() const { return m_sourceDtype; }
    at::ScalarType computeDtype() const { return m_computeDtype; }
    at::Device device() const { return m_device; }

    int layerCount() const { return int(m_layers.size()); }
    SelfAttention& selfAttention(int layer);
    const SelfAttention& selfAttention(int layer) const;

    // Every parameter with its HuggingFace name, in the order transformers lists them, without the tied decoder.
    std::vector<std::pair<std::string, at::Tensor>> namedParameters() const;
    std::int64_t parameterCount() const;

    const at::Tensor& positionEmbeddings() const { return m_positionEmbeddings; }
    // Replaces the position table ([rows, hidden]; moved to the model's device and dtype) and sets
    // max_position_embeddings to rows. Sparse settings already given to layers are left as they are.
    void setPositionEmbeddings(const at::Tensor& table);

private:
    EncoderModel() = default;
    // Calls `visit` on every parameter slot with its spec: building, enumerating and converting share the one
    // list of names and shapes.
    void forEachParameter(const std::function<void(const ParameterSpec&, at::Tensor&)>& visit);
    at::Tensor embed(const ModelInputs& inputs) const;
    std::optional<at::Tensor> extendedMask(const ModelInputs& inputs) const;
    void validateInputs(const ModelInputs& inputs) const;
    at::Tensor decoderWeight() const;
    at::Tensor applyHead(const at::Tensor& hidden, const std::optional<at::Tensor>& pooled) const;

    ModelConfig m_config;
    Architecture m_architecture = Architecture::BertModel;
    std::string m_sourceDirectory;
    std::string m_basePrefix;
    at::ScalarType m_sourceDtype = at::kFloat;
    at::ScalarType m_computeDtype = at::kFloat;
    at::Device m_device = at::kCPU;
    bool m_withPooler = false;
    bool m_tiedDecoder = false; // the masked-LM decoder is the word-embedding table
    ForwardObserver* m_observer = nullptr;

    at::Tensor m_wordEmbeddings;
    at::Tensor m_positionEmbeddings;
    at::Tensor m_tokenTypeEmbeddings;
    LayerNormLayer m_embeddingNorm;
    std::vector<EncoderLayer> m_layers;
    LinearLayer m_pooler;
    // Masked-LM head (BERT: cls.predictions.*, RoBERTa: lm_head.*).
    LinearLayer m_lmDense;
    LayerNormLayer m_lmNorm;
    at::Tensor m_lmDecoderWeight; // undefined when tied
    at::Tensor m_lmBias;
    // Classification head: BERT's classifier, or RoBERTa's classifier.dense + classifier.out_proj.
    LinearLayer m_classifierDense;
    LinearLayer m_classifier;
};

} // namespace spw
