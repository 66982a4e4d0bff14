// A load generator's per-second series as a report series (the HTML report plots it), for
// the suites that disturb a target under load (hotplug, isolation).
#pragma once

#include <string>

#include "harness/loadgen/run_result.h"
#include "reports/report_model.h"

namespace harness::suites {

// Returns LUN `lun`'s IOPS per point of `run` as a report series named `name`, its times
// shifted by `offset_s` (to line several generators' runs up on one clock). A run's last
// point shorter than half a second (drained after the stop) is left out.
reports::TimeSeries IopsSeries(const loadgen::RunResult& run, int lun, const std::string& name,
                               double offset_s = 0);

// Returns the completions per second of one series point (reads + writes over its length).
double PointIops(const loadgen::SeriesPoint& point);

}  // namespace harness::suites
