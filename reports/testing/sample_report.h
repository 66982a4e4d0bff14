// Test helper: realistic reports (three suites, every outcome, failure details, hostile
// text, fio metrics with samples) for the writer, renderer and comparison tests.
#pragma once

#include <string>

#include "reports/report_model.h"

namespace harness::reports::testing {

// Returns a consistent report (RecomputeCounts applied) against `adapter`.
Report SampleReport(Adapter adapter = Adapter::kReference, const std::string& run_id = "run-1");

// Returns text that exercises every escaper: markup, quotes, a pipe, backticks, control
// characters, an invalid UTF-8 byte, "]]>" and a script tag.
std::string HostileText();

}  // namespace harness::reports::testing
