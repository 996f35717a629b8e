#include "model/encoder_model.h"

#include "common/error.h"

#include <ATen/core/grad_mode.h>

#include <fmt/ranges.h>

#include <limits>

namespace spw {
namespace {

// transformers' extended mask value: torch.finfo(dtype).min.
double dtypeMinimum(at::ScalarType type)
{
    switch (type) {
    case at::kHalf:
        return double(std::numeric_limits<c10::Half>::lowest());
    case at::kBFloat16:
        return double(std::numeric_limits<c10::BFloat16>::lowest());
    case at::kDouble:
        return std::numeric_limits<double>::lowest();
    default:
        return double(std::numeric_limits<float>::lowest());
    }
}

void checkIds(const at::Tensor& ids, const char* name, std::int64_t limit, const char* limitName)
{
    if (ids.numel() == 0)
        return;
    std::int64_t low = ids.min().item<std::int64_t>();
    std::int64_t high = ids.max().item<std::int64_t>();
    if (low < 0 || high >= limit)
        fail("{}: values must lie in [0, {}) ({} {}), found {}", name, limit, limitName, limit, low < 0 ? low : high);
}

void checkShape(const at::Tensor& tensor, const char* name, at::IntArrayRef expected)
{
    if (tensor.sizes() != expected)
        fail("{}: shape [{}] does not match input_ids [{}]", name, fmt::join(tensor.sizes(), ", "),
            fmt::join(expected, ", "));
}

} // namespace

void EncoderModel::forEachParameter(const std::function<void(const ParameterSpec&, at::Tensor&)>& visit)
{
    const auto& c = m_config;
    const std::int64_t h = c.hiddenSize;
    auto tensor = [&](std::string name, std::vector<std::int64_t> shape, ParameterInit init, at::Tensor& slot,
                      std::vector<std::string> aliases = {}) {
        visit(ParameterSpec { std::move(name), std::move(shape), init, std::move(aliases) }, slot);
    };
    auto linear = [&](const std::string& name, std::int64_t out, std::int64_t in, LinearLayer& layer) {
        tensor(name + ".weight", { out, in }, ParameterInit::Normal, layer.weight);
        tensor(name + ".bias", { out }, ParameterInit::Zeros, layer.bias);
    };
    // Older checkpoints (TF-converted BERT) name LayerNorm's parameters gamma/beta.
    auto norm = [&](const std::string& name, LayerNormLayer& layer) {
        layer.eps = c.layerNormEps;
        tensor(name + ".weight", { h }, ParameterInit::Ones, layer.weight, { name + ".gamma" });
        tensor(name + ".bias", { h }, ParameterInit::Zeros, layer.bias, { name + ".beta" });
    };
    const std::string& p = m_basePrefix;
    tensor(p + "embeddings.word_embeddings.weight", { c.vocabSize, h }, ParameterInit::Normal, m_wordEmbeddings);
    tensor(p + "embeddings.position_embeddings.weight", { c.maxPositionEmbeddings, h }, ParameterInit::Normal,
        m_positionEmbeddings);
    tensor(p + "embeddings.token_type_embeddings.weight", { c.typeVocabSize, h }, ParameterInit::Normal,
        m_tokenTypeEmbeddings);
    norm(p + "embeddings.LayerNorm", m_embeddingNorm);
    m_layers.resize(std::size_t(c.numHiddenLayers));
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        EncoderLayer& layer = m_layers[i];
        const std::string base = fmt::format("{}encoder.layer.{}.", p, i);
        layer.attention.numHeads = c.numAttentionHeads;
        linear(base + "attention.self.query", h, h, layer.attention.query);
        linear(base + "attention.self.key", h, h, layer.attention.key);
        linear(base + "attention.self.value", h, h, layer.attention.value);
        linear(base + "attention.output.dense", h, h, layer.attentionOutput);
        norm(base + "attention.output.LayerNorm", layer.attentionNorm);
        linear(base + "intermediate.dense", c.intermediateSize, h, layer.intermediate);
        linear(base + "output.dense", h, c.intermediateSize, layer.output);
        norm(base + "output.LayerNorm", layer.outputNorm);
    }
    if (m_withPooler)
        linear(p + "pooler.dense", h, h, m_pooler);

    const bool roberta = family() == ModelFamily::Roberta;
    if (head() == ModelHead::MaskedLM) {
        const std::string name = roberta ? "lm_head" : "cls.predictions";
        linear(roberta ? "lm_head.dense" : "cls.predictions.transform.dense", h, h, m_lmDense);
        norm(roberta ? "lm_head.layer_norm" : "cls.predictions.transform.LayerNorm", m_lmNorm);
        if (!m_tiedDecoder)
            tensor(name + ".decoder.weight", { c.vocabSize, h }, ParameterInit::Normal, m_lmDecoderWeight);
        tensor(name + ".bias", { c.vocabSize }, ParameterInit::Zeros, m_lmBias, { name + ".decoder.bias" });
    } else if (head() == ModelHead::SequenceClassification) {
        if (roberta) {
            linear("classifier.dense", h, h, m_classifierDense);
            linear("classifier.out_proj", c.numLabels, h, m_classifier);
        } else {
            linear("classifier", c.numLabels, h, m_classifier);
        }
    }
}

SelfAttention& EncoderModel::selfAttention(int layer)
{
    if (layer < 0 || layer >= layerCount())
        fail("layer {} does not exist (the model has {} layers)", layer, layerCount());
    return m_layers[std::size_t(layer)].attention;
}

const SelfAttention& EncoderModel::selfAttention(int layer) const
{
    return const_cast<EncoderModel*>(this)->selfAttention(layer);
}

std::vector<std::pair<std::string, at::Tensor>> EncoderModel::namedParameters() const
{
    std::vector<std::pair<std::string, at::Tensor>> result;
    const_cast<EncoderModel*>(this)->forEachParameter(
        [&](const ParameterSpec& spec, at::Tensor& slot) { result.emplace_back(spec.name, slot); });
    return result;
}

std::int64_t EncoderModel::parameterCount() const
{
    std::int64_t count = 0;
    for (const auto& [name, tensor] : namedParameters())
        count += tensor.numel();
    return count;
}

void EncoderModel::setPositionEmbeddings(const at::Tensor& table)
{
    if (table.dim() != 2 || table.size(1) != m_config.hiddenSize || table.size(0) < 1)
        fail("position embeddings: shape [{}] is not [rows, {}]", fmt::join(table.sizes(), ", "), m_config.hiddenSize);
    const std::int64_t reserved = reservedPositionRows(family(), m_config.padTokenId);
    if (table.size(0) <= reserved)
        fail("position embeddings: {} rows leave no positions after RoBERTa's padding index {}", table.size(0),
            m_config.padTokenId);
    m_positionEmbeddings = table.to(m_device, m_computeDtype).contiguous();
    m_config.maxPositionEmbeddings = table.size(0);
}

void EncoderModel::validateInputs(const ModelInputs& inputs) const
{
    const at::Tensor& ids = inputs.inputIds;
    if (!ids.defined() || ids.dim() != 2 || ids.size(0) < 1 || ids.size(1) < 1)
        fail("input_ids: expected a non-empty [batch, length] tensor");
    if (ids.scalar_type() != at::kLong)
        fail("input_ids: dtype must be I64 (int64), got {}", c10::toString(ids.scalar_type()));
    checkIds(ids, "input_ids", m_config.vocabSize, "vocab_size");
    const std::int64_t length = ids.size(1);
    if (inputs.positionIds) {
        const at::Tensor& positions = *inputs.positionIds;
        if (positions.dim() != 2 || positions.size(1) != length
            || (positions.size(0) != 1 && positions.size(0) != ids.size(0)))
            fail("position_ids: shape [{}] does not match input_ids [{}]", fmt::join(positions.sizes(), ", "),
                fmt::join(ids.sizes(), ", "));
        if (positions.scalar_type() != at::kLong)
            fail("position_ids: dtype must be I64 (int64)");
        checkIds(positions, "position_ids", m_config.maxPositionEmbeddings, "max_position_embeddings");
    } else {
        const std::int64_t usable = m_config.usableMaxLength();
        if (length > usable)
            fail("input_ids: length {} exceeds the model's {} positions (max_position_embeddings {})", length, usable,
                m_config.maxPositionEmbeddings);
    }
    if (inputs.attentionMask) {
        checkShape(*inputs.attentionMask, "attention_mask", ids.sizes());
        if (at::isComplexType(inputs.attentionMask->scalar_type()))
            fail("attention_mask: dtype must be integer, bool or float");
    }
    if (inputs.tokenTypeIds) {
        checkShape(*inputs.tokenTypeIds, "token_type_ids", ids.sizes());
        if (inputs.tokenTypeIds->scalar_type() != at::kLong)
            fail("token_type_ids: dtype must be I64 (int64)");
        checkIds(*inputs.tokenTypeIds, "token_type_ids", m_config.typeVocabSize, "type_vocab_size");
    }
}

at::Tensor EncoderModel::embed(const ModelInputs& inputs) const
{
    at::Tensor ids = inputs.inputIds.to(m_device);
    at::Tensor positions;
    if (inputs.positionIds) {
        positions = inputs.positionIds->to(m_device);
    } else if (family() == ModelFamily::Roberta) {
        // transformers' create_position_ids_from_input_ids: padding keeps the padding index, real tokens count
        // up from padding_idx + 1.
        at::Tensor notPad = ids.ne(m_config.padTokenId).to(at::kLong);
        positions = at::cumsum(notPad, 1) * notPad + m_config.padTokenId;
    } else {
        positions = at::arange(ids.size(1), ids.options()).unsqueeze(0);
    }
    at::Tensor types = inputs.tokenTypeIds ? inputs.tokenTypeIds->to(m_device) : at::zeros_like(ids);
    at::Tensor x = at::embedding(m_wordEmbeddings, ids) + at::embedding(m_tokenTypeEmbeddings, types);
    x = x + at::embedding(m_positionEmbeddings, positions);
    return m_embeddingNorm(x);
}

std::optional<at::Tensor> EncoderModel::extendedMask(const ModelInputs& inputs) const
{
    if (!inputs.attentionMask)
        return std::nullopt;
    // A mask that keeps every token adds only zeros: dropping it gives the same result and lets attention take its
    // unmasked paths (fused SDPA kernels, the block-sparse kernel without mask loads), as transformers does for SDPA.
    if (!inputs.attentionMask->eq(0).any().item<bool>())
        return std::nullopt;
    at::Tensor mask = inputs.attentionMask->to(m_device, m_computeDtype);
    at::Tensor extended = (1.0 - mask) * dtypeMinimum(m_computeDtype);
    return extended.unsqueeze(1).unsqueeze(1);
}

at::Tensor EncoderModel::decoderWeight() const
{
    return m_tiedDecoder ? m_wordEmbeddings : m_lmDecoderWeight;
}

at::Tensor EncoderModel::maskedLmLogits(const at::Tensor& hidden) const
{
    if (head() != ModelHead::MaskedLM)
        fail("{}: a {} has no masked-LM head (BertForMaskedLM or RobertaForMaskedLM has one)", m_sourceDirectory,
            architectureName(m_architecture));
    at::NoGradGuard noGrad;
    // RoBERTa's LM head uses exact GELU whatever hidden_act says; BERT's uses hidden_act.
    const bool roberta = family() == ModelFamily::Roberta;
    at::Tensor x = applyActivation(m_lmDense(hidden), roberta ? "gelu" : m_config.hiddenAct);
    return at::linear(m_lmNorm(x), decoderWeight(), m_lmBias);
}

at::Tensor EncoderModel::applyHead(const at::Tensor& hidden, const std::optional<at::Tensor>& pooled) const
{
    if (head() == ModelHead::MaskedLM)
        return maskedLmLogits(hidden);
    if (family() == ModelFamily::Roberta) // RobertaClassificationHead: the <s> token, dense, tanh, out_proj
        return m_classifier(at::tanh(m_classifierDense(hidden.select(1, 0))));
    return m_classifier(*pooled);
}

ModelOutputs EncoderModel::forward(const ModelInputs& inputs) const
{
    validateInputs(inputs);
    at::NoGradGuard noGrad;
    at::Tensor x = embed(inputs);
    std::optional<at::Tensor> mask = extendedMask(inputs);
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const EncoderLayer& layer = m_layers[i];
        if (m_observer)
            m_observer->layerStarted(int(i));
        at::Tensor attention = layer.attention.forward(x, mask);
        if (m_observer)
            m_observer->attentionFinished(int(i));
        x = layer.attentionNorm(layer.attentionOutput(attention) + x);
        at::Tensor intermediate = applyActivation(layer.intermediate(x), m_config.hiddenAct);
        x = layer.outputNorm(layer.output(intermediate) + x);
        if (m_observer) {
            m_observer->layerOutput(int(i), x);
            m_observer->layerFinished(int(i));
        }
    }
    ModelOutputs outputs;
    outputs.lastHiddenState = x;
    if (m_withPooler)
        outputs.poolerOutput = at::tanh(m_pooler(x.select(1, 0)));
    if (head() != ModelHead::None)
        outputs.logits = applyHead(x, outputs.poolerOutput);
    return outputs;
}

} // namespace spw
