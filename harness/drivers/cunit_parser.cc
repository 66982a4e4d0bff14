#include "harness/drivers/cunit_parser.h"

#include <sstream>

namespace harness::drivers {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Reads the integer columns of a summary row such as "tests  3  3  2  1  0" ("n/a" -> -1).
std::vector<int> SummaryNumbers(std::string_view row) {
  std::istringstream in{std::string(row)};
  std::string word;
  std::vector<int> out;
  in >> word;  // the row's name
  while (in >> word) {
    if (word == "n/a") {
      out.push_back(-1);
      continue;
    }
    try {
      out.push_back(std::stoi(word));
    } catch (...) {
      out.push_back(-1);
    }
  }
  return out;
}

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kSkip:
      return "SKIP";
    case Outcome::kFail:
      return "FAIL";
  }
  return "FAIL";
}

CuRun ParseIscsiTestCuOutput(std::string_view text) {
  CuRun run;
  std::string suite;
  CuTest* open = nullptr;    // test seen, verdict not yet seen
  CuTest* failed = nullptr;  // test whose CUnit failure lines may follow
  bool in_summary = false;

  auto close_unfinished = [&](const std::string& why) {
    if (open == nullptr) return;
    open->outcome = Outcome::kFail;
    open->notes.push_back("no verdict from CUnit (" + why + ")");
    run.problems.push_back("test " + open->suite + "." + open->name + " has no verdict");
    open = nullptr;
  };
  auto finish = [&](bool passed) {
    bool skipped = false;
    for (const auto& n : open->notes) {
      if (n.find("[SKIPPED]") != std::string::npos) skipped = true;
    }
    open->outcome = !passed ? Outcome::kFail : (skipped ? Outcome::kSkip : Outcome::kPass);
    failed = passed ? nullptr : open;
    open = nullptr;
  };

  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    const std::string line = Trim(raw);

    if (in_summary) {
      if (StartsWith(line, "suites")) {
        auto n = SummaryNumbers(line);
        if (n.size() >= 4) run.summary_suites_failed = n[3];
      } else if (StartsWith(line, "tests")) {
        auto n = SummaryNumbers(line);
        if (n.size() >= 4) {
          run.summary_tests_run = n[1];
          run.summary_tests_failed = n[3];
          run.has_summary = true;
        }
      }
      continue;
    }
    if (StartsWith(line, "Run Summary:")) {
      close_unfinished("run summary reached");
      in_summary = true;
      continue;
    }
    if (StartsWith(line, "Suite: ")) {
      close_unfinished("next suite started");
      failed = nullptr;
      suite = line.substr(7);
      continue;
    }
    if (line.find("Suite initialization failed") != std::string::npos ||
        line.find("Suite cleanup failed") != std::string::npos ||
        line.find("Failed to login to target for test set-up") != std::string::npos) {
      run.problems.push_back(line);
      continue;
    }
    if (StartsWith(line, "Test: ")) {
      close_unfinished("next test started");
      failed = nullptr;
      std::string rest = line.substr(6);
      size_t dots = rest.find(" ...");
      CuTest t;
      t.suite = suite;
      t.name = dots == std::string::npos ? rest : rest.substr(0, dots);
      std::string tail = dots == std::string::npos ? "" : Trim(rest.substr(dots + 4));
      run.tests.push_back(std::move(t));
      open = &run.tests.back();
      if (StartsWith(tail, "passed")) {
        finish(true);
      } else if (StartsWith(tail, "FAILED")) {
        finish(false);
      } else if (!tail.empty()) {
        open->notes.push_back(tail);
      }
      continue;
    }
    if (open != nullptr) {
      // CUnit prints the verdict without a newline, so whatever the suite logs next (e.g.
      // its cleanup's "[SKIPPED] PERSISTENT RESERVE IN is not implemented.") follows it on
      // the same line; that text is not the test's.
      if (StartsWith(line, "passed")) {
        finish(true);
      } else if (StartsWith(line, "FAILED")) {
        finish(false);
      } else if (!line.empty()) {
        open->notes.push_back(line);
      }
      continue;
    }
    if (failed != nullptr && !line.empty()) {
      failed->notes.push_back(line);  // "1. file.c:38  - CU_ASSERT..."
      continue;
    }
  }
  close_unfinished("output ended");
  return run;
}

FamilyResult SummarizeFamily(const std::string& family, const CuRun& run, bool exit_ok,
                             const std::string& exit_description) {
  FamilyResult r;
  r.family = family;
  r.tests = run.tests;
  for (const auto& t : run.tests) {
    if (t.outcome == Outcome::kPass) ++r.passed;
    if (t.outcome == Outcome::kSkip) ++r.skipped;
    if (t.outcome == Outcome::kFail) ++r.failed;
  }
  std::vector<std::string> reasons;
  if (r.failed > 0) {
    std::string names;
    for (const auto& t : run.tests) {
      if (t.outcome == Outcome::kFail)
        names += (names.empty() ? "" : ", ") + t.suite + "." + t.name;
    }
    reasons.push_back("failed: " + names);
  }
  if (!run.has_summary) reasons.push_back("no CUnit run summary (" + exit_description + ")");
  if (run.has_summary && run.summary_tests_run != static_cast<int>(run.tests.size())) {
    reasons.push_back("summary says " + std::to_string(run.summary_tests_run) +
                      " tests ran but the output shows " + std::to_string(run.tests.size()));
  }
  if (run.has_summary && run.summary_tests_failed != r.failed) {
    reasons.push_back("summary says " + std::to_string(run.summary_tests_failed) +
                      " tests failed but the output shows " + std::to_string(r.failed));
  }
  if (run.summary_suites_failed > 0) {
    reasons.push_back(std::to_string(run.summary_suites_failed) + " suite(s) failed to set up");
  }
  for (const auto& p : run.problems) reasons.push_back(p);
  if (!exit_ok && r.failed == 0) reasons.push_back("iscsi-test-cu ended with " + exit_description);
  if (run.tests.empty()) reasons.push_back("no test ran");

  if (!reasons.empty()) {
    r.outcome = Outcome::kFail;
  } else if (r.passed > 0) {
    r.outcome = Outcome::kPass;
  } else {
    r.outcome = Outcome::kSkip;
    reasons.push_back("every test skipped itself");
  }
  for (size_t i = 0; i < reasons.size(); ++i) r.reason += (i ? "; " : "") + reasons[i];
  return r;
}

}  // namespace harness::drivers
