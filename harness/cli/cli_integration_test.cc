// iscsi-harness end to end (issue 3, acceptance 1 and 3): `run --target reference --suites
// conformance --profile quick` completes and writes the four reports; report.json validates
// against the schema; `compare` passes an unchanged report and flags an injected regression;
// `list` names the suites; bad options exit 2 naming the option.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/process/child_process.h"
#include "reports/report_io.h"

namespace {

namespace fs = std::filesystem;
using harness::process::Run;
using harness::process::RunOptions;
using harness::process::RunResult;

RunResult Harness(const std::vector<std::string>& args, std::chrono::seconds limit = std::chrono::seconds(60)) {
  std::vector<std::string> argv = {ISCSI_HARNESS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o;
  o.limit = limit;
  o.env["REFTARGET_BIN"] = REFTARGET_BIN;
  return Run(argv, o);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() / ("iscsi-harness-cli-test-" + std::to_string(getpid()));
    fs::remove_all(out_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(out_, ec);
  }
  fs::path out_;
};

TEST_F(CliTest, ListNamesTheSuites) {
  RunResult r = Harness({"list"});
  ASSERT_TRUE(r.exited_ok()) << r.Describe() << r.output;
  EXPECT_NE(r.output.find("conformance"), std::string::npos) << r.output;
}

TEST_F(CliTest, BadOptionsExitTwoNamingTheOption) {
  RunResult r = Harness({"run", "--profile", "sideways"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("'sideways'"), std::string::npos) << r.output;
  r = Harness({"run", "--target", "nonesuch", "--out", out_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("'nonesuch'"), std::string::npos) << r.output;
  r = Harness({"compare", "/nonexistent/a.json", "/nonexistent/b.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/nonexistent/a.json"), std::string::npos) << r.output;
}

TEST_F(CliTest, QuickConformanceRunWritesEveryReportAndCompareGatesRegressions) {
  RunResult r = Harness({"run", "--target", "reference", "--suites", "conformance", "--profile",
                         "quick", "--out", out_.string()},
                        std::chrono::seconds(900));
  ASSERT_TRUE(r.started) << r.Describe();
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_EQ(r.exit_code, 0) << "every conformance test must pass on reftarget\n" << r.output;
  for (const char* f : {"report.json", "junit.xml", "summary.md", "index.html"}) {
    EXPECT_TRUE(fs::exists(out_ / f)) << f;
  }
  auto report = harness::reports::LoadReport(out_ / "report.json");
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_GT(report.value().totals.counts.pass, 100);
  EXPECT_EQ(report.value().totals.counts.fail, 0);
  EXPECT_NE(report.value().run.target.portal.find("127.0.0.1:"), std::string::npos);

  RunResult same = Harness({"compare", (out_ / "report.json").string(), (out_ / "report.json").string()});
  EXPECT_EQ(same.exit_code, 0) << same.output;

  // Inject a regression: the first PASS becomes a FAIL.
  harness::reports::Report worse = report.value();
  for (auto& t : worse.tests) {
    if (t.outcome != harness::reports::Outcome::kPass) continue;
    t.outcome = harness::reports::Outcome::kFail;
    t.reason = "injected regression";
    break;
  }
  harness::reports::RecomputeCounts(&worse);
  ASSERT_TRUE(harness::reports::WriteReport(out_ / "worse.json", worse).ok());
  RunResult cmp = Harness({"compare", (out_ / "report.json").string(), (out_ / "worse.json").string()});
  EXPECT_EQ(cmp.exit_code, 1) << cmp.output;
  EXPECT_NE(cmp.output.find("injected regression"), std::string::npos) << cmp.output;
}

}  // namespace
