// Human-readable numbers for the Markdown, HTML and comparison renderings.
#pragma once

#include <map>
#include <string>

namespace harness::reports {

// Returns `v` with at most 4 significant digits below 1000 and thousands separators above:
// 0.0123 -> "0.0123", 12.5 -> "12.5", 35612.4 -> "35,612". Non-finite -> "n/a".
std::string FormatQuantity(double v);

// Returns a duration: 0.004 -> "4 ms", 12.3 -> "12.3 s", 754 -> "12 m 34 s".
std::string FormatSeconds(double s);

// Returns a signed percentage of a fraction: -0.3 -> "-30.0%", 0.042 -> "+4.2%".
std::string FormatPercent(double fraction);

// Returns `v` with exactly `digits` decimals ("%.*f"): 12.345, 1 -> "12.3".
std::string Fixed(double v, int digits);

// Returns "k=v, k=v" (or "-" when empty).
std::string FormatLabels(const std::map<std::string, std::string>& labels);

}  // namespace harness::reports
