// RFC 3339 UTC timestamps ("2024-05-01T12:00:00.250Z"), the only form report.json uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harness::reports {

// Returns `t` as RFC 3339 UTC with millisecond precision: "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatRfc3339Utc(std::chrono::system_clock::time_point t);

// Returns nanoseconds since the Unix epoch for "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z"; nullopt if
// `text` is not in that form or names an impossible date (leap second 60 is accepted).
std::optional<int64_t> ParseRfc3339Utc(std::string_view text);

}  // namespace harness::reports
