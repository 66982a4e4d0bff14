#include "harness/adapters/command_runner.h"

#include <gtest/gtest.h>

#include "harness/adapters/adapter_test_support.h"

namespace harness::adapters {
namespace {

using test_support::Exited;
using test_support::FakeRunner;

TEST(RedactTest, SecretsAreReplacedEverywhere) {
  EXPECT_EQ(Redact("a=s3cret b=s3cret", {"s3cret", ""}), "a=*** b=***");
  EXPECT_EQ(Redact("nothing", {}), "nothing");
  EXPECT_EQ(DescribeCommand({"targetcli", "/x", "set", "auth", "password=s3cret", "two words"},
                            {"s3cret"}),
            "targetcli /x set auth password=*** 'two words'");
}

TEST(RunToolTest, FailureNamesTheCommandTheOutcomeAndTheRedactedOutput) {
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>&) {
    return Exited(1, "Parameter password is now 's3cret'.\nNo such path\n");
  };
  Result<std::string> out =
      RunTool(fake.Runner(), {"targetcli", "/a", "set", "auth", "password=s3cret"},
              std::chrono::seconds(30), {"s3cret"});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(),
            "`targetcli /a set auth password=***` failed (exit 1): Parameter password is now "
            "'***'.\nNo such path");

  fake.answer = [](const std::vector<std::string>&) { return Exited(0, "done\n"); };
  out = RunTool(fake.Runner(), {"x"}, std::chrono::seconds(1), {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), "done\n");
}

TEST(RunToolTest, TheLimitIsPassedToTheRunner) {
  std::chrono::milliseconds seen{0};
  CommandRunner runner = [&seen](const std::vector<std::string>&,
                                 const process::RunOptions& options) {
    seen = options.limit;
    return Exited(0, "");
  };
  ASSERT_TRUE(RunTool(runner, {"x"}, std::chrono::seconds(30), {}).ok());
  EXPECT_EQ(seen, std::chrono::seconds(30));
  // And a real run is bounded: the default runner goes through process::Run.
  Result<std::string> slow =
      RunTool(DefaultCommandRunner(), {"sleep", "5"}, std::chrono::milliseconds(200), {});
  ASSERT_FALSE(slow.ok());
  EXPECT_NE(slow.error().find("timed out"), std::string::npos) << slow.error();
}

TEST(TrimOutputTest, BlanksAndNewlinesGoAtBothEnds) {
  EXPECT_EQ(TrimOutput("\n /dev/loop3 \r\n"), "/dev/loop3");
  EXPECT_EQ(TrimOutput(""), "");
}

}  // namespace
}  // namespace harness::adapters
