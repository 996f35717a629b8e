#include "profile/sweep_results.h"

#include "common/error.h"
#include "common/file_reading.h"
#include "profile/profile_report.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <cmath>

namespace spw::ui {
namespace {

MachineInfo machineFromJson(const nlohmann::json& json)
{
    MachineInfo machine;
    if (!json.is_object())
        return machine;
    machine.hostName = json.value("host_name", std::string());
    machine.cpuModel = json.value("cpu_model", std::string());
    machine.cpuCores = json.value("cpu_cores", 0);
    machine.torchThreads = json.value("torch_threads", 0);
    machine.gpuName = json.value("gpu_name", std::string());
    machine.libtorchVersion = json.value("libtorch_version", std::string());
    machine.blasLibrary = json.value("blas", std::string());
    return machine;
}

std::vector<LayerTiming> layersFromJson(const nlohmann::json& json)
{
    std::vector<LayerTiming> layers;
    for (const nlohmann::json& layer : json)
        layers.push_back({ layer.at("layer").get<int>(), layer.at("attention_ms").get<double>(),
            layer.at("other_ms").get<double>() });
    return layers;
}

TimingStats timingFromJson(const nlohmann::json& result, const char* median, const char* spread)
{
    const nlohmann::json& range = result.at(spread);
    if (!range.is_array() || range.size() != 2)
        fail("\"{}\" is not [min, max]", spread);
    return { result.at(median).get<double>(), range[0].get<double>(), range[1].get<double>() };
}

// The quality fields of one attention ("loss", ... or "dense_loss", ...), when the report has them.
std::optional<MlmQuality> qualityFromJson(const nlohmann::json& json, const std::string& prefix)
{
    if (!json.contains(prefix + "loss"))
        return std::nullopt;
    MlmQuality quality;
    quality.tokens = json.at("scored_tokens").get<std::int64_t>();
    // A NaN is written as null (no token scored).
    auto number = [&](const std::string& key) {
        const nlohmann::json& value = json.at(key);
        return value.is_null() ? std::nan("") : value.get<double>();
    };
    quality.loss = number(prefix + "loss");
    quality.perplexity = number(prefix + "perplexity");
    quality.accuracy = number(prefix + "accuracy");
    return quality;
}

ProfilePoint pointFromJson(const nlohmann::json& json)
{
    ProfilePoint point;
    point.seqLen = json.at("seq_len").get<std::int64_t>();
    point.batch = json.at("batch").get<std::int64_t>();
    point.layout = json.at("layout").get<std::string>();
    point.paddedLength = json.at("padded_length").get<std::int64_t>();
    point.density = json.at("density").get<double>();
    point.dense.time = timingFromJson(json, "dense_ms", "dense_spread_ms");
    point.sparse.time = timingFromJson(json, "sparse_ms", "sparse_spread_ms");
    point.dense.peakMiB = json.at("dense_peak_mib").get<double>();
    point.sparse.peakMiB = json.at("sparse_peak_mib").get<double>();
    point.dense.layers = layersFromJson(json.at("dense_per_layer"));
    point.sparse.layers = layersFromJson(json.at("per_layer"));
    point.speedup = json.at("speedup").get<double>();
    point.maxAbsDiff = json.at("max_abs_diff").get<double>();
    point.cosine = json.at("cosine").get<double>();
    point.sparse.quality = qualityFromJson(json, "");
    point.dense.quality = qualityFromJson(json, "dense_");
    if (point.seqLen < 1 || point.batch < 1)
        fail("seq_len and batch must be positive");
    return point;
}

} // namespace

nlohmann::json resultsToJson(const SweepResults& results)
{
    return profileToJson(machineFromJson(results.machine), results.settings, results.points);
}

std::string resultsToCsv(const SweepResults& results)
{
    return profileToCsv(results.points);
}

SweepResults resultsFromJson(const nlohmann::json& json, const QString& source)
{
    const std::string name = source.toStdString();
    if (!json.is_object() || !json.contains("results") || !json["results"].is_array())
        fail("{}: not a profile report (no \"results\" list)", name);
    SweepResults results;
    results.machine = json.value("machine", nlohmann::json::object());
    results.settings = json.value("settings", nlohmann::json::object());
    const nlohmann::json& list = json["results"];
    for (std::size_t i = 0; i < list.size(); ++i) {
        try {
            results.points.push_back(pointFromJson(list[i]));
        } catch (const nlohmann::json::exception& error) {
            fail("{}: results[{}]: {}", name, i, error.what());
        } catch (const Error& error) {
            fail("{}: results[{}]: {}", name, i, error.what());
        }
    }
    return results;
}

void saveResults(const SweepResults& results, const QString& path)
{
    writeReportFile(path.toStdString(), resultsToJson(results).dump(2) + "\n", "JSON report");
}

void saveResultsCsv(const SweepResults& results, const QString& path)
{
    writeReportFile(path.toStdString(), resultsToCsv(results), "CSV report");
}

SweepResults loadResults(const QString& path)
{
    return resultsFromJson(readJsonFile(path.toStdString()), path);
}

QString lastResultsPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/last-profile.json");
}

QString historyFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/profile-history");
}

QStringList historyFiles()
{
    // The names carry the time to the millisecond, so name order is age order.
    const QDir folder(historyFolder());
    QStringList files;
    for (const QString& name :
        folder.entryList({ QStringLiteral("sweep-*.json") }, QDir::Files, QDir::Name | QDir::Reversed))
        files << folder.filePath(name);
    return files;
}

QString addToHistory(const SweepResults& results)
{
    QDir().mkpath(historyFolder());
    QString path
        = QDir(historyFolder())
              .filePath(QStringLiteral("sweep-%1.json")
                            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
    saveResults(results, path);
    const QStringList files = historyFiles();
    for (int i = kMaxHistory; i < files.size(); ++i)
        QFile::remove(files[i]);
    return path;
}

void clearHistory()
{
    for (const QString& file : historyFiles())
        QFile::remove(file);
}

} // namespace spw::ui
