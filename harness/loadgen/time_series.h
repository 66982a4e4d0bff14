// LunSeries: one LUN's per-second time series (counters and read / write latency
// percentiles) and its run totals, fed by every session's worker thread.
//
// Completions are binned by completion time (as fio's per-interval logs are). A point is
// closed, its histograms reduced to percentiles, once a completion lands two seconds past
// it (so a thread that was descheduled across a second boundary still lands in the right
// point); Finish() closes the rest. A record for an already closed point still counts in
// its counters and in the totals, only not in that point's percentiles. Seconds with no
// completion at all (a stalled LUN) are points of zero, never gaps.
//
// Beside the points, completions are also counted in bins of kFineBinSeconds: a change that
// lasts milliseconds is judged on the bins around it, not on the whole second holding it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "harness/loadgen/counters.h"
#include "harness/loadgen/histogram.h"

namespace harness::loadgen {

// Percentiles of one histogram of nanoseconds, in microseconds.
struct LatencySummary {
  uint64_t count = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double mean_us = 0;
};

// Returns the summary of `histogram` (nanoseconds).
LatencySummary Summarize(const LatencyHistogram& histogram);

struct SeriesPoint {
  int t = 0;           // second index since the run started: the point covers [t, t + seconds)
  double seconds = 1;  // 1, or the length of a shorter / longer last point
  Counters counters;
  LatencySummary read_latency;
  LatencySummary write_latency;
};

// The width of LunSeries::fine_completions()'s bins.
inline constexpr double kFineBinSeconds = 0.05;

class LunSeries {
 public:
  // `max_points` > 0 folds completions after that many seconds into the last point (a
  // duration-bound run drains its last commands after the end); 0: no limit.
  explicit LunSeries(size_t max_points = 0) : max_points_(max_points) {}
  LunSeries(const LunSeries&) = delete;
  LunSeries& operator=(const LunSeries&) = delete;

  // Records one I/O that completed `t_s` seconds after the start and took `latency_ns`.
  void AddIo(double t_s, IoOp op, uint64_t bytes, uint64_t latency_ns);
  // Records `n` occurrences of `event` at `t_s`.
  void AddEvent(double t_s, Event event, uint64_t n = 1);
  // Closes every point for a run of `end_s` seconds: ceil(end_s) points (at least one,
  // at most max_points), the last one as long as what is left.
  void Finish(double end_s);

  // After Finish(): the points, the totals and the whole-run histograms.
  const std::vector<SeriesPoint>& points() const { return closed_; }
  const Counters& totals() const { return totals_; }
  // Completions (reads and writes) per kFineBinSeconds bin since the start; bins after the
  // last completion are absent, not zero.
  const std::vector<uint32_t>& fine_completions() const { return fine_; }
  const LatencyHistogram& read_histogram() const { return read_total_; }
  const LatencyHistogram& write_histogram() const { return write_total_; }

 private:
  struct Open {
    Counters counters;
    LatencyHistogram read;
    LatencyHistogram write;
  };
  size_t IndexOf(double t_s) const;
  // Returns the open point for `index`, closing every point before index - 1 first; null
  // if `index` is already closed. REQUIRES: mu_ held.
  Open* PointFor(size_t index);
  // Closes points until `count` are closed. REQUIRES: mu_ held.
  void CloseUntil(size_t count);

  const size_t max_points_;
  std::mutex mu_;
  std::map<size_t, Open> open_;
  std::vector<SeriesPoint> closed_;
  std::vector<uint32_t> fine_;
  Counters totals_;
  LatencyHistogram read_total_;
  LatencyHistogram write_total_;
};

}  // namespace harness::loadgen
