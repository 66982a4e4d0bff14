#include "reports/compare.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

using testing::SampleReport;

constexpr const char* kFileioRead = "perf/iops{backstore=fileio,job=randread-4k-qd32}";

Metric& FindMetric(Report* r, const std::string& key) {
  for (Metric& m : r->metrics) {
    if (m.Key() == key) return m;
  }
  ADD_FAILURE() << "no metric " << key;
  return r->metrics.front();
}

TestResult& FindTest(Report* r, const std::string& id) {
  for (TestResult& t : r->tests) {
    if (t.name == id) return t;
  }
  ADD_FAILURE() << "no test " << id;
  return r->tests.front();
}

const MetricChange* FindChange(const CompareResult& r, const std::string& key) {
  for (const MetricChange& m : r.metric_changes) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

TEST(CompareTest, UnchangedRunIsNotFlagged) {
  CompareResult r =
      Compare(SampleReport(Adapter::kReference, "a"), SampleReport(Adapter::kReference, "b"));
  EXPECT_FALSE(r.regression);
  EXPECT_TRUE(r.new_failures.empty());
  EXPECT_TRUE(r.fixed.empty());
  EXPECT_TRUE(r.other_changes.empty());
  EXPECT_TRUE(r.new_tests.empty());
  EXPECT_TRUE(r.removed_tests.empty());
  EXPECT_EQ(r.metric_changes.size(), 5u);
  EXPECT_EQ(r.FlaggedMetrics(), 0u);
  EXPECT_NE(RenderCompareText(r).find("OK: no new failures"), std::string::npos);
}

TEST(CompareTest, InjectedRegressionIsFlagged) {
  Report old_run = SampleReport(Adapter::kReference, "a");
  Report new_run = SampleReport(Adapter::kReference, "b");
  TestResult& t = FindTest(&new_run, "SCSI.Read10.Simple");
  t.outcome = Outcome::kFail;
  t.reason = "data mismatch at LBA 7";
  Metric& iops = FindMetric(&new_run, kFileioRead);
  iops.value *= 0.7;  // IOPS drops 30%
  RecomputeCounts(&new_run);

  CompareResult r = Compare(old_run, new_run);
  EXPECT_TRUE(r.regression);
  ASSERT_EQ(r.new_failures.size(), 1u);
  EXPECT_EQ(r.new_failures[0].test, "SCSI.Read10.Simple");
  EXPECT_EQ(r.new_failures[0].before, Outcome::kPass);
  EXPECT_EQ(r.new_failures[0].after, Outcome::kFail);
  EXPECT_EQ(r.new_failures[0].reason, "data mismatch at LBA 7");
  const MetricChange* m = FindChange(r, kFileioRead);
  ASSERT_NE(m, nullptr);
  EXPECT_NEAR(m->relative, -0.3, 1e-9);
  EXPECT_TRUE(m->flagged);
  EXPECT_TRUE(m->regression);
  EXPECT_EQ(r.RegressedMetrics(), 1u);

  std::string text = RenderCompareText(r);
  EXPECT_NE(text.find("REGRESSION: 1 new failure, 1 metric regressed"), std::string::npos) << text;
  EXPECT_NE(text.find("  SCSI.Read10.Simple: PASS -> FAIL (data mismatch at LBA 7)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string("  ") + kFileioRead +
                      ": 35,600 -> 24,920 IOPS (-30.0%, threshold ±5.0%) REGRESSED"),
            std::string::npos)
      << text;
  std::string md = RenderCompareMarkdown(r);
  EXPECT_EQ(md.rfind("## ❌ REGRESSION", 0), 0u) << md;
  EXPECT_NE(md.find("| `SCSI.Read10.Simple` | PASS | FAIL | data mismatch at LBA 7 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| -30.0% | ±5.0% | **REGRESSED** |"), std::string::npos) << md;
}

TEST(CompareTest, NoiseWithinThresholdIsNotFlagged) {
  Report old_run = SampleReport();
  Report new_run = SampleReport();
  FindMetric(&new_run, kFileioRead).value *= 0.96;  // -4%, inside the default 5%
  CompareResult r = Compare(old_run, new_run);
  EXPECT_FALSE(r.regression);
  EXPECT_FALSE(FindChange(r, kFileioRead)->flagged);
}

TEST(CompareTest, ThresholdGrowsWithRecordedSpread) {
  Report old_run = SampleReport();
  Report new_run = SampleReport();
  Metric& m = FindMetric(&new_run, kFileioRead);
  m.spread = 0.04;  // noisy cell: 3 x 4% = 12% allowed
  m.value *= 0.9;   // -10%
  CompareResult r = Compare(old_run, new_run);
  const MetricChange* c = FindChange(r, kFileioRead);
  EXPECT_NEAR(c->threshold, 0.12, 1e-12);
  EXPECT_FALSE(c->flagged);
  EXPECT_FALSE(r.regression);
}

TEST(CompareTest, PerMetricThresholdsByKeyThenName) {
  Report old_run = SampleReport();
  Report new_run = SampleReport();
  FindMetric(&new_run, kFileioRead).value *= 0.9;
  Thresholds loose;
  loose.per_metric = {{"iops", 0.2}};
  EXPECT_FALSE(Compare(old_run, new_run, loose).regression);
  loose.per_metric[kFileioRead] = 0.01;  // the full key wins over the name
  EXPECT_TRUE(Compare(old_run, new_run, loose).regression);
}

TEST(CompareTest, LowerIsBetterMetricsRegressUpwards) {
  Report old_run = SampleReport();
  Report new_run = SampleReport();
  Metric& lat = FindMetric(&new_run, "perf/lat_p99{backstore=fileio,job=randread-4k-qd32}");
  lat.value *= 1.5;
  CompareResult r = Compare(old_run, new_run);
  EXPECT_TRUE(r.regression);
  Report faster = SampleReport();
  FindMetric(&faster, "perf/lat_p99{backstore=fileio,job=randread-4k-qd32}").value *= 0.5;
  CompareResult better = Compare(old_run, faster);
  EXPECT_FALSE(better.regression);
  EXPECT_EQ(better.FlaggedMetrics(), 1u);  // flagged as a change, not a regression
  EXPECT_NE(RenderCompareText(better).find("improved"), std::string::npos);
}

TEST(CompareTest, FixedNewRemovedAndOtherChanges) {
  Report old_run = SampleReport();
  Report new_run = SampleReport();
  FindTest(&new_run, "Conformance.Read10.BeyondEol").outcome = Outcome::kPass;
  FindTest(&new_run, "Conformance.Reservations.PreemptAbort").outcome = Outcome::kPass;
  TestResult& skipped = FindTest(&new_run, "SCSI.Write10.Simple");
  skipped.outcome = Outcome::kSkip;
  skipped.reason = "LUN is read-only";
  new_run.tests.erase(new_run.tests.begin());  // Conformance.Login.Simple removed
  TestResult added;
  added.suite = "conformance";
  added.name = "Conformance.Login.NewCase";
  added.family = "Login";
  added.outcome = Outcome::kFail;
  added.reason = "no reply";
  new_run.tests.push_back(added);
  new_run.metrics.pop_back();
  RecomputeCounts(&new_run);

  CompareResult r = Compare(old_run, new_run);
  ASSERT_EQ(r.fixed.size(), 2u);
  EXPECT_EQ(r.fixed[0].test, "Conformance.Read10.BeyondEol");
  EXPECT_EQ(r.fixed[1].before, Outcome::kXfail);
  ASSERT_EQ(r.other_changes.size(), 1u);
  EXPECT_EQ(r.other_changes[0].after, Outcome::kSkip);
  EXPECT_EQ(r.new_tests, std::vector<std::string>{"Conformance.Login.NewCase"});
  EXPECT_EQ(r.removed_tests, std::vector<std::string>{"Conformance.Login.Simple"});
  // A new test that fails is a new failure.
  ASSERT_EQ(r.new_failures.size(), 1u);
  EXPECT_FALSE(r.new_failures[0].before.has_value());
  EXPECT_TRUE(r.regression);
  EXPECT_EQ(r.removed_metrics.size(), 1u);
  std::string text = RenderCompareText(r);
  EXPECT_NE(text.find("  Conformance.Login.NewCase: (none) -> FAIL (no reply)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  SCSI.Write10.Simple: PASS -> SKIP (LUN is read-only)"), std::string::npos);
}

TEST(CompareTest, ZeroBaselineIsAnInfiniteChange) {
  Report old_run = SampleReport();
  Report new_run = SampleReport();
  FindMetric(&old_run, kFileioRead).value = 0;
  CompareResult r = Compare(old_run, new_run);
  const MetricChange* c = FindChange(r, kFileioRead);
  EXPECT_TRUE(std::isinf(c->relative));
  EXPECT_TRUE(c->flagged);
  EXPECT_FALSE(c->regression);  // up from zero is better for IOPS
}

TEST(CompareTest, WorksFromHistorySummaries) {
  RunSummary a = Summarize(SampleReport());
  RunSummary b = a;
  b.outcomes["SCSI.Read10.Simple"] = Outcome::kFail;
  CompareResult r = Compare(a, b);
  EXPECT_TRUE(r.regression);
  EXPECT_EQ(r.old_label, "reference run-1");
}

}  // namespace
}  // namespace harness::reports
