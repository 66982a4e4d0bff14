// /proc CPU parsing on real-shaped text (a command name with blanks and parentheses) and on
// this process and machine.
#include "harness/process/cpu_time.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace harness::process {
namespace {

TEST(CpuTime, ProcessStatCountsFieldsAfterTheLastParenthesis) {
  const std::string stat =
      "4242 (re) (tar get) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9 0 100 "
      "1000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto cpu = ParseProcPidStat(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.error();
  EXPECT_DOUBLE_EQ(cpu.value().user_s, 2.5);
  EXPECT_DOUBLE_EQ(cpu.value().system_s, 0.75);
  EXPECT_DOUBLE_EQ(cpu.value().total_s(), 3.25);
  EXPECT_EQ(ParseProcPidStat("4242 (x) S 1 2", 100).error(), "stat: fewer than 15 fields");
  EXPECT_EQ(ParseProcPidStat("no parenthesis", 100).error(), "stat: no ')' after the command");
  EXPECT_EQ(ParseProcPidStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 2x 3 0", 100).error(),
            "stat: utime is not a number");
}

TEST(CpuTime, MachineStatSplitsBusyAndIdle) {
  const std::string stat =
      "cpu  100 10 50 1000 20 5 5 10 0 0\ncpu0 50 5 25 500 10 2 2 5 0 0\nintr 1\n";
  auto cpu = ParseProcStat(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.error();
  EXPECT_DOUBLE_EQ(cpu.value().busy_s, 1.8);   // 100+10+50+5+5+10 ticks
  EXPECT_DOUBLE_EQ(cpu.value().idle_s, 10.2);  // 1000+20 ticks
  EXPECT_FALSE(ParseProcStat("intr 1\n", 100).ok());
  EXPECT_EQ(ParseProcStat("cpu  1 2 3\n", 100).error(),
            "/proc/stat: the cpu line has fewer than 8 figures");
}

TEST(CpuTime, ThisProcessAndMachineAccumulate) {
  auto before = ReadProcessCpu(::getpid());
  ASSERT_TRUE(before.ok()) << before.error();
  auto machine_before = ReadMachineCpu();
  ASSERT_TRUE(machine_before.ok()) << machine_before.error();
  // Burn CPU until the process's own figure moves (one clock tick is 10 ms).
  volatile uint64_t sink = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  Result<ProcessCpu> after = before;
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 1'000'000; ++i) sink = sink + static_cast<uint64_t>(i);
    after = ReadProcessCpu(::getpid());
    ASSERT_TRUE(after.ok()) << after.error();
    if (after.value().total_s() > before.value().total_s()) break;
  }
  EXPECT_GT(after.value().total_s(), before.value().total_s());
  auto machine_after = ReadMachineCpu();
  ASSERT_TRUE(machine_after.ok());
  EXPECT_GE(machine_after.value().busy_s, machine_before.value().busy_s);
  EXPECT_FALSE(ReadProcessCpu(-1).ok());
}

}  // namespace
}  // namespace harness::process
