#include "harness/process/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace harness::process {
namespace {

TEST(RunTest, ExitCodeAndOutput) {
  RunResult r = process::Run({"sh", "-c", "echo out; echo err >&2; exit 3"}, {});
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
  EXPECT_EQ(r.Describe(), "exit 3");
}

TEST(RunTest, EnvironmentAndWorkingDirectory) {
  RunOptions o;
  o.env["HARNESS_TEST_VALUE"] = "forty-two";
  o.working_dir = "/tmp";
  RunResult r = process::Run({"sh", "-c", "echo $HARNESS_TEST_VALUE; pwd"}, o);
  ASSERT_TRUE(r.exited_ok()) << r.Describe();
  EXPECT_NE(r.output.find("forty-two"), std::string::npos);
  EXPECT_NE(r.output.find("/tmp"), std::string::npos);
}

TEST(RunTest, LimitKillsTheWholeProcessGroup) {
  RunOptions o;
  o.limit = std::chrono::milliseconds(300);
  // The grandchild would keep running if only the shell were killed.
  RunResult r = process::Run({"sh", "-c", "sleep 30 & sleep 30"}, o);
  ASSERT_TRUE(r.started);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.duration, std::chrono::seconds(10));
  EXPECT_NE(r.Describe().find("timed out"), std::string::npos);
}

TEST(RunTest, MissingProgramIsReportedNotThrown) {
  RunResult r = process::Run({"/nonexistent/program-xyz"}, {});
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.Describe().find("program-xyz"), std::string::npos);
  EXPECT_FALSE(process::Run({}, {}).started);
}

TEST(RunTest, OutputFileKeepsTheLogAndOutputIsBounded) {
  auto path = std::filesystem::temp_directory_path() / "harness-process-test.log";
  RunOptions o;
  o.output_file = path;
  o.max_output_bytes = 100;
  RunResult r = process::Run({"sh", "-c", "i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done"}, o);
  ASSERT_TRUE(r.exited_ok()) << r.Describe();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_NE(r.output.find("bytes cut"), std::string::npos);
  EXPECT_NE(r.output.find("line99"), std::string::npos);
  EXPECT_NE(TailOfFile(path, 1).find("line99"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(BackgroundProcessTest, StopsWithSigterm) {
  auto log = std::filesystem::temp_directory_path() / "harness-bg-test.log";
  auto p = BackgroundProcess::Start({"sleep", "30"}, log);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_TRUE(p.value()->Alive());
  EXPECT_TRUE(p.value()->Signal(SIGSTOP).ok());
  EXPECT_TRUE(p.value()->Signal(SIGCONT).ok());
  EXPECT_EQ(p.value()->Stop(), "signal 15");
  EXPECT_FALSE(p.value()->Alive());
  EXPECT_FALSE(p.value()->Signal(SIGTERM).ok());
  std::filesystem::remove(log);
}

TEST(BackgroundProcessTest, KillsAChildThatIgnoresSigterm) {
  auto log = std::filesystem::temp_directory_path() / "harness-bg-test2.log";
  auto p = BackgroundProcess::Start({"sh", "-c", "trap '' TERM; echo ready; sleep 30"}, log);
  ASSERT_TRUE(p.ok()) << p.error();
  for (int i = 0; i < 200 && TailOfFile(log, 1).find("ready") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(p.value()->Stop(std::chrono::milliseconds(200)), "signal 9");
  std::filesystem::remove(log);
}

TEST(BackgroundProcessTest, ReportsItsOwnExit) {
  auto log = std::filesystem::temp_directory_path() / "harness-bg-test3.log";
  auto p = BackgroundProcess::Start({"sh", "-c", "exit 7"}, log);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_TRUE(p.value()->WaitForExit(std::chrono::seconds(10)));
  EXPECT_EQ(p.value()->DescribeState(), "exit 7");
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace harness::process
