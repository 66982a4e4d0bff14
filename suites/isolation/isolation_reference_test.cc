// The isolation suite end to end against reftarget (started by the reference adapter, on
// two faultfs mounts and a loop device), with short windows, in-process as iscsi-harness
// runs it: every fault kind runs and passes, and the figures the oracle judges are there
// (TMF times, the faulty LUN's senses, unaffected LUNs' rates). Needs root and FUSE.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>

#include "harness/adapters/reference_adapter.h"
#include "harness/faults/faultfs_daemon.h"
#include "suites/isolation/fault_kinds.h"
#include "suites/isolation/isolation_suite.h"

namespace harness::isolation {
namespace {

IsolationConfig ShortConfig() {
  IsolationConfig c = IsolationConfigFor(runner::Profile::kQuick);
  c.warm_up = std::chrono::milliseconds(500);
  c.baseline = std::chrono::milliseconds(2000);
  c.fault = std::chrono::milliseconds(3000);
  c.long_hang = std::chrono::milliseconds(3500);
  c.recovery = std::chrono::milliseconds(2000);
  c.command_limit = std::chrono::milliseconds(2000);
  // A test must not depend on how busy the machine is (a parallel build, a sanitizer): with
  // 2 s windows, p99 moved 2x with no fault at all, by up to 60 ms under ASan while a build
  // ran. The suite keeps its 5 ms floor; here p99 must only stay clear of a stall.
  c.thresholds.p99_slack_us = 250'000;
  return c;
}

double MetricOr(const reports::TestResult& r, const std::string& key, double fallback = -1) {
  auto it = r.metrics.find(key);
  return it == r.metrics.end() ? fallback : it->second;
}

TEST(IsolationReferenceTest, EveryFaultKindPassesOnReftarget) {
  if (std::string why = faults::WhyFaultfsUnavailable(); !why.empty()) GTEST_SKIP() << why;
  if (adapters::FindReftarget().empty()) GTEST_SKIP() << "no reftarget binary (REFTARGET_BIN)";
  const auto work =
      std::filesystem::temp_directory_path() / ("isolation-ref-test-" + std::to_string(getpid()));
  adapters::ReferenceOptions options;
  options.work_dir = work / "reference";
  adapters::ReferenceAdapter adapter(options);
  runner::SuiteEnv env;
  env.adapter = &adapter;
  env.out_dir = work / "suite";
  env.allow_data_loss = true;
  std::vector<reports::TestResult> results;
  IsolationSuite suite(ShortConfig());
  suite.Run(env, &results);

  ASSERT_EQ(results.size(), FaultKinds().size());
  for (const reports::TestResult& r : results) {
    EXPECT_EQ(r.outcome, reports::Outcome::kPass) << r.name << ": " << r.reason;
    EXPECT_GE(MetricOr(r, "login_during_fault_ms"), 0) << r.name;
    EXPECT_FALSE(r.series.empty()) << r.name;
    EXPECT_EQ(r.series.front().markers.size(), 1u) << r.name << ": the fault window is marked";
    std::cout << r.name << " " << reports::OutcomeName(r.outcome) << "\n";
  }
  auto find = [&](const std::string& name) -> const reports::TestResult& {
    for (const reports::TestResult& r : results) {
      if (r.name == name) return r;
    }
    static const reports::TestResult kNone;
    ADD_FAILURE() << "no result " << name;
    return kNone;
  };
  const reports::TestResult& hang = find("isolation.Hang.Bounded");
  EXPECT_GE(MetricOr(hang, "faulty.abort_task_ms"), 900) << "the TMF waits before it fences";
  EXPECT_LE(MetricOr(hang, "faulty.abort_task_ms"), 2000);
  EXPECT_LE(MetricOr(hang, "faulty.lun_reset_ms"), 2000);
  EXPECT_GT(MetricOr(find("isolation.Backend.ReadEio"), "iso_file.failed.03/11/00"), 0);
  EXPECT_GT(MetricOr(find("isolation.Backend.WriteEnospc"), "iso_file.failed.07/27/07"), 0);
  EXPECT_GT(MetricOr(find("isolation.Backend.BlockWriteEio"), "iso_block.failed.03/0c/00"), 0);
  EXPECT_GT(MetricOr(find("isolation.Backend.ReadEio"), "iso_ram.iops_during"), 0);
  EXPECT_EQ(MetricOr(find("isolation.Backend.ReadEio"), "iso_ram.errors"), 0);
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

}  // namespace
}  // namespace harness::isolation
