#include "reports/compare.h"

#include <algorithm>
#include <cmath>

namespace harness::reports {
namespace {

double ThresholdFor(const std::string& key, const MetricPoint& before, const MetricPoint& after,
                    const Thresholds& t) {
  double base = t.relative;
  if (auto it = t.per_metric.find(key); it != t.per_metric.end()) {
    base = it->second;
  } else if (auto by_name = t.per_metric.find(after.name); by_name != t.per_metric.end()) {
    base = by_name->second;
  }
  double spread = std::max(before.spread.value_or(0), after.spread.value_or(0));
  return std::max(base, t.spread_factor * spread);
}

double RelativeChange(double before, double after) {
  if (after == before) return 0;
  if (before == 0) return std::copysign(INFINITY, after);
  return (after - before) / std::fabs(before);
}

std::string Label(const RunSummary& run) {
  return std::string(AdapterName(run.adapter)) + " " + run.run_id;
}

std::string ReasonOf(const RunSummary& run, const std::string& id) {
  auto it = run.reasons.find(id);
  return it == run.reasons.end() ? std::string() : it->second;
}

}  // namespace

size_t CompareResult::FlaggedMetrics() const {
  return static_cast<size_t>(std::count_if(metric_changes.begin(), metric_changes.end(),
                                           [](const MetricChange& m) { return m.flagged; }));
}

size_t CompareResult::RegressedMetrics() const {
  return static_cast<size_t>(std::count_if(metric_changes.begin(), metric_changes.end(),
                                           [](const MetricChange& m) { return m.regression; }));
}

CompareResult Compare(const RunSummary& old_run, const RunSummary& new_run,
                      const Thresholds& thresholds) {
  CompareResult r;
  r.old_label = Label(old_run);
  r.new_label = Label(new_run);
  for (const auto& [id, after] : new_run.outcomes) {
    auto it = old_run.outcomes.find(id);
    std::optional<Outcome> before;
    if (it == old_run.outcomes.end()) {
      r.new_tests.push_back(id);
    } else {
      before = it->second;
    }
    if (before == after) continue;
    TestChange change{id, before, after, ReasonOf(new_run, id)};
    if (after == Outcome::kFail) {
      r.new_failures.push_back(change);
    } else if (after == Outcome::kPass && (before == Outcome::kFail || before == Outcome::kXfail)) {
      r.fixed.push_back(change);
    } else if (before) {
      r.other_changes.push_back(change);
    }
  }
  for (const auto& [id, before] : old_run.outcomes) {
    if (new_run.outcomes.count(id) == 0) r.removed_tests.push_back(id);
  }
  for (const auto& [key, after] : new_run.metrics) {
    auto it = old_run.metrics.find(key);
    if (it == old_run.metrics.end()) {
      r.new_metrics.push_back(key);
      continue;
    }
    const MetricPoint& before = it->second;
    MetricChange m;
    m.key = key;
    m.unit = after.unit;
    m.before = before.value;
    m.after = after.value;
    m.relative = RelativeChange(before.value, after.value);
    m.threshold = ThresholdFor(key, before, after, thresholds);
    m.flagged = std::fabs(m.relative) > m.threshold;
    bool worse = after.better == Better::kHigher ? m.relative < 0 : m.relative > 0;
    m.regression = m.flagged && worse;
    r.metric_changes.push_back(m);
  }
  for (const auto& [key, before] : old_run.metrics) {
    if (new_run.metrics.count(key) == 0) r.removed_metrics.push_back(key);
  }
  r.regression = !r.new_failures.empty() || r.RegressedMetrics() > 0;
  return r;
}

CompareResult Compare(const Report& old_report, const Report& new_report,
                      const Thresholds& thresholds) {
  return Compare(Summarize(old_report), Summarize(new_report), thresholds);
}

}  // namespace harness::reports
