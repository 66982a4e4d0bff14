// Session reinstatement (RFC 7143 §6.3.1 login table, §6.3.5 session reinstatement, §4.4.3
// I_T nexus = initiator name + ISID; TEST-PLAN S7, T23): a login with an existing ISID and
// TSIH 0 replaces the old session and closes its connection, even with a task pending there;
// a different ISID or initiator name is a different session.
#include <gtest/gtest.h>

#include <string>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

using harness::rawpdu::kOpR2t;
using harness::rawpdu::RecvStatus;

RawCommand Tur(const TargetUnderTest& t) {
  RawCommand c;
  c.lun = static_cast<uint32_t>(t.luns.at(0).number);
  c.cdb.assign(6, 0);
  return c;
}

// The old connection is closed by the target (bounded wait).
void ExpectClosed(RawClient* old) {
  EXPECT_TRUE(old->conn()->WaitForClose(Ms(3000)))
      << "the reinstated session's connection is still open";
}

TEST(Reinstatement, SameIsidReplacesOldSession) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3.1 (existing ISID, TSIH 0: session reinstatement), §6.3.5");
  OPEN_REQUIRE_INITIATOR(t, initiator, "reinstate");
  std::string err;
  const auto isid = harness::rawpdu::RandomIsid();
  auto a = RawClient::Open(t, initiator, {}, &err, isid);
  ASSERT_TRUE(a) << err;
  auto b = RawClient::Open(t, initiator, {}, &err, isid);
  ASSERT_TRUE(b) << "reinstatement login: " << err;
  ExpectClosed(a.get());
  RawOutcome r = b->Execute(Tur(t));
  EXPECT_TRUE(r.completed) << "the new session does not work: " << r.Describe();
}

TEST(Reinstatement, ReinstatementWithPendingWrite) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3.5 (the old session's tasks are terminated before the new one)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  OPEN_REQUIRE_INITIATOR(t, initiator, "reinstatepending");
  const harness::suite::LunInfo* lun = t.WritableLun();
  ASSERT_NE(lun, nullptr);
  const uint32_t lun_no = static_cast<uint32_t>(lun->number);
  const uint32_t bs = lun->spec.block_size;
  std::string err;
  const auto isid = harness::rawpdu::RandomIsid();
  const KeyValues solicited = {{"ImmediateData", "No"}, {"InitialR2T", "Yes"}};
  auto a = RawClient::Open(t, initiator, solicited, &err, isid);
  ASSERT_TRUE(a) << err;
  ASSERT_TRUE(a->ClearUnitAttentions(lun_no, &err)) << err;
  const uint64_t lba = 8100;
  const std::vector<uint8_t> before = Pattern(0x5e55, 4 * bs);
  ASSERT_TRUE(a->Write(lun_no, lba, before, bs).good());
  // A WRITE left waiting for its Data-Out.
  RawCommand w;
  w.lun = lun_no;
  w.cdb = {0x8a, 0, 0, 0, 0, 0, 0, 0, 0x1f, 0xa4, 0, 0, 0, 4, 0, 0};  // WRITE(16) LBA 8100, 4
  w.data_out = Pattern(0x1a7e, 4 * bs);
  w.expect_reply = false;
  RawOutcome sent = a->Execute(w);
  ASSERT_FALSE(sent.closed);
  Pdu r2t;
  ASSERT_EQ(a->WaitFor(kOpR2t, sent.itt, &r2t, kReplyLimit, &err), RecvStatus::kPdu)
      << "no R2T for the WRITE: " << err;
  // Reinstate while the task waits; the login must not wait for the task.
  const auto start = std::chrono::steady_clock::now();
  auto b = RawClient::Open(t, initiator, solicited, &err, isid);
  ASSERT_TRUE(b) << "reinstatement login with a task pending: " << err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, Ms(2000)) << "reinstatement took too long";
  ExpectClosed(a.get());
  ASSERT_TRUE(b->ClearUnitAttentions(lun_no, &err)) << err;
  RawOutcome rd = b->Read(lun_no, lba, 4, bs);
  ASSERT_TRUE(rd.good()) << rd.Describe();
  EXPECT_TRUE(rd.data == before) << "the old session's pending WRITE changed the medium";
}

TEST(Reinstatement, DifferentIsidCoexists) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3.1 (new ISID, TSIH 0: a new session), §4.4.3 (I_T nexus)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "twoisids");
  std::string err;
  auto a = RawClient::Open(t, initiator, {}, &err, harness::rawpdu::RandomIsid());
  ASSERT_TRUE(a) << err;
  auto b = RawClient::Open(t, initiator, {}, &err, harness::rawpdu::RandomIsid());
  ASSERT_TRUE(b) << err;
  EXPECT_NE(a->tsih(), b->tsih()) << "two sessions share a TSIH";
  RawOutcome ra = a->Execute(Tur(t));
  EXPECT_TRUE(ra.completed) << "the first session stopped working: " << ra.Describe();
  RawOutcome rb = b->Execute(Tur(t));
  EXPECT_TRUE(rb.completed) << rb.Describe();
}

TEST(Reinstatement, SameIsidOtherInitiatorCoexists) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §4.4.3, §6.3.1 (a session is named by initiator name and ISID)");
  OPEN_REQUIRE_INITIATOR(t, first, "nameone");
  const std::optional<std::string> second = t.OpenInitiator("nametwo");
  if (!second || *second == first) {
    GTEST_SKIP() << "the target accepts only one initiator name without CHAP";
  }
  std::string err;
  const auto isid = harness::rawpdu::RandomIsid();
  auto a = RawClient::Open(t, first, {}, &err, isid);
  ASSERT_TRUE(a) << err;
  auto b = RawClient::Open(t, *second, {}, &err, isid);
  ASSERT_TRUE(b) << err;
  RawOutcome ra = a->Execute(Tur(t));
  EXPECT_TRUE(ra.completed) << "the other initiator's session was replaced: " << ra.Describe();
}

}  // namespace
}  // namespace conformance
