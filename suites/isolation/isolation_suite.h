// Suite "isolation" (issue 5): does one failing or stalled backstore disturb the other
// volumes? README.md describes the scenarios and the oracle.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/runner/suite.h"
#include "suites/isolation/isolation_config.h"

namespace harness::isolation {

// Returns "" if the suite can run on `adapter` here, else the reason to SKIP.
std::string WhyNotRunnable(const adapters::TargetAdapter& adapter,
                           const adapters::Capabilities& caps, bool allow_data_loss);

class IsolationSuite : public runner::Suite {
 public:
  IsolationSuite() = default;
  // Runs with `config` instead of the profile's (tests use short durations).
  explicit IsolationSuite(IsolationConfig config) : config_(config) {}

  std::string name() const override { return "isolation"; }
  reports::SuiteKind kind() const override { return reports::SuiteKind::kLoadgen; }
  std::string description() const override {
    return "backstore faults (EIO, ENOSPC, fsync, latency, hangs, lost backing) on one LUN "
           "under verified load on four: exact sense, TMF and login times, fencing, the "
           "other LUNs undisturbed";
  }
  void Run(const runner::SuiteEnv& env, std::vector<reports::TestResult>* results) override;

 private:
  std::optional<IsolationConfig> config_;
};

}  // namespace harness::isolation
