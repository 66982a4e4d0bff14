#include "harness/process/spawn_run.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace harness::process {
namespace {

TEST(SpawnRunTest, ExitCodeAndMergedOutput) {
  RunResult r = SpawnRun({"sh", "-c", "echo out; echo err >&2; exit 3"}, {});
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
  EXPECT_EQ(r.Describe(), "exit 3");
}

TEST(SpawnRunTest, SeparateStderrEnvironmentDirectoryAndNoStdin) {
  RunOptions o;
  o.separate_stderr = true;
  o.env["SPAWN_RUN_TEST"] = "forty-two";
  o.working_dir = "/tmp";
  RunResult r = SpawnRun({"sh", "-c", "echo $SPAWN_RUN_TEST; pwd; cat; echo oops >&2"}, o);
  ASSERT_TRUE(r.exited_ok()) << r.Describe();
  EXPECT_EQ(r.output, "forty-two\n/tmp\n");
  EXPECT_EQ(r.error_output, "oops\n");
}

TEST(SpawnRunTest, OutputFileIsKept) {
  const auto file = std::filesystem::temp_directory_path() / "spawn-run-test.log";
  RunOptions o;
  o.output_file = file;
  RunResult r = SpawnRun({"/bin/echo", "kept"}, o);
  ASSERT_TRUE(r.exited_ok()) << r.Describe();
  EXPECT_EQ(r.output, "kept\n");
  EXPECT_TRUE(std::filesystem::exists(file));
  std::filesystem::remove(file);
}

TEST(SpawnRunTest, TimeoutKillsTheWholeGroup) {
  RunOptions o;
  o.limit = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  // The grandchild would keep the group alive for 30 s if only the shell were killed.
  RunResult r = SpawnRun({"sh", "-c", "sleep 30 & echo $! ; wait"}, o);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.Describe().rfind("timed out after", 0), 0u);
  const int grandchild = std::atoi(r.output.c_str());
  ASSERT_GT(grandchild, 0) << r.output;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(ProcessRunning(grandchild)) << "the group was not killed";
}

TEST(SpawnRunTest, MissingProgramIsNotStarted) {
  RunResult r = SpawnRun({"/nonexistent/tool", "x"}, {});
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error, "/nonexistent/tool: No such file or directory");
  r = SpawnRun({"no-such-tool-in-path"}, {});
  EXPECT_FALSE(r.started);
  EXPECT_EQ(SpawnRun({}, {}).error, "empty command line");
}

}  // namespace
}  // namespace harness::process
