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

bool TargetProcessAlive(const std::optional<int>& pid) {
  return !pid || process::ProcessRunning(*pid);
}

}  // namespace harness::runner
