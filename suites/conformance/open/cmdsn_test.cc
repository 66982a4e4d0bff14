// Command numbering and the command window (RFC 7143 §4.2.2.1, §11.3; TEST-PLAN S1, S2, T15,
// T16): out-of-window and duplicate CmdSNs are silently ignored, immediate commands do not
// advance CmdSN, CmdSN wraps by serial arithmetic, and the window admits 128 commands.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"
#include "suites/conformance/open/writable_lun_fixture.h"

namespace conformance {
namespace {

using harness::rawpdu::kOpR2t;
using harness::rawpdu::kOpScsiResponse;

class CmdSn : public ::testing::Test, protected WritableLunFixture {
 protected:
  // Opens a raw session on the writable LUN; false (after a failure) if it cannot.
  bool Open(const TargetUnderTest& t, const std::string& tag, uint32_t initial_cmd_sn = 1) {
    if (!BindWritableLun(t, tag)) return false;
    std::string err;
    client_ = RawClient::Open(t, initiator_, {}, &err, std::nullopt, initial_cmd_sn);
    if (!client_) {
      ADD_FAILURE() << err;
      return false;
    }
    if (!client_->ClearUnitAttentions(lun_no_, &err)) {
      ADD_FAILURE() << err;
      return false;
    }
    return true;
  }

  RawCommand Tur() const {
    RawCommand c;
    c.lun = lun_no_;
    c.cdb.assign(6, 0);
    return c;
  }

  // WRITE(16) of one block carrying `data` (immediate data when negotiated).
  RawCommand WriteOne(uint64_t lba, const std::vector<uint8_t>& data) const {
    RawCommand c;
    c.lun = lun_no_;
    c.cdb.assign(16, 0);
    c.cdb[0] = 0x8a;
    for (int i = 0; i < 8; ++i) c.cdb[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
    c.cdb[13] = 1;
    c.data_out = data;
    return c;
  }

  // Sends `c` with CmdSN `cmd_sn` (outside the client's numbering) and checks that the
  // target neither answers nor acts on it, and keeps the session.
  void ExpectIgnored(RawCommand c, uint32_t cmd_sn) {
    c.cmd_sn = cmd_sn;
    c.expect_reply = false;
    RawOutcome sent = client_->Execute(c);
    ASSERT_FALSE(sent.closed) << sent.error;
    std::vector<Pdu> arrived;
    const bool quiet = client_->Quiet(kSilence, &arrived);
    for (const Pdu& p : arrived) {
      EXPECT_NE(p.itt(), sent.itt)
          << "the target answered a command with CmdSN " << cmd_sn << " (ExpCmdSN "
          << client_->exp_cmd_sn() << ", MaxCmdSN " << client_->max_cmd_sn()
          << "): " << harness::rawpdu::OpcodeName(p.opcode());
    }
    ASSERT_TRUE(quiet || !arrived.empty()) << "the target closed the session";
  }

  std::unique_ptr<RawClient> client_;
};

TEST_F(CmdSn, CmdSnAboveWindowIgnored) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (a CmdSN outside [ExpCmdSN, MaxCmdSN] is silently ignored)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "cmdsnhigh"));
  const uint64_t lba = 6000;
  const std::vector<uint8_t> before = Pattern(0x61, bs_);
  ASSERT_TRUE(client_->Execute(WriteOne(lba, before)).good());
  ASSERT_NO_FATAL_FAILURE(
      ExpectIgnored(WriteOne(lba, Pattern(0x62, bs_)), client_->max_cmd_sn() + 1));
  RawOutcome r = client_->Read(lun_no_, lba, 1, bs_);
  ASSERT_TRUE(r.good()) << "the next in-window command: " << r.Describe();
  EXPECT_TRUE(r.data == before) << "the ignored WRITE reached the medium";
}

TEST_F(CmdSn, CmdSnBelowWindowIgnored) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (CmdSN below ExpCmdSN: silently ignored)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "cmdsnlow"));
  const uint64_t lba = 6010;
  const std::vector<uint8_t> before = Pattern(0x63, bs_);
  ASSERT_TRUE(client_->Execute(WriteOne(lba, before)).good());
  ASSERT_NO_FATAL_FAILURE(
      ExpectIgnored(WriteOne(lba, Pattern(0x64, bs_)), client_->exp_cmd_sn() - 1));
  RawOutcome r = client_->Read(lun_no_, lba, 1, bs_);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.data == before) << "the ignored WRITE reached the medium";
}

// Two commands with the same CmdSN inside the window (the first waiting for a lower CmdSN):
// the duplicate is ignored, the original and the gap-filler run.
TEST_F(CmdSn, DuplicateCmdSnInWindowIgnored) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (non-immediate duplicates within the window are ignored)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "cmdsndup"));
  ASSERT_FALSE(SnLess(client_->max_cmd_sn(), client_->cmd_sn() + 1))
      << "the window must hold at least two commands for this test";
  const uint64_t lba = 6020;
  const std::vector<uint8_t> original = Pattern(0x65, bs_);
  const std::vector<uint8_t> duplicate = Pattern(0x66, bs_);
  const uint32_t n = client_->cmd_sn();
  RawCommand a = WriteOne(lba, original);
  a.cmd_sn = n + 1;
  a.expect_reply = false;
  RawCommand b = WriteOne(lba, duplicate);
  b.cmd_sn = n + 1;
  b.expect_reply = false;
  RawCommand gap = Tur();
  gap.cmd_sn = n;
  gap.expect_reply = false;
  const RawOutcome sa = client_->Execute(a);
  const RawOutcome sb = client_->Execute(b);
  const RawOutcome sg = client_->Execute(gap);
  ASSERT_FALSE(sa.closed || sb.closed || sg.closed);
  client_->Consume();
  client_->Consume();
  bool closed = false;
  auto ended = client_->Collect({sa.itt, sb.itt, sg.itt}, kSilence + Ms(400), nullptr, &closed);
  ASSERT_FALSE(closed) << "the target closed the session";
  ASSERT_EQ(ended.count(sg.itt), 1u) << "the command filling the gap got no response";
  EXPECT_EQ(ended[sg.itt].status, 0);
  ASSERT_EQ(ended.count(sa.itt), 1u) << "the original command with CmdSN n+1 got no response";
  EXPECT_EQ(ended[sa.itt].status, 0);
  EXPECT_EQ(ended.count(sb.itt), 0u) << "the duplicate CmdSN was executed";
  RawOutcome r = client_->Read(lun_no_, lba, 1, bs_);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.data == original) << "the duplicate's data reached the medium";
}

TEST_F(CmdSn, CmdSnWrapsAround) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (CmdSN uses serial number arithmetic, RFC 1982)");
  ASSERT_TRUE(Open(t, "cmdsnwrap", 0xfffffff0u));
  for (int i = 0; i < 40; ++i) {
    const uint32_t sn = client_->cmd_sn();
    RawOutcome r = client_->Execute(Tur());
    ASSERT_TRUE(r.good()) << "TEST UNIT READY with CmdSN 0x" << std::hex << sn << ": "
                          << r.Describe();
    EXPECT_EQ(client_->exp_cmd_sn(), sn + 1) << "ExpCmdSN after CmdSN 0x" << std::hex << sn;
  }
  EXPECT_TRUE(client_->window_problems().empty()) << client_->window_problems().front();
}

TEST_F(CmdSn, QueueDepthAtLeast128) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §4.2.2.1 (command window MaxCmdSN - ExpCmdSN + 1; 128 required)");
  ASSERT_TRUE(Open(t, "queuedepth"));
  const uint32_t window = client_->max_cmd_sn() - client_->exp_cmd_sn() + 1;
  EXPECT_GE(window, 128u) << "idle window: ExpCmdSN " << client_->exp_cmd_sn() << ", MaxCmdSN "
                          << client_->max_cmd_sn();
  // Queue 128 READs without waiting; every one completes.
  std::set<uint32_t> itts;
  for (int i = 0; i < 128; ++i) {
    RawCommand c;
    c.lun = lun_no_;
    c.cdb.assign(16, 0);
    c.cdb[0] = 0x88;
    c.cdb[9] = static_cast<uint8_t>(i * 8);  // LBA i*8
    c.cdb[13] = 8;
    c.data_in_length = 8 * bs_;
    c.expect_reply = false;
    RawOutcome sent = client_->Execute(c);
    ASSERT_FALSE(sent.closed) << "command " << i << ": " << sent.error;
    itts.insert(sent.itt);
  }
  bool closed = false;
  auto ended = client_->Collect(itts, Ms(10000), nullptr, &closed);
  ASSERT_FALSE(closed);
  EXPECT_EQ(ended.size(), 128u) << "commands answered out of 128 queued";
  size_t good = 0;
  for (const auto& [itt, e] : ended) good += e.status == 0 ? 1 : 0;
  EXPECT_EQ(good, ended.size()) << "every queued READ is GOOD";
  EXPECT_EQ(client_->exp_cmd_sn(), client_->cmd_sn());
  EXPECT_TRUE(client_->window_problems().empty()) << client_->window_problems().front();
}

TEST_F(CmdSn, ImmediateCommandDoesNotAdvanceCmdSn) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §4.2.2.1, §11.3 (an immediate command carries CmdSN but does not advance it)");
  ASSERT_TRUE(Open(t, "immediatecmd"));
  const uint32_t n = client_->cmd_sn();
  RawCommand imm = Tur();
  imm.immediate = true;
  RawOutcome r = client_->Execute(imm);
  if (!r.completed && !r.rejects.empty()) {
    // RFC 7143 §11.17.1 reason 06h: a target may refuse immediate commands.
    EXPECT_EQ(r.rejects.front().bhs[2], 0x06) << r.Describe();
  } else {
    ASSERT_TRUE(r.good()) << r.Describe();
  }
  EXPECT_EQ(client_->exp_cmd_sn(), n) << "ExpCmdSN advanced for an immediate command";
  RawOutcome next = client_->Execute(Tur());
  ASSERT_TRUE(next.good()) << "the non-immediate command with the same CmdSN: " << next.Describe();
  EXPECT_EQ(client_->exp_cmd_sn(), n + 1);
}

}  // namespace
}  // namespace conformance
