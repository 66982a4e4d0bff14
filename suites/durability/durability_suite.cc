#include "suites/durability/durability_suite.h"

#include "harness/process/child_process.h"
#include "reports/result_builder.h"
#include "suites/durability/crash_scenario.h"
#include "suites/durability/scenarios.h"

namespace harness::durability {

DurabilityConfig DurabilityConfigFor(runner::Profile profile) {
  DurabilityConfig c;
  if (profile == runner::Profile::kFull) c.cycles = 100;
  return c;
}

void DurabilitySuite::Run(const runner::SuiteEnv& env, std::vector<reports::TestResult>* results) {
  const DurabilityConfig config = config_ ? *config_ : DurabilityConfigFor(env.profile);
  auto emit = [&](reports::TestResult r) {
    if (env.on_result) env.on_result(r);
    results->push_back(std::move(r));
  };
  const adapters::Capabilities caps = env.adapter->capabilities();
  bool announce = true;  // env.on_target_started, for the first target started
  for (const Scenario& s : Scenarios()) {
    reports::ResultBuilder plain("durability", s.name, s.family, s.clause);
    if (process::Interrupted()) {
      emit(plain.Skip("not run: interrupted"));
      continue;
    }
    const std::string why = WhyNotRunnable(*env.adapter, caps, env.allow_data_loss, s);
    if (!why.empty()) {
      emit(plain.Skip(why));
      continue;
    }
    emit(RunScenario(env, config, s, &announce));
  }
}

}  // namespace harness::durability
