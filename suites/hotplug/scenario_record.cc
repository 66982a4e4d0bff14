#include "suites/hotplug/scenario_record.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "reports/number_format.h"

namespace harness::hotplug {
namespace {

using reports::Fixed;

// How long after the window a stall is still charged to the change: a command caught by
// the change completes (and lands in the series) after it.
constexpr double kStallTail_s = 1.0;
// The first moments of a run fill the queue; they are no one's yardstick.
constexpr double kRampUp_s = 0.25;

}  // namespace

void ScenarioRecord::Change(double t0_s, double t1_s, std::string label, double op_ms,
                            double slot_s) {
  markers_.push_back(reports::SeriesMarker{t0_s, std::nullopt, std::move(label)});
  op_ms_.push_back(op_ms);
  change_slots_.push_back(Span{t0_s, std::max(t1_s, t0_s + slot_s)});
  if (changes_ == 0) window_t0_ = t0_s;
  window_t1_ = std::max(window_t1_, t1_s);
  ++changes_;
}

void ScenarioRecord::JudgeLunA(const loadgen::RunResult& run, int lun, double suite_baseline_iops,
                               const std::string& expected_triple, const Thresholds& thresholds) {
  double yardstick = 0;
  const loadgen::LunResult* a = run.Lun(lun);
  if (a == nullptr) {
    Fail("the load generator has no result for LUN A (" + std::to_string(lun) + ")");
    return;
  }
  // Errors anywhere in the scenario's run count, not only in the window.
  const uint64_t errors = run.errors();
  const uint64_t verify_errors = run.verify_errors();
  Metric("lun_a.errors", static_cast<double>(errors));
  Metric("lun_a.verify_errors", static_cast<double>(verify_errors));
  Metric("lun_a.ios", static_cast<double>(a->totals.reads + a->totals.writes));
  if (errors > 0) {
    std::string first = run.error_samples.empty() ? "" : ": first " + run.error_samples[0].detail;
    Fail("LUN A had " + std::to_string(errors) + " I/O error" + (errors == 1 ? "" : "s") + first);
  }
  if (verify_errors > 0) {
    std::string first =
        run.verify_samples.empty() ? "" : ": first " + run.verify_samples[0].Describe();
    Fail("LUN A read back " + std::to_string(verify_errors) + " wrong block" +
         (verify_errors == 1 ? "" : "s") + first);
  }

  if (changes_ > 0) {
    const Rate during = RateOver(a->fine_completions, loadgen::kFineBinSeconds, change_slots_);
    Metric("lun_a.iops_during_changes", during.iops);
    Metric("lun_a.change_slots_s", during.seconds);
    // The stretch of load before the first change, its first moments (the queue filling)
    // left out; or the stretch the scenario named.
    const Span lead_in =
        lead_in_from_ >= 0 ? Span{lead_in_from_, lead_in_to_} : Span{kRampUp_s, window_t0_};
    const Rate before = RateOver(a->fine_completions, loadgen::kFineBinSeconds, {lead_in});
    Metric("lun_a.iops_lead_in", before.iops);
    if (suite_baseline_iops > 0) Metric("lun_a.iops_suite_baseline", suite_baseline_iops);
    if (!quiet_slots_.empty()) {
      // Churn: the yardstick is LUN A in the quiet slots interleaved with the changes, on
      // the same machine at the same time; a lead-in seconds earlier moves by more than a
      // change costs here (README.md, "The IOPS yardstick").
      const Rate quiet = RateOver(a->fine_completions, loadgen::kFineBinSeconds, quiet_slots_);
      yardstick = quiet.iops;
      Metric("lun_a.iops_quiet", quiet.iops);
      Metric("lun_a.quiet_slots_s", quiet.seconds);
      if (std::string why = JudgeChurnRatio(during, quiet, thresholds.min_iops_ratio);
          !why.empty()) {
        Fail(why);
      }
    } else {
      // A single change lasts milliseconds: its IOPS ratio is reported, not judged (a slot
      // of a quarter second moves by more than that here); its stall is judged.
      yardstick = before.iops;
    }
    Metric("lun_a.iops_baseline", yardstick);
    if (yardstick > 0) Metric("lun_a.iops_ratio", during.iops / yardstick);
    const WindowStats tail = Window(a->series, window_t0_, window_t1_ + kStallTail_s);
    Metric("lun_a.iops_window", Window(a->series, window_t0_, window_t1_).iops);
    Metric("lun_a.stall_ms", tail.max_latency_ms);
    if (std::string why = JudgeStall(tail.max_latency_ms, thresholds.max_stall_ms); !why.empty()) {
      Fail(why);
    }
    const uint64_t seen = run.UnitAttentions(lun, expected_triple);
    Metric("lun_a.load_session_attentions", static_cast<double>(seen));
    Metric("lun_a.load_session_other_attentions",
           static_cast<double>(run.UnitAttentions(lun) - seen));
    if (std::string why =
            JudgeLoadUnitAttentions(seen, static_cast<uint64_t>(changes_), expected_triple);
        !why.empty()) {
      Fail(why);
    }
  }
  Metric("changes", changes_);
  if (!op_ms_.empty()) {
    Metric("admin.op_ms_max", *std::max_element(op_ms_.begin(), op_ms_.end()));
    Metric("admin.op_ms_mean",
           std::accumulate(op_ms_.begin(), op_ms_.end(), 0.0) / static_cast<double>(op_ms_.size()));
  }

  reports::TimeSeries iops = IopsSeries(run, lun, "lun_a_iops");
  iops.markers = markers_;
  if (changes_ > 0) {
    iops.markers.push_back(reports::SeriesMarker{window_t0_, window_t1_, "change window"});
  }
  const double end = iops.points.empty() ? 0 : iops.points.back().t_s + 1;
  series().insert(series().begin(), std::move(iops));
  if (yardstick > 0 && !quiet_slots_.empty()) {
    // The floor LUN A must stay above, drawn as a dashed reference line.
    const double floor = thresholds.min_iops_ratio * yardstick;
    series().insert(
        series().begin() + 1,
        reports::TimeSeries{"lun_a_iops_floor_" + Fixed(100 * thresholds.min_iops_ratio, 0) + "pct",
                            "IOPS",
                            {{0, floor}, {end, floor}},
                            {}});
  }
}

}  // namespace harness::hotplug
