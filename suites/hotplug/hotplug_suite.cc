#include "suites/hotplug/hotplug_suite.h"

#include "harness/process/child_process.h"
#include "suites/hotplug/hotplug_context.h"
#include "suites/hotplug/scenarios.h"

namespace harness::hotplug {
namespace {

constexpr char kBaselineName[] = "hotplug.Baseline.LunA";

reports::TestResult Plain(const std::string& name, const std::string& family,
                          reports::Outcome outcome, std::string reason) {
  reports::TestResult r;
  r.suite = "hotplug";
  r.name = name;
  r.family = family;
  r.outcome = outcome;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

HotplugConfig ConfigFor(runner::Profile profile) {
  HotplugConfig c;
  if (profile == runner::Profile::kFull) {
    c.warm_up = std::chrono::seconds(2);
    c.baseline = std::chrono::seconds(10);
    c.lead_in = std::chrono::seconds(2);
    c.settle = std::chrono::seconds(3);
    c.cycles = 100;
    c.many_luns = 64;
  }
  return c;
}

std::string WhyNotRunnable(const adapters::TargetAdapter& adapter,
                           const adapters::Capabilities& caps, bool allow_data_loss) {
  if (!caps.managed) {
    return adapters::MissingCapability(adapter, "configure the target (it is not managed)");
  }
  if (!caps.live_lun_changes) {
    return adapters::MissingCapability(adapter, "add or remove LUNs while the target runs");
  }
  if (caps.backings.count(adapters::Backing::kFileio) == 0) {
    return adapters::MissingCapability(adapter, "export FILEIO LUNs");
  }
  if (!allow_data_loss) return "the suite writes to every LUN it uses: needs --allow-data-loss";
  return "";
}

void HotplugSuite::Run(const runner::SuiteEnv& env, std::vector<reports::TestResult>* results) {
  auto emit = [&](reports::TestResult r) {
    if (env.on_result) env.on_result(r);
    results->push_back(std::move(r));
  };
  const std::string why_not =
      WhyNotRunnable(*env.adapter, env.adapter->capabilities(), env.allow_data_loss);
  if (!why_not.empty()) {
    emit(Plain(kBaselineName, "Baseline", reports::Outcome::kSkip, why_not));
    for (const Scenario& s : Scenarios()) {
      emit(Plain(s.name, s.family, reports::Outcome::kSkip, why_not));
    }
    return;
  }
  HotplugContext ctx(env, config_ ? *config_ : ConfigFor(env.profile));
  const auto setup_begun = std::chrono::steady_clock::now();
  if (Status s = ctx.Setup(); !s.ok()) {
    reports::TestResult setup =
        Plain("hotplug.Setup.Target", "Setup", reports::Outcome::kFail, s.message());
    setup.duration_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_begun).count();
    setup.log_excerpt = ctx.LogTail();
    emit(std::move(setup));
    const std::string not_run = "not run: the setup failed (hotplug.Setup.Target)";
    emit(Plain(kBaselineName, "Baseline", reports::Outcome::kSkip, not_run));
    for (const Scenario& sc : Scenarios()) {
      emit(Plain(sc.name, sc.family, reports::Outcome::kSkip, not_run));
    }
    return;
  }
  emit(RunBaseline(ctx));
  std::string died_during;
  for (const Scenario& s : Scenarios()) {
    if (process::Interrupted()) {
      emit(Plain(s.name, s.family, reports::Outcome::kSkip, "not run: interrupted"));
      continue;
    }
    if (!died_during.empty()) {
      emit(Plain(s.name, s.family, reports::Outcome::kSkip,
                 "not run: the target process died during " + died_during));
      continue;
    }
    reports::TestResult r = s.run(ctx);
    if (!ctx.TargetAlive()) {
      died_during = s.name;
      r.outcome = reports::Outcome::kFail;
      r.reason = "the target process died during this scenario" +
                 (r.reason.empty() ? "" : "; " + r.reason);
      r.log_excerpt = ctx.LogTail();
    }
    emit(std::move(r));
  }
  ctx.Teardown();
}

}  // namespace harness::hotplug
