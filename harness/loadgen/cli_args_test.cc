#include "harness/loadgen/cli_args.h"

#include <gtest/gtest.h>

namespace harness::loadgen {
namespace {

Result<CliOptions> Parse(std::vector<std::string> extra) {
  std::vector<std::string> args = {"--portal", "127.0.0.1:3260", "--target", "iqn.x:t"};
  args.insert(args.end(), extra.begin(), extra.end());
  return ParseCommandLine(args);
}

void ExpectErrorNames(std::vector<std::string> extra, const std::string& option) {
  auto r = Parse(extra);
  ASSERT_FALSE(r.ok()) << "accepted " << ::testing::PrintToString(extra);
  EXPECT_NE(r.error().find(option), std::string::npos) << r.error();
}

TEST(CliArgsTest, TheDocumentedExample) {
  auto r = Parse({"--luns", "0,1", "--sessions", "2", "--qd", "16", "--rw", "70", "--bs", "4k,64k",
                  "--seconds", "10", "--journal", "/tmp/j", "--json", "/tmp/out.json"});
  ASSERT_TRUE(r.ok()) << r.error();
  const LoadConfig& c = r.value().config;
  EXPECT_EQ(c.portal, "127.0.0.1:3260");
  EXPECT_EQ(c.luns, (std::vector<int>{0, 1}));
  EXPECT_EQ(c.sessions, 2);
  EXPECT_EQ(c.queue_depth, 16);
  EXPECT_EQ(c.workload.read_percent, 70);
  ASSERT_EQ(c.workload.block_sizes.size(), 2u);
  EXPECT_EQ(c.workload.block_sizes[1].bytes, 65536u);
  EXPECT_EQ(c.workload.duration, std::chrono::milliseconds(10000));
  EXPECT_EQ(c.journal_path, "/tmp/j");
  EXPECT_EQ(r.value().json_path, "/tmp/out.json");
}

TEST(CliArgsTest, EqualsFormFlagsAndRanges) {
  auto r = Parse({"--qd=4",
                  "--seq",
                  "--ios",
                  "100",
                  "--bs=4k:3,8k:1",
                  "--range",
                  "10:1000",
                  "--luns",
                  "0,5",
                  "--range",
                  "5=0:64",
                  "--no-zero-check",
                  "--fua",
                  "--timeout-ms",
                  "500",
                  "--seed",
                  "9",
                  "--max-errors",
                  "3",
                  "--shared-range"});
  ASSERT_TRUE(r.ok()) << r.error();
  const LoadConfig& c = r.value().config;
  EXPECT_EQ(c.queue_depth, 4);
  EXPECT_TRUE(c.workload.sequential);
  EXPECT_EQ(c.workload.io_count, 100u);
  EXPECT_EQ(c.workload.block_sizes[0].weight, 3u);
  EXPECT_EQ(c.ranges.at(0).first, 10u);
  EXPECT_EQ(c.ranges.at(0).count, 1000u);
  EXPECT_EQ(c.ranges.at(5).count, 64u);
  EXPECT_FALSE(c.assume_zeroed);
  EXPECT_TRUE(c.workload.fua);
  EXPECT_TRUE(c.shared_range);
  EXPECT_EQ(c.retry.command_limit, std::chrono::milliseconds(500));
  EXPECT_EQ(c.workload.seed, 9u);
  EXPECT_EQ(r.value().max_errors, 3u);
}

TEST(CliArgsTest, ErrorsNameTheOption) {
  ExpectErrorNames({"--qd", "abc"}, "--qd");
  ExpectErrorNames({"--qd", "0"}, "--qd");
  ExpectErrorNames({"--rw", "101"}, "--rw");
  ExpectErrorNames({"--bs", "4k,100"}, "--bs");
  ExpectErrorNames({"--bs", "4q"}, "--bs");
  ExpectErrorNames({"--luns", "0,x"}, "--luns");
  ExpectErrorNames({"--seconds", "-1"}, "--seconds");
  ExpectErrorNames({"--seconds", "1", "--ios", "5"}, "--ios");
  ExpectErrorNames({"--range", "5"}, "--range");
  ExpectErrorNames({"--range", "3=0:10"}, "--range");  // LUN 3 not in --luns
  ExpectErrorNames({"--bogus"}, "--bogus");
  ExpectErrorNames({"--sessions"}, "--sessions");
  ExpectErrorNames({"--chap", "nouser"}, "--chap");
  ExpectErrorNames({"--header-digest", "md5"}, "--header-digest");
  ExpectErrorNames({"--fua=1"}, "--fua");
  auto r = ParseCommandLine({"--target", "iqn.x:t"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("--portal"), std::string::npos);
  r = ParseCommandLine({"--portal", "nohostport", "--target", "t"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("--portal"), std::string::npos);
}

TEST(CliArgsTest, Help) {
  auto r = ParseCommandLine({"--help"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().help);
  EXPECT_NE(Usage().find("--verify-journal"), std::string::npos);
}

TEST(ConfigTest, SizesAndValidation) {
  EXPECT_EQ(ParseSize("4k").value(), 4096u);
  EXPECT_EQ(ParseSize("64KiB").value(), 65536u);
  EXPECT_EQ(ParseSize("1m").value(), 1u << 20);
  EXPECT_EQ(ParseSize("512").value(), 512u);
  EXPECT_FALSE(ParseSize("k").ok());
  EXPECT_FALSE(ParseSize("4kx").ok());
  EXPECT_EQ(FormatBlockSizes(ParseBlockSizes("4k:3,64k").value()), "4k:3,64k:1");
  LoadConfig c;
  c.portal = "p:1";
  c.target = "t";
  EXPECT_TRUE(Validate(c).ok());
  c.luns = {1, 1};
  EXPECT_NE(Validate(c).message().find("listed twice"), std::string::npos);
  c.luns = {0};
  c.queue_depth = 0;
  EXPECT_NE(Validate(c).message().find("LoadConfig.queue_depth"), std::string::npos);
  c.queue_depth = 1;
  c.workload.read_percent = -1;
  EXPECT_NE(Validate(c).message().find("Workload.read_percent"), std::string::npos);
}

}  // namespace
}  // namespace harness::loadgen
