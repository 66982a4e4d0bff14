// index.html: one self-contained page (no network, no external script, style or font) with
// inline SVG charts and, for several runs, a side-by-side comparison matrix.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/report_model.h"
#include "reports/status.h"

namespace harness::reports {

// Returns index.html for one run.
std::string RenderHtml(const Report& report);

// Returns index.html for several runs (e.g. reference and tgt on the same suites): a runs
// overview, a test x run outcome matrix, metric charts across runs, then each run's charts
// and test table. The page renders fully without JavaScript; a small inline script only adds
// filtering and sorting, and marks <html data-script-ok="1"> when it ran to the end. A
// Content-Security-Policy forbids every network load. REQUIRES: !runs.empty().
std::string RenderHtml(const std::vector<Report>& runs);

// Writes RenderHtml(runs) to `path` crash-safely. REQUIRES: !runs.empty().
Status WriteHtml(const std::filesystem::path& path, const std::vector<Report>& runs);

}  // namespace harness::reports
