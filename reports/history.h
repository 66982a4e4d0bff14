// history.jsonl: one compact summary line per run, appended under the output folder, so a
// later run (or `iscsi-harness compare`) can compare against earlier ones without keeping
// every report.json.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_model.h"
#include "reports/status.h"

namespace harness::reports {

inline constexpr int kHistoryVersion = 1;
inline constexpr const char* kHistoryFileName = "history.jsonl";

struct MetricPoint {
  std::string name;  // Metric::name, for per-metric thresholds
  std::string unit;
  double value = 0;
  std::optional<double> spread;
  Better better = Better::kHigher;
};

// What comparison needs from one run.
struct RunSummary {
  std::string run_id;
  std::string started_at;
  Adapter adapter = Adapter::kReference;
  std::string portal;
  std::string product;  // "vendor product revision", may be empty
  std::string profile;  // "quick" or "full"; "" in lines written before it was recorded
  OutcomeCounts totals;
  double duration_s = 0;
  std::map<std::string, Outcome> outcomes;     // test id -> outcome
  std::map<std::string, std::string> reasons;  // test id -> reason, for non-PASS outcomes
  std::map<std::string, MetricPoint> metrics;  // Metric::Key() -> point
};

// Returns the summary of `report`.
RunSummary Summarize(const Report& report);

// Appends Summarize(report) as one line to DIR/history.jsonl (created if missing), with one
// write(2) and an fsync, so a crash loses at most this line and never corrupts older ones.
Status AppendHistory(const std::filesystem::path& dir, const Report& report);

struct History {
  std::vector<RunSummary> runs;      // oldest first
  std::vector<std::string> skipped;  // "history.jsonl:7: ..." for each unreadable line
};

// Reads DIR/history.jsonl; a missing file is an empty history. Lines that do not parse (a
// write torn by a crash, a future version) are skipped and listed, never fatal.
Result<History> ReadHistory(const std::filesystem::path& dir);

// Returns the latest run in `history` against the same adapter and portal as `current`,
// other than `current` itself; nullopt if there is none.
std::optional<RunSummary> FindBaseline(const History& history, const RunSummary& current);

void to_json(nlohmann::json& j, const RunSummary& v);
// Throws nlohmann::json::exception or std::invalid_argument on a malformed line.
void from_json(const nlohmann::json& j, RunSummary& v);

}  // namespace harness::reports
