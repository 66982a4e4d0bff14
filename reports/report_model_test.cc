#include "reports/report_model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "reports/report_io.h"
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
  for (SuiteKind k : {SuiteKind::kGtest, SuiteKind::kIscsiTestCu, SuiteKind::kFio,
                      SuiteKind::kExternal, SuiteKind::kLoadgen}) {
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

// Schema 1.1: a test's time series with its markers survives the JSON round trip, passes the
// schema, and a non-finite value is left out rather than written as null.
TEST(ReportModelTest, TimeSeriesRoundTripsAndValidates) {
  Report r = testing::SampleReport();
  r.suites.push_back(SuiteResult{"hotplug", SuiteKind::kLoadgen, 9.5, {}});
  TestResult t;
  t.suite = "hotplug";
  t.name = "hotplug.Churn.AddRemoveCycles";
  t.family = "Churn";
  TimeSeries iops{"lun_a_iops", "IOPS", {{0, 5100}, {1, 4900.5}, {2, NAN}, {3, 5000}}, {}};
  iops.markers.push_back(SeriesMarker{1.25, std::nullopt, "add LUN 3"});
  iops.markers.push_back(SeriesMarker{1.2, 2.7, "change window"});
  t.series = {iops};
  r.tests.push_back(t);
  RecomputeCounts(&r);
  const std::string text = SerializeReport(r);
  EXPECT_TRUE(ValidateReportJson(nlohmann::json::parse(text)).empty()) << text;
  EXPECT_NE(text.find("\"schema_version\": \"1.1\""), std::string::npos);
  Result<Report> back = ParseReport(text, "round-trip");
  ASSERT_TRUE(back.ok()) << back.error();
  const TestResult& got = back.value().tests.back();
  ASSERT_EQ(got.series.size(), 1u);
  const TimeSeries& s = got.series[0];
  EXPECT_EQ(s.name, "lun_a_iops");
  EXPECT_EQ(s.unit, "IOPS");
  ASSERT_EQ(s.points.size(), 3u) << "the NaN point is a gap, not null";
  EXPECT_DOUBLE_EQ(s.points[1].value, 4900.5);
  EXPECT_DOUBLE_EQ(s.points[2].t_s, 3);
  ASSERT_EQ(s.markers.size(), 2u);
  EXPECT_FALSE(s.markers[0].end_s.has_value());
  EXPECT_EQ(s.markers[0].label, "add LUN 3");
  ASSERT_TRUE(s.markers[1].end_s.has_value());
  EXPECT_DOUBLE_EQ(*s.markers[1].end_s, 2.7);
  EXPECT_EQ(back.value().suites.back().kind, SuiteKind::kLoadgen);
  // A report without series writes no "series" key (1.0 readers' shape stays).
  EXPECT_EQ(SerializeReport(testing::SampleReport()).find("\"series\""), std::string::npos);
}

TEST(ReportModelTest, SchemaRefusesAMalformedSeries) {
  nlohmann::json doc = nlohmann::json::parse(SerializeReport(testing::SampleReport()));
  doc["tests"][0]["series"] = nlohmann::json::array(
      {{{"name", "x"}, {"unit", "IOPS"}, {"points", {{{"t_s", -1}, {"value", 3}}}},
        {"markers", {{{"t_s", 0}}}}}});
  std::string all;
  for (const ValidationError& e : ValidateReportJson(doc)) all += e.ToString() + "\n";
  EXPECT_NE(all.find("/tests/0/series/0/points/0/t_s"), std::string::npos) << all;
  EXPECT_NE(all.find("/tests/0/series/0/markers/0"), std::string::npos) << all;
}

}  // namespace
}  // namespace harness::reports
