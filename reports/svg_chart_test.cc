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

}  // namespace
}  // namespace harness::reports
