// Text and Markdown renderings of a CompareResult, in blktests' "old -> new" style.
#include <cmath>

#include "reports/compare.h"
#include "reports/number_format.h"
#include "reports/text_escape.h"

namespace harness::reports {
namespace {

std::string OutcomeOr(const std::optional<Outcome>& o) {
  return o ? std::string(OutcomeName(*o)) : std::string("(none)");
}

std::string Headline(const CompareResult& r) {
  if (!r.regression) {
    return "OK: no new failures, no metric regressed beyond its threshold";
  }
  std::string parts;
  if (!r.new_failures.empty()) {
    parts += std::to_string(r.new_failures.size()) + " new failure" +
             (r.new_failures.size() == 1 ? "" : "s");
  }
  size_t regressed = r.RegressedMetrics();
  if (regressed > 0) {
    if (!parts.empty()) parts += ", ";
    parts += std::to_string(regressed) + " metric" + (regressed == 1 ? "" : "s") + " regressed";
  }
  return "REGRESSION: " + parts;
}

std::string MetricVerdict(const MetricChange& m) {
  if (m.regression) return "REGRESSED";
  if (m.flagged) return "improved";
  return "ok";
}

std::string Threshold(const MetricChange& m) { return "±" + FormatPercent(m.threshold).substr(1); }

}  // namespace

std::string RenderCompareText(const CompareResult& r) {
  std::string out = r.old_label + " -> " + r.new_label + "\n" + Headline(r) + "\n";
  auto tests = [&](const char* title, const std::vector<TestChange>& changes) {
    if (changes.empty()) return;
    out += "\n" + std::string(title) + " (" + std::to_string(changes.size()) + "):\n";
    for (const TestChange& c : changes) {
      out += "  " + SanitizeUtf8(c.test) + ": " + OutcomeOr(c.before) + " -> " + OutcomeOr(c.after);
      if (!c.reason.empty()) out += " (" + SanitizeUtf8(c.reason) + ")";
      out += "\n";
    }
  };
  tests("new failures", r.new_failures);
  tests("fixed", r.fixed);
  tests("other outcome changes", r.other_changes);
  auto names = [&](const char* title, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    out += "\n" + std::string(title) + " (" + std::to_string(ids.size()) + "):\n";
    for (const std::string& id : ids) out += "  " + SanitizeUtf8(id) + "\n";
  };
  names("new tests", r.new_tests);
  names("removed tests", r.removed_tests);
  if (!r.metric_changes.empty()) {
    out += "\nmetrics (" + std::to_string(r.FlaggedMetrics()) + " of " +
           std::to_string(r.metric_changes.size()) + " beyond threshold):\n";
    for (const MetricChange& m : r.metric_changes) {
      out += "  " + SanitizeUtf8(m.key) + ": " + FormatQuantity(m.before) + " -> " +
             FormatQuantity(m.after) + " " + SanitizeUtf8(m.unit) + " (" +
             FormatPercent(m.relative) + ", threshold " + Threshold(m) + ") " + MetricVerdict(m) +
             "\n";
    }
  }
  names("new metrics", r.new_metrics);
  names("removed metrics", r.removed_metrics);
  return out;
}

std::string RenderCompareMarkdown(const CompareResult& r) {
  std::string out = "## " + std::string(r.regression ? "❌ " : "✅ ") + MarkdownCell(Headline(r)) +
                    "\n\n" + MarkdownCode(r.old_label) + " → " + MarkdownCode(r.new_label) + "\n\n";
  auto tests = [&](const char* title, const std::vector<TestChange>& changes) {
    if (changes.empty()) return;
    out += "### " + std::string(title) + " (" + std::to_string(changes.size()) +
           ")\n\n| test | before | after | reason |\n|---|---|---|---|\n";
    for (const TestChange& c : changes) {
      out += "| " + MarkdownCode(c.test, true) + " | " + OutcomeOr(c.before) + " | " +
             OutcomeOr(c.after) + " | " + MarkdownCell(c.reason) + " |\n";
    }
    out += "\n";
  };
  tests("New failures", r.new_failures);
  tests("Fixed", r.fixed);
  tests("Other outcome changes", r.other_changes);
  auto names = [&](const char* title, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    out += "### " + std::string(title) + " (" + std::to_string(ids.size()) + ")\n\n";
    for (const std::string& id : ids) out += "- " + MarkdownCode(id) + "\n";
    out += "\n";
  };
  names("New tests", r.new_tests);
  names("Removed tests", r.removed_tests);
  if (!r.metric_changes.empty()) {
    out +=
        "### Metrics\n\n| metric | before | after | change | threshold | |\n"
        "|---|---:|---:|---:|---:|---|\n";
    for (const MetricChange& m : r.metric_changes) {
      out += "| " + MarkdownCode(m.key, true) + " | " + FormatQuantity(m.before) + " " +
             MarkdownCell(m.unit) + " | " + FormatQuantity(m.after) + " " + MarkdownCell(m.unit) +
             " | " + FormatPercent(m.relative) + " | " + Threshold(m) + " | " +
             (m.regression ? "**" + MetricVerdict(m) + "**" : MetricVerdict(m)) + " |\n";
    }
    out += "\n";
  }
  names("New metrics", r.new_metrics);
  names("Removed metrics", r.removed_metrics);
  return out;
}

}  // namespace harness::reports
