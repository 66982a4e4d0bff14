// A GoogleTest suite program (suites/conformance/...) run against the target: the runner
// starts the target with the program's TargetSpec, writes the target file, runs the program
// under a time limit with $ISCSI_HARNESS_TARGET / $ISCSI_HARNESS_RESULTS, and turns each
// test's result (with its clause and the CDB/sense of a failed check) into a TestResult.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/runner/suite.h"
#include "harness/suite_support/target_under_test.h"

namespace harness::runner {

struct GtestProgram {
  std::string name;     // result prefix, e.g. "protocol-open"
  std::string program;  // executable name, e.g. "conformance_open_test"
  // Returns the spec to start the target with, or a skip reason when the adapter cannot.
  std::function<Result<adapters::TargetSpec>(const adapters::Capabilities&)> spec;
  std::chrono::seconds limit{900};
};

// Returns the path of suite program `program`: $ISCSI_HARNESS_SUITES_DIR/<program>, else the
// build tree beside iscsi-harness (../../suites/*/<program>), else PATH; "" if none.
std::string FindSuiteProgram(const std::string& program);

// Converts one entry of the program's results file into a report result named
// "<prefix>.<TestSuite>.<Test>".
reports::TestResult ResultFromGtest(const std::string& prefix, const nlohmann::json& entry);

// Runs `program` against env.adapter and appends its results.
void RunGtestProgram(const GtestProgram& program, const SuiteEnv& env,
                     std::vector<reports::TestResult>* results);

// The "open" and "auth" conformance configurations (suites/conformance/README.md).
Result<adapters::TargetSpec> OpenConformanceSpec(const adapters::Capabilities& caps);
Result<adapters::TargetSpec> AuthConformanceSpec(const adapters::Capabilities& caps);

// Suite "conformance": our protocol programs, then libiscsi's iscsi-test-cu.
class ConformanceSuite : public Suite {
 public:
  std::string name() const override { return "conformance"; }
  reports::SuiteKind kind() const override { return reports::SuiteKind::kGtest; }
  std::string description() const override {
    return "RFC 7143 / SPC-4 / SBC-3 protocol tests (open and auth configurations) and "
           "libiscsi iscsi-test-cu over LUN profiles";
  }
  void Run(const SuiteEnv& env, std::vector<reports::TestResult>* results) override;
};

}  // namespace harness::runner
