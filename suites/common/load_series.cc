#include "suites/common/load_series.h"

#include <algorithm>

namespace harness::suites {
namespace {

constexpr double kMinDrawnPoint_s = 0.5;

}  // namespace

double PointIops(const loadgen::SeriesPoint& point) {
  if (!(point.seconds > 0)) return 0;
  return static_cast<double>(point.counters.reads + point.counters.writes) / point.seconds;
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

}  // namespace harness::suites
