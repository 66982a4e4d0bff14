// LoadWindow: an open-ended run of a LoadGenerator that a suite disturbs (a LUN change, a
// backstore fault) and then stops, with the run's clock to time the disturbance against
// the run's series.
#pragma once

#include <chrono>
#include <memory>

#include "harness/common/status.h"
#include "harness/loadgen/load_generator.h"

namespace harness::loadgen {

class LoadWindow {
 public:
  // Starts `load` running its configured workload until Finish.
  static Result<std::unique_ptr<LoadWindow>> Begin(LoadGenerator* load);
  // Adopts a run of `load` started at `start`. REQUIRES: load->running(); use Begin.
  LoadWindow(LoadGenerator* load, std::chrono::steady_clock::time_point start)
      : load_(load), start_(start) {}
  ~LoadWindow();
  LoadWindow(const LoadWindow&) = delete;
  LoadWindow& operator=(const LoadWindow&) = delete;

  // Returns seconds since the run started (the time base of its series).
  double Now() const;
  // Returns when the run started.
  std::chrono::steady_clock::time_point start() const { return start_; }
  // Returns seconds from this run's start to `t` on the same clock (to line two runs up).
  double SecondsAt(std::chrono::steady_clock::time_point t) const {
    return std::chrono::duration<double>(t - start_).count();
  }
  // Stops the run (commands in flight complete) and returns what it measured.
  Result<RunResult> Finish();

 private:
  LoadGenerator* load_;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

}  // namespace harness::loadgen
