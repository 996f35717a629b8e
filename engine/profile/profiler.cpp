#include "profile/profiler.h"

#include "common/error.h"
#include "convert/padding.h"
#include "model/self_attention.h"
#include "model/sparse_attention_setting.h"
#include "profile/memory_meter.h"
#include "profile/profile_inputs.h"
#include "profile/profile_model.h"
#include "profile/stopwatch.h"
#include "profile/sweep_cost.h"
#include "sparsity/layout.h"

#include <algorithm>
#include <memory>

namespace spw {
namespace {

// Stopwatch marks: 0 and 1 bracket the forward; layer i has 2 + 3i (start), 3 + 3i (attention returned) and
// 4 + 3i (end).
int layerMark(int layer, int which)
{
    return 2 + 3 * layer + which;
}

class LayerClock : public ForwardObserver {
public:
    explicit LayerClock(Stopwatch& stopwatch)
        : m_stopwatch(stopwatch)
    {
    }
    void layerStarted(int layer) override { m_stopwatch.mark(layerMark(layer, 0)); }
    void attentionFinished(int layer) override { m_stopwatch.mark(layerMark(layer, 1)); }
    void layerFinished(int layer) override { m_stopwatch.mark(layerMark(layer, 2)); }

private:
    Stopwatch& m_stopwatch;
};

// Puts the model back as the sweep found it: every layer's attention setting, no observer.
class ModelRestorer {
public:
    explicit ModelRestorer(EncoderModel& model)
        : m_model(model)
    {
        for (int i = 0; i < model.layerCount(); ++i)
            m_settings.push_back(model.selfAttention(i).sparseAttention());
    }
    ~ModelRestorer()
    {
        m_model.setForwardObserver(nullptr);
        for (int i = 0; i < m_model.layerCount(); ++i)
            m_model.selfAttention(i).setSparseAttention(m_settings[std::size_t(i)]);
    }

private:
    EncoderModel& m_model;
    std::vector<std::shared_ptr<const SparseAttentionSetting>> m_settings;
};

void setAttention(EncoderModel& model, const std::shared_ptr<const SparseAttentionSetting>& setting)
{
    for (int i = 0; i < model.layerCount(); ++i)
        model.selfAttention(i).setSparseAttention(setting);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Adds up the forwards' expected costs (sweep_cost.h) for the progress fraction: a long run moves the bar as
// much as the work it does.
class Steps {
public:
    Steps(const ProgressCallback& progress, double totalCost)
        : m_progress(progress)
        , m_total(totalCost)
    {
    }
    // The next forward, costing `cost`, is about to run.
    void next(double cost)
    {
        reportProgress(m_progress, m_total > 0 ? float(std::min(1.0, m_done / m_total)) : 0.0f);
        m_done += cost;
    }
    void finish() { reportProgress(m_progress, 1.0f); }

private:
    const ProgressCallback& m_progress;
    double m_total;
    double m_done = 0;
};

RunMeasurement measureRun(EncoderModel& model, const ModelInputs& inputs, const ProfileSettings& settings, Steps& steps,
    double forwardCost, at::Tensor& output)
{
    for (int i = 0; i < settings.warmup; ++i) {
        steps.next(forwardCost);
        model.forward(inputs);
    }
    const int layers = model.layerCount();
    std::unique_ptr<Stopwatch> stopwatch = Stopwatch::forDevice(model.device(), layerMark(layers, 0));
    LayerClock clock(*stopwatch);
    MemoryMeter memory(model.device());
    std::vector<double> totals;
    auto attention = std::vector<std::vector<double>>(std::size_t(layers));
    auto other = std::vector<std::vector<double>>(std::size_t(layers));
    memory.start();
    for (int r = 0; r < settings.repeats; ++r) {
        steps.next(forwardCost);
        model.setForwardObserver(&clock);
        stopwatch->mark(0);
        output = model.forward(inputs).lastHiddenState;
        stopwatch->mark(1);
        model.setForwardObserver(nullptr);
        stopwatch->finish();
        totals.push_back(stopwatch->elapsedMs(0, 1));
        for (int i = 0; i < layers; ++i) {
            attention[std::size_t(i)].push_back(stopwatch->elapsedMs(layerMark(i, 0), layerMark(i, 1)));
            other[std::size_t(i)].push_back(stopwatch->elapsedMs(layerMark(i, 1), layerMark(i, 2)));
        }
    }
    RunMeasurement run;
    run.peakMiB = memory.peakIncreaseMiB();
    run.time = { median(totals), *std::min_element(totals.begin(), totals.end()),
        *std::max_element(totals.begin(), totals.end()) };
    for (int i = 0; i < layers; ++i)
        run.layers.push_back({ i, median(attention[std::size_t(i)]), median(other[std::size_t(i)]) });
    return run;
}

// Max |a - b| and the cosine similarity over the real tokens (attention mask 1) of two [B, L, H] outputs.
std::pair<double, double> drift(const at::Tensor& dense, const at::Tensor& sparse, const ModelInputs& inputs)
{
    at::Tensor a = dense.to(at::kCPU, at::kDouble);
    at::Tensor b = sparse.to(at::kCPU, at::kDouble);
    if (inputs.attentionMask) { // padding rows become zero in both: they add nothing to either measure
        at::Tensor real = inputs.attentionMask->to(at::kCPU).ne(0).unsqueeze(-1).to(at::kDouble);
        a = a * real;
        b = b * real;
    }
    const double maxAbs = (a - b).abs().max().item<double>();
    const double norms = a.norm().item<double>() * b.norm().item<double>();
    const double cosine = norms > 0 ? (a * b).sum().item<double>() / norms : (maxAbs == 0 ? 1.0 : 0.0);
    return { maxAbs, cosine };
}

void validateSettings(const ProfileSettings& settings)
{
    if (settings.seqLens.empty())
        fail("profile: no sequence lengths given (--seq-lens)");
    if (settings.batches.empty())
        fail("profile: no batch sizes given (--batch)");
    if (settings.layouts.empty())
        fail("profile: no sparsity configuration given (--sparsity)");
    for (std::int64_t length : settings.seqLens)
        if (length < 1)
            fail("profile: sequence lengths must be positive, got {} (--seq-lens)", length);
    for (std::int64_t batch : settings.batches)
        if (batch < 1)
            fail("profile: batch sizes must be positive, got {} (--batch)", batch);
    if (settings.repeats < 1)
        fail("profile: repeats must be at least 1, got {} (--repeats)", settings.repeats);
    if (settings.warmup < 0)
        fail("profile: warm-up runs cannot be negative, got {} (--warmup)", settings.warmup);
    for (const ProfileLayout& layout : settings.layouts)
        validate(layout.config);
}

// Pads inputs to the block for a sparse run; a mask is added first so that the padding is never attended to.
ModelInputs padForBlock(const ModelInputs& inputs, std::int64_t block, std::int64_t padTokenId)
{
    const std::int64_t length = inputs.inputIds.size(1);
    if (length % block == 0)
        return inputs;
    PaddingInputs toPad;
    toPad.inputIds = inputs.inputIds;
    toPad.attentionMask = inputs.attentionMask ? *inputs.attentionMask : at::ones_like(inputs.inputIds);
    PaddedInputs padded = padToBlockSize(block, padTokenId, toPad);
    ModelInputs result;
    result.inputIds = *padded.inputs.inputIds;
    result.attentionMask = padded.inputs.attentionMask;
    return result;
}

std::int64_t padToBlock(std::int64_t length, std::int64_t block)
{
    return (length + block - 1) / block * block;
}

std::vector<std::shared_ptr<const SparseAttentionSetting>> sparseSettings(
    const ModelConfig& config, const ProfileSettings& settings)
{
    std::vector<std::shared_ptr<const SparseAttentionSetting>> sparse;
    for (const ProfileLayout& layout : settings.layouts)
        sparse.push_back(makeSparseAttentionSetting(layout.config, layout.config.seed.value_or(settings.seed), config));
    return sparse;
}

// Each layout's density (outer) at each swept length (inner), padded to its block: known before the first forward,
// so that the progress can weigh every run by its expected cost.
std::vector<std::vector<double>> layoutDensities(
    const std::vector<std::shared_ptr<const SparseAttentionSetting>>& sparse, const ProfileSettings& settings)
{
    std::vector<std::vector<double>> densities(sparse.size());
    for (std::size_t l = 0; l < sparse.size(); ++l)
        for (std::int64_t length : settings.seqLens) {
            const int block = sparse[l]->layout.block;
            densities[l].push_back(
                computeStats(sparse[l]->layout.topLeft(int(padToBlock(length, block) / block))).density);
        }
    return densities;
}

// Every forward of the sweep (sweep_cost.h): per length and batch, dense once and each layout at its density.
double sweepCost(
    const ModelConfig& config, const ProfileSettings& settings, const std::vector<std::vector<double>>& densities)
{
    double cost = 0;
    const int forwardsPerRun = settings.warmup + settings.repeats;
    for (std::size_t i = 0; i < settings.seqLens.size(); ++i)
        for (std::int64_t batch : settings.batches) {
            const std::int64_t length = settings.seqLens[i];
            cost += forwardsPerRun * forwardCost(config, length, batch, 1.0);
            for (std::size_t l = 0; l < settings.layouts.size(); ++l)
                cost += forwardsPerRun
                    * forwardCost(config, padToBlock(length, settings.layouts[l].config.block), batch, densities[l][i]);
        }
    return cost;
}
} // namespace

std::vector<ProfilePoint> runProfileSweep(EncoderModel& model, const ProfileSettings& settings,
    const Tokenizer* tokenizer, const ProfilePointCallback& onPoint, const ProgressCallback& progress)
{
    validateSettings(settings);
    if (settings.text && !tokenizer)
        fail("profile: text inputs need the model's tokenizer (--text)");
    fitModelToSweep(model, settings);
    // Every dense run of the sweep must fit before the first starts: a sweep that fails hours in loses its results.
    if (model.device().is_cpu())
        for (std::int64_t length : settings.seqLens)
            for (std::int64_t batch : settings.batches)
                checkDenseCpuAttentionFits(batch, model.config().numAttentionHeads, length, sizeof(float));
    ModelRestorer restorer(model);

    const std::vector<std::shared_ptr<const SparseAttentionSetting>> sparse = sparseSettings(model.config(), settings);

    const std::vector<std::vector<double>> densities = layoutDensities(sparse, settings);
    Steps steps(progress, sweepCost(model.config(), settings, densities));
    std::vector<ProfilePoint> points;
    for (std::size_t lengthIndex = 0; lengthIndex < settings.seqLens.size(); ++lengthIndex) {
        const std::int64_t length = settings.seqLens[lengthIndex];
        for (std::int64_t batch : settings.batches) {
            const ModelInputs inputs = makeProfileInputs(settings, model.config(), tokenizer, length, batch);
            setAttention(model, nullptr);
            at::Tensor denseOutput;
            const RunMeasurement dense = measureRun(
                model, inputs, settings, steps, forwardCost(model.config(), length, batch, 1.0), denseOutput);
            for (std::size_t l = 0; l < settings.layouts.size(); ++l) {
                const int block = sparse[l]->layout.block;
                const ModelInputs padded = padForBlock(inputs, block, model.config().padTokenId);
                setAttention(model, sparse[l]);
                at::Tensor sparseOutput;
                ProfilePoint point;
                point.seqLen = length;
                point.batch = batch;
                point.layout = settings.layouts[l].name;
                point.paddedLength = padded.inputIds.size(1);
                point.density = densities[l][lengthIndex];
                point.dense = dense;
                point.sparse = measureRun(model, padded, settings, steps,
                    forwardCost(model.config(), point.paddedLength, batch, point.density), sparseOutput);
                setAttention(model, nullptr);
                point.speedup = point.sparse.time.medianMs > 0 ? dense.time.medianMs / point.sparse.time.medianMs : 0;
                std::tie(point.maxAbsDiff, point.cosine)
                    = drift(denseOutput, sparseOutput.narrow(1, 0, length), inputs);
                points.push_back(point);
                if (onPoint)
                    onPoint(points.back());
            }
        }
    }
    steps.finish();
    return points;
}

double expectedSweepCost(const ModelConfig& config, const ProfileSettings& settings)
{
    validateSettings(settings);
    ModelConfig fitted = config; // as fitModelToSweep leaves the model
    const std::int64_t longest = longestSweepLength(settings);
    if (longest > fitted.usableMaxLength())
        fitted.maxPositionEmbeddings = fitted.maxPositionEmbeddingsFor(longest);
    return sweepCost(fitted, settings, layoutDensities(sparseSettings(fitted, settings), settings));
}

std::string memoryMethod(at::Device device)
{
    return MemoryMeter(device).method();
}

} // namespace spw
