#include "reports/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>

namespace harness::reports {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

BarChart Outcomes() {
  return BarChart{"Outcomes <by> suite",
                  "tests",
                  {"conformance", "libiscsi"},
                  {{"PASS", "#2e7d32"}, {"FAIL", "#c62828"}},
                  {{3, 1}, {5, 0}},
                  {}};
}

TEST(SvgChartTest, StackedBarsDrawOneSegmentPerNonZeroValue) {
  std::string svg = RenderStackedBars(Outcomes());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"", 0), 0u);
  EXPECT_EQ(Count(svg, "<rect "), 2u /*legend*/ + 3u /*segments*/);
  EXPECT_NE(svg.find("<title>conformance: 1 FAIL</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>Outcomes &lt;by&gt; suite</title>"), std::string::npos);
  EXPECT_EQ(svg.find("<by>"), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

TEST(SvgChartTest, StackedBarWidthsAreProportional) {
  // Axis maximum 5 (a round number); 3 of 5 and 1 of 5 of the 570-unit plot.
  std::string svg = RenderStackedBars(Outcomes());
  EXPECT_NE(svg.find("width=\"342.0\" height=\"16.0\" fill=\"#2e7d32\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"114.0\" height=\"16.0\" fill=\"#c62828\""), std::string::npos);
  EXPECT_NE(svg.find("width=\"570.0\" height=\"16.0\" fill=\"#2e7d32\""), std::string::npos);
}

TEST(SvgChartTest, GroupedBarsSkipMissingValuesAndDrawSpread) {
  BarChart c{"perf: iops",
             "IOPS",
             {"job=randread", "job=randwrite"},
             {{"backstore=fileio", PaletteColor(0)}, {"backstore=ramdisk", PaletteColor(1)}},
             {{35600, 38800}, {30500, NAN}},
             {{0.0126, NAN}, {NAN, NAN}}};
  std::string svg = RenderGroupedBars(c);
  EXPECT_EQ(Count(svg, "<rect "), 2u + 3u);
  EXPECT_EQ(Count(svg, "stroke=\"#222\""), 1u);  // one whisker
  EXPECT_NE(svg.find("<title>job=randread / backstore=fileio: 35,600 IOPS (±1.3%)</title>"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find(">50,000</text>"), std::string::npos);  // round axis maximum
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

TEST(SvgChartTest, LongLabelsAreCutButKeptInTooltip) {
  std::string name(80, 'x');
  BarChart c{"t", "", {name}, {{"s", "#000"}}, {{1}}, {}};
  std::string svg = RenderGroupedBars(c);
  EXPECT_NE(svg.find("<title>" + name + "</title>"), std::string::npos);
  EXPECT_NE(svg.find(std::string(44, 'x') + "…</text>"), std::string::npos);
}

TEST(SvgChartTest, EmptyAndDegenerateChartsStillRender) {
  BarChart empty{"nothing", "", {}, {}, {}, {}};
  EXPECT_NE(RenderStackedBars(empty).find("</svg>"), std::string::npos);
  EXPECT_NE(RenderGroupedBars(empty).find("</svg>"), std::string::npos);
  BarChart zeros{"zeros", "", {"a"}, {{"s", "#000"}}, {{0}}, {}};
  std::string svg = RenderGroupedBars(zeros);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  BarChart negative{"neg", "", {"a"}, {{"s", "#000"}}, {{-5}}, {}};
  EXPECT_EQ(RenderStackedBars(negative).find("width=\"-"), std::string::npos);
}

LineChart IopsChart(size_t changes) {
  LineChart c;
  c.title = "hotplug.Churn <cycles>";
  c.y_unit = "IOPS";
  c.series.push_back({"LUN A", "#0072b2", {{0, 4000}, {1, 4100}, {2, NAN}, {3, 3900}}, false});
  c.series.push_back({"90% of baseline", "#d55e00", {{0, 3600}, {3, 3600}}, true});
  for (size_t i = 0; i < changes; ++i) {
    c.markers.push_back({1.0 + 0.1 * static_cast<double>(i), NAN, "add LUN " + std::to_string(i)});
  }
  c.markers.push_back({1.0, 2.5, "change window"});
  return c;
}

TEST(SvgChartTest, LineChartDrawsSeriesMarkersAndSpans) {
  const std::string svg = RenderLineChart(IopsChart(2));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart line-chart\"", 0),
            0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_NE(svg.find("<title>hotplug.Churn &lt;cycles&gt;</title>"), std::string::npos);
  // The NaN breaks LUN A's line in two; the dashed reference is one line without dots.
  EXPECT_EQ(Count(svg, "<polyline "), 3u);
  EXPECT_EQ(Count(svg, "stroke-dasharray=\"6 4\" points="), 1u);
  EXPECT_EQ(Count(svg, "<circle "), 3u);
  EXPECT_NE(svg.find("<title>LUN A at 1.00 s: 4,100 IOPS</title>"), std::string::npos) << svg;
  // Two red instants, labelled above the plot, and one shaded span.
  EXPECT_EQ(Count(svg, "stroke=\"#c62828\" stroke-opacity"), 2u);
  EXPECT_NE(svg.find("<title>add LUN 1 (1.10 s)</title>"), std::string::npos);
  EXPECT_NE(svg.find(">add LUN 1</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>change window (1.00–2.50 s)</title>"), std::string::npos);
  EXPECT_NE(svg.find(">2 changes</text>"), std::string::npos);
}

TEST(SvgChartTest, LineChartScalesToRoundAxesAndPlacesPoints) {
  // y 0..5000 (a round maximum above 4100) over a 220-unit plot from y=64 to y=284;
  // x 0..3 over the 856-unit plot from x=80: 4000 at 0 s is (80, 108), 4100 at 1 s is
  // (365.3, 103.6); ticks every 0.5 s.
  const std::string svg = RenderLineChart(IopsChart(1));
  EXPECT_NE(svg.find("points=\"80.0,108.0 365.3,103.6\""), std::string::npos) << svg;
  EXPECT_NE(svg.find(">5,000</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2.5</text>"), std::string::npos);
  EXPECT_NE(svg.find(">3.0</text>"), std::string::npos);  // the last x tick
}

TEST(SvgChartTest, ManyMarkersKeepTheirTooltipsButNotTheirLabels) {
  const std::string svg = RenderLineChart(IopsChart(kMaxMarkerLabels + 1));
  EXPECT_EQ(Count(svg, "stroke=\"#c62828\" stroke-opacity"), kMaxMarkerLabels + 1);
  EXPECT_EQ(svg.find(">add LUN 0</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>add LUN 0 (1.00 s)</title>"), std::string::npos);
}

TEST(SvgChartTest, EmptyLineChartIsStillADrawing) {
  LineChart c;
  c.title = "nothing measured";
  const std::string svg = RenderLineChart(c);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(SvgChartTest, StepSeriesHoldEachValueOverItsInterval) {
  LineChart c;
  c.title = "steps";
  c.series.push_back({"per second", "#0072b2", {{0, 10}, {1, 20}}, false, true});
  const std::string svg = RenderLineChart(c);
  // x 0..2 (the last step as long as the one before) over 856 units from x=80; y 0..20 over
  // 220 units up from y=284.
  EXPECT_NE(svg.find("points=\"80.0,174.0 508.0,174.0 508.0,64.0 936.0,64.0\""), std::string::npos)
      << svg;
  // The dots sit in the middle of their steps.
  EXPECT_NE(svg.find("<circle cx=\"294.0\" cy=\"174.0\""), std::string::npos);
}

}  // namespace
}  // namespace harness::reports
