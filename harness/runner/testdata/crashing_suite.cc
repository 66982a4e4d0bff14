// A suite program for runner_crash_test: in group "Crashes", test KillsTheTarget kills the
// target process named in the target file, as a hostile input kills a fragile target.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "harness/process/child_process.h"
#include "harness/suite_support/suite_test.h"

namespace {

TEST(Crashes, PassesBeforeTheCrash) {
  HARNESS_REQUIRE_TARGET(t);
  EXPECT_TRUE(t.pid.has_value());
}

TEST(Crashes, KillsTheTarget) {
  HARNESS_REQUIRE_TARGET(t);
  ASSERT_TRUE(t.pid.has_value());
  kill(*t.pid, SIGKILL);
  // As with a real crash, the target is gone before the test sees its connection close.
  for (int i = 0; i < 200 && harness::process::ProcessRunning(*t.pid); ++i) usleep(10000);
  FAIL() << "this input killed the target";
}

TEST(Crashes, FailsOnlyBecauseOfTheCrash) {
  HARNESS_REQUIRE_TARGET(t);
  // Alone on a live target this passes; after the crash in the same run it fails.
  ASSERT_TRUE(t.pid.has_value());
  EXPECT_TRUE(harness::process::ProcessRunning(*t.pid)) << "the target is gone";
}

TEST(Survives, PassesOnTheRestartedTarget) {
  HARNESS_REQUIRE_TARGET(t);
  ASSERT_TRUE(t.pid.has_value());
  EXPECT_TRUE(harness::process::ProcessRunning(*t.pid));
}

}  // namespace
