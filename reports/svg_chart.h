// Inline SVG charts for index.html (horizontal bars; lines over time with markers), drawn in
// C++ so the page needs no script or library.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace harness::reports {

struct ChartSeries {
  std::string name;
  std::string color;  // CSS color, e.g. "#2e7d32"
};

// Horizontal bars: one row (stacked) or one group of rows (grouped) per category.
struct BarChart {
  std::string title;
  std::string unit;  // shown on the value axis and in tooltips
  std::vector<std::string> categories;
  std::vector<ChartSeries> series;
  // values[category][series]; NaN means "no value" (no bar drawn).
  std::vector<std::vector<double>> values;
  // Optional, same shape: relative spread drawn as a ± whisker on grouped bars.
  std::vector<std::vector<double>> spreads;
};

// Returns an <svg> with one stacked bar per category (segments in series order) and the
// category total at its end; negative values are drawn as zero. REQUIRES: values is
// categories.size() x series.size().
std::string RenderStackedBars(const BarChart& chart);

// Returns an <svg> with, per category, one bar per series that has a value, labelled with
// its value. REQUIRES: values is categories.size() x series.size().
std::string RenderGroupedBars(const BarChart& chart);

// One line of a line chart: points in increasing x; a non-finite y breaks the line.
struct LinePoint {
  double x = 0;
  double y = 0;
};
struct LineSeries {
  std::string name;
  std::string color;
  std::vector<LinePoint> points;
  bool dashed = false;  // e.g. a threshold drawn as a reference line
  // Each point's value holds until the next point's x (the last one for as long as the one
  // before it): a per-interval measurement, such as IOPS per second, drawn as steps.
  bool steps = false;
};

// Something that happened at x (a vertical line), or during [x, x_end] (a shaded span).
struct ChartMarker {
  double x = 0;
  double x_end = NAN;  // NaN: an instant
  std::string label;
};

// Lines over time, e.g. a LUN's IOPS per second with the LUN changes marked.
struct LineChart {
  std::string title;
  std::string x_unit = "s";
  std::string y_unit;
  std::vector<LineSeries> series;
  std::vector<ChartMarker> markers;
};

// At most this many instant markers get a written label above the plot; beyond it the labels
// stay in the tooltips and the legend says how many there are.
inline constexpr size_t kMaxMarkerLabels = 8;

// Returns an <svg> with the y axis from 0 (or the lowest value, if negative) to a round
// maximum, the x axis over every point and marker, one polyline per series (dots with
// tooltips unless there are many points), each instant marker as a red vertical line and each
// span as a shaded band, both with their label as a tooltip.
std::string RenderLineChart(const LineChart& chart);

// Returns the i-th color of a palette that colour-blind readers can tell apart (Okabe-Ito).
std::string PaletteColor(size_t i);

}  // namespace harness::reports
