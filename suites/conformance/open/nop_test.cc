// NOP-Out / NOP-In (RFC 7143 §11.18, §11.19): a ping is echoed with its data, a NOP-Out
// with the reserved ITT 0xffffffff gets no answer, and an immediate NOP-Out does not advance
// CmdSN.
#include <gtest/gtest.h>

#include <string>

#include "harness/iscsi/session.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

using harness::rawpdu::kOpNopIn;
using harness::rawpdu::kReservedTag;
using harness::rawpdu::RecvStatus;

TEST(Nop, PingEchoesData) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.18.5, §11.19 (the NOP-In returns the ping data)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "ping");
  auto s = harness::iscsi::Session::Connect(LibiscsiOptions(t, initiator, t.luns.at(0).number));
  ASSERT_TRUE(s.ok()) << s.error();
  const std::vector<uint8_t> data = Pattern(0x9196, 300);  // not a multiple of 4: padding
  auto r = s.value()->NopOut(data, Ms(3000));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.value().data == data) << "ping data of " << r.value().data.size()
                                      << " bytes differs from the " << data.size() << " sent";
}

TEST(Nop, PingWithoutDataAnswered) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.18 (a NOP-Out with a valid ITT is answered by a NOP-In)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "pingempty");
  std::string err;
  auto c = RawClient::Open(t, initiator, {}, &err);
  ASSERT_TRUE(c) << err;
  const uint32_t itt = c->NextItt();
  ASSERT_TRUE(c->Send(c->NopOut(itt, kReservedTag, {}), &err)) << err;
  Pdu in;
  ASSERT_EQ(c->WaitFor(kOpNopIn, itt, &in, kReplyLimit, &err), RecvStatus::kPdu) << err;
  EXPECT_TRUE(in.data.empty());
  EXPECT_EQ(in.Get32(20), kReservedTag) << "a NOP-In answering a ping carries TTT 0xffffffff";
}

TEST(Nop, ReservedIttGetsNoResponse) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.18.1 (ITT 0xffffffff: the target sends no NOP-In)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "pingnoreply");
  std::string err;
  auto c = RawClient::Open(t, initiator, {}, &err);
  ASSERT_TRUE(c) << err;
  ASSERT_TRUE(c->Send(c->NopOut(kReservedTag, kReservedTag, {}), &err)) << err;
  std::vector<Pdu> arrived;
  const bool quiet = c->Quiet(kSilence, &arrived);
  for (const Pdu& p : arrived) {
    EXPECT_NE(p.opcode(), kOpNopIn) << "a NOP-In answered a NOP-Out with ITT 0xffffffff";
  }
  ASSERT_TRUE(quiet || !arrived.empty()) << "the target closed the connection";
  // The connection still answers a real ping, and that answer is the first NOP-In.
  const uint32_t itt = c->NextItt();
  ASSERT_TRUE(c->Send(c->NopOut(itt, kReservedTag, {1, 2, 3, 4}), &err)) << err;
  Pdu in;
  ASSERT_EQ(c->WaitFor(kOpNopIn, kReservedTag, &in, kReplyLimit, &err), RecvStatus::kPdu) << err;
  EXPECT_EQ(in.itt(), itt);
}

TEST(Nop, ImmediatePingDoesNotAdvanceCmdSn) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.18 (an immediate NOP-Out carries CmdSN without advancing it)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "pingcmdsn");
  std::string err;
  auto c = RawClient::Open(t, initiator, {}, &err);
  ASSERT_TRUE(c) << err;
  const uint32_t n = c->cmd_sn();
  for (int i = 0; i < 3; ++i) {
    const uint32_t itt = c->NextItt();
    ASSERT_TRUE(c->Send(c->NopOut(itt, kReservedTag, {}), &err)) << err;
    Pdu in;
    ASSERT_EQ(c->WaitFor(kOpNopIn, itt, &in, kReplyLimit, &err), RecvStatus::kPdu) << err;
    EXPECT_EQ(in.Get32(28), n) << "ExpCmdSN in the NOP-In";
  }
  RawCommand tur;
  tur.lun = static_cast<uint32_t>(t.luns.at(0).number);
  tur.cdb.assign(6, 0);
  RawOutcome r = c->Execute(tur);  // CmdSN n: still the next one the target expects
  ASSERT_TRUE(r.completed) << r.Describe();
  EXPECT_EQ(c->exp_cmd_sn(), n + 1);
}

}  // namespace
}  // namespace conformance
