#include "profile/profile_quality.h"

#include "common/error.h"
#include "model/self_attention.h"
#include "model/sparse_attention_setting.h"
#include "profile/profile_model.h"
#include "profile/sweep_cost.h"
#include "quality/evaluation.h"
#include "sparsity/layout.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <map>

namespace spw {
namespace {

EvaluationSettings evaluationAt(std::int64_t length, const ProfileSettings& settings, const SweepQuality& quality)
{
    EvaluationSettings evaluation;
    evaluation.seqLen = length;
    evaluation.layouts = settings.layouts;
    evaluation.maskProbability = quality.maskProbability;
    evaluation.seed = settings.seed;
    evaluation.batch = quality.batch;
    evaluation.asIsOnlyAtN = true;
    return evaluation;
}

MlmQuality toQuality(const EvaluationResult& result)
{
    return { result.tokens, result.loss, result.perplexity, result.accuracy };
}

// Dense attention and each layout at one length.
struct LengthQuality {
    MlmQuality dense;
    std::vector<MlmQuality> layouts; // in the sweep's order
};

// evaluateMaskedLm's results come in order (asIsOnlyAtN): dense attention at L ("as-is" up to the model's length,
// "extended-dense" beyond it), then each layout at L. Read by position: a layout may be named "as-is".
LengthQuality fromResults(const std::vector<EvaluationResult>& results, std::size_t layouts)
{
    if (results.size() != 1 + layouts)
        fail("profile: the evaluation gave {} results for {} layouts", results.size(), layouts);
    LengthQuality quality;
    quality.dense = toQuality(results[0]);
    for (std::size_t l = 0; l < layouts; ++l)
        quality.layouts.push_back(toQuality(results[1 + l]));
    return quality;
}

// The evaluation's expected work at `length` in sweep_cost.h's units: the dense run at that length and each layout
// at its density there.
double evaluationCostAt(
    const ModelConfig& config, const ProfileSettings& settings, std::int64_t textTokens, std::int64_t length)
{
    const std::int64_t usable = config.usableMaxLength();
    double cost = evaluationCost(config, textTokens, length, 1.0);
    // The layout as the evaluation makes it: at the model's length, or at L when L is longer; L uses its corner.
    ModelConfig atLength = config;
    if (length > usable)
        atLength.maxPositionEmbeddings = config.maxPositionEmbeddingsFor(length);
    for (const ProfileLayout& layout : settings.layouts) {
        const auto setting
            = makeSparseAttentionSetting(layout.config, layout.config.seed.value_or(settings.seed), atLength);
        const int block = setting->layout.block;
        const auto blocks = int((length + block - 1) / block);
        cost += evaluationCost(
            config, textTokens, std::int64_t(blocks) * block, computeStats(*setting->cornerFor(blocks)).density);
    }
    return cost;
}

// One fraction over the sweep's forwards and the evaluations, each weighed by its expected cost.
class SharedProgress {
public:
    SharedProgress(const ProgressCallback& progress, double sweepCost, double evaluationsCost)
        : m_progress(progress)
        , m_sweepCost(sweepCost)
        , m_total(std::max(sweepCost + evaluationsCost, 1e-30))
    {
    }
    ProgressCallback sweep()
    {
        return [this](float fraction) {
            m_sweepFraction = fraction;
            return report();
        };
    }
    // The evaluation about to run costs `cost`.
    ProgressCallback evaluation(double cost)
    {
        const double before = m_evaluationsDone;
        m_evaluationsDone += cost;
        return [this, before, cost](float fraction) {
            m_evaluationFraction = before + cost * double(fraction);
            return report();
        };
    }

private:
    bool report()
    {
        const double done = double(m_sweepFraction) * m_sweepCost + m_evaluationFraction;
        return !m_progress || m_progress(float(std::min(1.0, done / m_total)));
    }

    const ProgressCallback& m_progress;
    double m_sweepCost;
    double m_total;
    float m_sweepFraction = 0;
    double m_evaluationsDone = 0; // the cost of the evaluations started
    double m_evaluationFraction = 0; // the part of it done
};

} // namespace

void checkSweepQuality(const SweepQuality& quality, const ProfileSettings& settings)
{
    if (!quality.model || !quality.tokenizer)
        fail("profile: quality needs the model and its tokenizer");
    const EncoderModel& model = *quality.model;
    requireMaskedLmHead(model);
    const auto specials = std::int64_t(quality.tokenizer->specialTokenCount(false));
    for (std::int64_t length : settings.seqLens) {
        for (const ProfileLayout& layout : settings.layouts)
            if (length < layout.config.block)
                fail("profile: length {} (--seq-lens) is below the block {} of layout {}: scoring quality needs at "
                     "least one whole block",
                    length, layout.config.block, layout.name);
        if (length <= specials)
            fail("profile: length {} (--seq-lens) leaves no room for text between the tokenizer's {} special tokens",
                length, specials);
        checkEvaluation(model, *quality.tokenizer, evaluationAt(length, settings, quality));
    }
}

std::vector<ProfilePoint> runProfileSweepWithQuality(EncoderModel& model, const ProfileSettings& settings,
    const SweepQuality& quality, const Tokenizer* inputsTokenizer, const ProfilePointCallback& onPoint,
    const ProgressCallback& progress)
{
    checkSweepQuality(quality, settings);
    const ModelConfig& config = quality.model->config();
    double evaluationsCost = 0;
    for (std::int64_t length : settings.seqLens)
        evaluationsCost += evaluationCostAt(config, settings, quality.text.tokenCount, length);
    SharedProgress shared(progress, expectedSweepCost(model.config(), settings), evaluationsCost);

    const std::unique_ptr<EncoderModel> scored = denseCopy(*quality.model, placementOf(model));
    // Every dense evaluation must fit before the sweep starts (on the sweep's device, where the copy runs).
    if (scored->device().is_cpu())
        for (std::int64_t length : settings.seqLens)
            checkDenseCpuAttentionFits(quality.batch, config.numAttentionHeads, length, sizeof(float));
    std::map<std::int64_t, LengthQuality> byLength;
    // Points come in sweep order (profiler.h): lengths, then batches, then the layouts in their order.
    auto withQuality = [&](ProfilePoint point, std::size_t index) {
        auto found = byLength.find(point.seqLen);
        if (found == byLength.end()) {
            const std::vector<EvaluationResult> results = evaluateMaskedLm(*scored, *quality.tokenizer, quality.text,
                evaluationAt(point.seqLen, settings, quality), {},
                shared.evaluation(evaluationCostAt(config, settings, quality.text.tokenCount, point.seqLen)));
            found = byLength.emplace(point.seqLen, fromResults(results, settings.layouts.size())).first;
        }
        point.dense.quality = found->second.dense;
        point.sparse.quality = found->second.layouts.at(index % settings.layouts.size());
        return point;
    };
    std::size_t streamed = 0;
    std::vector<ProfilePoint> points = runProfileSweep(
        model, settings, inputsTokenizer,
        [&](const ProfilePoint& point) {
            const ProfilePoint complete = withQuality(point, streamed++);
            if (onPoint)
                onPoint(complete);
        },
        shared.sweep());
    for (std::size_t i = 0; i < points.size(); ++i)
        points[i] = withQuality(points[i], i);
    return points;
}

nlohmann::json sweepQualityToJson(const SweepQuality& quality, const ProfileSettings& settings)
{
    return { { "tokens", quality.text.tokenCount }, { "mask_probability", quality.maskProbability },
        { "batch", quality.batch }, { "seed", settings.seed } };
}

} // namespace spw
