#include "reports/markdown_writer.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "reports/file_io.h"
#include "reports/junit_writer.h"
#include "reports/number_format.h"
#include "reports/text_escape.h"

namespace harness::reports {
namespace {

constexpr size_t kMaxFailures = 50;
constexpr size_t kMaxSkipReasons = 30;
constexpr size_t kSkipExamples = 3;
constexpr size_t kMaxMetrics = 40;
constexpr size_t kMaxFieldChars = 400;

std::string Cut(const std::string& s) {
  if (s.size() <= kMaxFieldChars) return s;
  size_t end = kMaxFieldChars;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "…";
}

std::string Cell(const std::string& s) { return MarkdownCell(Cut(s)); }

std::string CountsRow(const std::string& label, const OutcomeCounts& c, double seconds) {
  return "| " + label + " | " + std::to_string(c.pass) + " | " + std::to_string(c.fail) + " | " +
         std::to_string(c.skip) + " | " + std::to_string(c.xfail) + " | " +
         std::to_string(c.total()) + " | " + FormatSeconds(seconds) + " |\n";
}

std::string Headline(const Report& r) {
  const OutcomeCounts& c = r.totals.counts;
  Verdict v = VerdictOf(c);
  const char* mark = v == Verdict::kPass ? "✅" : v == Verdict::kFail ? "❌" : "⚠️";
  const Target& t = r.run.target;
  std::string who = std::string(AdapterName(t.adapter));
  if (!t.product.empty()) who += " (" + t.vendor + " " + t.product + " " + t.revision + ")";
  return "# " + std::string(mark) + " " + std::string(VerdictName(v)) + ": " +
         std::to_string(c.fail) + " failed, " + std::to_string(c.pass) + " passed, " +
         std::to_string(c.skip) + " skipped, " + std::to_string(c.xfail) + " xfail — " +
         MarkdownCell(who) + " at " + MarkdownCode(t.portal) + "\n\n";
}

std::string RunFacts(const Report& r) {
  const Run& run = r.run;
  std::string out = "| run | " + MarkdownCode(run.run_id, true) + " |\n|---|---|\n";
  auto row = [&](const char* k, const std::string& v) {
    if (!v.empty()) out += std::string("| ") + k + " | " + Cell(v) + " |\n";
  };
  row("target", std::string(AdapterName(run.target.adapter)) + " " + run.target.portal);
  row("iqn", run.target.iqn);
  if (!run.target.product.empty()) {
    row("product", run.target.vendor + " " + run.target.product + " " + run.target.revision);
  }
  for (const auto& [component, version] : run.target.versions) {
    out += "| version | " + Cell(component + " " + version) + " |\n";
  }
  row("profile", run.profile + (run.shard ? " (shard " + std::to_string(run.shard->index + 1) +
                                                "/" + std::to_string(run.shard->count) + ")"
                                          : std::string()));
  row("started", run.started_at);
  row("ended", run.ended_at);
  row("host",
      run.host.hostname + " (" + run.host.kernel + ", " + std::to_string(run.host.cpus) + " CPUs)");
  row("harness", run.harness_version);
  return out + "\n";
}

std::string SuiteTable(const Report& r) {
  std::string out =
      "## Totals\n\n| suite | PASS | FAIL | SKIP | XFAIL | total | time |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const SuiteResult& s : r.suites) {
    out += CountsRow(MarkdownCell(s.name) + " (" + std::string(SuiteKindName(s.kind)) + ")",
                     s.counts, s.duration_s);
  }
  out += CountsRow("**all**", r.totals.counts, r.totals.duration_s);
  return out + "\n";
}

std::string Failures(const Report& r) {
  std::vector<const TestResult*> failed;
  for (const TestResult& t : r.tests) {
    if (t.outcome == Outcome::kFail) failed.push_back(&t);
  }
  if (failed.empty()) return "";
  std::string out = "## Failures (" + std::to_string(failed.size()) + ")\n\n";
  for (size_t i = 0; i < failed.size() && i < kMaxFailures; ++i) {
    const TestResult& t = *failed[i];
    out += "- **" + MarkdownCode(t.name) + "**: " + Cell(t.reason);
    if (!t.clause.empty()) out += " — " + Cell(t.clause);
    out += "\n";
    if (t.failure) {
      auto sub = [&](const char* label, const std::string& v) {
        if (!v.empty()) out += std::string("  - ") + label + ": " + MarkdownCode(Cut(v)) + "\n";
      };
      sub("expected", t.failure->expected);
      sub("actual", t.failure->actual);
      sub("sense", t.failure->sense_hex);
      sub("cdb", t.failure->cdb_hex);
      sub("message", t.failure->message);
    }
  }
  if (failed.size() > kMaxFailures) {
    out += "\n… and " + std::to_string(failed.size() - kMaxFailures) +
           " more failures in report.json.\n";
  }
  return out + "\n";
}

std::string Skips(const Report& r) {
  std::map<std::string, std::vector<const TestResult*>> by_reason;
  for (const TestResult& t : r.tests) {
    if (t.outcome == Outcome::kSkip) by_reason[t.reason].push_back(&t);
  }
  if (by_reason.empty()) return "";
  std::vector<std::pair<std::string, std::vector<const TestResult*>>> rows(by_reason.begin(),
                                                                           by_reason.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  std::string out = "## Skipped, by reason\n\n| reason | tests | examples |\n|---|---:|---|\n";
  for (size_t i = 0; i < rows.size() && i < kMaxSkipReasons; ++i) {
    std::string examples;
    for (size_t j = 0; j < rows[i].second.size() && j < kSkipExamples; ++j) {
      if (!examples.empty()) examples += ", ";
      examples += MarkdownCode(rows[i].second[j]->name, true);
    }
    if (rows[i].second.size() > kSkipExamples) examples += ", …";
    out += "| " + Cell(rows[i].first) + " | " + std::to_string(rows[i].second.size()) + " | " +
           examples + " |\n";
  }
  if (rows.size() > kMaxSkipReasons) {
    out += "\n… and " + std::to_string(rows.size() - kMaxSkipReasons) + " more reasons.\n";
  }
  return out + "\n";
}

std::string Xfails(const Report& r) {
  std::string rows;
  size_t n = 0;
  for (const TestResult& t : r.tests) {
    if (t.outcome != Outcome::kXfail) continue;
    if (++n <= kMaxFailures) {
      rows += "| " + MarkdownCode(t.name, true) + " | " + Cell(t.reason) + " |\n";
    }
  }
  if (n == 0) return "";
  std::string out = "## Known failures (XFAIL, " + std::to_string(n) +
                    ")\n\n| test | reason |\n|---|---|\n" + rows;
  if (n > kMaxFailures) out += "\n… and " + std::to_string(n - kMaxFailures) + " more.\n";
  return out + "\n";
}

std::string Metrics(const Report& r) {
  if (r.metrics.empty()) return "";
  std::vector<const Metric*> sorted;
  for (const Metric& m : r.metrics) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Metric* a, const Metric* b) {
    return std::tie(a->suite, a->name, a->labels) < std::tie(b->suite, b->name, b->labels);
  });
  std::string out =
      "## Metrics\n\n| suite | metric | labels | value | spread |\n|---|---|---|---:|---:|\n";
  for (size_t i = 0; i < sorted.size() && i < kMaxMetrics; ++i) {
    const Metric& m = *sorted[i];
    out += "| " + Cell(m.suite) + " | " + Cell(m.name) + " | " + Cell(FormatLabels(m.labels)) +
           " | " + FormatQuantity(m.value) + " " + Cell(m.unit) + " | " +
           (m.spread ? "±" + FormatPercent(*m.spread).substr(1) : std::string("-")) + " |\n";
  }
  if (sorted.size() > kMaxMetrics) {
    out += "\n… and " + std::to_string(sorted.size() - kMaxMetrics) + " more in report.json.\n";
  }
  return out + "\n";
}

}  // namespace

std::string RenderMarkdown(const Report& report) {
  return Headline(report) + RunFacts(report) + SuiteTable(report) + Failures(report) +
         Xfails(report) + Skips(report) + Metrics(report);
}

Status WriteMarkdown(const std::filesystem::path& path, const Report& report) {
  return WriteFileAtomically(path, RenderMarkdown(report));
}

}  // namespace harness::reports
