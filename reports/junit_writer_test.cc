#include "reports/junit_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "reports/testing/run_program.h"
#include "reports/testing/sample_report.h"

namespace harness::reports {
namespace {

namespace fs = std::filesystem;
using testing::FindOnPath;
using testing::RunProgram;
using testing::SampleReport;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(JunitWriterTest, OneSuitePerSuiteWithCounts) {
  std::string xml = RenderJunit(SampleReport());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_NE(xml.find("<testsuites name=\"iscsi-harness run-1 (reference 127.0.0.1:3260)\" "
                     "tests=\"12\" failures=\"2\" errors=\"0\" time=\"200.500\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"conformance\" tests=\"6\" failures=\"2\" errors=\"0\" "
                     "skipped=\"2\" time=\"12.500\" timestamp=\"2024-05-01T12:00:00.000Z\" "
                     "hostname=\"ci-runner-1\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"libiscsi\" tests=\"5\" failures=\"0\" errors=\"0\" "
                     "skipped=\"2\" time=\"150.250\""),
            std::string::npos);
  EXPECT_EQ(Count(xml, "<testsuite "), 3u);
  EXPECT_EQ(Count(xml, "<testcase "), 12u);
  EXPECT_EQ(Count(xml, "<failure "), 2u);
  EXPECT_EQ(Count(xml, "<skipped "), 4u);  // 3 SKIP + 1 XFAIL
  // Jenkins' junit-10.xsd has no "skipped" on the root.
  EXPECT_EQ(xml.substr(0, xml.find('\n', 40)).find("skipped"), std::string::npos);
}

TEST(JunitWriterTest, TestcaseShapes) {
  std::string xml = RenderJunit(SampleReport());
  EXPECT_NE(xml.find("<testcase classname=\"Conformance.Read10\" name=\"BeyondEol\" "
                     "time=\"0.004\">\n      <failure message=\"expected CHECK CONDITION "
                     "05/21/00 LBA OUT OF RANGE, got GOOD\" type=\"SBC-3 5.8\">reason: READ(10) "
                     "past the last LBA was not rejected&#10;clause: SBC-3 5.8&#10;"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"Conformance.Tmf\" name=\"AbortTask\" time=\"0.000\">"
                     "\n      <skipped message=\"adapter cannot inject a stalled backstore\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<skipped type=\"xfail\" message=\"XFAIL: known defect #12: PREEMPT AND "
                     "ABORT leaves the UA unset\">"),
            std::string::npos);
  EXPECT_NE(xml.find("name=\"Hostile/param=1.5k\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"target.product\" value=\"reftarget\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<system-out>sent READ(10) lba=0xffff len=8&#10;received GOOD&#10;"),
            std::string::npos);
}

TEST(JunitWriterTest, FailureMessageNamesSense) {
  TestResult t;
  t.outcome = Outcome::kFail;
  t.reason = "r";
  t.failure = Failure{"GOOD", "CHECK CONDITION 05/24/00", "", "700005", ""};
  EXPECT_EQ(FailureHeadline(t), "expected GOOD, got CHECK CONDITION 05/24/00 (sense 700005)");
  t.failure = Failure{"", "", "", "", "m"};
  EXPECT_EQ(FailureHeadline(t), "r");
  t.reason.clear();
  EXPECT_EQ(FailureHeadline(t), "m");
}

TEST(JunitWriterTest, HostileTextIsEscaped) {
  std::string xml = RenderJunit(SampleReport());
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_EQ(xml.find("]]>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_EQ(xml.find('\xff'), std::string::npos);
  EXPECT_NE(xml.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"),
            std::string::npos);
}

class JunitXmllintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    xmllint_ = FindOnPath("xmllint");
    if (xmllint_.empty()) {
      GTEST_SKIP() << "xmllint not found on PATH (Debian package libxml2-utils)";
    }
    dir_ = fs::temp_directory_path() / ("reports_junit_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Returns xmllint's verdict on `xml` against schema/junit.xsd: "" if valid.
  std::string Validate(const Report& report) {
    fs::path file = dir_ / "junit.xml";
    EXPECT_TRUE(WriteJunit(file, report).ok());
    auto run = RunProgram({xmllint_, "--noout", "--nonet", "--schema",
                           std::string(REPORTS_SCHEMA_DIR) + "/junit.xsd", file.string()},
                          std::chrono::seconds(30));
    if (!run.ok()) return run.error();
    if (run.value().exit_code != 0)
      return "exit " + std::to_string(run.value().exit_code) + ": " + run.value().err;
    return "";
  }

  std::string xmllint_;
  fs::path dir_;
};

TEST_F(JunitXmllintTest, SampleValidatesAgainstJunitXsd) {
  EXPECT_EQ(Validate(SampleReport()), "");
}

TEST_F(JunitXmllintTest, EmptyReportValidates) {
  Report r;
  r.run.run_id = "empty";
  EXPECT_EQ(Validate(r), "");
}

TEST_F(JunitXmllintTest, SchemaRejectsWhatReportersReject) {
  // The XSD is not a rubber stamp: an exponent time and a root "skipped" are refused.
  fs::path file = dir_ / "bad.xml";
  std::ofstream(file) << "<testsuites skipped=\"1\"><testsuite tests=\"1\" time=\"1e-05\"/>"
                         "</testsuites>\n";
  auto run = RunProgram({xmllint_, "--noout", "--nonet", "--schema",
                         std::string(REPORTS_SCHEMA_DIR) + "/junit.xsd", file.string()},
                        std::chrono::seconds(30));
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_NE(run.value().exit_code, 0);
  EXPECT_NE(run.value().err.find("skipped"), std::string::npos) << run.value().err;
  EXPECT_NE(run.value().err.find("1e-05"), std::string::npos) << run.value().err;
}

}  // namespace
}  // namespace harness::reports
