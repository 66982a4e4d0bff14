#include "suites/isolation/isolation_suite.h"

#include "harness/faults/faultfs_daemon.h"
#include "harness/process/child_process.h"
#include "reports/result_builder.h"
#include "suites/isolation/fault_kinds.h"
#include "suites/isolation/fault_scenario.h"
#include "suites/isolation/isolation_context.h"

namespace harness::isolation {

IsolationConfig IsolationConfigFor(runner::Profile profile) {
  IsolationConfig c;
  if (profile == runner::Profile::kFull) {
    c.warm_up = std::chrono::seconds(2);
    c.baseline = std::chrono::seconds(8);
    c.fault = std::chrono::seconds(15);
    c.long_hang = std::chrono::seconds(60);
    c.recovery = std::chrono::seconds(8);
  }
  return c;
}

std::string WhyNotRunnable(const adapters::TargetAdapter& adapter,
                           const adapters::Capabilities& caps, bool allow_data_loss) {
  if (!caps.managed) {
    return adapters::MissingCapability(adapter, "configure the target (it is not managed)");
  }
  for (adapters::Backing b :
       {adapters::Backing::kFileio, adapters::Backing::kBlock, adapters::Backing::kRamdisk}) {
    if (caps.backings.count(b) == 0) {
      return adapters::MissingCapability(
          adapter, std::string("export ") + adapters::BackingName(b) + " LUNs");
    }
  }
  if (std::string why = faults::WhyFaultfsUnavailable(); !why.empty()) return why;
  if (!allow_data_loss) return "the suite writes to every LUN it uses: needs --allow-data-loss";
  return "";
}

namespace {

// A result with no measurement: SKIP or FAIL with `reason` (harness_runner's MakeResult is
// out of reach: the runner links this library, not the other way round).
reports::TestResult Plain(const std::string& name, const std::string& family,
                          reports::Outcome outcome, const std::string& reason) {
  reports::ResultBuilder b("isolation", name, family, "");
  if (outcome == reports::Outcome::kSkip) return b.Skip(reason);
  b.Fail(reason);
  return b.Finish(std::chrono::steady_clock::duration::zero());
}

}  // namespace

void IsolationSuite::Run(const runner::SuiteEnv& env, std::vector<reports::TestResult>* results) {
  auto emit = [&](reports::TestResult r) {
    if (env.on_result) env.on_result(r);
    results->push_back(std::move(r));
  };
  auto skip_all = [&](const std::string& why) {
    for (const FaultKind& k : FaultKinds()) {
      emit(Plain(k.name, k.family, reports::Outcome::kSkip, why));
    }
  };
  const std::string why_not =
      WhyNotRunnable(*env.adapter, env.adapter->capabilities(), env.allow_data_loss);
  if (!why_not.empty()) return skip_all(why_not);
  IsolationContext ctx(env, config_ ? *config_ : IsolationConfigFor(env.profile));
  const auto setup_begun = std::chrono::steady_clock::now();
  if (Status s = ctx.Setup(); !s.ok()) {
    reports::TestResult setup =
        Plain("isolation.Setup.Target", "Setup", reports::Outcome::kFail, s.message());
    setup.duration_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_begun).count();
    setup.log_excerpt = ctx.LogTail();
    emit(std::move(setup));
    return skip_all("not run: the setup failed (isolation.Setup.Target)");
  }
  std::string died_during;
  for (const FaultKind& k : FaultKinds()) {
    if (process::Interrupted()) {
      emit(Plain(k.name, k.family, reports::Outcome::kSkip, "not run: interrupted"));
      continue;
    }
    if (!died_during.empty()) {
      emit(Plain(k.name, k.family, reports::Outcome::kSkip,
                 "not run: the target process died during " + died_during));
      continue;
    }
    if (k.needs_net && !ctx.net) {
      emit(Plain(k.name, k.family, reports::Outcome::kSkip, ctx.net_unavailable));
      continue;
    }
    reports::TestResult r = RunFaultScenario(ctx, k);
    if (!ctx.TargetAlive()) {
      died_during = k.name;
      r.outcome = reports::Outcome::kFail;
      r.log_excerpt = ctx.LogTail();
    }
    emit(std::move(r));
  }
  ctx.Teardown();
}

}  // namespace harness::isolation
