// One durability scenario on its own target: a LUN on its backing (a file, a loop device
// over one, or a file on faultfs), then `cycles` times: verified random writes at QD32 with
// the journal on, SIGKILL of the target process, for a power cut faultfs dropping what was
// not synced, TargetAdapter::Restart(), and VerifyJournal judged by durability_oracle.h.
#pragma once

#include <string>

#include "harness/runner/suite.h"
#include "reports/report_model.h"
#include "suites/durability/durability_config.h"
#include "suites/durability/scenarios.h"

namespace harness::durability {

inline constexpr char kIqn[] = "iqn.2003-01.org.reftarget.harness:durability";

// Returns "" if `scenario` can run on `adapter` here, else the reason to SKIP.
std::string WhyNotRunnable(const adapters::TargetAdapter& adapter,
                           const adapters::Capabilities& caps, bool allow_data_loss,
                           const Scenario& scenario);

// Runs `scenario` (its capability gate already passed) and returns its result. Calls
// env.on_target_started when `*announce` is true, then clears it.
reports::TestResult RunScenario(const runner::SuiteEnv& env, const DurabilityConfig& config,
                                const Scenario& scenario, bool* announce);

}  // namespace harness::durability
