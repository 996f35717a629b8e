#include "profile/sweep_request.h"

#include "common/dtype_names.h"

#include "common/error.h"
#include "convert/model_conversion.h"
#include "model/encoder_model.h"
#include "profile/machine_info.h"
#include "profile/profile_model.h"
#include "profile/profile_quality.h"
#include "profile/profile_report.h"
#include "profile/profiler.h"

#include <QObject>
#include <QRegularExpression>

#include <algorithm>
#include <set>

namespace spw::ui {
namespace {

LoadOptions loadOptions(const SweepRequest& request)
{
    LoadOptions options;
    if (request.device == QLatin1String("cuda")) {
        if (!cudaAvailable())
            fail("device cuda: no CUDA device is available to this build");
        options.device = at::Device(at::kCUDA, 0);
    } else if (request.device != QLatin1String("cpu")) {
        fail("device '{}': expected cpu or cuda", request.device.toStdString());
    }
    options.dtype = dtypeFromName(request.dtype.toStdString());
    return options;
}

} // namespace

SweepResults runSweep(const SweepRequest& request, const SweepCallbacks& callbacks, const ProgressCallback& progress)
{
    const LoadOptions options = loadOptions(request);
    std::unique_ptr<EncoderModel> model;
    if (request.model.isValid()) {
        model = bareEncoder(*request.model.model, options);
    } else {
        CreateModelOptions shape;
        shape.layers = request.demo.layers;
        shape.hidden = request.demo.hidden;
        shape.heads = request.demo.heads;
        shape.intermediate = request.demo.intermediate;
        shape.maxPosition = std::max<std::int64_t>(512, longestSweepLength(request.settings));
        shape.seed = request.settings.seed;
        model = makeDemoEncoder(shape, options);
    }
    SweepQuality quality;
    if (request.quality) {
        if (const QString reason = qualityUnavailableReason(request.model); !reason.isEmpty())
            fail("{}", reason.toStdString());
        quality.model = request.model.model.get();
        quality.tokenizer = request.model.tokenizer.get();
        checkSweepQuality(quality, request.settings); // before reading the text
        // Reading a long text may take a moment: Cancel works, the bar waits for the sweep.
        quality.text = tokenizeQualityText(
            *request.quality, *quality.tokenizer, [&](float) { return !progress || progress(0.0f); });
    }
    SweepResults results;
    results.machine = machineToJson(currentMachine(model->device()));
    const std::string source = request.model.isValid() ? request.model.directory.toStdString() : "demo";
    results.settings = profileSettingsToJson(request.settings, *model, source, "synthetic");
    if (request.quality) {
        nlohmann::json& json = results.settings["quality"] = sweepQualityToJson(quality, request.settings);
        json["text"]
            = request.quality->isShipped() ? kHeldOutTextResource.toStdString() : request.quality->path.toStdString();
        json["max_tokens"] = request.quality->maxTokens;
    }
    if (callbacks.started)
        callbacks.started(results.machine, results.settings);
    results.points = request.quality
        ? runProfileSweepWithQuality(*model, request.settings, quality, nullptr, callbacks.point, progress)
        : runProfileSweep(*model, request.settings, nullptr, callbacks.point, progress);
    return results;
}

bool cudaAvailable()
{
#ifdef SPW_TORCH_HAS_CUDA
    return at::hasCUDA();
#else
    return false;
#endif
}

std::int64_t usableModelLength(const LoadedModel& model)
{
    return model.isValid() ? model.model->config().usableMaxLength() : 0;
}

std::optional<std::vector<std::int64_t>> parseSizeList(
    const QString& text, const QString& field, std::int64_t minimum, std::int64_t maximum, QString* error)
{
    auto reject = [&](const QString& reason) -> std::optional<std::vector<std::int64_t>> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(field, reason);
        return std::nullopt;
    };
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return reject(QObject::tr("give at least one value"));
    std::vector<std::int64_t> values;
    std::set<std::int64_t> seen;
    for (const QString& part : parts) {
        bool ok = false;
        const qlonglong value = part.toLongLong(&ok);
        if (!ok)
            return reject(QObject::tr("'%1' is not a whole number").arg(part));
        if (value < minimum || value > maximum)
            return reject(QObject::tr("%1 is outside %2…%3").arg(value).arg(minimum).arg(maximum));
        if (!seen.insert(value).second)
            return reject(QObject::tr("%1 is listed twice").arg(value));
        values.push_back(value);
    }
    return values;
}

QString formatSizeList(const std::vector<std::int64_t>& values)
{
    QStringList parts;
    for (std::int64_t value : values)
        parts << QString::number(value);
    return parts.join(QStringLiteral(", "));
}

} // namespace spw::ui
