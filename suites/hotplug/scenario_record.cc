#include "suites/hotplug/scenario_record.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace harness::hotplug {
namespace {

// An open-ended run: long enough for any scenario, ended by RequestStop.
constexpr std::chrono::hours kOpenEnded{1};
// How long after the window a stall is still charged to the change: a command caught by
// the change completes (and lands in the series) after it.
constexpr double kStallTail_s = 1.0;
constexpr double kMinDrawnPoint_s = 0.5;

std::string Fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

}  // namespace

ScenarioRecord::ScenarioRecord(std::string name, std::string family, std::string clause)
    : name_(std::move(name)), family_(std::move(family)), clause_(std::move(clause)) {}

void ScenarioRecord::Fail(const std::string& why) {
  if (std::find(problems_.begin(), problems_.end(), why) != problems_.end()) return;
  if (problems_.size() < kMaxReasons) {
    problems_.push_back(why);
  } else {
    ++dropped_;
  }
}

void ScenarioRecord::Change(double t0_s, double t1_s, std::string label, double op_ms) {
  markers_.push_back(reports::SeriesMarker{t0_s, std::nullopt, std::move(label)});
  op_ms_.push_back(op_ms);
  if (changes_ == 0) window_t0_ = t0_s;
  window_t1_ = std::max(window_t1_, t1_s);
  ++changes_;
}

reports::TimeSeries IopsSeries(const loadgen::RunResult& run, int lun, const std::string& name,
                               double offset_s) {
  reports::TimeSeries s;
  s.name = name;
  s.unit = "IOPS";
  if (const loadgen::LunResult* l = run.Lun(lun)) {
    for (const loadgen::SeriesPoint& p : l->series) {
      // A run's last point is the fraction of a second left when it stopped, drained without
      // new I/O: its rate says nothing about the target, so it is not drawn.
      if (p.seconds < kMinDrawnPoint_s) continue;
      s.points.push_back(reports::TimePoint{std::max(0.0, p.t + offset_s), PointIops(p)});
    }
  }
  return s;
}

void ScenarioRecord::JudgeLunA(const loadgen::RunResult& run, int lun, double baseline_iops,
                               const std::string& expected_triple, const Thresholds& thresholds) {
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

  if (lead_in_from_ >= 0) {
    const Baseline own = BaselineOf(a->series, lead_in_from_, lead_in_to_);
    Metric("lun_a.iops_lead_in", own.iops);
    Metric("lun_a.lead_in_points", static_cast<double>(own.points));
    if (own.points > 0) {
      baseline_iops = own.iops;
    } else {
      Fail("LUN A has no full second of load before the change to judge it against");
      baseline_iops = 0;
    }
  }
  if (changes_ > 0 && lead_in_from_ < 0) {
    // LUN A in the whole seconds just before the first change. On a shared machine the
    // suite's baseline phase can run slower than LUN A does later (measured: 18k against
    // 23-25k lead-ins); judging a change against the lower figure would excuse its cost,
    // so the higher of the two is the yardstick.
    const Baseline before = BaselineOf(a->series, 0, window_t0_);
    if (before.points > 0) {
      Metric("lun_a.iops_lead_in", before.iops);
      Metric("lun_a.iops_suite_baseline", baseline_iops);
      baseline_iops = std::max(baseline_iops, before.iops);
    }
  }
  if (changes_ > 0) {
    const WindowStats w = Window(a->series, window_t0_, window_t1_);
    const WindowStats tail = Window(a->series, window_t0_, window_t1_ + kStallTail_s);
    Metric("lun_a.iops_baseline", baseline_iops);
    Metric("lun_a.iops_window", w.iops);
    Metric("lun_a.window_s", w.seconds);
    if (baseline_iops > 0) Metric("lun_a.iops_ratio", w.iops / baseline_iops);
    Metric("lun_a.stall_ms", tail.max_latency_ms);
    if (std::string why = JudgeIopsRatio(w, baseline_iops, thresholds.min_iops_ratio);
        !why.empty()) {
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
  series_.insert(series_.begin(), std::move(iops));
  if (baseline_iops > 0 && changes_ > 0) {
    // The floor LUN A must stay above, drawn as a dashed reference line.
    const double floor = thresholds.min_iops_ratio * baseline_iops;
    series_.insert(
        series_.begin() + 1,
        reports::TimeSeries{"lun_a_iops_floor_" + Fixed(100 * thresholds.min_iops_ratio, 0) + "pct",
                            "IOPS",
                            {{0, floor}, {end, floor}},
                            {}});
  }
}

reports::TestResult ScenarioRecord::Finish(std::chrono::steady_clock::duration elapsed) const {
  reports::TestResult r;
  r.suite = "hotplug";
  r.name = name_;
  r.family = family_;
  r.clause = clause_;
  r.duration_s = std::chrono::duration<double>(elapsed).count();
  r.metrics = metrics_;
  r.series = series_;
  if (!failed()) {
    r.outcome = reports::Outcome::kPass;
    for (const std::string& n : notes_) r.reason += (r.reason.empty() ? "" : "; ") + n;
    return r;
  }
  r.outcome = reports::Outcome::kFail;
  for (const std::string& p : problems_) r.reason += (r.reason.empty() ? "" : "; ") + p;
  if (dropped_ > 0) r.reason += " (+" + std::to_string(dropped_) + " more)";
  return r;
}

Result<std::unique_ptr<LoadWindow>> LoadWindow::Begin(loadgen::LoadGenerator* load) {
  loadgen::Workload workload = load->config().workload;
  workload.duration = kOpenEnded;
  workload.io_count = 0;
  const auto start = std::chrono::steady_clock::now();
  if (Status s = load->Start(workload); !s.ok()) return s;
  return std::make_unique<LoadWindow>(load, start);
}

LoadWindow::~LoadWindow() {
  if (!finished_) (void)Finish();
}

double LoadWindow::Now() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

Result<loadgen::RunResult> LoadWindow::Finish() {
  if (finished_) return Status::Error("LoadWindow::Finish: already finished");
  finished_ = true;
  load_->RequestStop();
  return load_->Wait();
}

}  // namespace harness::hotplug
