// The durability suite end to end against reftarget (started by the reference adapter, on a
// file, a loop device and a faultfs mount), with 3 cycles per scenario, in-process as
// iscsi-harness runs it: every scenario runs, passes, and reports its figures. Needs root
// and FUSE (else the power-cut and BLOCK scenarios SKIP, and the test with them).
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>

#include "harness/adapters/reference_adapter.h"
#include "harness/faults/faultfs_daemon.h"
#include "suites/durability/durability_suite.h"
#include "suites/durability/scenarios.h"

namespace harness::durability {
namespace {

using reports::MetricOr;

TEST(DurabilityReferenceTest, EveryScenarioPassesOnReftarget) {
  if (std::string why = faults::WhyFaultfsUnavailable(); !why.empty()) GTEST_SKIP() << why;
  if (adapters::FindReftarget().empty()) GTEST_SKIP() << "no reftarget binary (REFTARGET_BIN)";
  const auto work =
      std::filesystem::temp_directory_path() / ("durability-ref-test-" + std::to_string(getpid()));
  adapters::ReferenceOptions options;
  options.work_dir = work / "reference";
  adapters::ReferenceAdapter adapter(options);
  runner::SuiteEnv env;
  env.adapter = &adapter;
  env.out_dir = work / "suite";
  env.allow_data_loss = true;
  DurabilityConfig config = DurabilityConfigFor(runner::Profile::kQuick);
  config.cycles = 3;
  std::vector<reports::TestResult> results;
  DurabilitySuite suite(config);
  suite.Run(env, &results);

  ASSERT_EQ(results.size(), Scenarios().size());
  for (const reports::TestResult& r : results) {
    std::cout << r.name << " " << reports::OutcomeName(r.outcome) << " " << r.reason << "\n";
    EXPECT_EQ(r.outcome, reports::Outcome::kPass) << r.name << ": " << r.reason;
    EXPECT_EQ(MetricOr(r, "cycles"), 3) << r.name;
    EXPECT_GT(MetricOr(r, "writes_acknowledged"), 0) << r.name;
    EXPECT_GT(MetricOr(r, "blocks_verified"), 0) << r.name;
    EXPECT_EQ(MetricOr(r, "lost"), 0) << r.name;
    EXPECT_EQ(MetricOr(r, "corrupt"), 0) << r.name;
    EXPECT_GT(MetricOr(r, "restart_ms_max"), 0) << r.name;
  }
  auto find = [&](const std::string& name) -> const reports::TestResult& {
    for (const reports::TestResult& r : results) {
      if (r.name == name) return r;
    }
    static const reports::TestResult kNone;
    ADD_FAILURE() << "no result " << name;
    return kNone;
  };
  // Write-through FILEIO must say so in its Caching page (SBC-3 §6.4.5), write-back not.
  EXPECT_EQ(MetricOr(find("durability.PowerCut.FileioWriteThrough"), "wce"), 0);
  EXPECT_EQ(MetricOr(find("durability.PowerCut.FileioWriteBack"), "wce"), 1);
  // The mixed load made writes durable both ways, and the cuts had something to drop.
  const reports::TestResult& back = find("durability.PowerCut.FileioWriteBack");
  EXPECT_GT(MetricOr(back, "durable_records"), 0);
  EXPECT_GT(MetricOr(back, "volatile_blocks"), 0);
  EXPECT_GT(MetricOr(back, "dropped_bytes"), 0);
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

}  // namespace
}  // namespace harness::durability
