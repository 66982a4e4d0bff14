// Inline SVG bar charts for index.html, drawn in C++ so the page needs no script or library.
#pragma once

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

// Returns the i-th color of a palette that colour-blind readers can tell apart (Okabe-Ito).
std::string PaletteColor(size_t i);

}  // namespace harness::reports
