#include "reports/report_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "reports/rfc3339.h"
#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

TEST(ReportModelTest, EnumSpellingsRoundTrip) {
  for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kSkip, Outcome::kXfail}) {
    EXPECT_EQ(ParseOutcome(OutcomeName(o)), o);
  }
  for (Adapter a : {Adapter::kReference, Adapter::kTgt, Adapter::kLio, Adapter::kScst,
                    Adapter::kUrl, Adapter::kIstgt}) {
    EXPECT_EQ(ParseAdapter(AdapterName(a)), a);
  }
  for (SuiteKind k :
       {SuiteKind::kGtest, SuiteKind::kIscsiTestCu, SuiteKind::kFio, SuiteKind::kExternal}) {
    EXPECT_EQ(ParseSuiteKind(SuiteKindName(k)), k);
  }
  EXPECT_EQ(SuiteKindName(SuiteKind::kIscsiTestCu), "iscsi-test-cu");
  EXPECT_FALSE(ParseOutcome("pass").has_value());  // spellings are exact
  EXPECT_FALSE(ParseAdapter("").has_value());
}

TEST(ReportModelTest, RecomputeCountsFromTests) {
  Report r = testing::SampleReport();
  EXPECT_EQ(r.suites[0].counts, (OutcomeCounts{2, 2, 1, 1}));
  EXPECT_EQ(r.suites[1].counts, (OutcomeCounts{3, 0, 2, 0}));
  EXPECT_EQ(r.suites[2].counts, (OutcomeCounts{1, 0, 0, 0}));
  EXPECT_EQ(r.totals.counts, (OutcomeCounts{6, 2, 3, 1}));
  EXPECT_EQ(r.totals.counts.total(), 12);
  EXPECT_DOUBLE_EQ(r.totals.duration_s, 12.5 + 150.25 + 37.75);
}

TEST(ReportModelTest, RecomputeCountsAddsUnlistedSuite) {
  Report r;
  TestResult t;
  t.suite = "extra";
  t.name = "Extra.Fam.One";
  t.family = "Fam";
  r.tests.push_back(t);
  RecomputeCounts(&r);
  ASSERT_EQ(r.suites.size(), 1u);
  EXPECT_EQ(r.suites[0].name, "extra");
  EXPECT_EQ(r.suites[0].kind, SuiteKind::kExternal);
  EXPECT_EQ(r.totals.counts.pass, 1);
}

TEST(ReportModelTest, VerdictOfCounts) {
  EXPECT_EQ(VerdictOf({3, 1, 0, 0}), Verdict::kFail);
  EXPECT_EQ(VerdictOf({3, 0, 5, 1}), Verdict::kPass);
  EXPECT_EQ(VerdictOf({0, 0, 5, 0}), Verdict::kNothingChecked);  // all skipped is not a pass
  EXPECT_EQ(VerdictOf({}), Verdict::kNothingChecked);
}

TEST(ReportModelTest, TestIdSplitsAtSecondDot) {
  EXPECT_EQ(TestClassName("SCSI.Read10.BeyondEol"), "SCSI.Read10");
  EXPECT_EQ(TestShortName("SCSI.Read10.BeyondEol"), "BeyondEol");
  // Only the last part may hold dots (parameters).
  EXPECT_EQ(TestClassName("Perf.Fio.bs=1.5k"), "Perf.Fio");
  EXPECT_EQ(TestShortName("Perf.Fio.bs=1.5k"), "bs=1.5k");
  EXPECT_EQ(TestClassName("NoDots"), "NoDots");
  EXPECT_EQ(TestShortName("One.Dot"), "One.Dot");
}

TEST(ReportModelTest, MetricKeyIsStableAndSorted) {
  Metric m;
  m.suite = "perf";
  m.name = "iops";
  m.labels = {{"job", "randread"}, {"backstore", "fileio"}};
  EXPECT_EQ(m.Key(), "perf/iops{backstore=fileio,job=randread}");
  m.labels.clear();
  EXPECT_EQ(m.Key(), "perf/iops{}");
}

TEST(ReportModelTest, RelativeSpread) {
  EXPECT_FALSE(RelativeSpread({}).has_value());
  EXPECT_FALSE(RelativeSpread({5}).has_value());
  EXPECT_FALSE(RelativeSpread({-1, 1}).has_value());  // zero mean
  EXPECT_DOUBLE_EQ(*RelativeSpread({10, 10, 10}), 0);
  EXPECT_NEAR(*RelativeSpread({90, 110}), 0.1, 1e-12);
}

TEST(Rfc3339Test, FormatsUtcWithMilliseconds) {
  using namespace std::chrono;
  sys_time<milliseconds> t = sys_days{2024y / 5 / 1} + 12h + 3min + 4s + 56ms;
  EXPECT_EQ(FormatRfc3339Utc(t), "2024-05-01T12:03:04.056Z");
  EXPECT_EQ(ParseRfc3339Utc(FormatRfc3339Utc(t)),
            duration_cast<nanoseconds>(t.time_since_epoch()).count());
}

TEST(Rfc3339Test, ParsesAndRejects) {
  EXPECT_EQ(ParseRfc3339Utc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339Utc("1970-01-01T00:00:01.5Z"), 1500000000);
  EXPECT_EQ(ParseRfc3339Utc("1970-01-01T00:00:00.000000001Z"), 1);
  EXPECT_FALSE(ParseRfc3339Utc("1970-01-01T00:00:00").has_value());        // no zone
  EXPECT_FALSE(ParseRfc3339Utc("1970-01-01T00:00:00+01:00").has_value());  // not UTC
  EXPECT_FALSE(ParseRfc3339Utc("2023-02-29T00:00:00Z").has_value());       // no such day
  EXPECT_FALSE(ParseRfc3339Utc("2024-01-01T24:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339Utc("2024-01-01T00:00:00.Z").has_value());
  EXPECT_FALSE(ParseRfc3339Utc("2024-01-01T00:00:00.1234567891Z").has_value());
  EXPECT_FALSE(ParseRfc3339Utc("").has_value());
}

}  // namespace
}  // namespace harness::reports
