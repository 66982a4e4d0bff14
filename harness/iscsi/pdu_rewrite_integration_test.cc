// PduRewriteGuard against a real reftarget: rewritten header fields reach the target and
// its reaction is observable; dropped PDUs never arrive; the hook is gone afterwards.
#include <gtest/gtest.h>

#include <chrono>

#include "harness/expect/gtest_expect.h"
#include "harness/iscsi/cdb.h"
#include "harness/iscsi/integration_fixture.h"
#include "harness/iscsi/pdu_rewrite_guard.h"

namespace harness::iscsi {
namespace {

using expect::Expect;
using std::chrono::milliseconds;

constexpr milliseconds kLimit{10000};

class PduRewriteTest : public IntegrationTest {
 protected:
  void SetUp() override {
    StartTarget(RamdiskSpec());
    if (!target_) return;
    session_ = ConnectOrFail(Options());
  }

  CommandResult ReadOneBlock(milliseconds limit = kLimit) {
    return session_->Execute(cdb::Read10(0, 1), DataDirection::kRead, {}, kBlockSize, limit);
  }

  std::unique_ptr<Session> session_;
};

TEST_F(PduRewriteTest, ShorterEdtlGivesOverflowResidualAndIsRestored) {
  ASSERT_TRUE(session_);
  {
    PduRewriteGuard guard(*session_, RewriteFirst(pdu_opcode::kScsiCommand, opcode::kRead10,
                                                  [](OutgoingPdu& pdu) {
                                                    pdu.set_expected_data_transfer_length(256);
                                                  }));
    EXPECT_TRUE(guard.active());
    CommandResult r = ReadOneBlock();
    // RFC 7143 §11.4.5.2 / SAM-5 §5.4.3: the target sends EDTL bytes and reports the
    // difference as a residual overflow.
    EXPECT_SCSI(r, Expect::Good(), "RFC 7143 §11.4.5: READ(10) of 512 bytes with EDTL 256");
    EXPECT_EQ(r.residual.kind, Residual::Kind::kOverflow);
    EXPECT_EQ(r.residual.count, 256u);
    EXPECT_EQ(r.data_in.size(), 256u);
    EXPECT_EQ(guard.rewritten_count(), 1u);
    EXPECT_EQ(guard.anomalies(), 0u);
    std::vector<SeenPdu> seen = guard.seen();
    ASSERT_FALSE(seen.empty());
    EXPECT_NE(seen[0].before.find("edtl=512"), std::string::npos) << seen[0].before;
    EXPECT_NE(seen[0].after.find("edtl=256"), std::string::npos) << seen[0].after;
  }
  // The guard is gone: the same command goes out as libiscsi built it.
  CommandResult r = ReadOneBlock();
  EXPECT_SCSI(r, Expect::Good(), "SBC-3 §5.11: READ(10) after the guard");
  EXPECT_EQ(r.residual.kind, Residual::Kind::kNone);
  EXPECT_EQ(r.data_in.size(), kBlockSize);
}

TEST_F(PduRewriteTest, GuardsNestAndUnwind) {
  ASSERT_TRUE(session_);
  size_t outer_seen = 0;
  {
    PduRewriteGuard outer(*session_, [](OutgoingPdu&) { return PduAction::kSend; });
    {
      PduRewriteGuard inner(*session_, RewriteFirst(pdu_opcode::kScsiCommand, opcode::kRead10,
                                                    [](OutgoingPdu& pdu) {
                                                      pdu.set_expected_data_transfer_length(1024);
                                                    }));
      CommandResult r = ReadOneBlock();
      EXPECT_SCSI(r, Expect::Good(), "RFC 7143 §11.4.5: READ(10) of 512 bytes with EDTL 1024");
      EXPECT_EQ(r.residual.kind, Residual::Kind::kUnderflow);
      EXPECT_EQ(r.residual.count, 512u);
    }
    EXPECT_TRUE(outer.active());
    EXPECT_SCSI(ReadOneBlock(), Expect::Good(), "READ(10) with only the outer guard");
    outer_seen = outer.seen().size();
    EXPECT_GE(outer_seen, 2u);
  }
  EXPECT_SCSI(ReadOneBlock(), Expect::Good(), "READ(10) with no guard");
}

TEST_F(PduRewriteTest, DroppedCommandTimesOut) {
  ASSERT_TRUE(session_);
  PduRewriteGuard guard(*session_, DropFirst(pdu_opcode::kScsiCommand, opcode::kRead10));
  CommandRequest req;
  req.cdb = cdb::Read10(0, 1);
  req.direction = DataDirection::kRead;
  req.data_in_length = kBlockSize;
  req.limit = milliseconds(400);
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = session_->Execute(req);
  EXPECT_SCSI(r, Expect::TimedOut(), "a command the target never received gets no response");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  EXPECT_EQ(guard.dropped_count(), 1u);
  EXPECT_EQ(session_->abandoned(), 1u);
  EXPECT_FALSE(session_->broken());
}

TEST_F(PduRewriteTest, AbortTaskOfALostCommandFillsTheCmdSnGap) {
  ASSERT_TRUE(session_);
  PduRewriteGuard guard(*session_, DropFirst(pdu_opcode::kScsiCommand, opcode::kRead10));
  CommandRequest req;
  req.cdb = cdb::Read10(0, 1);
  req.direction = DataDirection::kRead;
  req.data_in_length = kBlockSize;
  req.limit = kLimit;
  auto id = session_->Submit(req);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_TRUE(session_->Poll(milliseconds(200)).empty());
  // RFC 7143 §11.5.1: the task is unknown but its RefCmdSN is in the window and below the
  // TMF's CmdSN, so the target must treat that CmdSN as received and answer Function
  // complete.
  auto tmf = session_->AbortTask(id.value(), kLimit);
  ASSERT_TRUE(tmf.ok()) << tmf.error();
  EXPECT_EQ(tmf.value().response, tmf_response::kFunctionComplete)
      << TmfResponseName(tmf.value().response);
  std::vector<Completion> done = session_->Poll(milliseconds(100));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].result.outcome, Outcome::kCancelled);
  // The gap is closed: the next command is executed.
  EXPECT_SCSI(ReadOneBlock(), Expect::Good(), "RFC 7143 §11.5.1: commands after the lost CmdSN run");
}

TEST_F(PduRewriteTest, CmdSnOutsideTheWindowIsIgnored) {
  ASSERT_TRUE(session_);
  PduRewriteGuard guard(*session_, RewriteFirst(pdu_opcode::kScsiCommand, opcode::kTestUnitReady,
                                                [](OutgoingPdu& pdu) {
                                                  pdu.set_cmdsn(pdu.cmdsn() + 0x40000000u);
                                                }));
  CommandResult r =
      session_->Execute(cdb::TestUnitReady(), DataDirection::kNone, {}, 0, milliseconds(500));
  // RFC 7143 §4.2.2.1: a non-immediate command outside [ExpCmdSN, MaxCmdSN] is silently
  // ignored.
  EXPECT_SCSI(r, Expect::TimedOut().Or(Expect::ConnectionLost()),
              "RFC 7143 §4.2.2.1: CmdSN outside the command window");
  EXPECT_EQ(guard.rewritten_count(), 1u);
}

TEST_F(PduRewriteTest, DropWithHeaderDigestSendsASilentNop) {
  ASSERT_TRUE(session_);
  ConnectOptions o = Options();
  o.header_digest = HeaderDigest::kCrc32c;
  auto digest_session = ConnectOrFail(o);
  ASSERT_TRUE(digest_session);
  PduRewriteGuard guard(*digest_session, DropFirst(pdu_opcode::kScsiCommand, opcode::kRead10));
  CommandResult r = digest_session->Execute(cdb::Read10(0, 1), DataDirection::kRead, {}, kBlockSize,
                                            milliseconds(400));
  EXPECT_SCSI(r, Expect::TimedOut(), "a dropped command (header digest on) gets no response");
  EXPECT_EQ(guard.dropped_count(), 1u);
  // The replacement NOP-Out (ITT 0xffffffff) asks for no answer and breaks nothing.
  EXPECT_TRUE(digest_session->Service(milliseconds(100)));
  EXPECT_FALSE(digest_session->broken());
}

TEST_F(PduRewriteTest, SessionDestructionDetachesTheGuard) {
  ASSERT_TRUE(session_);
  auto guard = std::make_unique<PduRewriteGuard>(*session_, DropFirst(pdu_opcode::kNopOut));
  EXPECT_TRUE(guard->active());
  session_.reset();
  EXPECT_FALSE(guard->active());
  guard.reset();  // must not touch the destroyed context
}

}  // namespace
}  // namespace harness::iscsi
