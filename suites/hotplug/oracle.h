// The hotplug suite's judgements, as pure functions over what was measured, so that each one
// is unit-tested on synthetic data (oracle_test.cc):
//   - the unit-attention oracle: after a LUN change every I_T nexus gets the unit attention
//     exactly once (SAM-5 §5.14 / SPC-4: 06/3F/0E REPORTED LUNS DATA HAS CHANGED; SBC-3:
//     06/2A/09 CAPACITY DATA HAS CHANGED), and REPORT LUNS then lists exactly the LUNs that
//     exist (TEST-PLAN S19, S20, T35);
//   - LUN A's IOPS in the slots with a change against the quiet slots interleaved with them
//     (from the load generator's 50 ms bins), and its longest stall (per-second series);
//   - the target's fd and RSS growth over churn (TEST-PLAN T44);
//   - REPORT LUNS parameter data (SPC-4 §6.33) and what a removed LUN's commands got.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "harness/loadgen/fine_rate.h"
#include "harness/loadgen/run_result.h"
#include "harness/process/proc_usage.h"
#include "suites/common/load_series.h"
#include "suites/hotplug/hotplug_config.h"

namespace harness::hotplug {

// Sense triples as harness::iscsi::DecodedSense::Triple() spells them.
inline constexpr char kLunsChanged[] = "06/3f/0e";      // REPORTED LUNS DATA HAS CHANGED
inline constexpr char kCapacityChanged[] = "06/2a/09";  // CAPACITY DATA HAS CHANGED
inline constexpr char kLunNotSupported[] = "05/25/00";  // LOGICAL UNIT NOT SUPPORTED

// What the idle session saw when probed after one change: TEST UNIT READY repeated until
// GOOD (each CHECK CONDITION's sense triple in order), then REPORT LUNS.
struct NexusProbe {
  std::vector<std::string> tur_senses;  // CHECK CONDITION triples before the GOOD
  bool tur_good = false;                // a TEST UNIT READY ended GOOD within the attempts
  std::string tur_problem;              // anything else: timeout, other status, transport
  bool report_ok = false;
  std::set<int> reported;  // the LUNs REPORT LUNS listed
  std::string report_problem;
};

// Returns "" if `probe` shows exactly one `expected_triple`, no other CHECK CONDITION, a
// GOOD TEST UNIT READY afterwards, and REPORT LUNS listing exactly `expected_luns`;
// otherwise what was wrong, starting with `change` ("after add LUN 3: ...").
std::string JudgeIdleProbe(const NexusProbe& probe, const std::string& expected_triple,
                           const std::set<int>& expected_luns, const std::string& change);

// Returns "" if the load session saw `expected_triple` on its LUN exactly `changes` times
// (once per change), otherwise the counts.
std::string JudgeLoadUnitAttentions(uint64_t seen, uint64_t changes,
                                    const std::string& expected_triple);

using suites::PointIops;

// LUN A over a window of its per-second series.
struct WindowStats {
  size_t points = 0;          // series points the window touched
  double seconds = 0;         // their total length
  double iops = 0;            // completions / seconds over those points
  double max_latency_ms = 0;  // the longest I/O among them: the stall an application saw
  uint64_t errors = 0;
  uint64_t verify_errors = 0;
};

// Returns the statistics of the points that overlap [t0_s, t1_s] (whole points: a change
// shorter than a second is judged on the second that holds it). A point shorter than
// `min_point_s` (the last one of a run, drained after the stop) is left out.
WindowStats Window(const std::vector<loadgen::SeriesPoint>& points, double t0_s, double t1_s,
                   double min_point_s = 0.99);

// LUN A's baseline: the mean and relative spread of the IOPS of every full point.
struct Baseline {
  double iops = 0;
  double spread = 0;  // population stddev / mean
  size_t points = 0;
};

// Returns the baseline over the full points (>= min_point_s long) that start at or after
// `from_s` and end by `to_s`.
Baseline BaselineOf(const std::vector<loadgen::SeriesPoint>& points, double from_s = 0,
                    double to_s = 1e300, double min_point_s = 0.99);

using loadgen::Rate;
using loadgen::RateOver;
using loadgen::Span;

// Returns "" if LUN A's rate in the change slots is at least `min_ratio` x its rate in the
// quiet slots interleaved with them, otherwise the figures. No quiet time fails.
std::string JudgeChurnRatio(const Rate& during_changes, const Rate& quiet, double min_ratio);

// Returns "" if LUN A's longest I/O around the changes took at most `max_stall_ms`,
// otherwise the figures.
std::string JudgeStall(double stall_ms, double max_stall_ms);

// Returns "" if the target grew by at most the thresholds' fds and RSS between `before` and
// `after`, otherwise the growth.
std::string JudgeUsage(const process::ProcessUsage& before, const process::ProcessUsage& after,
                       const Thresholds& thresholds);

// Parses REPORT LUNS parameter data (SPC-4 §6.33.2): LUN LIST LENGTH, then 8-byte LUNs in
// peripheral (00b) or flat (01b) addressing (SAM-5 §4.7). Fails naming the byte on a
// truncated list or another addressing method.
Result<std::set<int>> ParseReportLuns(std::span<const uint8_t> data);

// Returns "{0, 1, 3}".
std::string FormatLuns(const std::set<int>& luns);

// Counts a removed LUN's failed commands by what they got: "05/25/00" for a CHECK CONDITION
// (the triple taken from the sample's detail), else the event ("timeout", ...).
std::map<std::string, uint64_t> FailureKinds(const std::vector<loadgen::IoErrorSample>& samples);

// Returns what in `kinds` a removed LUN's commands may not get: anything but a CHECK
// CONDITION 05/25/00 ("" if nothing). Commands that completed GOOD or were aborted and
// retried are not in `kinds`.
std::string JudgeRemovedLunFailures(const std::map<std::string, uint64_t>& kinds);

}  // namespace harness::hotplug
