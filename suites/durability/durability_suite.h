// Suite "durability" (issue 5, TEST-PLAN T39-T41): does every write the target acknowledged
// survive a crash of its process, and what a power cut may take? README.md describes the
// scenarios and the oracle.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/runner/suite.h"
#include "suites/durability/durability_config.h"

namespace harness::durability {

class DurabilitySuite : public runner::Suite {
 public:
  DurabilitySuite() = default;
  // Runs with `config` instead of the profile's (tests use few cycles).
  explicit DurabilitySuite(DurabilityConfig config) : config_(config) {}

  std::string name() const override { return "durability"; }
  reports::SuiteKind kind() const override { return reports::SuiteKind::kLoadgen; }
  std::string description() const override {
    return "SIGKILL of the target under random writes at QD32 and simulated power cuts "
           "(faultfs): every acknowledged (or durable) write reads back after Restart, and "
           "the advertised write cache (WCE) against what survives";
  }
  void Run(const runner::SuiteEnv& env, std::vector<reports::TestResult>* results) override;

 private:
  std::optional<DurabilityConfig> config_;
};

}  // namespace harness::durability
