// The figures of one fio job, read from fio's JSON output (--output-format=json, fio 3.x):
// per direction the bytes, IOPS, bandwidth and total latency (mean and the percentiles the
// job asked for with lat_percentiles=1), and the job's error and CPU. Every field is checked:
// a missing or mistyped one is an error naming it, never a zero.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "harness/common/status.h"

namespace harness::drivers {

struct FioDirection {
  uint64_t io_bytes = 0;
  uint64_t total_ios = 0;
  double iops = 0;
  double bytes_per_s = 0;
  double lat_mean_us = 0;
  std::map<double, double> lat_percentile_us;  // 99.9 -> microseconds
};

struct FioJobResult {
  std::string name;
  std::string fio_version;  // "fio-3.33"
  int error = 0;            // the job's errno (0: none)
  double runtime_s = 0;     // measured time, ramp excluded
  double usr_cpu_percent = 0;
  double sys_cpu_percent = 0;
  FioDirection read;
  FioDirection write;
};

// Reads job `job_name` out of fio's standard output `output` (anything fio printed before
// the JSON document is skipped). Returns the failure naming what is missing
// ("fio JSON: jobs[0].read.lat_ns.percentile missing").
Result<FioJobResult> ParseFioJob(std::string_view output, const std::string& job_name);

}  // namespace harness::drivers
