#include "harness/loadgen/load_window.h"

namespace harness::loadgen {
namespace {

// An open-ended run: long enough for any disturbance, ended by RequestStop.
constexpr std::chrono::hours kOpenEnded{1};

}  // namespace

Result<std::unique_ptr<LoadWindow>> LoadWindow::Begin(LoadGenerator* load) {
  Workload workload = load->config().workload;
  workload.duration = kOpenEnded;
  workload.io_count = 0;
  const auto start = std::chrono::steady_clock::now();
  if (Status s = load->Start(workload); !s.ok()) return s;
  return std::make_unique<LoadWindow>(load, start);
}

LoadWindow::~LoadWindow() {
  if (!finished_) (void)Finish();
}

double LoadWindow::Now() const { return SecondsAt(std::chrono::steady_clock::now()); }

Result<RunResult> LoadWindow::Finish() {
  if (finished_) return Status::Error("LoadWindow::Finish: already finished");
  finished_ = true;
  load_->RequestStop();
  return load_->Wait();
}

}  // namespace harness::loadgen
