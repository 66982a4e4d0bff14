// iscsi-harness end to end (issue 3, acceptance 1 and 3): `run --target reference --suites
// conformance --profile quick` completes and writes the four reports; report.json validates
// against the schema; `compare` passes an unchanged report and flags an injected regression;
// `list` names the suites; bad options exit 2 naming the option.
#include <gtest/gtest.h>
#include <unistd.h>

#include <signal.h>

#include <filesystem>
#include <thread>
#include <fstream>

#include "harness/process/child_process.h"
#include "reports/history.h"
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
                         "quick", "--out", out_.string(), "--history", (out_ / "history").string()},
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
  auto history = harness::reports::ReadHistory(out_ / "history");
  ASSERT_TRUE(history.ok()) << history.error();
  ASSERT_EQ(history.value().runs.size(), 1u);
  EXPECT_EQ(history.value().runs[0].run_id, report.value().run.run_id);
  EXPECT_EQ(history.value().runs[0].profile, "quick");

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

  // `report`: one run re-rendered in place; two runs side by side in --out.
  fs::remove(out_ / "index.html");
  RunResult one = Harness({"report", out_.string()});
  EXPECT_EQ(one.exit_code, 0) << one.output;
  EXPECT_TRUE(fs::exists(out_ / "index.html"));
  const fs::path both = out_ / "both";
  RunResult two = Harness({"report", (out_ / "report.json").string(), (out_ / "worse.json").string(),
                           "--out", both.string()});
  EXPECT_EQ(two.exit_code, 0) << two.output;
  EXPECT_TRUE(fs::exists(both / "index.html"));
  RunResult no_out = Harness({"report", out_.string(), out_.string()});
  EXPECT_EQ(no_out.exit_code, 2) << no_out.output;
  RunResult missing = Harness({"report", "/nonexistent/run"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent/run"), std::string::npos) << missing.output;
}

// SIGINT mid-run: the running tool is killed, the target is stopped cleanly (reftarget logs
// "stopped" after draining), a partial report is written and the exit status is 2.
TEST_F(CliTest, InterruptStopsTheTargetAndWritesAPartialReport) {
  auto log = fs::temp_directory_path() / ("iscsi-harness-int-" + std::to_string(getpid()) + ".log");
  auto run = harness::process::BackgroundProcess::Start(
      {ISCSI_HARNESS_BIN, "run", "--target", "reference", "--suites", "conformance", "--out",
       out_.string(), "--history", (out_ / "history").string()},
      log, {{"REFTARGET_BIN", REFTARGET_BIN}});
  ASSERT_TRUE(run.ok()) << run.error();
  // Wait until iscsi-test-cu is running against the target (its first family log appears).
  const auto cu_dir = out_ / "suites" / "conformance";
  bool running = false;
  for (int i = 0; i < 3000 && !running; ++i) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(cu_dir, ec); !ec && it != fs::directory_iterator(); ++it) {
      running = running || it->path().filename().string().rfind("iscsi-test-cu.", 0) == 0;
    }
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(running) << harness::process::TailOfFile(log, 20);
  ASSERT_TRUE(run.value()->Signal(SIGINT).ok());
  ASSERT_TRUE(run.value()->WaitForExit(std::chrono::seconds(60))) << "did not stop on SIGINT";
  EXPECT_EQ(run.value()->DescribeState(), "exit 2");
  EXPECT_TRUE(fs::exists(out_ / "report.json"));
  const std::string target_log =
      harness::process::TailOfFile(out_ / "work" / "reference" / "reftarget.log", 5);
  EXPECT_NE(target_log.find("stopped"), std::string::npos) << target_log;
  fs::remove(log);
}

}  // namespace
