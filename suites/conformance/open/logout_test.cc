// Logout (RFC 7143 §11.14 Logout Request reason codes, §11.15 Logout Response, §6.3.1):
// reason 0 closes the session, reason 1 closes the connection (response 1 for an unknown CID),
// reason 2 is answered 2 at ErrorRecoveryLevel 0.
#include <gtest/gtest.h>

#include <string>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

constexpr uint8_t kCloseSession = 0;
constexpr uint8_t kCloseConnection = 1;
constexpr uint8_t kRemoveForRecovery = 2;

TEST(Logout, CloseSessionReason0) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.14.1 (reason 0 closes the session), §11.15.1, §6.3.1 (020Ah)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "logout0");
  std::string err;
  const auto isid = harness::rawpdu::RandomIsid();
  auto c = RawClient::Open(t, initiator, {}, &err, isid);
  ASSERT_TRUE(c) << err;
  const uint16_t tsih = c->tsih();
  Pdu resp;
  ASSERT_EQ(c->Logout(kCloseSession, 0, &err, &resp), 0) << err;
  c->conn()->WaitForClose(Ms(2000));  // either side may close the TCP connection now
  // The session is gone: adding a connection to it (same ISID, its TSIH) fails.
  auto conn = ConnectRaw(t, &err);
  ASSERT_TRUE(conn) << err;
  RawLoginOptions o = NormalLogin(t, initiator);
  o.isid = isid;
  LoginDriver d(conn.get(), o);
  d.set_tsih(tsih);
  LoginReply r = d.Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, {0x020a}));
}

TEST(Logout, CloseConnectionReason1) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.14.1 (reason 1 closes the connection named by CID), §11.15.1");
  OPEN_REQUIRE_INITIATOR(t, initiator, "logout1");
  std::string err;
  auto c = RawClient::Open(t, initiator, {}, &err);
  ASSERT_TRUE(c) << err;
  ASSERT_EQ(c->Logout(kCloseConnection, 0, &err), 0) << err;  // CID 0: this connection
}

TEST(Logout, UnknownCidAnswered1) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.15.1 (response 1: CID not found)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "logoutcid");
  std::string err;
  auto c = RawClient::Open(t, initiator, {}, &err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->Logout(kCloseConnection, 0x4242, &err), 1) << err;
  // This connection was not the one named, so it still works.
  RawCommand tur;
  tur.lun = static_cast<uint32_t>(t.luns.at(0).number);
  tur.cdb.assign(6, 0);
  RawOutcome r = c->Execute(tur);
  EXPECT_TRUE(r.completed) << "the connection stopped working: " << r.Describe();
}

TEST(Logout, RemoveForRecoveryAtErl0Answered2) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.15.1 (response 2: connection recovery not supported at ERL 0)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "logout2");
  std::string err;
  auto c = RawClient::Open(t, initiator, {{"ErrorRecoveryLevel", "0"}}, &err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->Logout(kRemoveForRecovery, 0, &err), 2) << err;
}

}  // namespace
}  // namespace conformance
