// RunGtestProgram against a target that a test kills: the death is charged to the group,
// the target restarts, the group's failed tests rerun alone, and later groups run on the
// restarted target (testdata/crashing_suite.cc; the "target" is a sleep process).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>

#include "harness/process/child_process.h"
#include "harness/runner/gtest_suite.h"

namespace harness::runner {
namespace {

using reports::Outcome;

class SleepingTarget : public adapters::TargetAdapter {
 public:
  std::string name() const override { return "reference"; }
  adapters::Capabilities capabilities() const override {
    adapters::Capabilities c;
    c.managed = true;
    return c;
  }
  Result<adapters::RunningTarget> Start(const adapters::TargetSpec& spec) override {
    auto p = process::BackgroundProcess::Start({"sleep", "600"}, "/dev/null");
    if (!p.ok()) return p.status();
    process_ = std::move(p).value();
    ++starts;
    adapters::RunningTarget t;
    t.iqn = spec.iqn;
    t.pid = process_->pid();
    return t;
  }
  Status Stop() override {
    if (process_) process_->Stop(std::chrono::milliseconds(100));
    process_.reset();
    return Status::Ok();
  }
  int starts = 0;

 private:
  std::unique_ptr<process::BackgroundProcess> process_;
};

TEST(RunGtestProgramTest, TargetDeathIsChargedRestartedAndFailuresRerunAlone) {
  setenv("ISCSI_HARNESS_SUITES_DIR", CRASHING_SUITE_DIR, 1);
  char dir_template[] = "/tmp/runner-crash-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  SleepingTarget adapter;
  SuiteEnv env;
  env.adapter = &adapter;
  env.out_dir = dir_template;
  std::vector<reports::TestResult> results;
  GtestProgram program{"crashing", "runner_crashing_suite",
                       [](const adapters::Capabilities&) -> Result<adapters::TargetSpec> {
                         return adapters::TargetSpec{};
                       }};
  RunGtestProgram(program, env, &results);
  std::map<std::string, reports::TestResult> by_name;
  for (const auto& r : results) by_name[r.name] = r;
  std::filesystem::remove_all(dir_template);

  ASSERT_TRUE(by_name.count("crashing.Crashes.(target)")) << results.size();
  EXPECT_EQ(by_name["crashing.Crashes.(target)"].outcome, Outcome::kFail);
  EXPECT_EQ(by_name["crashing.Crashes.PassesBeforeTheCrash"].outcome, Outcome::kPass);
  // Killed the target again when run alone: a failure that names the death.
  EXPECT_EQ(by_name["crashing.Crashes.KillsTheTarget"].outcome, Outcome::kFail);
  EXPECT_NE(by_name["crashing.Crashes.KillsTheTarget"].reason.find("target process died"),
            std::string::npos)
      << by_name["crashing.Crashes.KillsTheTarget"].reason;
  // Failed only because of the earlier crash: alone on a live target it passes.
  EXPECT_EQ(by_name["crashing.Crashes.FailsOnlyBecauseOfTheCrash"].outcome, Outcome::kPass);
  EXPECT_EQ(by_name["crashing.Survives.PassesOnTheRestartedTarget"].outcome, Outcome::kPass);
  // Started once, restarted after the group and after the rerun that killed it again.
  EXPECT_EQ(adapter.starts, 3);
}

}  // namespace
}  // namespace harness::runner
