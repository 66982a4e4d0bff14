// The hotplug suite end to end against a real tgtd (Debian package tgt; the tgt adapter
// starts its own on a free port and a private control port, and stops it): the quick form with
// small counts, in-process as iscsi-harness runs it. It checks that the suite measures what it
// says (every scenario ran, LUN A's series has a marker per change, the oracle's figures are
// there, the report validates and renders), and the behaviour of tgt 1.0.85 that is stable:
// zero errors on LUN A and the unit attention once per change on both I_T nexuses. It does not
// assert IOPS ratios, which depend on what else the shared machine runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <map>

#include "harness/adapters/tgt_adapter.h"
#include "harness/process/child_process.h"
#include "reports/html_writer.h"
#include "reports/report_io.h"
#include "suites/hotplug/hotplug_suite.h"

namespace harness::hotplug {
namespace {

HotplugConfig SmallConfig() {
  HotplugConfig c = ConfigFor(runner::Profile::kQuick);
  c.baseline = std::chrono::milliseconds(2200);
  c.lead_in = std::chrono::milliseconds(1000);
  c.settle = std::chrono::milliseconds(1500);
  c.cycles = 5;
  c.many_luns = 4;
  c.remove_retry_limit = std::chrono::milliseconds(2000);
  return c;
}

const reports::TestResult* Find(const std::vector<reports::TestResult>& results,
                                const std::string& name) {
  for (const reports::TestResult& r : results) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

using reports::MetricOr;

TEST(HotplugTgtTest, QuickSuiteWithSmallCounts) {
  if (process::FindProgram("tgtd").empty()) GTEST_SKIP() << "tgtd not installed (package tgt)";
  const auto work =
      std::filesystem::temp_directory_path() / ("hotplug-tgt-test-" + std::to_string(getpid()));
  adapters::TgtOptions options;
  options.work_dir = work / "tgt";
  adapters::TgtAdapter adapter(options);
  runner::SuiteEnv env;
  env.adapter = &adapter;
  env.out_dir = work / "suite";
  env.allow_data_loss = true;
  std::vector<reports::TestResult> results;
  HotplugSuite suite(SmallConfig());
  suite.Run(env, &results);

  std::string all;
  for (const reports::TestResult& r : results) {
    all += r.name + " " + std::string(reports::OutcomeName(r.outcome)) + " " + r.reason + "\n";
  }
  ASSERT_EQ(results.size(), 8u) << all;
  const reports::TestResult* baseline = Find(results, "hotplug.Baseline.LunA");
  ASSERT_NE(baseline, nullptr) << all;
  EXPECT_EQ(baseline->outcome, reports::Outcome::kPass) << all;
  EXPECT_GT(MetricOr(*baseline, "lun_a.iops_baseline"), 0);

  // tgt cannot resize live: SKIP with the adapter's reason, never PASS.
  const reports::TestResult* resize = Find(results, "hotplug.Resize.Grow");
  ASSERT_NE(resize, nullptr);
  EXPECT_EQ(resize->outcome, reports::Outcome::kSkip);
  EXPECT_NE(resize->reason.find("the tgt adapter cannot resize"), std::string::npos);

  const std::map<std::string, int> changes = {
      {"hotplug.AddLun.AddAndUse", 2},       {"hotplug.RemoveLun.Idle", 1},
      {"hotplug.RemoveLun.UnderIo", 1},      {"hotplug.AddLun.ReAdd", 1},
      {"hotplug.Churn.AddRemoveCycles", 10}, {"hotplug.Churn.ManyLuns", 8}};
  for (const auto& [name, count] : changes) {
    const reports::TestResult* r = Find(results, name);
    ASSERT_NE(r, nullptr) << name << "\n" << all;
    ASSERT_NE(r->outcome, reports::Outcome::kSkip) << name << ": " << r->reason;
    EXPECT_EQ(MetricOr(*r, "changes"), count) << name << ": " << r->reason;
    EXPECT_EQ(MetricOr(*r, "lun_a.errors"), 0) << name << ": " << r->reason;
    EXPECT_EQ(MetricOr(*r, "lun_a.verify_errors"), 0) << name;
    EXPECT_GT(MetricOr(*r, "lun_a.iops_ratio"), 0) << name;
    EXPECT_GE(MetricOr(*r, "lun_a.stall_ms"), 0) << name;
    // tgt raises 3F/0E on every I_T_L nexus per change (usr/target.c): the oracle holds.
    EXPECT_EQ(r->reason.find("idle session"), std::string::npos) << name << ": " << r->reason;
    EXPECT_EQ(r->reason.find("load session"), std::string::npos) << name << ": " << r->reason;
    EXPECT_EQ(MetricOr(*r, "lun_a.load_session_attentions"), count) << name;
    ASSERT_FALSE(r->series.empty()) << name;
    EXPECT_EQ(r->series[0].name, "lun_a_iops");
    EXPECT_EQ(r->series[0].markers.size(), static_cast<size_t>(count) + 1) << name;
    EXPECT_GE(r->series[0].points.size(), 3u) << name;
  }
  // The churn scenarios read tgtd's fds and RSS before and after.
  const reports::TestResult* cycles = Find(results, "hotplug.Churn.AddRemoveCycles");
  EXPECT_GT(MetricOr(*cycles, "target.before_fds"), 0);
  EXPECT_GT(MetricOr(*cycles, "target.after_rss_mib"), 0);
  // The removal under I/O says what happened to the removed LUN's commands.
  const reports::TestResult* under_io = Find(results, "hotplug.RemoveLun.UnderIo");
  EXPECT_GE(MetricOr(*under_io, "removal_attempts"), 1);
  EXPECT_GT(MetricOr(*under_io, "removed_lun.good"), 0);
  EXPECT_EQ(under_io->series.back().name, "removed_lun_iops");
  // Churn is judged against its quiet slots, and draws the floor LUN A must stay above.
  EXPECT_GT(MetricOr(*cycles, "lun_a.quiet_slots_s"), 0);
  EXPECT_GT(MetricOr(*cycles, "lun_a.change_slots_s"), 0);
  ASSERT_GE(cycles->series.size(), 2u);
  EXPECT_EQ(cycles->series[1].name, "lun_a_iops_floor_90pct");
  const reports::TestResult* readd = Find(results, "hotplug.AddLun.ReAdd");
  EXPECT_EQ(readd->reason.find("lost what was written"), std::string::npos) << readd->reason;

  // The results make a valid report, and its page draws LUN A's IOPS with the changes.
  reports::Report report;
  report.run.run_id = "hotplug-tgt-test";
  report.run.harness_version = "test";
  report.run.started_at = report.run.ended_at = "2024-01-01T00:00:00Z";
  report.run.profile = "quick";
  report.run.host = {"host", "Linux", 2, 1};
  report.run.target.adapter = reports::Adapter::kTgt;
  report.run.target.portal = "127.0.0.1:3260";
  report.suites.push_back({"hotplug", reports::SuiteKind::kLoadgen, 1, {}});
  report.tests = results;
  reports::RecomputeCounts(&report);
  const std::string json = reports::SerializeReport(report);
  std::string problems;
  for (const auto& e : reports::ValidateReportJson(nlohmann::json::parse(json))) {
    problems += e.ToString() + "\n";
  }
  EXPECT_EQ(problems, "");
  const std::string html = reports::RenderHtml(report);
  EXPECT_NE(html.find("<h3>Time series</h3>"), std::string::npos);
  EXPECT_NE(html.find("add hp_cyc_"), std::string::npos);

  // What tgt did, for the log (ratios are not asserted).
  for (const reports::TestResult& r : results) {
    std::cout << r.name << " " << reports::OutcomeName(r.outcome) << " ratio "
              << MetricOr(r, "lun_a.iops_ratio") << " stall_ms " << MetricOr(r, "lun_a.stall_ms")
              << " op_ms_max " << MetricOr(r, "admin.op_ms_max") << (r.reason.empty() ? "" : ": ")
              << r.reason << "\n";
  }
  EXPECT_TRUE(adapter.Stop().ok());
  std::error_code ec;
  EXPECT_FALSE(std::filesystem::exists(env.out_dir / "hp_r.img")) << "LUN R's file is removed";
  std::filesystem::remove_all(work, ec);
}

}  // namespace
}  // namespace harness::hotplug
