#include "reports/html_writer.h"

#include <gtest/gtest.h>

#include <regex>

#include "reports/html_sections.h"
#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

using testing::SampleReport;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::vector<Report> TwoRuns() {
  Report tgt = SampleReport(Adapter::kTgt, "run-2");
  tgt.tests[0].outcome = Outcome::kFail;
  tgt.tests[0].reason = "login rejected";
  tgt.tests.pop_back();  // a test the other run lacks
  tgt.metrics[0].value = 24000;
  RecomputeCounts(&tgt);
  return {SampleReport(), tgt};
}

TEST(HtmlWriterTest, PageIsSelfContained) {
  std::string page = RenderHtml(TwoRuns());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                      "'none';"),
            std::string::npos);
  // The only URL is the SVG namespace name, which is never fetched.
  std::regex url("(https?:|ftp:|//[a-z])");
  std::string without_ns =
      std::regex_replace(page, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
  EXPECT_FALSE(std::regex_search(without_ns, url));
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
  EXPECT_EQ(Count(page, "<script>"), 1u);  // ours; the sample's hostile one is escaped
  EXPECT_EQ(page.find('\x01'), std::string::npos);
  EXPECT_EQ(page.find('\xff'), std::string::npos);
}

TEST(HtmlWriterTest, ChartsPerRunAndMetrics) {
  std::string page = RenderHtml(SampleReport());
  EXPECT_NE(page.find("aria-label=\"Outcomes by suite\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"Outcomes by command family\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"Suite durations\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"Slowest 12 tests\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"perf: iops\""), std::string::npos);
  EXPECT_NE(page.find("aria-label=\"perf: lat_p99\""), std::string::npos);
  EXPECT_EQ(page.find("id=\"compare\""), std::string::npos);  // one run: no matrix
  EXPECT_EQ(Count(page, "<tr data-outcome="), 12u);
  EXPECT_NE(page.find("<td class=\"o o-XFAIL\""), std::string::npos);
  EXPECT_NE(page.find("<summary>expected CHECK CONDITION 05/21/00 LBA OUT OF RANGE, got "
                      "GOOD</summary>"),
            std::string::npos);
}

TEST(HtmlWriterTest, FilterControlsAreHiddenUntilTheScriptRuns) {
  std::string page = RenderHtml(SampleReport());
  EXPECT_NE(page.find("<div class=\"controls\" data-for=\"run-0-tests\" hidden>"),
            std::string::npos);
  EXPECT_NE(page.find("setAttribute('data-script-ok', '1')"), std::string::npos);
}

TEST(HtmlWriterTest, ComparisonMatrixPutsDifferencesFirst) {
  std::string matrix = html::ComparisonMatrix(TwoRuns());
  EXPECT_EQ(matrix.rfind("<h3>Tests whose outcome differs (2 of 12)</h3>", 0), 0u) << matrix;
  size_t first_table_end = matrix.find("</table>");
  std::string differing = matrix.substr(0, first_table_end);
  EXPECT_NE(differing.find("<td class=\"id\">Conformance.Login.Simple</td><td class=\"o o-PASS\""
                           " title=\"\">PASS</td><td class=\"o o-FAIL\" title=\"login "
                           "rejected\">FAIL</td>"),
            std::string::npos)
      << differing;
  EXPECT_NE(differing.find("<td class=\"id\">Perf.Fio.randread-4k-qd32</td><td class=\"o "
                           "o-PASS\" title=\"\">PASS</td><td class=\"o o-none\">—</td>"),
            std::string::npos);
  EXPECT_NE(matrix.find("<details><summary>All 12 tests</summary>"), std::string::npos);
  EXPECT_NE(matrix.find("<th>reference</th><th>tgt</th>"), std::string::npos);
}

TEST(HtmlWriterTest, RunLabelsAreUniqueForTheSameAdapter) {
  std::vector<Report> runs = {SampleReport(Adapter::kTgt, "a"), SampleReport(Adapter::kTgt, "b")};
  EXPECT_EQ(html::RunLabel(runs, 0), "tgt a");
  EXPECT_EQ(html::RunLabel(runs, 1), "tgt b");
}

TEST(HtmlWriterTest, MetricChartSeriesForOneRunIsTheLeastVariedLabel) {
  std::vector<BarChart> charts = html::MetricCharts({SampleReport()});
  ASSERT_EQ(charts.size(), 2u);
  const BarChart& iops = charts[0];
  EXPECT_EQ(iops.title, "perf: iops");
  ASSERT_EQ(iops.series.size(), 2u);  // backstore and job both vary twice: alphabetical first
  EXPECT_EQ(iops.series[0].name, "backstore=fileio");
  EXPECT_EQ(iops.series[1].name, "backstore=ramdisk");
  EXPECT_EQ(iops.categories,
            (std::vector<std::string>{"job=randread-4k-qd32", "job=randwrite-4k-qd32"}));
  EXPECT_DOUBLE_EQ(iops.values[1][1], 36500);
}

TEST(HtmlWriterTest, MetricChartSeriesForSeveralRunsAreTheRuns) {
  std::vector<BarChart> charts = html::MetricCharts(TwoRuns());
  const BarChart& iops = charts[0];
  ASSERT_EQ(iops.series.size(), 2u);
  EXPECT_EQ(iops.series[0].name, "reference");
  EXPECT_EQ(iops.series[1].name, "tgt");
  EXPECT_EQ(iops.categories.size(), 4u);
  EXPECT_DOUBLE_EQ(iops.values[0][1], 24000);
}

TEST(HtmlWriterTest, OutcomesByFamilyIsAlphabetical) {
  BarChart c = html::OutcomesByFamily(SampleReport());
  EXPECT_TRUE(std::is_sorted(c.categories.begin(), c.categories.end()));
  auto read10 = std::find(c.categories.begin(), c.categories.end(), "Read10");
  ASSERT_NE(read10, c.categories.end());
  const std::vector<double>& row = c.values[read10 - c.categories.begin()];
  EXPECT_EQ(row, (std::vector<double>{1, 1, 0, 0}));  // SCSI.Read10.Simple, the BeyondEol FAIL
}

TEST(HtmlWriterTest, SeriesBecomeLineChartsWithTheirMarkers) {
  Report r = SampleReport();
  TestResult t = r.tests[0];
  t.name = "hotplug.RemoveLun.UnderIo";
  t.series = {TimeSeries{"lun_a_iops", "IOPS", {{0, 4000}, {1, 3900}, {2, 4050}},
                         {SeriesMarker{1.4, std::nullopt, "remove LUN 3"}}},
              TimeSeries{"lun_a_threshold", "IOPS", {{0, 3600}, {2, 3600}},
                         {SeriesMarker{1.4, std::nullopt, "remove LUN 3"}}},
              TimeSeries{"lun_a_max_latency", "ms", {{0, 1.5}, {1, 80}, {2, 1.2}}, {}}};
  r.tests.push_back(t);
  RecomputeCounts(&r);
  const std::vector<LineChart> charts = html::SeriesCharts(r);
  ASSERT_EQ(charts.size(), 2u) << "one chart per unit";
  EXPECT_EQ(charts[0].title, "hotplug.RemoveLun.UnderIo");
  EXPECT_EQ(charts[0].y_unit, "IOPS");
  ASSERT_EQ(charts[0].series.size(), 2u);
  EXPECT_FALSE(charts[0].series[0].dashed);
  EXPECT_TRUE(charts[0].series[1].dashed) << "a constant is a reference line";
  EXPECT_EQ(charts[0].markers.size(), 1u) << "a marker both series carry is drawn once";
  EXPECT_EQ(charts[1].y_unit, "ms");
  const std::string page = RenderHtml(r);
  EXPECT_NE(page.find("<h3>Time series</h3>"), std::string::npos);
  EXPECT_EQ(Count(page, "class=\"chart line-chart\""), 2u);
  EXPECT_NE(page.find("<title>remove LUN 3 (1.40 s)</title>"), std::string::npos);
  // Without series there is no section.
  EXPECT_EQ(RenderHtml(SampleReport()).find("Time series"), std::string::npos);
}

}  // namespace
}  // namespace harness::reports
