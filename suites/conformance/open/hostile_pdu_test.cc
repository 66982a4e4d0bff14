// Malformed PDUs in Full Feature Phase (TEST-PLAN S5, T04, T12; RFC 7143 §11.2 BHS, §11.16
// SNACK, §11.17 Reject, §13.12 MaxRecvDataSegmentLength): unknown and vendor opcodes, SNACK
// at ErrorRecoveryLevel 0, a Login Request after login, a data segment beyond the declared
// limit, an AHS that lies about its length. The target rejects with the right reason (or,
// where framing cannot be trusted, closes that connection) and keeps serving others.
#include <gtest/gtest.h>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/hostile_support.h"

namespace conformance::hostile {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;
using Kind = RawFfp::Reaction::Kind;

// Expects `r` to be a Reject with one of `reasons` that quotes the header of `sent` (§11.17:
// the rejected PDU's BHS is the Reject's data), and the connection to answer a ping after it.
void ExpectRejectAndAlive(RawFfp* s, const RawFfp::Reaction& r, const Pdu& sent,
                          std::initializer_list<uint8_t> reasons, const std::string& what) {
  ASSERT_TRUE(r.IsReject(reasons)) << what << ": expected a Reject, got " << r.Describe();
  ASSERT_GE(r.pdu.data.size(), rp::kBhsLength) << what << ": the Reject carries no header";
  EXPECT_EQ(r.pdu.data[0] & 0x3f, sent.bhs[0] & 0x3f) << what << ": the Reject quotes another PDU";
  EXPECT_EQ(r.pdu.Get32(16), rp::kReservedTag) << what << ": a Reject's ITT is 0xffffffff";
  std::string why;
  EXPECT_TRUE(s->PingWorks(&why)) << what << ": the connection no longer works after the Reject: "
                                  << why;
}

TEST(HostilePdu, UnknownOpcodeIsRejected) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.17.1: reason 05h "Command not supported" (04h Protocol Error also describes it); a
  // Reject, not a dropped connection, for a minor PDU error (TEST-PLAN S5).
  HARNESS_CLAUSE("RFC 7143 §11.2.1.2, §11.17.1");
  for (uint8_t opcode : {uint8_t{0x0f}, uint8_t{0x1c}}) {  // reserved; vendor specific
    SCOPED_TRACE("opcode " + std::to_string(opcode));
    LOGIN_FFP(t, s, "opcode", KeyValues{});
    Pdu p = s->NopPing(s->NextItt());
    p.bhs[0] = opcode | rp::kImmediateBit;
    std::string error;
    ASSERT_TRUE(s->Send(p, &error)) << error;
    ExpectRejectAndAlive(s.get(), s->Await(3s), p, {kRejectNotSupported, kRejectProtocolError},
                         "unknown opcode");
  }
  ExpectTargetServes(t, "after unknown opcodes");
}

TEST(HostilePdu, SnackAtErrorRecoveryLevelZeroIsRejected) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.16: SNACK is meaningful only with ErrorRecoveryLevel > 0; at ERL 0 the target answers
  // with a Reject (04h Protocol Error; 03h SNACK Reject and 05h also name the refusal).
  HARNESS_CLAUSE("RFC 7143 §11.16, §11.17.1, §13.20 (ErrorRecoveryLevel=0)");
  LOGIN_FFP(t, s, "snack", (KeyValues{{"ErrorRecoveryLevel", "0"}}));
  for (uint8_t type : {uint8_t{0}, uint8_t{1}, uint8_t{2}}) {  // Data/R2T, Status, DataACK
    SCOPED_TRACE("SNACK type " + std::to_string(type));
    Pdu p;
    p.bhs[0] = rp::kOpSnack;
    p.bhs[1] = static_cast<uint8_t>(0x80 | type);
    p.Set32(16, type == 1 ? rp::kReservedTag : 0x4242);
    p.Set32(20, rp::kReservedTag);
    p.Set32(28, s->exp_stat_sn());
    p.Set32(40, 0);  // BegRun
    p.Set32(44, 0);  // RunLength
    std::string error;
    ASSERT_TRUE(s->Send(p, &error)) << error;
    ExpectRejectAndAlive(s.get(), s->Await(3s), p,
                         {kRejectProtocolError, kRejectSnack, kRejectNotSupported}, "SNACK");
  }
  ExpectTargetServes(t, "after SNACKs at ERL 0");
}

TEST(HostilePdu, LoginRequestAfterLoginIsRejected) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.1 / §11.12: Login Requests belong to the login phase; one in Full Feature Phase is a
  // protocol error: Reject 04h, or the connection is dropped.
  HARNESS_CLAUSE("RFC 7143 §6.1, §11.17.1");
  LOGIN_FFP(t, s, "relogin", KeyValues{});
  rp::RawLoginOptions o;
  o.initiator_name = "iqn.2003-01.org.reftarget.harness:relogin";
  o.target_name = t.iqn;
  Pdu p = rp::MakeLoginRequest(o, 1, 3, true, s->NextItt(), s->cmd_sn(), s->exp_stat_sn(),
                               {{"InitiatorName", o.initiator_name}, {"TargetName", t.iqn}});
  std::string error;
  ASSERT_TRUE(s->Send(p, &error)) << error;
  RawFfp::Reaction r = s->Await(3s);
  if (r.kind != Kind::kClosed) {
    ExpectRejectAndAlive(s.get(), r, p, {kRejectProtocolError, kRejectNotSupported},
                         "Login Request in Full Feature Phase");
  }
  ExpectTargetServes(t, "after a Login Request in Full Feature Phase");
}

TEST(HostilePdu, DataSegmentBeyondDeclaredLimit) {
  HARNESS_REQUIRE_TARGET(t);
  // §13.12: the target declared MaxRecvDataSegmentLength and the initiator must not exceed
  // it. The RFC leaves the receiver's answer open: Reject (04h / 09h), closing the connection
  // (the framing is suspect), or tolerating it and answering the ping. The bytes are really
  // sent, so reading stays in step either way; a stall or a crash is the failure.
  HARNESS_CLAUSE("RFC 7143 §13.12, §11.17.1 (TEST-PLAN S12)");
  LOGIN_FFP(t, s, "bigdsl", KeyValues{});
  const uint32_t limit = s->login().target_max_recv_data_segment;
  RecordProperty("target_max_recv_data_segment", std::to_string(limit));
  const uint32_t itt = s->NextItt();
  Pdu p = s->NopPing(itt, std::vector<uint8_t>(limit + 4096, 0x5a));
  std::string error;
  s->Send(p, &error);  // the target may close before reading it all
  RawFfp::Reaction r = s->Await(3s);
  const bool echoed = r.kind == Kind::kPdu && r.pdu.opcode() == rp::kOpNopIn && r.pdu.itt() == itt;
  if (r.kind != Kind::kClosed && !echoed) {
    ExpectRejectAndAlive(s.get(), r, p, {kRejectProtocolError, kRejectInvalidPduField},
                         "NOP-Out beyond MaxRecvDataSegmentLength");
  }
  ExpectTargetServes(t, "after an over-long data segment");
}

TEST(HostilePdu, AhsLongerThanTotalAhsLength) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.2.1.5 / §11.2.2: each AHS states its own length; one that runs past TotalAHSLength
  // must not be read beyond it. Reject (04h / 09h), a CHECK CONDITION, a plain answer to the
  // 16-byte CDB, or closing the connection are all RFC answers; a crash or a stall is not.
  HARNESS_CLAUSE("RFC 7143 §11.2.1.5, §11.2.2, §11.3.5 (TEST-PLAN T04, T12)");
  LOGIN_FFP(t, s, "ahs", KeyValues{});
  const uint32_t itt = s->NextItt();
  Pdu p = s->ScsiCommand(itt, std::vector<uint8_t>(6, 0), false, false, 0);  // TEST UNIT READY
  p.ahs = {0x00, 0x64, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef};  // AHSLength 100 in 8 bytes
  std::string error;
  ASSERT_TRUE(s->Send(p, &error)) << error;
  std::vector<Pdu> rejects;
  RawFfp::Reaction r = s->AwaitResponse(itt, 3s, &rejects, /*stop_at_reject=*/true);
  EXPECT_TRUE(r.kind == Kind::kClosed || r.IsScsiResponse() || !rejects.empty())
      << "a SCSI Command whose AHS overruns TotalAHSLength got: " << r.Describe();
  if (r.kind != Kind::kClosed) {
    std::string why;
    EXPECT_TRUE(s->PingWorks(&why)) << why;
  }
  ExpectTargetServes(t, "after an AHS overrunning TotalAHSLength");
}

TEST(HostilePdu, ScsiCommandWithDataButNoWriteBit) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.3.1 / §11.3.4: immediate data belongs to a command with W=1. A READ carrying a data
  // segment is malformed; the RFC names no single answer: Reject (04h / 09h), a status for
  // the command (the data ignored or the command failed), or closing the connection. Silence
  // (a lost command) or a crash is the failure.
  HARNESS_CLAUSE("RFC 7143 §11.3.1, §11.3.4, §11.17.1");
  LOGIN_FFP(t, s, "rw", KeyValues{});
  const uint32_t itt = s->NextItt();
  Pdu p = s->ScsiCommand(itt, Read16Cdb(0, 1), true, false, s->block_size(),
                         std::vector<uint8_t>(512, 0x33));
  std::string error;
  ASSERT_TRUE(s->Send(p, &error)) << error;
  std::vector<Pdu> rejects;
  RawFfp::Reaction r = s->AwaitResponse(itt, 3s, &rejects, /*stop_at_reject=*/true);
  EXPECT_TRUE(r.kind == Kind::kClosed || r.kind == Kind::kPdu)
      << "a READ carrying a data segment got: " << r.Describe();
  ExpectTargetServes(t, "after a READ with a data segment");
}

}  // namespace
}  // namespace conformance::hostile
