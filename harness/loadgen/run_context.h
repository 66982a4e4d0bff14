// RunContext: the state one run shares between its session workers: the workload, the
// clock origin, the stop flag, each LUN's block map and time series, the journal, and the
// (capped) samples of errors and verification failures.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "harness/loadgen/block_map.h"
#include "harness/loadgen/config.h"
#include "harness/loadgen/journal.h"
#include "harness/loadgen/run_result.h"
#include "harness/loadgen/time_series.h"

namespace harness::loadgen {

using Clock = std::chrono::steady_clock;

// One LUN as every worker of the run sees it.
struct LunShared {
  int lun = 0;
  uint32_t block_size = 0;
  BlockMap* map = nullptr;  // owned by the generator: outlives the run
  std::unique_ptr<LunSeries> series;
};

struct RunContext {
  const LoadConfig* config = nullptr;
  Workload workload;
  uint32_t run_id = 0;
  uint64_t seed = 0;
  Clock::time_point start;
  std::optional<Clock::time_point> end;  // duration-bound runs
  std::atomic<bool> stop{false};
  JournalWriter* journal = nullptr;
  std::vector<LunShared> luns;  // in LoadConfig::luns order

  // Returns seconds since `start`.
  double Seconds(Clock::time_point t) const {
    return std::chrono::duration<double>(t - start).count();
  }
  // Keeps `sample` if fewer than config->max_samples are kept. Thread-safe.
  void AddErrorSample(IoErrorSample sample);
  void AddVerifySample(VerifyError sample);
  // Moves the samples out (after the run).
  std::vector<IoErrorSample> TakeErrorSamples();
  std::vector<VerifyError> TakeVerifySamples();

 private:
  std::mutex mu_;
  std::vector<IoErrorSample> error_samples_;
  std::vector<VerifyError> verify_samples_;
};

}  // namespace harness::loadgen
