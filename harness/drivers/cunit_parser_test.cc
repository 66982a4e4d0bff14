// Unit tests of the iscsi-test-cu output parser, fed with output captured from real runs
// (testdata/: libiscsi 1.19 against tgt 1.0.85).
#include "harness/drivers/cunit_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace harness::drivers {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(HARNESS_DRIVERS_TESTDATA_DIR) + "/" + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const CuTest* Find(const CuRun& run, const std::string& suite, const std::string& name) {
  for (const auto& t : run.tests) {
    if (t.suite == suite && t.name == name) return &t;
  }
  return nullptr;
}

TEST(CunitParser, CountsMatchTheSummaryOfARealRun) {
  const std::string text = ReadTestdata("iscsi_test_cu_tgt_families.txt");
  ASSERT_FALSE(text.empty());
  CuRun run = ParseIscsiTestCuOutput(text);
  EXPECT_TRUE(run.has_summary);
  EXPECT_EQ(run.summary_tests_run, 145);
  EXPECT_EQ(run.summary_tests_failed, 2);
  EXPECT_EQ(run.tests.size(), 145u);
  EXPECT_TRUE(run.problems.empty());
  int pass = 0, skip = 0, fail = 0;
  for (const auto& t : run.tests) {
    pass += t.outcome == Outcome::kPass;
    skip += t.outcome == Outcome::kSkip;
    fail += t.outcome == Outcome::kFail;
  }
  EXPECT_EQ(pass, 123);
  EXPECT_EQ(skip, 20);
  EXPECT_EQ(fail, 2);
}

TEST(CunitParser, PassedWithSkippedLogIsSkip) {
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_tgt_families.txt"));
  const CuTest* t = Find(run, "Unmap", "Simple");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->outcome, Outcome::kSkip);
  ASSERT_FALSE(t->notes.empty());
  EXPECT_NE(t->notes[0].find("fully provisioned"), std::string::npos);
  // Two [SKIPPED] lines, one verdict.
  t = Find(run, "ReportSupportedOpcodes", "OneCommand");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->outcome, Outcome::kSkip);
}

TEST(CunitParser, FailedProbeInsideAPassedTestStaysPass) {
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_tgt_families.txt"));
  const CuTest* t = Find(run, "WriteSame16", "UnmapVPD");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->outcome, Outcome::kPass);
}

TEST(CunitParser, FailedTestKeepsItsAssertionLines) {
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_tgt_families.txt"));
  const CuTest* t = Find(run, "iSCSIdatasn", "iSCSIDataSnInvalid");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->outcome, Outcome::kFail);
  ASSERT_EQ(t->notes.size(), 4u);
  EXPECT_NE(t->notes[0].find("test_iscsi_datasn_invalid.c:98"), std::string::npos);
  t = Find(run, "GetLBAStatus", "BeyondEol");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->outcome, Outcome::kFail);
  EXPECT_NE(t->notes[0].find("[FAILED] GET_LBA_STATUS"), std::string::npos);
}

TEST(CunitParser, TargetDyingMidRunFailsTheUnfinishedTest) {
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_target_died.txt"));
  EXPECT_FALSE(run.has_summary);
  ASSERT_FALSE(run.tests.empty());
  const CuTest& last = run.tests.back();
  EXPECT_EQ(last.suite, "WriteSame10");
  EXPECT_EQ(last.name, "Simple");
  EXPECT_EQ(last.outcome, Outcome::kFail);
  FamilyResult f = SummarizeFamily("SCSI.WriteSame10", run, false, "timed out after 90000 ms");
  EXPECT_EQ(f.outcome, Outcome::kFail);
  EXPECT_NE(f.reason.find("no CUnit run summary"), std::string::npos);
}

TEST(CunitParser, LoginFailureIsAFailNotASkip) {
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_login_failed.txt"));
  EXPECT_TRUE(run.tests.empty());
  FamilyResult f = SummarizeFamily("SCSI.Inquiry", run, false, "exit 255");
  EXPECT_EQ(f.outcome, Outcome::kFail);
  EXPECT_NE(f.reason.find("no test ran"), std::string::npos);
}

TEST(CunitParser, TextAfterTheVerdictIsNotTheTests) {
  // reftarget without PERSISTENT RESERVE: the suite's cleanup logs "[SKIPPED]" right after
  // CUnit's "passed", on the same line.
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_verdict_then_cleanup_log.txt"));
  ASSERT_EQ(run.tests.size(), 1u);
  EXPECT_EQ(run.tests[0].name, "Simple");
  EXPECT_EQ(run.tests[0].outcome, Outcome::kPass);
  EXPECT_TRUE(run.problems.empty());
  FamilyResult f = SummarizeFamily("SCSI.TestUnitReady", run, true, "exit 0");
  EXPECT_EQ(f.outcome, Outcome::kPass) << f.reason;
}

TEST(CunitParser, FamilyVerdicts) {
  const std::string all_skipped =
      "Suite: Unmap\n"
      "  Test: Simple ...    [SKIPPED] Logical unit is fully provisioned. Skipping test\n"
      "passed\n"
      "Run Summary:    Type  Total    Ran Passed Failed Inactive\n"
      "              suites      1      1    n/a      0        0\n"
      "               tests      1      1      1      0        0\n";
  FamilyResult f =
      SummarizeFamily("SCSI.Unmap", ParseIscsiTestCuOutput(all_skipped), true, "exit 0");
  EXPECT_EQ(f.outcome, Outcome::kSkip);
  EXPECT_EQ(f.skipped, 1);

  const std::string mixed =
      "Suite: Read10\n"
      "  Test: Simple ...passed\n"
      "  Test: DpoFua ...    [SKIPPED] DPO not supported\n"
      "passed\n"
      "Run Summary:    Type  Total    Ran Passed Failed Inactive\n"
      "              suites      1      1    n/a      0        0\n"
      "               tests      2      2      2      0        0\n";
  f = SummarizeFamily("SCSI.Read10", ParseIscsiTestCuOutput(mixed), true, "exit 0");
  EXPECT_EQ(f.outcome, Outcome::kPass);
  EXPECT_EQ(f.passed, 1);
  EXPECT_EQ(f.skipped, 1);
}

TEST(CunitParser, SummaryMismatchIsAFail) {
  const std::string text =
      "Suite: Read10\n"
      "  Test: Simple ...passed\n"
      "Run Summary:    Type  Total    Ran Passed Failed Inactive\n"
      "              suites      1      1    n/a      0        0\n"
      "               tests      2      2      2      0        0\n";
  FamilyResult f = SummarizeFamily("SCSI.Read10", ParseIscsiTestCuOutput(text), true, "exit 0");
  EXPECT_EQ(f.outcome, Outcome::kFail);
  EXPECT_NE(f.reason.find("summary says 2 tests ran"), std::string::npos);
}

}  // namespace
}  // namespace harness::drivers
