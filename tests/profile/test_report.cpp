// The JSON and CSV writers, read back.
#include "profile/machine_info.h"
#include "profile/profile_report.h"

#include "common/error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace spw {
namespace {

ProfilePoint samplePoint(const std::string& layout)
{
    ProfilePoint p;
    p.seqLen = 4096;
    p.batch = 2;
    p.layout = layout;
    p.paddedLength = 4096;
    p.density = 0.0625;
    p.dense.time = { 100.0, 95.0, 130.0 };
    p.sparse.time = { 20.0, 19.5, 21.0 };
    p.dense.peakMiB = 512.0;
    p.sparse.peakMiB = 64.0;
    p.dense.layers = { { 0, 40.0, 10.0 }, { 1, 41.0, 9.0 } };
    p.sparse.layers = { { 0, 5.0, 4.5 }, { 1, 6.0, 4.0 } };
    p.speedup = 5.0;
    p.maxAbsDiff = 0.25;
    p.cosine = 0.99;
    return p;
}

// Splits one CSV line, honouring double quotes.
std::vector<std::string> splitCsv(const std::string& line)
{
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

TEST(ProfileReport, JsonHasMachineSettingsAndEveryResultField)
{
    MachineInfo machine { "host", "Some CPU", 8, 4, "", "2.11.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3" };
    const nlohmann::json settings = { { "device", "cpu" } };
    const nlohmann::json json
        = nlohmann::json::parse(profileToJson(machine, settings, { samplePoint("bslongformer") }).dump());
    EXPECT_EQ(json["machine"]["host_name"], "host");
    EXPECT_EQ(json["machine"]["cpu_cores"], 8);
    EXPECT_EQ(json["machine"]["libtorch_version"], "2.11.0");
    EXPECT_FALSE(json["machine"].contains("gpu_name"));
    EXPECT_EQ(json["machine"]["blas"], "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
    EXPECT_EQ(json["settings"], settings);
    ASSERT_EQ(json["results"].size(), 1u);
    const auto& r = json["results"][0];
    EXPECT_EQ(r["seq_len"], 4096);
    EXPECT_EQ(r["batch"], 2);
    EXPECT_EQ(r["layout"], "bslongformer");
    EXPECT_DOUBLE_EQ(r["dense_ms"].get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(r["sparse_ms"].get<double>(), 20.0);
    EXPECT_DOUBLE_EQ(r["speedup"].get<double>(), 5.0);
    EXPECT_EQ(r["dense_spread_ms"], nlohmann::json({ 95.0, 130.0 }));
    EXPECT_EQ(r["sparse_spread_ms"], nlohmann::json({ 19.5, 21.0 }));
    EXPECT_DOUBLE_EQ(r["dense_peak_mib"].get<double>(), 512.0);
    EXPECT_DOUBLE_EQ(r["sparse_peak_mib"].get<double>(), 64.0);
    EXPECT_DOUBLE_EQ(r["max_abs_diff"].get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(r["cosine"].get<double>(), 0.99);
    EXPECT_DOUBLE_EQ(r["density"].get<double>(), 0.0625);
    ASSERT_EQ(r["per_layer"].size(), 2u);
    EXPECT_EQ(r["per_layer"][1]["layer"], 1);
    EXPECT_DOUBLE_EQ(r["per_layer"][1]["attention_ms"].get<double>(), 6.0);
    EXPECT_DOUBLE_EQ(r["per_layer"][1]["other_ms"].get<double>(), 4.0);
    EXPECT_DOUBLE_EQ(r["dense_per_layer"][0]["attention_ms"].get<double>(), 40.0);
}

// Debian's alternatives put each BLAS in a folder of its own; only netlib's reference one lives in .../blas/.
TEST(ProfileReport, ReferenceBlasIsToldApartFromOptimisedOnes)
{
    EXPECT_TRUE(isReferenceBlas("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"));
    EXPECT_FALSE(isReferenceBlas("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"));
    EXPECT_FALSE(isReferenceBlas("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3"));
    EXPECT_FALSE(isReferenceBlas("/opt/intel/lib/libmkl_rt.so.2"));
    EXPECT_FALSE(isReferenceBlas(""));
    // This process: whatever it maps is a real file, and the installer's OpenBLAS is what this suite expects to see.
    const std::string mapped = currentMachine(at::kCPU).blasLibrary;
    if (!mapped.empty())
        EXPECT_FALSE(isReferenceBlas(mapped)) << mapped << ": .ci/install-deps.sh installs libopenblas0-pthread";
}

TEST(ProfileReport, CsvHasOneRowPerResultUnderItsHeader)
{
    const std::string csv = profileToCsv({ samplePoint("bslongformer"), samplePoint("odd, \"name\"") });
    std::istringstream lines(csv);
    std::string line;
    std::vector<std::vector<std::string>> rows;
    while (std::getline(lines, line))
        rows.push_back(splitCsv(line));
    ASSERT_EQ(rows.size(), 3u);
    const auto& header = rows[0];
    for (const auto& row : rows)
        EXPECT_EQ(row.size(), header.size());
    auto column = [&](const std::string& name) {
        auto found = std::find(header.begin(), header.end(), name);
        EXPECT_NE(found, header.end()) << name;
        return std::size_t(found - header.begin());
    };
    EXPECT_EQ(rows[1][column("seq_len")], "4096");
    EXPECT_EQ(rows[1][column("layout")], "bslongformer");
    EXPECT_EQ(rows[2][column("layout")], "odd, \"name\"");
    EXPECT_DOUBLE_EQ(std::stod(rows[1][column("dense_ms")]), 100.0);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][column("sparse_max_ms")]), 21.0);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][column("speedup")]), 5.0);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][column("sparse_attention_ms")]), 11.0);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][column("dense_other_ms")]), 19.0);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][column("cosine")]), 0.99);
}

// With a quality text, each result carries the layout's and dense attention's quality; the CSV grows those columns
// only when some result has them, and a result without them leaves them empty.
TEST(ProfileReport, QualityFieldsWhenScored)
{
    ProfilePoint scored = samplePoint("bslongformer");
    scored.dense.quality = MlmQuality { 1200, 2.0, 7.38905609893065, 0.6 };
    scored.sparse.quality = MlmQuality { 1200, 2.5, 12.182493960703473, 0.55 };
    const nlohmann::json json = profilePointToJson(scored);
    EXPECT_DOUBLE_EQ(json.at("loss").get<double>(), 2.5);
    EXPECT_DOUBLE_EQ(json.at("perplexity").get<double>(), 12.182493960703473);
    EXPECT_DOUBLE_EQ(json.at("accuracy").get<double>(), 0.55);
    EXPECT_DOUBLE_EQ(json.at("dense_loss").get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(json.at("dense_perplexity").get<double>(), 7.38905609893065);
    EXPECT_DOUBLE_EQ(json.at("dense_accuracy").get<double>(), 0.6);
    EXPECT_EQ(json.at("scored_tokens").get<int>(), 1200);
    EXPECT_FALSE(profilePointToJson(samplePoint("plain")).contains("loss"));

    EXPECT_EQ(profileToCsv({ samplePoint("plain") }).find("loss"), std::string::npos);
    std::istringstream lines(profileToCsv({ scored, samplePoint("plain") }));
    std::string line;
    std::vector<std::vector<std::string>> rows;
    while (std::getline(lines, line))
        rows.push_back(splitCsv(line));
    ASSERT_EQ(rows.size(), 3u);
    const std::vector<std::string> tail(rows[0].end() - 7, rows[0].end());
    EXPECT_EQ(tail,
        (std::vector<std::string> {
            "dense_loss", "dense_perplexity", "dense_accuracy", "loss", "perplexity", "accuracy", "scored_tokens" }));
    ASSERT_EQ(rows[1].size(), rows[0].size());
    ASSERT_EQ(rows[2].size(), rows[0].size());
    const std::size_t first = rows[0].size() - 7;
    EXPECT_DOUBLE_EQ(std::stod(rows[1][first]), 2.0);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][first + 3]), 2.5);
    EXPECT_DOUBLE_EQ(std::stod(rows[1][first + 5]), 0.55);
    EXPECT_EQ(rows[1][first + 6], "1200");
    EXPECT_EQ(std::vector<std::string>(rows[2].begin() + std::ptrdiff_t(first), rows[2].end()),
        std::vector<std::string>(7, ""));
}

TEST(ProfileReport, UnwritablePathNamesTheFlagAndFile)
{
    try {
        writeReportFile("/nonexistent-folder/out.json", "{}", "--json");
        FAIL() << "expected spw::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--json /nonexistent-folder/out.json"), std::string::npos);
    }
}

} // namespace
} // namespace spw
