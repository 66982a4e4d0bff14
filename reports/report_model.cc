#include "reports/report_model.h"

#include <array>
#include <cmath>
#include <utility>

namespace harness::reports {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view name) {
  for (const auto& [value, spelling] : table) {
    if (spelling == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view Spell(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, spelling] : table) {
    if (v == value) return spelling;
  }
  return "?";
}

constexpr std::array<std::pair<Outcome, std::string_view>, 4> kOutcomes = {{
    {Outcome::kPass, "PASS"},
    {Outcome::kFail, "FAIL"},
    {Outcome::kSkip, "SKIP"},
    {Outcome::kXfail, "XFAIL"},
}};

constexpr std::array<std::pair<Adapter, std::string_view>, 6> kAdapters = {{
    {Adapter::kReference, "reference"},
    {Adapter::kTgt, "tgt"},
    {Adapter::kLio, "lio"},
    {Adapter::kScst, "scst"},
    {Adapter::kUrl, "url"},
    {Adapter::kIstgt, "istgt"},
}};

constexpr std::array<std::pair<SuiteKind, std::string_view>, 5> kSuiteKinds = {{
    {SuiteKind::kGtest, "gtest"},
    {SuiteKind::kIscsiTestCu, "iscsi-test-cu"},
    {SuiteKind::kFio, "fio"},
    {SuiteKind::kExternal, "external"},
    {SuiteKind::kLoadgen, "loadgen"},
}};

}  // namespace

std::string_view OutcomeName(Outcome outcome) { return Spell(kOutcomes, outcome); }
std::optional<Outcome> ParseOutcome(std::string_view name) { return Lookup(kOutcomes, name); }
std::string_view AdapterName(Adapter adapter) { return Spell(kAdapters, adapter); }
std::optional<Adapter> ParseAdapter(std::string_view name) { return Lookup(kAdapters, name); }
std::string_view SuiteKindName(SuiteKind kind) { return Spell(kSuiteKinds, kind); }
std::optional<SuiteKind> ParseSuiteKind(std::string_view name) { return Lookup(kSuiteKinds, name); }

void OutcomeCounts::Add(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      ++pass;
      break;
    case Outcome::kFail:
      ++fail;
      break;
    case Outcome::kSkip:
      ++skip;
      break;
    case Outcome::kXfail:
      ++xfail;
      break;
  }
}

int64_t OutcomeCounts::Get(Outcome outcome) const {
  switch (outcome) {
    case Outcome::kPass:
      return pass;
    case Outcome::kFail:
      return fail;
    case Outcome::kSkip:
      return skip;
    case Outcome::kXfail:
      return xfail;
  }
  return 0;
}

bool Failure::empty() const {
  return expected.empty() && actual.empty() && cdb_hex.empty() && sense_hex.empty() &&
         message.empty();
}

std::string Metric::Key() const {
  std::string key = suite + "/" + name + "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) key += ",";
    key += k + "=" + v;
    first = false;
  }
  return key + "}";
}

Verdict VerdictOf(const OutcomeCounts& counts) {
  if (counts.fail > 0) return Verdict::kFail;
  if (counts.pass + counts.xfail == 0) return Verdict::kNothingChecked;
  return Verdict::kPass;
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kNothingChecked:
      return "NOTHING CHECKED";
  }
  return "?";
}

void RecomputeCounts(Report* report) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < report->suites.size(); ++i) {
    report->suites[i].counts = OutcomeCounts{};
    index.emplace(report->suites[i].name, i);
  }
  for (const TestResult& test : report->tests) {
    auto [it, inserted] = index.emplace(test.suite, report->suites.size());
    if (inserted) {
      report->suites.push_back(SuiteResult{test.suite, SuiteKind::kExternal, 0, {}});
    }
    report->suites[it->second].counts.Add(test.outcome);
  }
  report->totals = Totals{};
  for (const SuiteResult& suite : report->suites) {
    report->totals.counts.pass += suite.counts.pass;
    report->totals.counts.fail += suite.counts.fail;
    report->totals.counts.skip += suite.counts.skip;
    report->totals.counts.xfail += suite.counts.xfail;
    report->totals.duration_s += suite.duration_s;
  }
}

std::optional<double> RelativeSpread(const std::vector<double>& samples) {
  if (samples.size() < 2) return std::nullopt;
  double sum = 0;
  for (double s : samples) sum += s;
  double mean = sum / static_cast<double>(samples.size());
  if (mean == 0) return std::nullopt;
  double sq = 0;
  for (double s : samples) sq += (s - mean) * (s - mean);
  return std::sqrt(sq / static_cast<double>(samples.size())) / std::fabs(mean);
}

namespace {
// The schema's id is "Suite.Family.Rest" where only Rest may contain dots (parameters such
// as "bs=1.5k"), so the split is at the second dot, not the last.
size_t SecondDot(std::string_view id) {
  size_t first = id.find('.');
  return first == std::string_view::npos ? first : id.find('.', first + 1);
}
}  // namespace

std::string_view TestClassName(std::string_view id) {
  size_t dot = SecondDot(id);
  return dot == std::string_view::npos ? id : id.substr(0, dot);
}

std::string_view TestShortName(std::string_view id) {
  size_t dot = SecondDot(id);
  return dot == std::string_view::npos ? id : id.substr(dot + 1);
}

}  // namespace harness::reports
