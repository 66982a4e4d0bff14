#include "harness/adapters/restart_test_support.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/session.h"
#include "harness/process/child_process.h"

namespace harness::adapters::test_support {
namespace {

// Writes 8 blocks of a pattern at LBA 100 of `lun` and returns the pattern, or fails.
std::vector<uint8_t> Pattern(uint8_t seed) {
  std::vector<uint8_t> p(8 * 512);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(i * 7 + seed);
  return p;
}

// SIGKILLs `pid` and waits until it has exited.
void KillAndWait(int pid) {
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  for (int i = 0; i < 1000 && process::ProcessRunning(pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(process::ProcessRunning(pid));
}

}  // namespace

std::unique_ptr<iscsi::Session> Login(const RunningTarget& t, int lun) {
  iscsi::ConnectOptions o;
  o.portal = t.portal.ToString();
  o.target = t.iqn;
  o.lun = lun;
  o.initiator = "iqn.2024-01.org.reftarget.harness:restart-test";
  auto s = iscsi::Session::Connect(o);
  EXPECT_TRUE(s.ok()) << s.error();
  return s.ok() ? std::move(s).value() : nullptr;
}

void ExpectWriteSurvivesRestart(TargetAdapter& adapter, const RunningTarget& t, int lun) {
  const std::vector<uint8_t> data = Pattern(3);
  {
    auto s = Login(t, lun);
    ASSERT_NE(s, nullptr);
    iscsi::CommandResult w = s->Execute(iscsi::cdb::Write16(100, 8), iscsi::DataDirection::kWrite,
                                        data, 0, std::chrono::seconds(10));
    ASSERT_TRUE(w.good()) << w.Describe();
  }
  ASSERT_TRUE(t.pid.has_value());
  KillAndWait(*t.pid);
  auto restarted = adapter.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.error();
  EXPECT_EQ(restarted.value().portal.ToString(), t.portal.ToString());
  EXPECT_EQ(restarted.value().lun_numbers, t.lun_numbers);
  ASSERT_TRUE(restarted.value().pid.has_value());
  EXPECT_NE(*restarted.value().pid, *t.pid);
  auto s = Login(restarted.value(), lun);
  ASSERT_NE(s, nullptr);
  iscsi::CommandResult r;
  for (int i = 0; i < 4; ++i) {  // unit attentions of the new I_T nexus
    r = s->Execute(iscsi::cdb::Read16(100, 8), iscsi::DataDirection::kRead, {},
                   static_cast<uint32_t>(data.size()), std::chrono::seconds(10));
    if (!r.unit_attention()) break;
  }
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_EQ(r.data_in, data) << "an acknowledged write did not survive SIGKILL and Restart";
}

}  // namespace harness::adapters::test_support
