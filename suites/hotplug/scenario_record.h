// ScenarioRecord: what one hotplug scenario measured and found, turned into its TestResult
// (metrics, the IOPS-over-time series of LUN A with the changes marked, and a FAIL reason that
// names every problem). A scenario's changes are timed against LUN A's run (LoadWindow).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/loadgen/load_generator.h"
#include "harness/loadgen/load_window.h"
#include "reports/report_model.h"
#include "reports/result_builder.h"
#include "suites/common/load_series.h"
#include "suites/hotplug/hotplug_config.h"
#include "suites/hotplug/oracle.h"

namespace harness::hotplug {

class ScenarioRecord : public reports::ResultBuilder {
 public:
  // `name` is the stable id "hotplug.Family.Test".
  ScenarioRecord(std::string name, std::string family, std::string clause)
      : ResultBuilder("hotplug", std::move(name), std::move(family), std::move(clause)) {}
  // Marks a change made from `t0_s` to `t1_s` (seconds since LUN A's run started; its
  // command took `op_ms`) and counts it. Its slot, the time charged to it, lasts at least
  // `slot_s`. The change window runs from the first change's start to the last one's end.
  void Change(double t0_s, double t1_s, std::string label, double op_ms, double slot_s = 0);
  // Marks [t0_s, t1_s] as a quiet slot: no change in progress. A scenario with quiet slots
  // (churn) is judged on LUN A's IOPS in its change slots against them.
  void Quiet(double t0_s, double t1_s) { quiet_slots_.push_back(Span{t0_s, t1_s}); }
  int changes() const { return changes_; }
  double window_t0() const { return window_t0_; }
  double window_t1() const { return window_t1_; }
  // Takes LUN A's IOPS in [from_s, to_s] as its lead-in instead of the stretch before the
  // first change: for a scenario that adds load of its own before the change (a second
  // generator), so that the reported ratio measures the change and not the extra load.
  void BaselineFrom(double from_s, double to_s) {
    lead_in_from_ = from_s;
    lead_in_to_ = to_s;
  }

  // Judges LUN A's run `run` (the scenario's whole run of LUN `lun`): no errors and no
  // verification errors, IOPS in the change slots against the quiet slots (when there are
  // any), the longest I/O in or just after the change window, and the load session's
  // `expected_triple` once per change. Adds the metrics (the suite's baseline
  // `suite_baseline_iops` among them, for reference) and the series.
  void JudgeLunA(const loadgen::RunResult& run, int lun, double suite_baseline_iops,
                 const std::string& expected_triple, const Thresholds& thresholds);

 private:
  std::vector<reports::SeriesMarker> markers_;
  std::vector<double> op_ms_;
  std::vector<Span> change_slots_;
  std::vector<Span> quiet_slots_;
  int changes_ = 0;
  double window_t0_ = 0, window_t1_ = 0;
  double lead_in_from_ = -1, lead_in_to_ = -1;  // < 0: from the start to the first change
};

using suites::IopsSeries;
using loadgen::LoadWindow;

}  // namespace harness::hotplug
