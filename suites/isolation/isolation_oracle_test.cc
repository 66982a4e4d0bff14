// The isolation oracle on synthetic data: unaffected LUNs, the faulty LUN's errors, the time
// limits, and the capability gate.
#include "suites/isolation/isolation_oracle.h"

#include <gtest/gtest.h>

#include <set>

#include "suites/isolation/fault_kinds.h"
#include "suites/isolation/isolation_suite.h"

namespace harness::isolation {
namespace {

loadgen::SeriesPoint Point(int t, uint64_t ios, double p99_us) {
  loadgen::SeriesPoint p;
  p.t = t;
  p.seconds = 1;
  p.counters.reads = ios;
  p.read_latency.count = ios;
  p.read_latency.p99_us = p99_us;
  p.write_latency.p99_us = p99_us / 2;
  return p;
}

// 6 s of a LUN: 1000 IOPS and p99 500 us, except seconds 2-3 (the fault) at `during_iops`
// and `during_p99`.
loadgen::LunResult Lun(uint32_t during_iops, double during_p99) {
  loadgen::LunResult l;
  for (int t = 0; t < 6; ++t) {
    const bool fault = t == 2 || t == 3;
    l.series.push_back(Point(t, fault ? during_iops : 1000, fault ? during_p99 : 500));
    for (int b = 0; b < 20; ++b) {
      l.fine_completions.push_back(static_cast<uint32_t>((fault ? during_iops : 1000) / 20));
    }
  }
  return l;
}

TEST(IsolationOracleTest, UnaffectedLunJudgedAgainstTheStretchesAroundTheFault) {
  Thresholds t;
  loadgen::LunResult ok = Lun(860, 900);
  PhaseStats outside = StatsOver(ok, {{0, 2}, {4, 6}});
  PhaseStats during = StatsOver(ok, {{2, 4}});
  EXPECT_NEAR(outside.iops, 1000, 1e-6);
  EXPECT_NEAR(during.iops, 860, 1e-6);
  EXPECT_DOUBLE_EQ(outside.p99_us, 500);
  EXPECT_EQ(during.p99_points, 2u);
  EXPECT_TRUE(JudgeUnaffected("RAMDISK", 0, 0, outside, during, t).empty());

  // Twice the p99 but only 1 ms more: the machine's scheduling noise, not a stall.
  loadgen::LunResult jitter = Lun(1000, 1500);
  EXPECT_TRUE(JudgeUnaffected("RAMDISK", 0, 0, StatsOver(jitter, {{0, 2}, {4, 6}}),
                              StatsOver(jitter, {{2, 4}}), t)
                  .empty());

  loadgen::LunResult slow = Lun(700, 11000);
  outside = StatsOver(slow, {{0, 2}, {4, 6}});
  during = StatsOver(slow, {{2, 4}});
  const auto problems = JudgeUnaffected("RAMDISK", 2, 1, outside, during, t);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0], "RAMDISK had 2 I/O errors");
  EXPECT_EQ(problems[1], "RAMDISK read back 1 wrong blocks");
  EXPECT_EQ(problems[2],
            "RAMDISK ran at 700 IOPS during the fault, 70.0% of its 1000 IOPS outside it (at "
            "least 80% required)");
  EXPECT_EQ(problems[3],
            "RAMDISK's p99 latency was 11000 us during the fault, 22.00x its 500 us outside it (at "
            "most 2.0x)");
}

loadgen::IoErrorSample Sample(int lun, loadgen::Event kind, std::string detail) {
  loadgen::IoErrorSample s;
  s.lun = lun;
  s.kind = kind;
  s.detail = std::move(detail);
  return s;
}

TEST(IsolationOracleTest, FaultyLunNeedsTheExactSenseAndNothingElse) {
  const std::vector<loadgen::IoErrorSample> samples = {
      Sample(0, loadgen::Event::kSenseError, "READ(16): CHECK CONDITION 03/11/00 UNRECOVERED"),
      Sample(0, loadgen::Event::kSenseError, "READ(16): CHECK CONDITION 03/11/00 UNRECOVERED"),
      Sample(1, loadgen::Event::kSenseError, "WRITE(16): CHECK CONDITION 03/0c/00"),
      Sample(0, loadgen::Event::kTimeout, "READ(16): timeout")};
  const auto kinds = ErrorKinds(samples, 0);
  EXPECT_EQ(kinds, (std::map<std::string, uint64_t>{{"03/11/00", 2}, {"timeout", 1}}));

  FaultyLunRule read_eio;
  read_eio.required_senses = {"03/11/00"};
  EXPECT_EQ(JudgeFaultyLun(kinds, 3, 0, read_eio),
            (std::vector<std::string>{
                "the faulty LUN got 1 x timeout (expected only 02/04/01, 03/11/00)"}));
  read_eio.timeouts_allowed = true;
  EXPECT_TRUE(JudgeFaultyLun(kinds, 3, 0, read_eio).empty());
  EXPECT_EQ(JudgeFaultyLun({}, 0, 0, read_eio),
            (std::vector<std::string>{"the faulty LUN never got 03/11/00 (no errors at all)"}));
  EXPECT_EQ(JudgeFaultyLun(kinds, 3, 2, read_eio).front(),
            "the faulty LUN's session lost its connection 2 times (a backstore fault must be "
            "answered with status, not a dropped connection)");

  FaultyLunRule slow_only;
  slow_only.errors_allowed = false;
  EXPECT_EQ(JudgeFaultyLun(kinds, 3, 0, slow_only),
            (std::vector<std::string>{
                "the faulty LUN had 3 errors where the fault only slows it: 03/11/00"}));
  EXPECT_TRUE(JudgeFaultyLun({{"02/04/01", 4}}, 0, 0, slow_only).empty())
      << "the fence's NOT READY is a retry, not an error";
}

TEST(IsolationOracleTest, NetworkFaultMustCostTheConnectionAndNothingElse) {
  FaultyLunRule reset;
  reset.connection_loss_expected = true;
  EXPECT_EQ(JudgeFaultyLun({}, 0, 0, reset),
            (std::vector<std::string>{"the faulty LUN's session never lost its connection (the "
                                      "network fault did not reach it)"}));
  EXPECT_TRUE(JudgeFaultyLun({{"connection loss", 3}}, 3, 1, reset).empty());
  EXPECT_EQ(JudgeFaultyLun({{"connection loss", 3}, {"03/11/00", 1}}, 4, 1, reset),
            (std::vector<std::string>{"the faulty LUN got 1 x 03/11/00 (expected only 02/04/01)"}));

  FaultyLunRule crawl;
  crawl.connection_loss_allowed = true;
  crawl.timeouts_allowed = true;
  EXPECT_TRUE(JudgeFaultyLun({}, 0, 0, crawl).empty());
  EXPECT_TRUE(JudgeFaultyLun({{"connection loss", 1}, {"timeout", 2}}, 3, 1, crawl).empty());
}

TEST(IsolationOracleTest, TimeLimits) {
  EXPECT_EQ(
      JudgeWithin("ABORT TASK", std::chrono::milliseconds(2000), std::chrono::milliseconds(2000)),
      "");
  EXPECT_EQ(
      JudgeWithin("ABORT TASK", std::chrono::milliseconds(40000), std::chrono::milliseconds(2000)),
      "ABORT TASK took 40000 ms (at most 2000 ms)");
}

TEST(IsolationOracleTest, ProfilesAndThresholds) {
  const IsolationConfig quick = IsolationConfigFor(runner::Profile::kQuick);
  const IsolationConfig full = IsolationConfigFor(runner::Profile::kFull);
  EXPECT_EQ(full.long_hang, std::chrono::seconds(60)) << "issue 5: a hang of 60 s";
  EXPECT_LT(quick.long_hang, full.long_hang);
  EXPECT_LT(quick.command_limit, quick.fault) << "a hang must make the initiator time out";
  EXPECT_DOUBLE_EQ(quick.thresholds.min_iops_ratio, 0.8);
  EXPECT_DOUBLE_EQ(quick.thresholds.max_p99_ratio, 2.0);
  EXPECT_EQ(quick.thresholds.max_tmf, std::chrono::milliseconds(2000));
  EXPECT_EQ(quick.thresholds.max_login, std::chrono::milliseconds(2000));
  EXPECT_EQ(quick.thresholds.max_management, std::chrono::milliseconds(2000));
}

// Every kind's result must be a valid report entry (report.json refuses a clause over 256
// characters, and names are the results' keys).
TEST(IsolationOracleTest, FaultKindsMakeValidResults) {
  std::set<std::string> names;
  for (const FaultKind& k : FaultKinds()) {
    EXPECT_LE(k.clause.size(), 256u) << k.name;
    EXPECT_TRUE(names.insert(k.name).second) << k.name << " twice";
    EXPECT_FALSE(k.faulty.empty()) << k.name;
    EXPECT_TRUE(k.inject) << k.name;
  }
}

}  // namespace
}  // namespace harness::isolation
