#include "harness/runner/suite.h"

#include "harness/process/child_process.h"

namespace harness::runner {

const char* ProfileName(Profile profile) { return profile == Profile::kQuick ? "quick" : "full"; }

reports::TestResult MakeResult(const std::string& suite, const std::string& name,
                               const std::string& family, reports::Outcome outcome,
                               std::string reason) {
  reports::TestResult r;
  r.suite = suite;
  r.name = name;
  r.family = family;
  r.outcome = outcome;
  r.reason = std::move(reason);
  return r;
}

reports::TestResult TargetDiedResult(const std::string& suite, const std::string& name,
                                     const std::string& family, const std::string& what,
                                     const adapters::RunningTarget& target) {
  reports::TestResult r = MakeResult(suite, name, family, reports::Outcome::kFail,
                                     "the target process died during " + what);
  if (!target.log.empty()) r.log_excerpt = process::TailOfFile(target.log, 40);
  return r;
}

Result<adapters::RunningTarget> TargetRestarter::Restart(const adapters::TargetSpec& spec) {
  adapter_->Stop();
  if (restarts_ >= limit_) {
    return Status::Error("the target died more than " + std::to_string(limit_) + " times");
  }
  ++restarts_;
  auto again = adapter_->Start(spec);
  if (!again.ok()) return Status::Error("the target did not restart: " + again.error());
  return again;
}

bool TargetProcessAlive(const std::optional<int>& pid) {
  return !pid || process::ProcessRunning(*pid);
}

}  // namespace harness::runner
