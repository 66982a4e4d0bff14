// Task management (RFC 7143 §11.5 Task Management Function Request, §11.6.1 responses;
// SAM-5 §7; TEST-PLAN S9, S10, S20, S21, T21, T22): ABORT TASK for unknown tasks in and out of
// the CmdSN window and for a pending WRITE, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET
// (unit attention on the other nexus, unknown LUN), TARGET WARM / COLD RESET, TASK REASSIGN at
// ERL 0 and an undefined function.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "harness/expect/gtest_expect.h"
#include "harness/iscsi/session.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"
#include "suites/conformance/open/writable_lun_fixture.h"

namespace conformance {
namespace {

using harness::expect::Expect;
using harness::iscsi::tmf_response::kFunctionComplete;
using harness::iscsi::tmf_response::kLunDoesNotExist;
using harness::iscsi::tmf_response::kNotSupported;
using harness::iscsi::tmf_response::kTaskDoesNotExist;
using harness::rawpdu::kOpR2t;
using harness::rawpdu::kOpReject;
using harness::rawpdu::kOpTaskMgmtResponse;
using harness::rawpdu::RecvStatus;

constexpr uint8_t kAbortTask = 1;
constexpr uint8_t kAbortTaskSet = 2;
constexpr uint8_t kTargetWarmReset = 6;
constexpr uint8_t kTargetColdReset = 7;
constexpr uint8_t kTaskReassign = 8;
constexpr uint32_t kUnusedTag = 0x7eadbeef;

class Tmf : public ::testing::Test, protected WritableLunFixture {
 protected:
  bool Prepare(const TargetUnderTest& t, const std::string& tag) {
    if (!BindWritableLun(t, tag)) return false;
    return true;
  }

  std::unique_ptr<RawClient> OpenRaw(const KeyValues& keys = {}) {
    std::string err;
    auto c = RawClient::Open(*target_, initiator_, keys, &err);
    if (!c || !c->ClearUnitAttentions(lun_no_, &err)) {
      ADD_FAILURE() << err;
      return nullptr;
    }
    return c;
  }

  // Sends a TMF and waits for its response (or a Reject); returns the response code, -1 if
  // the connection closed, -2 on a Reject (its reason in `*reject_reason`), -3 on timeout.
  int SendTmf(RawClient* c, uint8_t function, uint32_t rtt, uint32_t ref_cmd_sn,
              uint8_t* reject_reason = nullptr) {
    std::string err;
    const uint32_t itt = c->NextItt();
    if (!c->Send(c->TaskManagement(function, lun_no_, rtt, ref_cmd_sn, itt), &err)) return -1;
    const auto deadline = std::chrono::steady_clock::now() + kReplyLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      Pdu in;
      const RecvStatus st = c->Next(&in, kReplyLimit, &err);
      if (st == RecvStatus::kTimeout) return -3;
      if (st != RecvStatus::kPdu) return -1;
      if (in.opcode() == kOpTaskMgmtResponse && in.itt() == itt) return in.bhs[2];
      if (in.opcode() == kOpReject) {
        if (reject_reason != nullptr) *reject_reason = in.bhs[2];
        return -2;
      }
      others_.push_back(std::move(in));
    }
    return -3;
  }

  // Starts a WRITE that waits for its Data-Out (InitialR2T=Yes, no immediate data) and
  // returns it once the R2T came.
  RawOutcome StartPendingWrite(RawClient* c, uint64_t lba) {
    RawCommand w;
    w.lun = lun_no_;
    w.cdb.assign(16, 0);
    w.cdb[0] = 0x8a;
    for (int i = 0; i < 8; ++i) w.cdb[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
    w.cdb[13] = 4;
    w.data_out = Pattern(0xab0, 4 * bs_);
    w.expect_reply = false;
    RawOutcome sent = c->Execute(w);
    std::string err;
    Pdu r2t;
    if (c->WaitFor(kOpR2t, sent.itt, &r2t, kReplyLimit, &err, &others_) != RecvStatus::kPdu) {
      ADD_FAILURE() << "no R2T for the WRITE: " << err;
    }
    return sent;
  }

  // The aborted WRITE never completes with GOOD and its data never lands.
  void ExpectAborted(RawClient* c, const RawOutcome& sent, uint64_t lba,
                     const std::vector<uint8_t>& before) {
    for (const Pdu& p : others_) {
      if (p.itt() == sent.itt && p.opcode() == harness::rawpdu::kOpScsiResponse) {
        EXPECT_NE(p.bhs[3], 0) << "the aborted WRITE completed with GOOD";
      }
    }
    bool closed = false;
    auto ended = c->Collect({sent.itt}, Ms(200), nullptr, &closed);
    ASSERT_FALSE(closed);
    if (ended.count(sent.itt) != 0) {
      EXPECT_NE(ended[sent.itt].status, 0) << "the aborted WRITE completed with GOOD";
    }
    RawOutcome rd = c->Read(lun_no_, lba, 4, bs_);
    ASSERT_TRUE(rd.good()) << "the session stopped working after the TMF: " << rd.Describe();
    EXPECT_TRUE(rd.data == before) << "the aborted WRITE changed the medium";
  }

  std::vector<Pdu> others_;
};

// RefCmdSN inside the window and below the TMF's CmdSN names a command the target has not
// received: it counts it as received (the gap closes) and answers "Function complete".
TEST_F(Tmf, AbortTaskUnknownRttInWindow) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1 (ABORT TASK, unknown RTT, RefCmdSN in window: response 0)");
  ASSERT_TRUE(Prepare(t, "abortinwindow"));
  auto c = OpenRaw();
  ASSERT_TRUE(c);
  const uint32_t lost = c->Consume();  // a command "sent" with this CmdSN never arrives
  EXPECT_EQ(SendTmf(c.get(), kAbortTask, kUnusedTag, lost), kFunctionComplete);
  RawCommand tur;
  tur.lun = lun_no_;
  tur.cdb.assign(6, 0);
  tur.limit = Ms(2000);
  RawOutcome r = c->Execute(tur);  // CmdSN lost + 1
  EXPECT_TRUE(r.good()) << "the CmdSN gap was not closed by the abort: " << r.Describe();
}

TEST_F(Tmf, AbortTaskUnknownRttOutOfWindow) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §11.5.1 (ABORT TASK, unknown RTT, RefCmdSN outside the window: response 1)");
  ASSERT_TRUE(Prepare(t, "abortoutwindow"));
  auto c = OpenRaw();
  ASSERT_TRUE(c);
  EXPECT_EQ(SendTmf(c.get(), kAbortTask, kUnusedTag, c->max_cmd_sn() + 1000), kTaskDoesNotExist);
  RawCommand tur;
  tur.lun = lun_no_;
  tur.cdb.assign(6, 0);
  EXPECT_TRUE(c->Execute(tur).good());
}

TEST_F(Tmf, AbortTaskPendingWrite) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1 (ABORT TASK), SAM-5 ABORT TASK; TEST-PLAN S21 (no late write)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "abortpending"));
  auto c = OpenRaw({{"ImmediateData", "No"}, {"InitialR2T", "Yes"}});
  ASSERT_TRUE(c);
  const uint64_t lba = 9000;
  const std::vector<uint8_t> before = Pattern(0xab1, 4 * bs_);
  ASSERT_TRUE(c->Write(lun_no_, lba, before, bs_).good());
  const RawOutcome sent = StartPendingWrite(c.get(), lba);
  EXPECT_EQ(SendTmf(c.get(), kAbortTask, sent.itt, sent.cmd_sn), kFunctionComplete);
  ExpectAborted(c.get(), sent, lba, before);
}

TEST_F(Tmf, AbortTaskSetPendingWrite) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1 (ABORT TASK SET), SAM-5 ABORT TASK SET");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "abortset"));
  auto c = OpenRaw({{"ImmediateData", "No"}, {"InitialR2T", "Yes"}});
  ASSERT_TRUE(c);
  const uint64_t lba = 9010;
  const std::vector<uint8_t> before = Pattern(0xab2, 4 * bs_);
  ASSERT_TRUE(c->Write(lun_no_, lba, before, bs_).good());
  const RawOutcome sent = StartPendingWrite(c.get(), lba);
  EXPECT_EQ(SendTmf(c.get(), kAbortTaskSet, harness::rawpdu::kReservedTag, 0), kFunctionComplete);
  ExpectAborted(c.get(), sent, lba, before);
}

TEST_F(Tmf, ClearTaskSetCompletesOrUnsupported) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1, §11.6.1 (CLEAR TASK SET: 0, or 5 if not supported)");
  ASSERT_TRUE(Prepare(t, "clearset"));
  auto s = harness::iscsi::Session::Connect(LibiscsiOptions(t, initiator_, lun_->number));
  ASSERT_TRUE(s.ok()) << s.error();
  auto r = s.value()->ClearTaskSet(lun_->number, kReplyLimit);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.value().response == kFunctionComplete || r.value().response == kNotSupported)
      << harness::iscsi::TmfResponseName(r.value().response);
  auto tur = s.value()->Execute(harness::iscsi::cdb::TestUnitReady(),
                                harness::iscsi::DataDirection::kNone, {}, 0, Ms(3000));
  EXPECT_SCSI(tur, Expect::Good(), "SPC-4 §6.37: the session works after CLEAR TASK SET");
}

TEST_F(Tmf, LunResetUnitAttentionOnOtherSession) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §11.5.1 (LOGICAL UNIT RESET), SAM-5 LOGICAL UNIT RESET (UA 29h/03h); TEST-PLAN "
      "S20");
  ASSERT_TRUE(Prepare(t, "lunreset"));
  auto a = harness::iscsi::Session::Connect(LibiscsiOptions(t, initiator_, lun_->number));
  ASSERT_TRUE(a.ok()) << a.error();
  auto b =
      harness::iscsi::Session::Connect(LibiscsiOptions(t, initiator_ + "-other", lun_->number));
  ASSERT_TRUE(b.ok()) << b.error();
  auto r = a.value()->LunReset(lun_->number, kReplyLimit);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.value().response, kFunctionComplete)
      << harness::iscsi::TmfResponseName(r.value().response);
  auto ua = b.value()->Execute(harness::iscsi::cdb::TestUnitReady(),
                               harness::iscsi::DataDirection::kNone, {}, 0, Ms(3000));
  EXPECT_SCSI(
      ua, Expect::UnitAttention(0x29, 0x03),
      "SAM-5 LOGICAL UNIT RESET: BUS DEVICE RESET FUNCTION OCCURRED on the other I_T nexus");
  auto next = b.value()->Execute(harness::iscsi::cdb::TestUnitReady(),
                                 harness::iscsi::DataDirection::kNone, {}, 0, Ms(3000));
  EXPECT_SCSI(next, Expect::Good(), "SAM-5 §5.14: the unit attention is reported once");
}

TEST_F(Tmf, LunResetUnknownLun) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.6.1 (response 2: LUN does not exist)");
  ASSERT_TRUE(Prepare(t, "lunresetunknown"));
  auto a = harness::iscsi::Session::Connect(LibiscsiOptions(t, initiator_, lun_->number));
  ASSERT_TRUE(a.ok()) << a.error();
  int missing = 200;
  for (const auto& l : t.luns) ASSERT_NE(l.number, missing);
  auto r = a.value()->LunReset(missing, kReplyLimit);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().response, kLunDoesNotExist)
      << harness::iscsi::TmfResponseName(r.value().response);
}

TEST_F(Tmf, TargetWarmResetPerformedOrRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1, §11.6.1 (TARGET WARM RESET: 0, or 5/6/255); TEST-PLAN S10");
  ASSERT_TRUE(Prepare(t, "warmreset"));
  auto a = OpenRaw();
  ASSERT_TRUE(a);
  auto b =
      harness::iscsi::Session::Connect(LibiscsiOptions(t, initiator_ + "-other", lun_->number));
  ASSERT_TRUE(b.ok()) << b.error();
  const int response = SendTmf(a.get(), kTargetWarmReset, harness::rawpdu::kReservedTag, 0);
  RecordProperty("tmf_response", response);
  ASSERT_TRUE(response == 0 || response == 5 || response == 6 || response == 255)
      << "response " << response;
  auto tur = b.value()->Execute(harness::iscsi::cdb::TestUnitReady(),
                                harness::iscsi::DataDirection::kNone, {}, 0, Ms(3000));
  if (response == kFunctionComplete) {
    // The reset reaches every logical unit: the other nexus sees a reset unit attention,
    // and the warm reset keeps its connection.
    EXPECT_SCSI(
        tur, Expect::CheckCondition(0x06, {{0x29, 0, true}}, "UNIT ATTENTION 29h/xx"),
        "RFC 7143 §11.5.1 (warm reset = SAM target reset): UNIT ATTENTION 29h on the other nexus");
    tur = b.value()->Execute(harness::iscsi::cdb::TestUnitReady(),
                             harness::iscsi::DataDirection::kNone, {}, 0, Ms(3000));
  }
  EXPECT_SCSI(tur, Expect::Good(), "RFC 7143 §11.5.1: a warm reset keeps the sessions");
}

TEST_F(Tmf, TargetColdResetClosesAllConnectionsOrRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1 (TARGET COLD RESET closes all connections), TEST-PLAN S10");
  ASSERT_TRUE(Prepare(t, "coldreset"));
  auto a = OpenRaw();
  ASSERT_TRUE(a);
  auto b = OpenRaw();
  ASSERT_TRUE(b);
  const int response = SendTmf(a.get(), kTargetColdReset, harness::rawpdu::kReservedTag, 0);
  RecordProperty("tmf_response", response);
  if (response == 5 || response == 6 || response == 255) {
    RawCommand tur;
    tur.lun = lun_no_;
    tur.cdb.assign(6, 0);
    EXPECT_TRUE(b->Execute(tur).completed) << "a refused cold reset must leave sessions alone";
    return;
  }
  // Performed: the response may or may not make it out before the connections close.
  ASSERT_TRUE(response == kFunctionComplete || response == -1) << "response " << response;
  EXPECT_TRUE(a->conn()->WaitForClose(Ms(3000))) << "the issuing connection stayed open";
  EXPECT_TRUE(b->conn()->WaitForClose(Ms(3000))) << "another session's connection stayed open";
  // The target accepts new logins afterwards.
  std::string err;
  std::unique_ptr<RawClient> again;
  for (int i = 0; i < 20 && !again; ++i) {
    again = RawClient::Open(t, initiator_, {}, &err);
    if (!again) std::this_thread::sleep_for(Ms(100));
  }
  EXPECT_TRUE(again) << "no login within 2 s after the cold reset: " << err;
}

TEST_F(Tmf, TaskReassignRefusedAtErl0) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.5.1, §11.6.1 (TASK REASSIGN needs ERL 2: response 3, 4 or 5)");
  ASSERT_TRUE(Prepare(t, "reassign"));
  auto c = OpenRaw({{"ErrorRecoveryLevel", "0"}});
  ASSERT_TRUE(c);
  const int response = SendTmf(c.get(), kTaskReassign, kUnusedTag, c->cmd_sn());
  EXPECT_TRUE(response == 3 || response == 4 || response == 5) << "response " << response;
}

TEST_F(Tmf, UndefinedFunctionNotSupported) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.6.1 (5 not supported or 255 function rejected), §11.17.1");
  ASSERT_TRUE(Prepare(t, "tmfunknown"));
  auto c = OpenRaw();
  ASSERT_TRUE(c);
  uint8_t reason = 0;
  const int response = SendTmf(c.get(), 0x5a, harness::rawpdu::kReservedTag, 0, &reason);
  if (response == -2) {
    EXPECT_TRUE(reason == 0x04 || reason == 0x05 || reason == 0x09)
        << "Reject reason 0x" << std::hex << int{reason};
  } else {
    // Peers differ (LIO answers 5, SPDK and tgt 255); both are the RFC's refusals.
    EXPECT_TRUE(response == kNotSupported || response == harness::iscsi::tmf_response::kRejected)
        << "response " << response;
  }
  RawCommand tur;
  tur.lun = lun_no_;
  tur.cdb.assign(6, 0);
  EXPECT_TRUE(c->Execute(tur).good()) << "the session stopped working";
}

}  // namespace
}  // namespace conformance
