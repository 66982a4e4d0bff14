// Suite "hotplug": what a live LUN change does to the I/O of the LUNs already in use (issue 4).
// While the verifying load generator drives LUN A over one session and a second session sits
// idle, it adds a LUN and uses it, removes an idle LUN, removes a LUN under I/O and re-adds
// it, churns add/remove cycles and many LUNs, and resizes; per scenario it measures LUN A's
// errors, its IOPS against the baseline, its longest stall, the unit attentions of both
// I_T nexuses and REPORT LUNS, and the target's fds and RSS. README.md has the details.
//
// It runs in-process (kind "loadgen") through the adapter contract only: an adapter without
// live_lun_changes gets every scenario SKIPped with the reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/runner/suite.h"
#include "suites/hotplug/hotplug_config.h"

namespace harness::hotplug {

class HotplugSuite : public runner::Suite {
 public:
  // `config`: used instead of ConfigFor(env.profile) (tests run with small counts).
  explicit HotplugSuite(std::optional<HotplugConfig> config = std::nullopt)
      : config_(std::move(config)) {}

  std::string name() const override { return "hotplug"; }
  reports::SuiteKind kind() const override { return reports::SuiteKind::kLoadgen; }
  std::string description() const override {
    return "live LUN add/remove/resize under verified load: errors, IOPS ratio, stalls, "
           "unit attentions, fd/RSS growth";
  }
  void Run(const runner::SuiteEnv& env, std::vector<reports::TestResult>* results) override;

 private:
  std::optional<HotplugConfig> config_;
};

// Returns why the suite cannot run against an adapter with `caps` ("" if it can); `adapter`
// names it in the reason.
std::string WhyNotRunnable(const adapters::TargetAdapter& adapter,
                           const adapters::Capabilities& caps, bool allow_data_loss);

}  // namespace harness::hotplug
