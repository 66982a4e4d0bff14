// summary.md: the report as a CI job summary (GitHub $GITHUB_STEP_SUMMARY, GitLab, Jenkins).
#pragma once

#include <filesystem>
#include <string>

#include "reports/report_model.h"
#include "reports/status.h"

namespace harness::reports {

// Returns summary.md: verdict headline, run facts, totals, per-suite table, failures with
// reason, clause and expected vs actual, skips grouped by reason, XFAILs, and metrics.
// Long lists are cut at fixed limits (the full data stays in report.json) so the summary
// stays far below GitHub's 1 MiB step-summary limit.
std::string RenderMarkdown(const Report& report);

// Writes RenderMarkdown(report) to `path` crash-safely.
Status WriteMarkdown(const std::filesystem::path& path, const Report& report);

}  // namespace harness::reports
