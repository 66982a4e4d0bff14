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

}  // namespace harness::reports
