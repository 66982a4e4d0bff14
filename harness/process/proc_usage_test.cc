#include "harness/process/proc_usage.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace harness::process {
namespace {

constexpr char kStatus[] =
    "Name:\ttgtd\nState:\tS (sleeping)\nVmPeak:\t  22044 kB\nVmRSS:\t    5120 kB\n"
    "RssAnon:\t    1024 kB\nThreads:\t5\nSigQ:\t0/95339\n";

TEST(ProcUsageTest, ParsesRssInKibibytesAndThreads) {
  Result<ProcessUsage> u = ParseProcStatus(kStatus);
  ASSERT_TRUE(u.ok()) << u.error();
  EXPECT_EQ(u.value().rss_bytes, 5120u * 1024);
  EXPECT_EQ(u.value().threads, 5);
  EXPECT_EQ(u.value().open_fds, 0);
}

TEST(ProcUsageTest, NamesTheMissingOrMalformedField) {
  Result<ProcessUsage> u = ParseProcStatus("Name:\tx\nThreads:\t1\n");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error(), "VmRSS: missing");
  u = ParseProcStatus("VmRSS:\t12x kB\nThreads:\t1\n");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error(), "VmRSS: not a number: '12x'");
  // "VmRSSX:" is another field, not VmRSS.
  u = ParseProcStatus("VmRSSX:\t1 kB\nThreads:\t1\n");
  EXPECT_FALSE(u.ok());
  u = ParseProcStatus("VmRSS:\t1 kB\n");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error(), "Threads: missing");
}

TEST(ProcUsageTest, CountsThisProcessesDescriptors) {
  Result<ProcessUsage> before = ReadProcessUsage(getpid());
  ASSERT_TRUE(before.ok()) << before.error();
  EXPECT_GT(before.value().rss_bytes, 0u);
  EXPECT_GE(before.value().threads, 1);
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Result<ProcessUsage> after = ReadProcessUsage(getpid());
  close(fd);
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after.value().open_fds, before.value().open_fds + 1);
}

TEST(ProcUsageTest, AGoneProcessIsAClearError) {
  Result<ProcessUsage> u = ReadProcessUsage(0x3ffffff0);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().find("/proc/1073741808/status"), std::string::npos) << u.error();
}

}  // namespace
}  // namespace harness::process
