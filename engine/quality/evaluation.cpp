#include "quality/evaluation.h"

#include "common/error.h"
#include "convert/conversion_plan.h"
#include "convert/model_conversion.h"
#include "convert/position_extension.h"
#include "io/model_config.h"
#include "model/self_attention.h"
#include "profile/profile_model.h"
#include "quality/evaluation_windows.h"
#include "quality/mlm_masking.h"
#include "quality/mlm_score.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace spw {

const char* const kAsIsConfiguration = "as-is";
const char* const kExtendedDenseConfiguration = "extended-dense";
const char* const kExtendedRandomDenseConfiguration = "extended-random-dense";

namespace {

// The spread transformers draws new embedding rows from: the checkpoint's initializer_range, or BERT's and
// RoBERTa's 0.02 when config.json does not say.
double initializerRange(const ModelConfig& config)
{
    const auto it = config.original.find("initializer_range");
    if (it != config.original.end() && it->is_number() && it->get<double>() > 0)
        return it->get<double>();
    return 0.02;
}

std::int64_t evaluationLength(const EncoderModel& model, const EvaluationSettings& settings)
{
    return settings.seqLen.value_or(model.config().usableMaxLength());
}

SpecialTokenIds specialTokens(const Tokenizer& tokenizer)
{
    SpecialTokenIds specials;
    std::tie(specials.before, specials.after) = tokenizer.singleTextSpecialIds();
    return specials;
}

std::int64_t batchCount(const std::vector<EvaluationWindow>& windows, std::int64_t batch)
{
    return (std::int64_t(windows.size()) + batch - 1) / batch;
}

// Checks every layout against the model at the evaluation's length with conversion's own checks (num_heads, the
// layout at the new length): an evaluation that fails at its last layout would lose the others' results.
void checkLayouts(const EncoderModel& model, const EvaluationSettings& settings, std::int64_t seqLen)
{
    for (const ProfileLayout& layout : settings.layouts) {
        if (seqLen < layout.config.block)
            fail("sequence length {} (--seq-len) is below the block {} of layout {}", seqLen, layout.config.block,
                layout.name);
        ConversionPlan plan;
        if (seqLen > model.config().usableMaxLength())
            plan.maxLength = seqLen;
        plan.sparsity = layout.config;
        plan.seed = layout.config.seed.value_or(settings.seed);
        try {
            previewConversion(model.config(), plan);
        } catch (const EnvironmentError&) {
            throw;
        } catch (const Error& e) {
            fail("layout {}: {}", layout.name, e.what());
        }
    }
}

MaskingOptions maskingOptions(const EncoderModel& model, const Tokenizer& tokenizer, const TokenizedText& text,
    const SpecialTokenIds& specials, const EvaluationSettings& settings)
{
    const std::int64_t vocab = model.config().vocabSize;
    for (const std::vector<std::int64_t>& document : text.documents)
        for (std::int64_t id : document)
            if (id < 0 || id >= vocab)
                fail("{}: the tokenizer gives id {} for the text, outside the model's vocab_size {}",
                    tokenizer.sourceFile(), id, vocab);
    MaskingOptions options;
    options.probability = settings.maskProbability;
    options.seed = settings.seed;
    options.maskTokenId = *tokenizer.maskTokenId();
    options.vocabSize = std::min(vocab, tokenizer.vocabSize());
    options.neverChosen = { options.maskTokenId, model.config().padTokenId };
    options.neverChosen.insert(specials.before.begin(), specials.before.end());
    options.neverChosen.insert(specials.after.begin(), specials.after.end());
    return options;
}

// Reports the fraction done before each batch, over every configuration's batches.
class BatchProgress {
public:
    BatchProgress(const ProgressCallback& progress, std::int64_t total)
        : m_progress(progress)
        , m_total(std::max<std::int64_t>(total, 1))
    {
    }
    void next() { reportProgress(m_progress, float(double(m_done++) / double(m_total))); }
    void finish() { reportProgress(m_progress, 1.0f); }

private:
    const ProgressCallback& m_progress;
    std::int64_t m_total;
    std::int64_t m_done = 0;
};

} // namespace

void requireMaskedLmHead(const EncoderModel& model)
{
    if (model.head() != ModelHead::MaskedLM)
        fail("{}: evaluation needs a masked-LM model (BertForMaskedLM or RobertaForMaskedLM), not a {}",
            model.sourceDirectory(), architectureName(model.architecture()));
}

void checkEvaluation(const EncoderModel& model, const Tokenizer& tokenizer, const EvaluationSettings& settings)
{
    requireMaskedLmHead(model);
    const std::int64_t seqLen = evaluationLength(model, settings);
    if (seqLen < 1)
        fail("sequence length must be positive, got {} (--seq-len)", seqLen);
    if (settings.batch < 1)
        fail("batch size must be positive, got {} (--batch)", settings.batch);
    if (!(settings.maskProbability > 0 && settings.maskProbability <= 1))
        fail("mask probability must be in (0, 1], got {} (--mask-prob)", settings.maskProbability);
    checkLayouts(model, settings, seqLen);
    if (settings.randomPositions && seqLen <= model.config().usableMaxLength())
        fail("random new positions (--random-positions) need a length above the model's maximum {}, got {} (--seq-len)",
            model.config().usableMaxLength(), seqLen);

    const std::optional<std::int64_t> mask = tokenizer.maskTokenId();
    if (!mask)
        fail("{}: the tokenizer has no mask token (mask_token), which masked-LM evaluation needs",
            tokenizer.sourceFile());
    const SpecialTokenIds specials = specialTokens(tokenizer);
    std::vector<std::int64_t> ids = { *mask };
    ids.insert(ids.end(), specials.before.begin(), specials.before.end());
    ids.insert(ids.end(), specials.after.begin(), specials.after.end());
    const std::int64_t largest = *std::max_element(ids.begin(), ids.end());
    if (largest >= model.config().vocabSize)
        fail("{}: the tokenizer's special token id {} is beyond the model's vocab_size {}", tokenizer.sourceFile(),
            largest, model.config().vocabSize);
    const std::int64_t shortest = std::min(seqLen, model.config().usableMaxLength());
    const auto specialCount = std::int64_t(specials.before.size() + specials.after.size());
    if (shortest <= specialCount)
        fail("sequence length {} (--seq-len) leaves no room for text between the tokenizer's {} special tokens",
            shortest, specialCount);
}

std::vector<EvaluationResult> evaluateMaskedLm(const EncoderModel& model, const Tokenizer& tokenizer,
    const TokenizedText& text, const EvaluationSettings& settings, const EvaluationResultCallback& onResult,
    const ProgressCallback& progress)
{
    checkEvaluation(model, tokenizer, settings);
    const std::int64_t usable = model.config().usableMaxLength();
    const std::int64_t seqLen = evaluationLength(model, settings);
    const SpecialTokenIds specials = specialTokens(tokenizer);
    const std::vector<MaskedDocument> masked
        = maskText(text, maskingOptions(model, tokenizer, text, specials, settings));
    const std::int64_t asIsLength = std::min(seqLen, usable);
    const std::vector<EvaluationWindow> asIsWindows = makeWindows(masked, asIsLength, specials);
    const std::vector<EvaluationWindow> windows
        = seqLen == asIsLength ? asIsWindows : makeWindows(masked, seqLen, specials);
    if (windows.empty())
        fail("no token of the text was chosen for scoring (mask probability {} over {} tokens): use a longer text or "
             "a higher probability",
            settings.maskProbability, text.tokenCount);

    const bool extend = seqLen > usable;
    const bool scoreAsIs = !(extend && settings.asIsOnlyAtN);
    if (model.device().is_cpu()) { // dense runs must fit before the first starts (the sparse ones are smaller)
        const std::int64_t heads = model.config().numAttentionHeads;
        if (scoreAsIs && sparseLayers(model).empty())
            checkDenseCpuAttentionFits(settings.batch, heads, asIsLength, sizeof(float));
        if (extend)
            checkDenseCpuAttentionFits(settings.batch, heads, seqLen, sizeof(float));
    }

    // The configurations run on one bare encoder sharing the model's weights: the masked-LM head is applied to the
    // scored tokens only, not to every position (an [L, vocab] product per window).
    std::unique_ptr<EncoderModel> encoder = bareEncoder(model, placementOf(model));
    copySparseLayers(model, *encoder);

    const std::int64_t laterRuns
        = std::int64_t(settings.layouts.size()) + (extend ? 1 : 0) + (settings.randomPositions ? 1 : 0);
    BatchProgress steps(progress,
        (scoreAsIs ? batchCount(asIsWindows, settings.batch) : 0) + laterRuns * batchCount(windows, settings.batch));
    std::vector<EvaluationResult> results;
    auto evaluate = [&](const std::string& name, std::int64_t length, const std::vector<EvaluationWindow>& cut) {
        const auto start = std::chrono::steady_clock::now();
        MlmScore score;
        for (std::size_t first = 0; first < cut.size(); first += std::size_t(settings.batch)) {
            steps.next();
            const std::size_t count = std::min(cut.size() - first, std::size_t(settings.batch));
            const EvaluationBatch batch = makeBatch(cut, first, count, model.config().padTokenId);
            scoreMaskedTokens(*encoder, model, batch.inputs, batch.labels, score);
        }
        EvaluationResult result;
        result.configuration = name;
        result.seqLen = length;
        result.tokens = score.tokens();
        result.loss = score.loss();
        result.perplexity = score.perplexity();
        result.accuracy = score.accuracy();
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        results.push_back(result);
        if (onResult)
            onResult(results.back());
    };

    if (scoreAsIs)
        evaluate(kAsIsConfiguration, asIsLength, asIsWindows);
    if (extend) {
        extendPositionEmbedding(*encoder, seqLen);
        for (int layer = 0; layer < encoder->layerCount(); ++layer)
            encoder->selfAttention(layer).setSparseAttention(nullptr);
        evaluate(kExtendedDenseConfiguration, seqLen, windows);
    }
    if (settings.randomPositions) {
        const at::Tensor copied = encoder->positionEmbeddings();
        const ModelConfig& config = model.config();
        encoder->setPositionEmbeddings(extendPositionTableRandomly(model.positionEmbeddings(),
            reservedPositionRows(config.family(), config.padTokenId), seqLen, initializerRange(config), settings.seed));
        evaluate(kExtendedRandomDenseConfiguration, seqLen, windows);
        encoder->setPositionEmbeddings(copied); // the layouts run on the conversion's copied rows
    }
    for (const ProfileLayout& layout : settings.layouts) {
        replaceSelfAttention(*encoder, layout.config, layout.config.seed.value_or(settings.seed));
        evaluate(layout.name, seqLen, windows);
    }
    steps.finish();
    return results;
}

} // namespace spw
