// The hotplug suite's judgements on synthetic data: the unit-attention oracle for the idle
// and the load session, the IOPS ratio and stall over a change window, baseline statistics,
// fd/RSS growth, REPORT LUNS parsing, and what a removed LUN's commands may get.
#include "suites/hotplug/oracle.h"

#include <gtest/gtest.h>

#include "suites/hotplug/nexus_probe.h"
#include "suites/hotplug/scenario_record.h"

namespace harness::hotplug {
namespace {

NexusProbe CleanProbe() {
  NexusProbe p;
  p.tur_senses = {kLunsChanged};
  p.tur_good = true;
  p.report_ok = true;
  p.reported = {0, 1, 3};
  return p;
}

// One second of series: `ios` completions, the longest taking `max_ms`.
loadgen::SeriesPoint Point(int t, uint64_t ios, double max_ms = 1, double seconds = 1) {
  loadgen::SeriesPoint p;
  p.t = t;
  p.seconds = seconds;
  p.counters.reads = ios * 7 / 10;
  p.counters.writes = ios - p.counters.reads;
  p.read_latency.max_us = max_ms * 1000;
  p.write_latency.max_us = max_ms * 500;
  return p;
}

TEST(IdleProbeOracleTest, ExactlyOneAttentionThenTheRightInventoryPasses) {
  EXPECT_EQ(JudgeIdleProbe(CleanProbe(), kLunsChanged, {0, 1, 3}, "add LUN 3"), "");
}

TEST(IdleProbeOracleTest, NoAttentionTwoAttentionsOrAnotherOneFail) {
  NexusProbe none = CleanProbe();
  none.tur_senses.clear();
  EXPECT_EQ(JudgeIdleProbe(none, kLunsChanged, {0, 1, 3}, "add LUN 3"),
            "after add LUN 3: TEST UNIT READY saw [], expected exactly one 06/3f/0e");
  NexusProbe twice = CleanProbe();
  twice.tur_senses = {kLunsChanged, kLunsChanged};
  EXPECT_NE(JudgeIdleProbe(twice, kLunsChanged, {0, 1, 3}, "x").find("[06/3f/0e, 06/3f/0e]"),
            std::string::npos);
  NexusProbe other = CleanProbe();
  other.tur_senses = {"06/29/00", kLunsChanged};  // a POWER ON on top of the change
  EXPECT_FALSE(JudgeIdleProbe(other, kLunsChanged, {0, 1, 3}, "x").empty());
  // A resize expects 2A/09, not 3F/0E.
  EXPECT_FALSE(JudgeIdleProbe(CleanProbe(), kCapacityChanged, {0, 1, 3}, "grow").empty());
}

TEST(IdleProbeOracleTest, WrongInventoryOrNoGoodIsNamed) {
  NexusProbe stale = CleanProbe();
  stale.reported = {0, 1};
  EXPECT_EQ(JudgeIdleProbe(stale, kLunsChanged, {0, 1, 3}, "add LUN 3"),
            "after add LUN 3: REPORT LUNS listed {0, 1}, expected {0, 1, 3}");
  NexusProbe stuck = CleanProbe();
  stuck.tur_good = false;
  stuck.tur_problem = "timeout";
  stuck.report_ok = false;
  stuck.report_problem = "REPORT LUNS to LUN 1: timeout";
  const std::string why = JudgeIdleProbe(stuck, kLunsChanged, {0, 1, 3}, "remove LUN 2");
  EXPECT_NE(why.find("TEST UNIT READY never became GOOD (timeout)"), std::string::npos) << why;
  EXPECT_NE(why.find("REPORT LUNS failed: REPORT LUNS to LUN 1: timeout"), std::string::npos);
}

TEST(LoadSessionOracleTest, OncePerChange) {
  EXPECT_EQ(JudgeLoadUnitAttentions(40, 40, kLunsChanged), "");
  EXPECT_EQ(JudgeLoadUnitAttentions(39, 40, kLunsChanged),
            "the load session saw 06/3f/0e 39 times for 40 changes (expected once per change)");
  EXPECT_EQ(JudgeLoadUnitAttentions(0, 1, kCapacityChanged),
            "the load session saw 06/2a/09 0 times for 1 change (expected once per change)");
}

TEST(WindowTest, WholePointsThatTouchTheWindowAndTheLongestIo) {
  const std::vector<loadgen::SeriesPoint> series = {
      Point(0, 5000), Point(1, 5000), Point(2, 4000, 250), Point(3, 5000, 2),
      Point(4, 900, 1, 0.2)};  // the drained last point is left out
  // A 30 ms change inside second 2: judged on second 2 alone.
  WindowStats w = Window(series, 2.40, 2.43);
  EXPECT_EQ(w.points, 1u);
  EXPECT_DOUBLE_EQ(w.iops, 4000);
  EXPECT_DOUBLE_EQ(w.max_latency_ms, 250);
  // Spanning seconds 1..3.
  w = Window(series, 1.5, 3.2);
  EXPECT_EQ(w.points, 3u);
  EXPECT_DOUBLE_EQ(w.iops, 14000.0 / 3);
  EXPECT_DOUBLE_EQ(w.seconds, 3);
  // A window that only reaches the short last point has nothing to judge.
  EXPECT_EQ(Window(series, 4.05, 4.1).points, 0u);
}

TEST(RateTest, ChurnRatioAgainstTheInterleavedQuietSlots) {
  EXPECT_EQ(JudgeChurnRatio({4500, 5}, {5000, 5}, 0.9), "");
  EXPECT_EQ(JudgeChurnRatio({4499, 5}, {5000, 5.25}, 0.9),
            "LUN A ran at 4499 IOPS in the change slots (5.00 s), 90.0% of the 5000 IOPS of the "
            "quiet slots between them (5.25 s; at least 90% required)");
  EXPECT_EQ(JudgeChurnRatio({4500, 5}, {0, 0}, 0.9),
            "LUN A has no quiet slot between the changes to compare with");
  EXPECT_EQ(JudgeChurnRatio({0, 5}, {0, 5}, 0.9),
            "LUN A completed no I/O in 5.00 s of quiet slots between the changes");
  EXPECT_FALSE(JudgeChurnRatio({4500, 0}, {5000, 5}, 0.9).empty());
}

TEST(RateTest, Stall) {
  EXPECT_EQ(JudgeStall(1000, 1000), "");
  EXPECT_EQ(JudgeStall(1000.04, 1000),
            "LUN A's longest I/O around the changes took 1000.0 ms (at most 1000 ms allowed)");
}

TEST(BaselineTest, MeanAndSpreadOfFullPointsInRange) {
  const std::vector<loadgen::SeriesPoint> series = {Point(0, 4000), Point(1, 6000), Point(2, 5000),
                                                    Point(3, 100, 1, 0.1)};
  Baseline b = BaselineOf(series);
  EXPECT_EQ(b.points, 3u);
  EXPECT_DOUBLE_EQ(b.iops, 5000);
  EXPECT_NEAR(b.spread, std::sqrt(2.0 / 3.0) * 1000 / 5000, 1e-12);
  b = BaselineOf(series, 0.5, 3.0);  // only second 1 and 2 lie inside
  EXPECT_EQ(b.points, 2u);
  EXPECT_DOUBLE_EQ(b.iops, 5500);
  EXPECT_EQ(BaselineOf({}).points, 0u);
}

TEST(UsageOracleTest, GrowthWithinToleranceOnly) {
  Thresholds t;
  process::ProcessUsage before{20, 40 * kMiB, 4};
  process::ProcessUsage after = before;
  after.open_fds = 22;
  after.rss_bytes = 48 * kMiB;
  EXPECT_EQ(JudgeUsage(before, after, t), "");
  after.rss_bytes = 40 * kMiB - 1;  // shrinking is fine
  EXPECT_EQ(JudgeUsage(before, after, t), "");
  after.open_fds = 23;
  after.rss_bytes = 48 * kMiB + 1;
  EXPECT_EQ(JudgeUsage(before, after, t),
            "the target's open fds grew from 20 to 23 (at most +2); RSS grew from 40.0 MiB to "
            "48.0 MiB (at most +8 MiB)");
}

TEST(ReportLunsTest, PeripheralAndFlatAddressing) {
  const std::vector<uint8_t> data = {0,    0,    0, 24, 0, 0, 0, 0,   // 3 LUNs
                                     0x00, 0x00, 0, 0,  0, 0, 0, 0,   // LUN 0
                                     0x00, 0x07, 0, 0,  0, 0, 0, 0,   // LUN 7
                                     0x41, 0x2c, 0, 0,  0, 0, 0, 0};  // flat: LUN 300
  Result<std::set<int>> luns = ParseReportLuns(data);
  ASSERT_TRUE(luns.ok()) << luns.error();
  EXPECT_EQ(luns.value(), (std::set<int>{0, 7, 300}));
  EXPECT_EQ(FormatLuns(luns.value()), "{0, 7, 300}");
}

TEST(ReportLunsTest, TruncatedOrUndecodableDataIsNamed) {
  EXPECT_EQ(ParseReportLuns(std::vector<uint8_t>{0, 0, 0}).error(),
            "REPORT LUNS data: 3 bytes, shorter than its 8-byte header");
  std::vector<uint8_t> cut = {0, 0, 0, 16, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  EXPECT_NE(ParseReportLuns(cut).error().find("LUN LIST LENGTH 16 runs past the 16 bytes"),
            std::string::npos);
  std::vector<uint8_t> odd = {0, 0, 0, 7, 0, 0, 0, 0};
  EXPECT_NE(ParseReportLuns(odd).error().find("not a multiple of 8"), std::string::npos);
  std::vector<uint8_t> extended = {0, 0, 0, 8, 0, 0, 0, 0, 0xc0, 1, 0, 0, 0, 0, 0, 0};
  EXPECT_NE(ParseReportLuns(extended).error().find("byte 8 (0xc0)"), std::string::npos);
}

TEST(RemovedLunTest, OnlyLogicalUnitNotSupportedIsClean) {
  std::vector<loadgen::IoErrorSample> samples(3);
  samples[0].kind = loadgen::Event::kSenseError;
  samples[0].detail =
      "WRITE(16): CHECK CONDITION 05/25/00 ILLEGAL REQUEST: LOGICAL UNIT NOT SUPPORTED";
  samples[1] = samples[0];
  samples[2].kind = loadgen::Event::kTimeout;
  samples[2].detail = "timeout: no response";
  const std::map<std::string, uint64_t> kinds = FailureKinds(samples);
  EXPECT_EQ(kinds, (std::map<std::string, uint64_t>{{"05/25/00", 2}, {"timeout", 1}}));
  EXPECT_EQ(JudgeRemovedLunFailures(kinds),
            "the removed LUN's commands got 1 x timeout (only GOOD, a retried abort or 05/25/00 "
            "LOGICAL UNIT NOT SUPPORTED are clean)");
  EXPECT_EQ(JudgeRemovedLunFailures({{"05/25/00", 9}}), "");
  samples[2].kind = loadgen::Event::kSenseError;
  samples[2].detail = "READ(16): CHECK CONDITION 04/44/00 HARDWARE ERROR";
  EXPECT_EQ(FailureKinds(samples).count("04/44/00"), 1u);
}

TEST(PatternTest, DependsOnSeedLbaAndOffset) {
  EXPECT_NE(PatternByte(1, 0, 0), PatternByte(2, 0, 0));
  int same = 0;
  for (uint32_t i = 0; i < 512; ++i) same += PatternByte(7, 10, i) == PatternByte(7, 11, i);
  EXPECT_LT(same, 16) << "blocks of neighbouring LBAs must differ";
}

// 50 ms bins at `rate` completions per second from `t0_s` to `t1_s`, added to `fine`.
void Fill(std::vector<uint32_t>* fine, double t0_s, double t1_s, double rate) {
  const auto first = static_cast<size_t>(t0_s / loadgen::kFineBinSeconds + 0.5);
  const auto last = static_cast<size_t>(t1_s / loadgen::kFineBinSeconds + 0.5);
  if (fine->size() < last) fine->resize(last, 0);
  for (size_t i = first; i < last; ++i) {
    (*fine)[i] = static_cast<uint32_t>(rate * loadgen::kFineBinSeconds);
  }
}

// The record turns a window of synthetic load into metrics, a FAIL reason and the series.
TEST(ScenarioRecordTest, ChurnIsJudgedAgainstTheQuietSlotsAndKeepsTheChangesAsMarkers) {
  ScenarioRecord record("hotplug.Churn.AddRemoveCycles", "Churn", "clause");
  record.Change(1.0, 1.02, "add hp_cyc_1", 12, 0.25);
  record.Change(1.25, 1.3, "remove hp_cyc_1", 9, 0.25);
  record.Quiet(1.5, 2.0);
  loadgen::RunResult run;
  loadgen::LunResult a;
  a.lun = 1;
  // 5000 IOPS throughout except the change slots, at 3000: 60% of the quiet slots. The
  // lead-in (and the suite's baseline) are higher still; neither is the yardstick.
  Fill(&a.fine_completions, 0, 1.0, 8000);
  Fill(&a.fine_completions, 1.0, 1.5, 3000);
  Fill(&a.fine_completions, 1.5, 3.3, 5000);
  a.series = {Point(0, 8000), Point(1, 4000, 400), Point(2, 5000), Point(3, 200, 1, 0.3)};
  run.luns.push_back(a);
  run.unit_attentions.push_back({1, 0, kLunsChanged, 2});
  record.JudgeLunA(run, 1, 9000, kLunsChanged, Thresholds{});
  const reports::TestResult r = record.Finish(std::chrono::seconds(4));
  EXPECT_EQ(r.outcome, reports::Outcome::kFail);
  EXPECT_EQ(r.reason,
            "LUN A ran at 3000 IOPS in the change slots (0.50 s), 60.0% of the 5000 IOPS of the "
            "quiet slots between them (0.50 s; at least 90% required)");
  EXPECT_NEAR(r.metrics.at("lun_a.iops_ratio"), 0.6, 1e-9);
  EXPECT_NEAR(r.metrics.at("lun_a.iops_quiet"), 5000, 1e-6);
  EXPECT_NEAR(r.metrics.at("lun_a.iops_lead_in"), 8000, 1e-6);
  EXPECT_DOUBLE_EQ(r.metrics.at("lun_a.iops_suite_baseline"), 9000);
  EXPECT_DOUBLE_EQ(r.metrics.at("lun_a.stall_ms"), 400);
  EXPECT_DOUBLE_EQ(r.metrics.at("lun_a.load_session_attentions"), 2);
  EXPECT_DOUBLE_EQ(r.metrics.at("admin.op_ms_max"), 12);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].name, "lun_a_iops");
  EXPECT_EQ(r.series[0].points.size(), 3u) << "the 0.3 s drained tail is not drawn";
  ASSERT_EQ(r.series[0].markers.size(), 3u);
  EXPECT_EQ(r.series[0].markers[1].label, "remove hp_cyc_1");
  ASSERT_TRUE(r.series[0].markers[2].end_s.has_value());
  EXPECT_DOUBLE_EQ(r.series[0].markers[2].t_s, 1.0);
  EXPECT_DOUBLE_EQ(*r.series[0].markers[2].end_s, 1.3);
  EXPECT_NEAR(r.series[1].points.front().value, 4500, 1e-6);
  EXPECT_EQ(r.series[1].points.front().value, r.series[1].points.back().value);
}

TEST(ScenarioRecordTest, SingleChangeReportsItsRatioAndIsJudgedOnItsStall) {
  ScenarioRecord record("hotplug.RemoveLun.Idle", "RemoveLun", "clause");
  record.Change(1.5, 1.52, "remove LUN C", 12, 0.25);
  loadgen::RunResult run;
  loadgen::LunResult a;
  a.lun = 1;
  Fill(&a.fine_completions, 0, 1.5, 5000);
  Fill(&a.fine_completions, 1.5, 1.75, 2000);  // 40%: reported, not judged
  Fill(&a.fine_completions, 1.75, 3.0, 5000);
  a.series = {Point(0, 5000), Point(1, 4250, 1500), Point(2, 5000)};
  run.luns.push_back(a);
  run.unit_attentions.push_back({1, 0, kLunsChanged, 1});
  record.JudgeLunA(run, 1, 0, kLunsChanged, Thresholds{});
  const reports::TestResult r = record.Finish(std::chrono::seconds(3));
  EXPECT_EQ(r.outcome, reports::Outcome::kFail);
  EXPECT_EQ(r.reason,
            "LUN A's longest I/O around the changes took 1500.0 ms (at most 1000 ms allowed)");
  EXPECT_NEAR(r.metrics.at("lun_a.iops_ratio"), 0.4, 1e-9);
  EXPECT_EQ(r.metrics.count("lun_a.iops_quiet"), 0u);
  ASSERT_EQ(r.series.size(), 1u) << "no floor line without a judged ratio";
}

TEST(ScenarioRecordTest, ManyProblemsAreQuotedUpToALimitThenCounted) {
  ScenarioRecord record("hotplug.Churn.ManyLuns", "Churn", "");
  for (int i = 0; i < 7; ++i) record.Fail("problem " + std::to_string(i));
  record.Fail("problem 0");  // the same problem again is not repeated
  const reports::TestResult r = record.Finish(std::chrono::seconds(1));
  EXPECT_EQ(r.reason, "problem 0; problem 1; problem 2; problem 3 (+3 more)");
}

}  // namespace
}  // namespace harness::hotplug
