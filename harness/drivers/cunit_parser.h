// Parses the console output of libiscsi's iscsi-test-cu (CUnit "basic" verbose mode) into
// per-test outcomes, and folds a run into one PASS / SKIP / FAIL verdict per family.
//
// What the output looks like (libiscsi 1.19, CUnit 2.1):
//   Suite: Unmap
//     Test: Simple ...    [SKIPPED] Logical unit is fully provisioned. Skipping test
//   passed
//     Test: BeyondEol ...FAILED
//       1. test_unmap_beyond_eol.c:38  - CU_ASSERT_EQUAL(_r,0)
//   Run Summary:    Type  Total    Ran Passed Failed Inactive
//                 suites      1      1    n/a      0        0
//                  tests      3      3      2      1        0
// CUnit says "passed" for a test that bailed out with "[SKIPPED]", so a passed test whose
// log has "[SKIPPED]" counts as SKIP. "[FAILED]" lines inside a passed test are probes
// libiscsi expects to fail and do not change the verdict.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harness::drivers {

enum class Outcome { kPass, kSkip, kFail };

// Returns "PASS", "SKIP" or "FAIL".
const char* OutcomeName(Outcome outcome);

struct CuTest {
  std::string suite;
  std::string name;
  Outcome outcome = Outcome::kFail;
  std::vector<std::string> notes;  // log lines and CUnit failure lines, trimmed
};

struct CuRun {
  std::vector<CuTest> tests;
  bool has_summary = false;
  int summary_suites_failed = 0;  // suites whose init/cleanup failed
  int summary_tests_run = 0;
  int summary_tests_failed = 0;
  std::vector<std::string> problems;  // output that makes the run untrustworthy
};

// Parses iscsi-test-cu output. Never fails: what it cannot account for goes to problems.
CuRun ParseIscsiTestCuOutput(std::string_view text);

struct FamilyResult {
  std::string backstore;
  std::string family;  // e.g. "SCSI.Read10"
  Outcome outcome = Outcome::kFail;
  int passed = 0;
  int skipped = 0;
  int failed = 0;
  double seconds = 0;
  std::string reason;  // why FAIL or SKIP, when it is not one test's log
  std::vector<CuTest> tests;
};

// Folds one run of `family` into a verdict: FAIL if any test failed, the tool did not end
// normally (`exit_ok` false with no failed test to explain it), there is no summary, the
// summary disagrees with the per-test lines, or no test ran; else PASS if any test passed,
// else SKIP.
FamilyResult SummarizeFamily(const std::string& family, const CuRun& run, bool exit_ok,
                             const std::string& exit_description);

}  // namespace harness::drivers
