#pragma once
// A finished (or partial) sweep as the page keeps it: the engine report's machine and settings objects and the
// points. Its file form is the engine's report JSON (profile_report.h, the same file `sparse-workbench-cli profile
// --json` writes), so a CLI report opens in the page and the page's export opens in any JSON tool.
//
// The last sweep is kept in <AppDataLocation>/last-profile.json and read back on start.
#include "profile/profile_types.h"

#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

#include <vector>

namespace spw::ui {

struct SweepResults {
    nlohmann::json machine = nlohmann::json::object();
    nlohmann::json settings = nlohmann::json::object();
    std::vector<ProfilePoint> points;

    bool isEmpty() const { return points.empty(); }
};

// Through the engine's writers (profileToJson / profileToCsv).
nlohmann::json resultsToJson(const SweepResults& results);
std::string resultsToCsv(const SweepResults& results);
// The inverse of resultsToJson; throws spw::Error naming `source` and the field at fault.
SweepResults resultsFromJson(const nlohmann::json& json, const QString& source);

// Writes or reads a report file; spw::Error naming the file on failure (unreadable, not JSON, wrong fields).
void saveResults(const SweepResults& results, const QString& path);
SweepResults loadResults(const QString& path);
void saveResultsCsv(const SweepResults& results, const QString& path);

// <AppDataLocation>/last-profile.json.
QString lastResultsPath();

// Earlier sweeps, kept as report files in <AppDataLocation>/profile-history/ (the newest kMaxHistory), so that
// the page can overlay them on the current one.
constexpr int kMaxHistory = 20;
QString historyFolder();
// Newest first.
QStringList historyFiles();
// Writes `results` as the newest history file and prunes the oldest; returns its path. Throws spw::Error naming
// the file when it cannot be written.
QString addToHistory(const SweepResults& results);
void clearHistory();

} // namespace spw::ui
