// Hostile command numbering (TEST-PLAN S1, S2 and rows T15, T16; RFC 7143 §4.2.2.1 CmdSN
// window, §11.3 immediate delivery, §11.17.1 Reject 06h): commands outside [ExpCmdSN,
// MaxCmdSN] or duplicated are silently ignored, a flood of ten windows closes and reopens the
// window without a hang, and an immediate-command storm gets a response or a Reject for
// every command.
#include <gtest/gtest.h>

#include <set>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/hostile_support.h"

namespace conformance::hostile {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;
using Kind = RawFfp::Reaction::Kind;
using Clock = std::chrono::steady_clock;

const std::vector<uint8_t> kTestUnitReady(6, 0);

// Builds a non-immediate TEST UNIT READY with CmdSN `cmd_sn` (the session's counter is not
// touched).
Pdu TurWithCmdSn(RawFfp* s, uint32_t itt, uint32_t cmd_sn) {
  Pdu p = s->ScsiCommand(itt, kTestUnitReady, false, false, 0, {}, /*immediate=*/true);
  p.bhs[0] &= static_cast<uint8_t>(~rp::kImmediateBit);
  p.Set32(24, cmd_sn);
  return p;
}

// Sends a TEST UNIT READY with the next CmdSN and expects GOOD within 3 s.
void ExpectInWindowCommandWorks(RawFfp* s, const std::string& what) {
  const uint32_t itt = s->NextItt();
  std::string error;
  ASSERT_TRUE(s->Send(s->ScsiCommand(itt, kTestUnitReady, false, false, 0), &error)) << error;
  RawFfp::Reaction r = s->AwaitResponse(itt, 3s);
  ASSERT_TRUE(r.IsScsiResponse()) << what << ": the in-window command got " << r.Describe();
  EXPECT_EQ(r.pdu.bhs[3], 0) << what << ": " << r.Describe();
}

TEST(HostileCmdSn, CommandsOutsideTheWindowAreIgnored) {
  HARNESS_REQUIRE_TARGET(t);
  // §4.2.2.1: a non-immediate command with CmdSN outside [ExpCmdSN, MaxCmdSN], or a
  // duplicate, is silently ignored: no response, no Reject, the session stays up, and the
  // next in-window command succeeds.
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (TEST-PLAN S1, T15)");
  LOGIN_FFP(t, s, "t15", KeyValues{});
  ExpectInWindowCommandWorks(s.get(), "first command");
  const uint32_t used = s->cmd_sn() - 1;  // now below ExpCmdSN: a duplicate
  const uint32_t candidates[] = {s->max_cmd_sn() + 1, used, s->cmd_sn() - 2,
                                 s->cmd_sn() + 0x7fffffffu};
  std::set<uint32_t> itts;
  std::string error;
  for (uint32_t cmd_sn : candidates) {
    const uint32_t itt = s->NextItt();
    itts.insert(itt);
    ASSERT_TRUE(s->Send(TurWithCmdSn(s.get(), itt, cmd_sn), &error)) << error;
  }
  const auto deadline = Clock::now() + 1s;
  while (Clock::now() < deadline) {
    RawFfp::Reaction r =
        s->Await(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (r.kind == Kind::kSilence) break;
    ASSERT_EQ(r.kind, Kind::kPdu) << "after out-of-window commands: " << r.Describe();
    EXPECT_FALSE(itts.count(r.pdu.itt()) || r.pdu.opcode() == rp::kOpReject)
        << "an out-of-window command was answered: " << r.Describe();
  }
  ExpectInWindowCommandWorks(s.get(), "after out-of-window commands");
  ExpectTargetServes(t, "after out-of-window CmdSNs");
}

TEST(HostileCmdSn, FloodOfTenWindowsClosesAndReopens) {
  HARNESS_REQUIRE_TARGET(t);
  // §4.2.2.1: MaxCmdSN never falls below ExpCmdSN - 1 and the window reopens as the queue
  // drains; commands past MaxCmdSN are ignored. T16: ten windows of commands at once.
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (TEST-PLAN S1, S2, T16)");
  LOGIN_FFP(t, s, "t16", KeyValues{});
  const uint32_t window = s->max_cmd_sn() - s->cmd_sn() + 1;
  RecordProperty("window", std::to_string(window));
  ASSERT_GE(window, 1u) << "the target opened no command window at login";
  const uint32_t count = std::min<uint32_t>(window * 10, 2048);
  std::set<uint32_t> itts;
  std::string error;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t itt = s->NextItt();
    itts.insert(itt);
    if (!s->Send(s->ScsiCommand(itt, kTestUnitReady, false, false, 0), &error)) break;
  }
  size_t answered = 0;
  const auto deadline = Clock::now() + 4s;
  while (Clock::now() < deadline) {
    RawFfp::Reaction r = s->Await(500ms);
    if (r.kind == Kind::kSilence) break;
    ASSERT_EQ(r.kind, Kind::kPdu) << "during the flood: " << r.Describe();
    const uint32_t exp = r.pdu.Get32(28);
    const uint32_t max = r.pdu.Get32(32);
    EXPECT_FALSE(static_cast<int32_t>(max - (exp - 1)) < 0)
        << "§4.2.2.1: MaxCmdSN " << max << " below ExpCmdSN - 1 (" << exp << ")";
    if (r.IsScsiResponse() && itts.count(r.pdu.itt())) {
      ++answered;
      const uint8_t status = r.pdu.bhs[3];
      EXPECT_TRUE(status == 0x00 || status == 0x08 || status == 0x28)
          << "flooded TEST UNIT READY: " << r.Describe();
    } else if (r.pdu.opcode() == rp::kOpReject) {
      ADD_FAILURE() << "§4.2.2.1: commands outside the window are ignored, not rejected: "
                    << r.Describe();
    }
  }
  RecordProperty("answered", std::to_string(answered));
  EXPECT_GE(answered, std::min<size_t>(window, count)) << "not even one window was answered";
  // The window reopened: a command with the target's ExpCmdSN works.
  s->set_cmd_sn(s->exp_cmd_sn());
  ExpectInWindowCommandWorks(s.get(), "after the flood");
  ExpectTargetServes(t, "after a flood of ten windows");
}

TEST(HostileCmdSn, ImmediateCommandStormIsAnsweredOrRejected) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.3 / §3.2.2.1: immediate commands bypass the window; a target that cannot take more
  // answers Reject 06h "Immediate command reject" (§11.17.1). T16: every one of 256 immediate
  // commands gets a response or a Reject; none is lost and nothing hangs.
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1, §11.17.1 (TEST-PLAN T16)");
  LOGIN_FFP(t, s, "t16imm", KeyValues{});
  std::set<uint32_t> pending;
  std::string error;
  for (int i = 0; i < 256; ++i) {
    const uint32_t itt = s->NextItt();
    pending.insert(itt);
    ASSERT_TRUE(s->Send(s->ScsiCommand(itt, kTestUnitReady, false, false, 0, {}, true), &error))
        << error;
  }
  size_t rejected = 0;
  const auto deadline = Clock::now() + 4s;
  while (!pending.empty() && Clock::now() < deadline) {
    RawFfp::Reaction r = s->Await(500ms);
    if (r.kind == Kind::kSilence) continue;
    ASSERT_EQ(r.kind, Kind::kPdu) << "during the storm: " << r.Describe();
    if (r.IsScsiResponse()) {
      EXPECT_TRUE(pending.erase(r.pdu.itt())) << "an unexpected response: " << r.Describe();
      const uint8_t status = r.pdu.bhs[3];
      EXPECT_TRUE(status == 0x00 || status == 0x08 || status == 0x28) << r.Describe();
    } else if (r.pdu.opcode() == rp::kOpReject && r.pdu.data.size() >= rp::kBhsLength) {
      EXPECT_TRUE(r.IsReject({kRejectImmediate, kRejectOutOfResources})) << r.Describe();
      const uint32_t itt = static_cast<uint32_t>(r.pdu.data[16]) << 24 | r.pdu.data[17] << 16 |
                           r.pdu.data[18] << 8 | r.pdu.data[19];
      EXPECT_TRUE(pending.erase(itt)) << "a Reject for an unknown ITT: " << r.Describe();
      ++rejected;
    }
  }
  RecordProperty("rejected", std::to_string(rejected));
  EXPECT_TRUE(pending.empty()) << pending.size() << " immediate commands got no answer";
  ExpectInWindowCommandWorks(s.get(), "after the immediate storm");
  ExpectTargetServes(t, "after an immediate-command storm");
}

}  // namespace
}  // namespace conformance::hostile
