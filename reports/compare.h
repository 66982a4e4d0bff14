// Comparison of two runs: which tests newly fail or were fixed, which metrics moved beyond
// their noise, and whether that is a regression (`iscsi-harness compare` exits 1 on it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/history.h"
#include "reports/report_model.h"

namespace harness::reports {

struct Thresholds {
  // Allowed relative change of a metric before it is flagged.
  double relative = 0.05;
  // A metric whose recorded spread is large is allowed spread_factor x spread instead
  // (the larger of the two runs' spreads): threshold = max(relative, spread_factor * spread).
  double spread_factor = 3;
  // Overrides of `relative` by full metric key ("suite/name{k=v}") or by metric name
  // ("iops"); the full key wins.
  std::map<std::string, double> per_metric;
};

struct TestChange {
  std::string test;
  std::optional<Outcome> before;  // nullopt: the test did not exist
  std::optional<Outcome> after;   // nullopt: the test no longer exists
  std::string reason;             // the new run's reason (or the old one for removed tests)
};

struct MetricChange {
  std::string key;
  std::string unit;
  double before = 0;
  double after = 0;
  double relative = 0;      // (after - before) / |before|; +-inf when before is 0
  double threshold = 0;     // the relative change allowed for this metric
  bool flagged = false;     // |relative| > threshold
  bool regression = false;  // flagged, in the worse direction (by Metric::better)
};

struct CompareResult {
  std::string old_label;  // "adapter run_id"
  std::string new_label;
  std::vector<TestChange> new_failures;   // FAIL now, not FAIL before (or new)
  std::vector<TestChange> fixed;          // FAIL or XFAIL before, PASS now
  std::vector<TestChange> other_changes;  // any other outcome change, e.g. PASS -> SKIP
  std::vector<std::string> new_tests;
  std::vector<std::string> removed_tests;
  std::vector<MetricChange> metric_changes;  // every metric present in both, by key
  std::vector<std::string> new_metrics;
  std::vector<std::string> removed_metrics;
  bool regression = false;  // a new failure or a regressed metric

  // Returns how many metric changes are flagged / are regressions.
  size_t FlaggedMetrics() const;
  size_t RegressedMetrics() const;
};

// Compares `new_run` against `old_run`.
CompareResult Compare(const RunSummary& old_run, const RunSummary& new_run,
                      const Thresholds& thresholds = {});
// Compares two reports (through Summarize).
CompareResult Compare(const Report& old_report, const Report& new_report,
                      const Thresholds& thresholds = {});

// Returns the comparison as plain text for a terminal: verdict, then each change as
// "old -> new".
std::string RenderCompareText(const CompareResult& result);

// Returns the comparison as Markdown for a CI job summary.
std::string RenderCompareMarkdown(const CompareResult& result);

}  // namespace harness::reports
