// The durability suite's pieces that need no target: the Caching page parser, the oracle's
// verdicts and messages, the figures, the scenario list and the capability gate.
#include <gtest/gtest.h>

#include "suites/durability/caching_page.h"
#include "suites/durability/crash_scenario.h"
#include "suites/durability/durability_config.h"
#include "suites/durability/durability_oracle.h"
#include "suites/durability/scenarios.h"

namespace harness::durability {
namespace {

std::vector<uint8_t> ModeSense10(uint8_t caching_byte2, uint16_t descriptor_bytes = 0) {
  std::vector<uint8_t> d(8 + descriptor_bytes, 0);
  d[6] = static_cast<uint8_t>(descriptor_bytes >> 8);
  d[7] = static_cast<uint8_t>(descriptor_bytes);
  const std::vector<uint8_t> page = {0x08, 0x12, caching_byte2, 0,    0xff, 0xff, 0, 0, 0xff, 0xff,
                                     0xff, 0xff, 0x80,          0x14, 0xff, 0xff, 0, 0, 0,    0};
  d.insert(d.end(), page.begin(), page.end());
  return d;
}

TEST(CachingPage, ReadsWceFromBothHeaders) {
  auto wce = ParseCachingWce(ModeSense10(0x04), true);
  ASSERT_TRUE(wce.ok()) << wce.error();
  EXPECT_TRUE(wce.value());
  wce = ParseCachingWce(ModeSense10(0x01), true);  // RCD only
  ASSERT_TRUE(wce.ok());
  EXPECT_FALSE(wce.value());
  wce = ParseCachingWce(ModeSense10(0x04, 8), true);  // after a block descriptor
  ASSERT_TRUE(wce.ok()) << wce.error();
  EXPECT_TRUE(wce.value());
  const std::vector<uint8_t> six = {0x17, 0, 0, 0, 0x08, 0x12, 0x04, 0};
  wce = ParseCachingWce(six, false);
  ASSERT_TRUE(wce.ok()) << wce.error();
  EXPECT_TRUE(wce.value());
}

TEST(CachingPage, RefusesWhatIsNotACachingPage) {
  EXPECT_FALSE(ParseCachingWce(std::vector<uint8_t>(5, 0), true).ok());
  std::vector<uint8_t> other = ModeSense10(0x04);
  other[8] = 0x0a;  // the Control page
  auto r = ParseCachingWce(other, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("page code 10"), std::string::npos) << r.error();
  std::vector<uint8_t> past = ModeSense10(0x04);
  past[7] = 200;  // block descriptors past the end of the data
  r = ParseCachingWce(past, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("block descriptor length 200"), std::string::npos) << r.error();
}

loadgen::VerifyError Lost(uint64_t lba, uint64_t generation) {
  loadgen::VerifyError e;
  e.kind = loadgen::VerifyKind::kLost;
  e.lun = 1;
  e.lba = lba;
  e.expected_lo = e.expected_hi = generation;
  e.found_state = loadgen::BlockState::kZero;
  return e;
}

TEST(Oracle, ACleanCyclePasses) {
  CycleCheck c;
  c.cycle = 3;
  c.report.blocks = 100;
  c.report.ok = 100;
  EXPECT_TRUE(JudgeCycle(c).empty());
  c.report.older = 5;  // allowed when durable_only: not a problem in itself
  EXPECT_TRUE(JudgeCycle(c).empty());
}

TEST(Oracle, ALostWriteNamesCycleLunLbaAndGeneration) {
  CycleCheck c;
  c.cycle = 7;
  c.crash = Crash::kSigKill;
  c.report.blocks = 100;
  c.report.lost = 1;
  c.report.samples = {Lost(4242, 17)};
  const std::vector<std::string> p = JudgeCycle(c);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("cycle 7"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("SIGKILL"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("LUN 1 LBA 4242: lost"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("expected generation 17"), std::string::npos) << p[0];
}

TEST(Oracle, WceZeroMakesEveryAcknowledgedWriteDurable) {
  EXPECT_FALSE(DurableOnly(Crash::kPowerCut, false));
  EXPECT_TRUE(DurableOnly(Crash::kPowerCut, true));
  EXPECT_FALSE(DurableOnly(Crash::kSigKill, true)) << "a process kill keeps the page cache";
  CycleCheck c;
  c.cycle = 1;
  c.crash = Crash::kPowerCut;
  c.wce = false;
  c.durable_only = false;
  c.report.blocks = 10;
  c.report.lost = 2;
  c.report.samples = {Lost(8, 3), Lost(9, 3)};
  const std::vector<std::string> p = JudgeCycle(c);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("WCE=0 advertised"), std::string::npos) << p[0];
  EXPECT_NE(p[0].find("2 lost of 10 blocks"), std::string::npos) << p[0];
}

TEST(Oracle, UnreadableBlocksAndADamagedJournalFail) {
  CycleCheck c;
  c.report.unreadable = 4;
  c.report.read_errors = {"CHECK CONDITION 03/11/00"};
  c.report.corrupt_records = 1;
  const std::vector<std::string> p = JudgeCycle(c);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[1].find("03/11/00"), std::string::npos) << p[1];
}

TEST(Oracle, TotalsBecomeMetrics) {
  ScenarioTotals t;
  t.cycles_planned = 10;
  loadgen::JournalVerifyReport r;
  r.blocks = 50;
  r.older = 2;
  r.volatile_blocks = 6;
  t.Add(r);
  t.Add(r);
  t.restart_ms = {100, 300};
  t.dropped_bytes = 4096;
  reports::ResultBuilder b("durability", "durability.X.Y", "X", "");
  t.Report(b);
  const reports::TestResult res = b.Finish(std::chrono::seconds(1));
  EXPECT_EQ(res.metrics.at("cycles"), 2);
  EXPECT_EQ(res.metrics.at("blocks_verified"), 100);
  EXPECT_EQ(res.metrics.at("older"), 4);
  EXPECT_EQ(res.metrics.at("restart_ms_max"), 300);
  EXPECT_EQ(res.metrics.at("restart_ms_mean"), 200);
  EXPECT_EQ(res.metrics.at("dropped_bytes"), 4096);
  EXPECT_EQ(res.metrics.at("lost"), 0);
}

TEST(Scenarios, NamesAndProfiles) {
  std::vector<std::string> names;
  for (const Scenario& s : Scenarios()) names.push_back(s.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "durability.SigKill.FileioWriteThrough", "durability.SigKill.FileioWriteBack",
                "durability.SigKill.Block", "durability.PowerCut.FileioWriteBack",
                "durability.PowerCut.FileioWriteThrough"}));
  EXPECT_EQ(DurabilityConfigFor(runner::Profile::kQuick).cycles, 10);
  EXPECT_EQ(DurabilityConfigFor(runner::Profile::kFull).cycles, 100);
}

class FakeAdapter : public adapters::TargetAdapter {
 public:
  std::string name() const override { return "fake"; }
  adapters::Capabilities capabilities() const override { return caps; }
  Result<adapters::RunningTarget> Start(const adapters::TargetSpec&) override {
    return Status::Error("not here");
  }
  Status Stop() override { return Status::Ok(); }
  adapters::Capabilities caps;
};

TEST(Gate, SkipsWithTheReason) {
  FakeAdapter a;
  a.caps.managed = true;
  a.caps.process_faults = true;
  a.caps.restart = true;
  a.caps.backings = {adapters::Backing::kFileio};
  const Scenario& sigkill = Scenarios()[0];
  EXPECT_EQ(WhyNotRunnable(a, a.caps, true, sigkill), "");
  EXPECT_NE(WhyNotRunnable(a, a.caps, false, sigkill).find("--allow-data-loss"), std::string::npos);
  a.caps.restart = false;
  EXPECT_EQ(WhyNotRunnable(a, a.caps, true, sigkill),
            "the fake adapter cannot restart the target on its configuration");
  a.caps.restart = true;
  a.caps.process_faults = false;
  EXPECT_EQ(WhyNotRunnable(a, a.caps, true, sigkill), "the fake adapter cannot SIGKILL the target");
  a.caps.process_faults = true;
  EXPECT_EQ(WhyNotRunnable(a, a.caps, true, Scenarios()[2]),
            "the fake adapter cannot export block LUNs");
  a.caps.managed = false;
  EXPECT_NE(WhyNotRunnable(a, a.caps, true, sigkill).find("not managed"), std::string::npos);
  // The default Restart() refuses, naming the adapter.
  auto restarted = a.Restart();
  ASSERT_FALSE(restarted.ok());
  EXPECT_EQ(restarted.error(), "the fake adapter cannot restart the target on its configuration");
}

}  // namespace
}  // namespace harness::durability
