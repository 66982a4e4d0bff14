// The isolation suite end to end against reftarget (started by the reference adapter, on
// two faultfs mounts and a loop device), with short windows, in-process as iscsi-harness
// runs it: every fault kind runs and passes all that does not depend on machine load (exact
// senses, no dropped session, TMFs and logins in time, recovery, no error on an unaffected
// LUN), and the figures the oracle judges are there. Needs root and FUSE.
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
  // The suite's own 4 s: with 2 s, the loop-over-FUSE LUN's commands timed out with no fault
  // on it while a build ran beside the test.
  c.command_limit = std::chrono::milliseconds(4000);
  // A test must not depend on how busy the machine is (a parallel build, a sanitizer): with
  // 2 s windows, p99 moved 2x with no fault at all, by up to 60 ms under ASan while a build
  // ran. The suite keeps its 5 ms floor; here p99 must only stay clear of a stall.
  c.thresholds.p99_slack_us = 250'000;
  return c;
}

using reports::MetricOr;

// True if every problem in `reason` is an unaffected LUN's rate or p99 figure.
bool OnlyLoadDependent(std::string reason) {
  if (const size_t more = reason.rfind(" (+"); more != std::string::npos) reason.resize(more);
  size_t start = 0;
  while (start <= reason.size()) {
    size_t end = reason.find("; ", start);
    if (end == std::string::npos) end = reason.size();
    const std::string part = reason.substr(start, end - start);
    if (part.find("(unaffected) ran at ") == std::string::npos &&
        part.find("(unaffected)'s p99 latency") == std::string::npos) {
      return false;
    }
    start = end + 2;
  }
  return true;
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
    // An unaffected LUN's rate and p99 depend on what else the machine runs (the BLOCK LUN,
    // a loop device over FUSE, has dropped to 366 IOPS with 434 ms p99 with no fault on it
    // while CI ran): reported by the suite, tolerated here. Anything else must pass.
    EXPECT_TRUE(r.outcome == reports::Outcome::kPass || OnlyLoadDependent(r.reason))
        << r.name << ": " << r.reason;
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
  const reports::TestResult& truncated = find("isolation.Backing.FileTruncated");
  EXPECT_EQ(MetricOr(truncated, "faulty.capacity_bytes"), 64.0 * 1024 * 1024);
  const reports::TestResult& reset = find("isolation.Network.ResetMidDataOut");
  EXPECT_GE(MetricOr(reset, "iso_ram.failed.connection loss"), 1);
  EXPECT_GT(MetricOr(reset, "iso_ram.iops_after"), 0);
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

}  // namespace
}  // namespace harness::isolation
