// Header and data digests (RFC 7143 §13.1 HeaderDigest/DataDigest, §7.8 digest errors,
// §11.17.1 Reject reason 02h, §11.4.7.2; TEST-PLAN S4, T19).
#include <gtest/gtest.h>

#include <string>

#include "harness/expect/gtest_expect.h"
#include "harness/iscsi/session.h"
#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"
#include "suites/conformance/open/writable_lun_fixture.h"

namespace conformance {
namespace {

using harness::expect::Expect;
using harness::rawpdu::kOpDataOut;
using harness::rawpdu::kOpScsiCommand;

constexpr uint8_t kRejectDataDigestError = 0x02;

class Digest : public ::testing::Test, protected WritableLunFixture {
 protected:
  // Binds the target, the writable LUN and an initiator name; false if the test must stop.
  bool Prepare(const TargetUnderTest& t, const std::string& tag) {
    if (!BindWritableLun(t, tag)) return false;
    return true;
  }

  // Raw login offering CRC32C for the given digests; null (with a skip reason in
  // `*skip`) if the target chose None, which it may when configured so (§6.2.1).
  std::unique_ptr<RawClient> OpenWithDigests(bool header, bool data, const KeyValues& keys,
                                             std::string* skip) {
    std::string err;
    auto c = RawClient::Open(*target_, initiator_, keys, &err, std::nullopt, 1,
                             header ? "CRC32C,None" : "None", data ? "CRC32C,None" : "None");
    if (!c) {
      ADD_FAILURE() << err;
      return nullptr;
    }
    EXPECT_TRUE(c->negotiated().problems.empty()) << c->negotiated().problems.front();
    if ((header && !c->negotiated().header_digest) || (data && !c->negotiated().data_digest)) {
      *skip = "the target answered None to a CRC32C offer (it may be configured without digests)";
      return nullptr;
    }
    if (!c->ClearUnitAttentions(lun_no_, &err)) {
      ADD_FAILURE() << err;
      return nullptr;
    }
    return c;
  }

  // The Reject and the task's end after a bad data digest (S4).
  void ExpectDigestErrorOutcome(const RawOutcome& w, uint8_t rejected_opcode) {
    ASSERT_FALSE(w.rejects.empty()) << "no Reject PDU: " << w.Describe();
    const Pdu& reject = w.rejects.front();
    EXPECT_EQ(reject.bhs[2], kRejectDataDigestError) << "Reject reason (02h Data-Digest-Error)";
    ASSERT_GE(reject.data.size(), harness::rawpdu::kBhsLength)
        << "a Reject carries the rejected PDU's header";
    EXPECT_EQ(reject.data[0] & 0x3f, rejected_opcode) << "opcode of the rejected header";
    ASSERT_TRUE(w.completed) << "the task must end with a SCSI Response at ERL0: " << w.Describe();
    EXPECT_SCSI(w.ToCommandResult({}),
                Expect::CheckCondition(0x0b, {{0x47, 0x05}}, "PROTOCOL SERVICE CRC ERROR"),
                "RFC 7143 §11.4.7.2, TEST-PLAN S4: ABORTED COMMAND 47h/05h");
  }

  // A correct write and read-back on the same connection.
  void ExpectStillWorks(RawClient* c, uint64_t lba, uint32_t blocks) {
    const std::vector<uint8_t> good =
        Pattern(0x600d0000u + static_cast<uint32_t>(lba), blocks * bs_);
    RawOutcome w = c->Write(lun_no_, lba, good, bs_);
    ASSERT_TRUE(w.good()) << w.Describe();
    EXPECT_TRUE(w.rejects.empty()) << w.Describe();
    RawOutcome r = c->Read(lun_no_, lba, blocks, bs_);
    ASSERT_TRUE(r.good()) << r.Describe();
    EXPECT_TRUE(r.data == good) << "read-back differs";
  }

};

TEST_F(Digest, HeaderDigestWithLibiscsi) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.1 (CRC32C negotiated is used for every PDU in FFP)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "hdigest"));
  std::string skip;
  if (!OpenWithDigests(true, false, {}, &skip)) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    return;
  }
  auto o = LibiscsiOptions(t, initiator_, lun_->number);
  o.header_digest = harness::iscsi::HeaderDigest::kCrc32c;
  auto s = harness::iscsi::Session::Connect(o);
  ASSERT_TRUE(s.ok()) << s.error();
  const uint64_t lba = 4096;
  const std::vector<uint8_t> data = Pattern(0xd16e57, 16 * bs_);
  auto w = s.value()->Execute(harness::iscsi::cdb::Write16(lba, 16),
                              harness::iscsi::DataDirection::kWrite, data, 0, Ms(5000));
  ASSERT_SCSI(w, Expect::Good(), "SBC-3 §5.34 WRITE(16) with header digests");
  auto r = s.value()->Execute(harness::iscsi::cdb::Read16(lba, 16),
                              harness::iscsi::DataDirection::kRead, {}, data.size(), Ms(5000));
  ASSERT_SCSI(r, Expect::Good(), "SBC-3 §5.13 READ(16) with header digests");
  EXPECT_TRUE(r.data_in == data);
}

TEST_F(Digest, TargetPdusCarryValidDigests) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.1, Appendix B (CRC32C on every header and data segment)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "digests"));
  std::string skip;
  auto c = OpenWithDigests(true, true, {{"ImmediateData", "Yes"}, {"InitialR2T", "Yes"}}, &skip);
  if (!c) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    return;
  }
  // 128 KiB: immediate data, R2Ts and Data-In, all digest-checked by the raw client.
  const uint64_t lba = 4200;
  const std::vector<uint8_t> data = Pattern(0xc3c32c, 128 * 1024);
  RawOutcome w = c->Write(lun_no_, lba, data, bs_);
  ASSERT_TRUE(w.good()) << w.Describe();
  EXPECT_TRUE(w.violations.empty()) << w.Describe();
  RawOutcome r = c->Read(lun_no_, lba, static_cast<uint32_t>(data.size() / bs_), bs_);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.violations.empty()) << r.Describe();
  EXPECT_TRUE(r.data == data);
  std::string err;
  EXPECT_EQ(c->Logout(0, 0, &err), 0) << err;
}

TEST_F(Digest, DigestNoneAccepted) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.1 (None MUST be implemented by every target)");
  ASSERT_TRUE(Prepare(t, "nodigest"));
  std::string err;
  auto c = RawClient::Open(t, initiator_, {}, &err, std::nullopt, 1, "None", "None");
  ASSERT_TRUE(c) << err;
  EXPECT_FALSE(c->negotiated().header_digest);
  EXPECT_FALSE(c->negotiated().data_digest);
  EXPECT_TRUE(c->negotiated().problems.empty()) << c->negotiated().problems.front();
  ASSERT_TRUE(c->ClearUnitAttentions(lun_no_, &err)) << err;
  RawOutcome r = c->Read(lun_no_, 0, 8, bs_);
  EXPECT_TRUE(r.good()) << r.Describe();
}

// A header with a bad digest cannot be trusted: the target discards it (and so never acts
// on it) or closes the connection.
TEST_F(Digest, CorruptHeaderDigestDiscardedOrConnectionClosed) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §7.8 (header digest error: discard the PDU or close the connection)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "badheader"));
  std::string skip;
  // No immediate data: a WRITE that is acted upon shows itself by an R2T.
  auto c = OpenWithDigests(true, false, {{"ImmediateData", "No"}, {"InitialR2T", "Yes"}}, &skip);
  if (!c) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    return;
  }
  RawCommand cmd;
  cmd.lun = lun_no_;
  cmd.cdb = {0x8a, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 1, 0, 0};  // WRITE(16) LBA 4352, 1
  cmd.data_out = Pattern(0xbadbead, bs_);
  cmd.corrupt_header_digest = true;
  cmd.expect_reply = false;
  const uint32_t itt_before = c->NextItt();  // the command gets the next tag
  RawOutcome sent = c->Execute(cmd);
  ASSERT_FALSE(sent.closed) << sent.error;
  std::vector<Pdu> arrived;
  const bool quiet = c->Quiet(kSilence, &arrived);
  for (const Pdu& p : arrived) {
    EXPECT_NE(p.itt(), itt_before + 1) << "the target acted on a header whose digest was wrong: "
                                       << harness::rawpdu::OpcodeName(p.opcode());
  }
  if (!quiet && arrived.empty()) SUCCEED() << "the target closed the connection";
}

TEST_F(Digest, CorruptDataDigestImmediateData) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §7.8, §11.17.1 (Reject 02h), §11.4.7.2 (0B/47/05 at ERL0)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "badimmediate"));
  std::string skip;
  auto c = OpenWithDigests(true, true, {{"ImmediateData", "Yes"}, {"InitialR2T", "Yes"}}, &skip);
  if (!c) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    return;
  }
  ASSERT_TRUE(c->negotiated().immediate_data) << "ImmediateData=Yes was negotiated away";
  const uint64_t lba = 4400;
  const std::vector<uint8_t> before = Pattern(0xbef0, bs_);
  ASSERT_TRUE(c->Write(lun_no_, lba, before, bs_).good());
  RawCommand cmd;
  cmd.lun = lun_no_;
  cmd.cdb = {0x8a, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x30, 0, 0, 0, 1, 0, 0};  // WRITE(16) LBA 4400
  cmd.data_out = Pattern(0xbad, bs_);
  cmd.corrupt_immediate_digest = true;
  RawOutcome w = c->Execute(cmd);
  ASSERT_NO_FATAL_FAILURE(ExpectDigestErrorOutcome(w, kOpScsiCommand));
  ASSERT_NO_FATAL_FAILURE(ExpectContents(lba, before));
  ExpectStillWorks(c.get(), lba + 8, 1);
}

TEST_F(Digest, CorruptDataDigestSolicitedDataOut) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §7.8, §11.17.1 (Reject 02h), §11.4.7.2 (0B/47/05 at ERL0)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Prepare(t, "baddataout"));
  std::string skip;
  auto c = OpenWithDigests(true, true, {{"ImmediateData", "No"}, {"InitialR2T", "Yes"}}, &skip);
  if (!c) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    return;
  }
  const uint64_t lba = 4500;
  const std::vector<uint8_t> before = Pattern(0xbef1, 16 * bs_);
  ASSERT_TRUE(c->Write(lun_no_, lba, before, bs_).good());
  RawCommand cmd;
  cmd.lun = lun_no_;
  cmd.cdb = {0x8a, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x94, 0, 0, 0, 16, 0, 0};  // WRITE(16) LBA 4500
  cmd.data_out = Pattern(0xbad1, 16 * bs_);
  cmd.corrupt_first_data_out_digest = true;
  RawOutcome w = c->Execute(cmd);
  ASSERT_NO_FATAL_FAILURE(ExpectDigestErrorOutcome(w, kOpDataOut));
  ASSERT_NO_FATAL_FAILURE(ExpectContents(lba, before));
  ExpectStillWorks(c.get(), lba + 32, 16);
}

}  // namespace
}  // namespace conformance
