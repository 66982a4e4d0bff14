#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/number_format.h"
#include "reports/text_escape.h"

namespace harness::reports {
namespace {

constexpr double kWidth = 960;
constexpr double kLabelWidth = 300;  // category labels, right-aligned at this x
constexpr double kRightPad = 90;     // room for the value label after the longest bar
constexpr double kTop = 56;          // title and legend
constexpr double kAxisHeight = 24;
constexpr size_t kMaxLabelChars = 44;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// Cuts a label to fit the label column; the full text stays in the <title> tooltip.
std::string ShortLabel(const std::string& s) {
  std::string clean = SanitizeUtf8(s);
  size_t chars = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    if ((static_cast<unsigned char>(clean[i]) & 0xC0) == 0x80) continue;
    if (++chars > kMaxLabelChars) return clean.substr(0, i) + "…";
  }
  return clean;
}

// A round axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `v`.
double NiceMax(double v) {
  if (!(v > 0) || !std::isfinite(v)) return 1;
  double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

double Value(const BarChart& c, size_t cat, size_t s) {
  if (cat >= c.values.size() || s >= c.values[cat].size()) return NAN;
  return c.values[cat][s];
}

std::string Open(const BarChart& c, double height) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " +
                    Num(kWidth) + " " + Num(height) + "\" width=\"" + Num(kWidth) + "\" height=\"" +
                    Num(height) + "\" role=\"img\" aria-label=\"" + HtmlEscape(c.title) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + HtmlEscape(c.title) + "</title>\n";
  svg += "<text x=\"4\" y=\"18\" font-size=\"15\" font-weight=\"bold\">" + HtmlEscape(c.title) +
         "</text>\n";
  double x = kLabelWidth;
  for (const ChartSeries& s : c.series) {
    svg += "<rect x=\"" + Num(x) + "\" y=\"30\" width=\"12\" height=\"12\" fill=\"" +
           HtmlEscape(s.color) + "\"/><text x=\"" + Num(x + 16) + "\" y=\"40\">" +
           HtmlEscape(ShortLabel(s.name)) + "</text>\n";
    x += 28 + 7.0 * static_cast<double>(std::min<size_t>(s.name.size(), kMaxLabelChars));
  }
  return svg;
}

std::string Axis(double max, double y_top, double y_bottom, const std::string& unit) {
  std::string svg;
  double plot = kWidth - kLabelWidth - kRightPad;
  for (int i = 0; i <= 4; ++i) {
    double x = kLabelWidth + 8 + plot * i / 4;
    svg += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(y_top) + "\" x2=\"" + Num(x) + "\" y2=\"" +
           Num(y_bottom) + "\" stroke=\"#ddd\"/>";
    svg += "<text x=\"" + Num(x) + "\" y=\"" + Num(y_bottom + 16) +
           "\" text-anchor=\"middle\" fill=\"#555\">" + FormatQuantity(max * i / 4) + "</text>\n";
  }
  if (!unit.empty()) {
    svg += "<text x=\"" + Num(kWidth - 4) + "\" y=\"" + Num(y_bottom + 16) +
           "\" text-anchor=\"end\" fill=\"#555\">" + HtmlEscape(unit) + "</text>\n";
  }
  return svg;
}

std::string CategoryLabel(const std::string& name, double y) {
  return "<text x=\"" + Num(kLabelWidth) + "\" y=\"" + Num(y) + "\" text-anchor=\"end\"><title>" +
         HtmlEscape(name) + "</title>" + HtmlEscape(ShortLabel(name)) + "</text>\n";
}

std::string Bar(double x, double y, double w, double h, const std::string& color,
                const std::string& tooltip) {
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(std::max(w, 0.0)) +
         "\" height=\"" + Num(h) + "\" fill=\"" + HtmlEscape(color) + "\"><title>" +
         HtmlEscape(tooltip) + "</title></rect>";
}

}  // namespace

std::string PaletteColor(size_t i) {
  static const char* kPalette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                   "#56b4e9", "#d55e00", "#f0e442", "#000000"};
  return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

std::string RenderStackedBars(const BarChart& c) {
  constexpr double kRow = 22;
  double max = 0;
  std::vector<double> totals(c.categories.size(), 0);
  for (size_t i = 0; i < c.categories.size(); ++i) {
    for (size_t s = 0; s < c.series.size(); ++s) {
      double v = Value(c, i, s);
      if (std::isfinite(v) && v > 0) totals[i] += v;
    }
    max = std::max(max, totals[i]);
  }
  max = NiceMax(max);
  double plot = kWidth - kLabelWidth - kRightPad;
  double bottom = kTop + kRow * static_cast<double>(c.categories.size());
  std::string svg = Open(c, bottom + kAxisHeight) + Axis(max, kTop - 4, bottom, c.unit);
  for (size_t i = 0; i < c.categories.size(); ++i) {
    double y = kTop + kRow * static_cast<double>(i);
    svg += CategoryLabel(c.categories[i], y + 15);
    double x = kLabelWidth + 8;
    for (size_t s = 0; s < c.series.size(); ++s) {
      double v = Value(c, i, s);
      if (!std::isfinite(v) || v <= 0) continue;
      double w = plot * v / max;
      svg += Bar(x, y + 3, w, kRow - 6, c.series[s].color,
                 c.categories[i] + ": " + FormatQuantity(v) + " " + c.series[s].name);
      x += w;
    }
    svg += "<text x=\"" + Num(x + 4) + "\" y=\"" + Num(y + 15) + "\" fill=\"#333\">" +
           FormatQuantity(totals[i]) + "</text>\n";
  }
  return svg + "</svg>\n";
}

std::string RenderGroupedBars(const BarChart& c) {
  constexpr double kBar = 14;
  constexpr double kGap = 10;
  double max = 0;
  for (size_t i = 0; i < c.categories.size(); ++i) {
    for (size_t s = 0; s < c.series.size(); ++s) {
      double v = Value(c, i, s);
      if (std::isfinite(v)) max = std::max(max, v);
    }
  }
  max = NiceMax(max);
  double plot = kWidth - kLabelWidth - kRightPad;
  double per_group = kBar * static_cast<double>(std::max<size_t>(c.series.size(), 1)) + kGap;
  double bottom = kTop + per_group * static_cast<double>(c.categories.size());
  std::string svg = Open(c, bottom + kAxisHeight) + Axis(max, kTop - 4, bottom, c.unit);
  for (size_t i = 0; i < c.categories.size(); ++i) {
    double y0 = kTop + per_group * static_cast<double>(i);
    svg += CategoryLabel(c.categories[i], y0 + per_group / 2);
    for (size_t s = 0; s < c.series.size(); ++s) {
      double v = Value(c, i, s);
      if (!std::isfinite(v)) continue;
      double y = y0 + kBar * static_cast<double>(s);
      double w = plot * std::max(v, 0.0) / max;
      double x = kLabelWidth + 8;
      std::string tip =
          c.categories[i] + " / " + c.series[s].name + ": " + FormatQuantity(v) + " " + c.unit;
      double spread = NAN;
      if (i < c.spreads.size() && s < c.spreads[i].size()) spread = c.spreads[i][s];
      if (std::isfinite(spread)) tip += " (±" + FormatPercent(spread).substr(1) + ")";
      svg += Bar(x, y + 1, w, kBar - 2, c.series[s].color, tip);
      double label_x = x + w + 4;
      if (std::isfinite(spread) && spread > 0) {
        double half = plot * std::fabs(v) * spread / max;
        svg += "<line x1=\"" + Num(x + w - half) + "\" y1=\"" + Num(y + kBar / 2) + "\" x2=\"" +
               Num(x + w + half) + "\" y2=\"" + Num(y + kBar / 2) + "\" stroke=\"#222\"/>";
        label_x += half;
      }
      svg += "<text x=\"" + Num(label_x) + "\" y=\"" + Num(y + kBar - 3) +
             "\" font-size=\"11\" fill=\"#333\">" + FormatQuantity(v) + "</text>\n";
    }
  }
  return svg + "</svg>\n";
}

namespace {

constexpr double kLineLeft = 80;  // y axis labels
constexpr double kLineRight = 24;
constexpr double kLineTop = 64;  // title, legend, marker labels
constexpr double kPlotHeight = 220;
constexpr size_t kMaxDots = 300;  // beyond this many points per series, no dots

// A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks.
double NiceStep(double range, int ticks) {
  const double raw = range / ticks;
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

// Returns two corners per point: (x_i, y_i) and (x_i+1, y_i); the last point's step is as
// long as the one before it (1 if it is alone). A non-finite value stays a gap.
std::vector<LinePoint> StepCorners(const std::vector<LinePoint>& points) {
  std::vector<LinePoint> out;
  for (size_t i = 0; i < points.size(); ++i) {
    double end = points[i].x + 1;
    if (i + 1 < points.size()) {
      end = points[i + 1].x;
    } else if (i > 0) {
      end = points[i].x + (points[i].x - points[i - 1].x);
    }
    out.push_back(points[i]);
    out.push_back({end, points[i].y});
  }
  return out;
}

}  // namespace

std::string RenderLineChart(const LineChart& c) {
  // The ranges: x over every point and marker, y from 0 (or below) to a round maximum.
  double x_min = INFINITY, x_max = -INFINITY, y_min = 0, y_max = 0;
  auto see_x = [&](double x) {
    if (!std::isfinite(x)) return;
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
  };
  // Step series become the corners of their steps first.
  std::vector<std::vector<LinePoint>> drawn;
  for (const LineSeries& s : c.series) drawn.push_back(s.steps ? StepCorners(s.points) : s.points);
  for (const std::vector<LinePoint>& points : drawn) {
    for (const LinePoint& p : points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      see_x(p.x);
      y_min = std::min(y_min, p.y);
      y_max = std::max(y_max, p.y);
    }
  }
  for (const ChartMarker& m : c.markers) {
    see_x(m.x);
    see_x(m.x_end);
  }
  if (!std::isfinite(x_min)) x_min = 0, x_max = 1;
  if (x_max <= x_min) x_max = x_min + 1;
  y_max = NiceMax(y_max);
  if (y_min < 0) y_min = -NiceMax(-y_min);
  const double plot_w = kWidth - kLineLeft - kLineRight;
  const double bottom = kLineTop + kPlotHeight;
  auto X = [&](double x) { return kLineLeft + plot_w * (x - x_min) / (x_max - x_min); };
  auto Y = [&](double y) { return bottom - kPlotHeight * (y - y_min) / (y_max - y_min); };
  const std::string unit_suffix = c.y_unit.empty() ? "" : " " + c.y_unit;

  const double height = bottom + 40;
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart line-chart\" "
      "viewBox=\"0 0 " +
      Num(kWidth) + " " + Num(height) + "\" width=\"" + Num(kWidth) + "\" height=\"" + Num(height) +
      "\" role=\"img\" aria-label=\"" + HtmlEscape(c.title) +
      "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + HtmlEscape(c.title) + "</title>\n";
  svg += "<text x=\"4\" y=\"18\" font-size=\"15\" font-weight=\"bold\">" + HtmlEscape(c.title) +
         "</text>\n";

  // Legend: the series, then what the markers mean.
  size_t instants = 0, spans = 0;
  for (const ChartMarker& m : c.markers) (std::isfinite(m.x_end) ? spans : instants) += 1;
  double lx = kLineLeft;
  auto legend = [&](const std::string& swatch, const std::string& text) {
    svg += swatch + "<text x=\"" + Num(lx + 22) + "\" y=\"40\">" + HtmlEscape(ShortLabel(text)) +
           "</text>\n";
    lx += 34 + 7.0 * static_cast<double>(std::min<size_t>(text.size(), kMaxLabelChars));
  };
  for (const LineSeries& s : c.series) {
    legend("<line x1=\"" + Num(lx) + "\" y1=\"36\" x2=\"" + Num(lx + 18) +
               "\" y2=\"36\" stroke=\"" + HtmlEscape(s.color) + "\" stroke-width=\"2\"" +
               (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>",
           s.name);
  }
  if (instants > 0) {
    legend("<line x1=\"" + Num(lx + 9) + "\" y1=\"28\" x2=\"" + Num(lx + 9) +
               "\" y2=\"44\" stroke=\"#c62828\"/>",
           instants == 1 ? "1 change" : std::to_string(instants) + " changes");
  }
  if (spans > 0) {
    legend("<rect x=\"" + Num(lx) +
               "\" y=\"30\" width=\"18\" height=\"12\" fill=\"#fbc02d\" "
               "fill-opacity=\"0.35\"/>",
           spans == 1 ? "window" : std::to_string(spans) + " windows");
  }

  // Grid and axes.
  for (int i = 0; i <= 4; ++i) {
    const double v = y_min + (y_max - y_min) * i / 4;
    svg += "<line x1=\"" + Num(kLineLeft) + "\" y1=\"" + Num(Y(v)) + "\" x2=\"" +
           Num(kWidth - kLineRight) + "\" y2=\"" + Num(Y(v)) + "\" stroke=\"#ddd\"/>";
    svg += "<text x=\"" + Num(kLineLeft - 6) + "\" y=\"" + Num(Y(v) + 4) +
           "\" text-anchor=\"end\" fill=\"#555\">" + FormatQuantity(v) + "</text>\n";
  }
  const double step = NiceStep(x_max - x_min, 8);
  const int digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  for (double t = std::ceil(x_min / step) * step; t <= x_max + step * 1e-9; t += step) {
    svg += "<line x1=\"" + Num(X(t)) + "\" y1=\"" + Num(bottom) + "\" x2=\"" + Num(X(t)) +
           "\" y2=\"" + Num(bottom + 4) + "\" stroke=\"#555\"/><text x=\"" + Num(X(t)) + "\" y=\"" +
           Num(bottom + 18) + "\" text-anchor=\"middle\" fill=\"#555\">" + Fixed(t, digits) +
           "</text>\n";
  }
  svg += "<line x1=\"" + Num(kLineLeft) + "\" y1=\"" + Num(bottom) + "\" x2=\"" +
         Num(kWidth - kLineRight) + "\" y2=\"" + Num(bottom) + "\" stroke=\"#555\"/>\n";
  if (!c.x_unit.empty()) {
    svg += "<text x=\"" + Num(kWidth - kLineRight) + "\" y=\"" + Num(bottom + 34) +
           "\" text-anchor=\"end\" fill=\"#555\">" + HtmlEscape(c.x_unit) + "</text>\n";
  }
  if (!c.y_unit.empty()) {
    svg += "<text x=\"4\" y=\"" + Num(kLineTop - 6) + "\" fill=\"#555\">" + HtmlEscape(c.y_unit) +
           "</text>\n";
  }

  // Spans behind the lines, then the instants, then the series on top.
  for (const ChartMarker& m : c.markers) {
    if (!std::isfinite(m.x) || !std::isfinite(m.x_end)) continue;
    const double x0 = X(std::min(m.x, m.x_end)), x1 = X(std::max(m.x, m.x_end));
    svg += "<rect x=\"" + Num(x0) + "\" y=\"" + Num(kLineTop) + "\" width=\"" +
           Num(std::max(x1 - x0, 1.0)) + "\" height=\"" + Num(kPlotHeight) +
           "\" fill=\"#fbc02d\" fill-opacity=\"0.25\"><title>" +
           HtmlEscape(m.label + " (" + Fixed(m.x, 2) + "–" + Fixed(m.x_end, 2) + " " + c.x_unit +
                      ")") +
           "</title></rect>\n";
  }
  size_t labelled = 0;
  for (const ChartMarker& m : c.markers) {
    if (!std::isfinite(m.x) || std::isfinite(m.x_end)) continue;
    svg += "<line x1=\"" + Num(X(m.x)) + "\" y1=\"" + Num(kLineTop) + "\" x2=\"" + Num(X(m.x)) +
           "\" y2=\"" + Num(bottom) + "\" stroke=\"#c62828\" stroke-opacity=\"0.7\"><title>" +
           HtmlEscape(m.label + " (" + Fixed(m.x, 2) + " " + c.x_unit + ")") + "</title></line>\n";
    if (instants <= kMaxMarkerLabels) {
      // Staggered in two rows so that neighbouring labels overlap less.
      const double label_y = kLineTop - 4 - 11.0 * static_cast<double>(labelled % 2);
      svg += "<text x=\"" + Num(X(m.x) + 3) + "\" y=\"" + Num(label_y) +
             "\" font-size=\"10\" fill=\"#c62828\">" + HtmlEscape(ShortLabel(m.label)) +
             "</text>\n";
    }
    ++labelled;
  }
  for (size_t si = 0; si < c.series.size(); ++si) {
    const LineSeries& s = c.series[si];
    std::string run;
    auto flush = [&] {
      if (run.empty()) return;
      svg += "<polyline fill=\"none\" stroke=\"" + HtmlEscape(s.color) + "\" stroke-width=\"2\"" +
             (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + run + "\"/>\n";
      run.clear();
    };
    for (const LinePoint& p : drawn[si]) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
        flush();
        continue;
      }
      run += (run.empty() ? "" : " ") + Num(X(p.x)) + "," + Num(Y(p.y));
    }
    flush();
    if (s.points.size() > kMaxDots || s.dashed) continue;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const LinePoint& p = s.points[i];
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      // A step's dot sits in the middle of its interval.
      const double dot_x = s.steps ? (drawn[si][2 * i].x + drawn[si][2 * i + 1].x) / 2 : p.x;
      svg += "<circle cx=\"" + Num(X(dot_x)) + "\" cy=\"" + Num(Y(p.y)) + "\" r=\"2.5\" fill=\"" +
             HtmlEscape(s.color) + "\"><title>" +
             HtmlEscape(s.name + " at " + Fixed(p.x, 2) + " " + c.x_unit + ": " +
                        FormatQuantity(p.y) + unit_suffix) +
             "</title></circle>";
    }
    svg += "\n";
  }
  return svg + "</svg>\n";
}

}  // namespace harness::reports
