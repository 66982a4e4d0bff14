#include "reports/number_format.h"

#include <cmath>
#include <cstdio>

namespace harness::reports {

std::string FormatQuantity(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  double a = std::fabs(v);
  if (a >= 1000) {
    std::snprintf(buf, sizeof(buf), "%.0f", a);
    std::string digits = buf;
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
  }
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

std::string FormatSeconds(double s) {
  char buf[64];
  if (!std::isfinite(s)) return "n/a";
  if (s < 1) {
    std::snprintf(buf, sizeof(buf), "%.0f ms", s * 1000);
  } else if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%.1f s", s);
  } else {
    long total = std::lround(s);
    std::snprintf(buf, sizeof(buf), "%ld m %02ld s", total / 60, total % 60);
  }
  return buf;
}

std::string FormatPercent(double fraction) {
  if (!std::isfinite(fraction)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%+.1f%%", fraction * 100);
  return buf;
}

std::string FormatLabels(const std::map<std::string, std::string>& labels) {
  if (labels.empty()) return "-";
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ", ";
    out += k + "=" + v;
  }
  return out;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

}  // namespace harness::reports
