// Login phase rules (RFC 7143 §6.1-6.3, §11.12-11.13; TEST-PLAN S11, S12, T20): status codes,
// TargetPortalGroupTag, unknown keys, keys negotiated twice, MaxRecvDataSegmentLength bounds.
#include <gtest/gtest.h>

#include <string>

#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

using harness::rawpdu::FindKey;

// A raw connection plus a login driver for a Normal session as `initiator`.
struct RawLoginSetup {
  std::unique_ptr<RawConnection> conn;
  std::unique_ptr<LoginDriver> driver;
};

RawLoginSetup OpenRawLogin(const TargetUnderTest& t, const std::string& initiator,
                           std::string* error) {
  RawLoginSetup s;
  s.conn = ConnectRaw(t, error);
  if (s.conn) s.driver = std::make_unique<LoginDriver>(s.conn.get(), NormalLogin(t, initiator));
  return s;
}

void RemoveKey(KeyValues* keys, const std::string& key) {
  std::erase_if(*keys, [&](const auto& kv) { return kv.first == key; });
}

TEST(LoginNegotiation, TargetPortalGroupTagInFirstResponse) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (TargetPortalGroupTag in the first Login Response), §13.9");
  OPEN_REQUIRE_INITIATOR(t, initiator, "tpgt");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  LoginReply r =
      s.driver->Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  ASSERT_TRUE(r.success()) << r.Describe();
  const auto tpgt = FindKey(r.keys, "TargetPortalGroupTag");
  ASSERT_TRUE(tpgt.has_value()) << "the first Login Response carries no TargetPortalGroupTag";
  ASSERT_FALSE(tpgt->empty());
  ASSERT_LE(tpgt->size(), 5u) << *tpgt;
  EXPECT_LE(std::stoul(*tpgt), 65535u) << "TargetPortalGroupTag is a 16-bit binary-value";
}

TEST(LoginNegotiation, OperationalStageOnlyLogin) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (login without a SecurityNegotiation stage, CSG=1 NSG=3 T=1)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "opstage");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  LoginReply r = s.driver->Exchange(kOperationalStage, kFullFeaturePhase, true, {});
  ASSERT_TRUE(r.success()) << r.Describe();
  EXPECT_TRUE(FindKey(r.keys, "TargetPortalGroupTag").has_value())
      << "TargetPortalGroupTag missing from the first Login Response";
  for (int i = 0; i < 4 && r.success() && !r.transit(); ++i) {
    r = s.driver->Exchange(kOperationalStage, kFullFeaturePhase, true, {});
  }
  ASSERT_TRUE(r.success() && r.transit() && r.nsg() == kFullFeaturePhase) << r.Describe();
  EXPECT_TRUE(RawLogout(s.conn.get(), s.driver->Result(), &err)) << err;
}

TEST(LoginNegotiation, LoginAcceptCarriesTsihAndVersion) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.13.2 (VersionActive), §11.13.4 (TSIH in the final response)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "tsih");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  LoginReply last;
  ASSERT_TRUE(s.driver->LoginWith({}, nullptr, &last)) << last.Describe();
  EXPECT_NE(last.pdu.Get16(14), 0) << "the final Login Response must carry a nonzero TSIH";
  EXPECT_EQ(last.pdu.bhs[3], 0) << "VersionActive must be 0x00 (the only version defined)";
  EXPECT_EQ(last.pdu.bhs[2], 0) << "VersionMax must be 0x00";
  EXPECT_TRUE(RawLogout(s.conn.get(), s.driver->Result(), &err)) << err;
}

TEST(LoginNegotiation, MissingTargetNameRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (TargetName required for a Normal session), §11.13.5 0207h");
  OPEN_REQUIRE_INITIATOR(t, initiator, "notarget");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  RemoveKey(&s.driver->leading(), "TargetName");
  LoginReply r =
      s.driver->Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, {0x0207}));
}

TEST(LoginNegotiation, MissingInitiatorNameRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (InitiatorName required in the first request), §11.13.5 0207h");
  OPEN_REQUIRE_INITIATOR(t, initiator, "noinitiator");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  RemoveKey(&s.driver->leading(), "InitiatorName");
  LoginReply r =
      s.driver->Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, {0x0207}));
}

TEST(LoginNegotiation, UnknownTargetNotFound) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.13.5 0203h (target not found)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "unknowntarget");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  for (auto& kv : s.driver->leading()) {
    if (kv.first == "TargetName") kv.second = t.iqn + ".no-such-target";
  }
  LoginReply r =
      s.driver->Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, {0x0203}));
}

TEST(LoginNegotiation, UnsupportedVersionRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.12.4 (Version-max/Version-min), §11.13.5 0205h");
  OPEN_REQUIRE_INITIATOR(t, initiator, "version");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  // Only version 0x00 exists; a range of 0x10..0x10 excludes it.
  s.driver->set_version(0x10, 0x10);
  LoginReply r =
      s.driver->Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, {0x0205}));
}

TEST(LoginNegotiation, UnknownTsihSessionDoesNotExist) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §6.3.1 (new ISID, nonzero TSIH: session does not exist), §11.13.5 020Ah");
  OPEN_REQUIRE_INITIATOR(t, initiator, "tsihunknown");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  s.driver->set_tsih(0x5a5a);
  LoginReply r =
      s.driver->Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, {0x020a}));
}

TEST(LoginNegotiation, UnknownKeyNotUnderstood) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.2 (a key not understood MUST be answered key=NotUnderstood)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "unknownkey");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  KeyValues answers;
  LoginReply last;
  ASSERT_TRUE(s.driver->LoginWith({{"ConformanceNoSuchKey", "1"}}, &answers, &last))
      << last.Describe();
  EXPECT_EQ(FindKey(answers, "ConformanceNoSuchKey").value_or("(no answer)"), "NotUnderstood");
  EXPECT_TRUE(RawLogout(s.conn.get(), s.driver->Result(), &err)) << err;
}

TEST(LoginNegotiation, PrivateExtensionKeyNotUnderstood) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.22 (X- private extension keys), §6.2 (NotUnderstood)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "xkey");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  const std::string key = "X-org.reftarget.conformance.probe";
  KeyValues answers;
  LoginReply last;
  ASSERT_TRUE(s.driver->LoginWith({{key, "Yes"}}, &answers, &last)) << last.Describe();
  EXPECT_EQ(FindKey(answers, key).value_or("(no answer)"), "NotUnderstood");
  EXPECT_TRUE(RawLogout(s.conn.get(), s.driver->Result(), &err)) << err;
}

TEST(LoginNegotiation, OverlongKeyNameNotAccepted) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.1 (key names are at most 63 bytes); TEST-PLAN S12, T03");
  OPEN_REQUIRE_INITIATOR(t, initiator, "longkey");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  const std::string key = "X-org.reftarget." + std::string(64 - 16, 'k');
  ASSERT_EQ(key.size(), 64u);
  KeyValues answers;
  LoginReply last;
  if (s.driver->LoginWith({{key, "1"}}, &answers, &last)) {
    // Accepting the login is allowed only if the key was not understood.
    EXPECT_EQ(FindKey(answers, key).value_or("(no answer)"), "NotUnderstood");
    EXPECT_TRUE(RawLogout(s.conn.get(), s.driver->Result(), &err)) << err;
  } else {
    EXPECT_TRUE(LoginRejectedWith(last, kInitiatorErrors));
  }
}

TEST(LoginNegotiation, KeyRepeatedInOneRequestRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (a parameter negotiated twice: Login reject, initiator error)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "keytwice");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  LoginReply r = s.driver->SecurityNone();
  ASSERT_TRUE(r.success()) << r.Describe();
  r = s.driver->Exchange(kOperationalStage, kFullFeaturePhase, true,
                         {{"MaxBurstLength", "262144"}, {"MaxBurstLength", "131072"}});
  EXPECT_TRUE(LoginRejectedWith(r, kInitiatorErrors));
}

TEST(LoginNegotiation, KeyRenegotiatedInLaterRequestRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (an attempt to renegotiate a parameter MUST be detected)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "renegotiate");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  LoginReply r = s.driver->SecurityNone();
  ASSERT_TRUE(r.success()) << r.Describe();
  r = s.driver->Exchange(kOperationalStage, kFullFeaturePhase, false,
                         {{"MaxBurstLength", "262144"}});
  ASSERT_TRUE(r.success()) << r.Describe();
  ASSERT_TRUE(FindKey(r.keys, "MaxBurstLength").has_value())
      << "MaxBurstLength was not answered in the first operational response";
  r = s.driver->Exchange(kOperationalStage, kFullFeaturePhase, true,
                         {{"MaxBurstLength", "131072"}});
  EXPECT_TRUE(LoginRejectedWith(r, kInitiatorErrors));
}

TEST(LoginNegotiation, SecurityKeyInOperationalStageRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.3 (a key not allowed in the current stage is a protocol error)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "authinop");
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  LoginReply r = s.driver->SecurityNone();
  ASSERT_TRUE(r.success()) << r.Describe();
  r = s.driver->Exchange(kOperationalStage, kFullFeaturePhase, true, {{"AuthMethod", "None"}});
  EXPECT_TRUE(LoginRejectedWith(r, kInitiatorErrors));
}

// MaxRecvDataSegmentLength=511 is below the key's range (512..2^24-1). The target may answer
// Reject (the initiator keeps the default 8192), refuse the login, or use an admissible value;
// it must never send Data-In larger than the limit it ends up honouring.
TEST(LoginNegotiation, MaxRecvDataSegmentLengthBelowMinimum) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.12 (MaxRecvDataSegmentLength 512..2^24-1), §6.2.2 (Reject)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "mrdsl511");
  const harness::suite::LunInfo* lun = t.WritableLun();
  ASSERT_NE(lun, nullptr) << "the open configuration exports a writable LUN";
  std::string err;
  RawLoginSetup s = OpenRawLogin(t, initiator, &err);
  ASSERT_TRUE(s.conn) << err;
  const KeyValues offer = {{"MaxRecvDataSegmentLength", "511"}};
  KeyValues answers;
  LoginReply last;
  if (!s.driver->LoginWith(offer, &answers, &last)) {
    EXPECT_TRUE(LoginRejectedWith(last, kInitiatorErrors));
    return;
  }
  const auto answer = FindKey(answers, "MaxRecvDataSegmentLength");
  Negotiated n = ComputeNegotiated(offer, answers);
  // Our declaration is refused (Reject keeps the default) or read as the nearest admissible.
  n.initiator_mrdsl = answer == "Reject" ? 8192 : 512;
  s.conn->SetDigests(false, false);
  RawClient client(std::move(s.conn), s.driver->Result(), n);
  ASSERT_TRUE(client.ClearUnitAttentions(static_cast<uint32_t>(lun->number), &err)) << err;
  RawOutcome r = client.Read(static_cast<uint32_t>(lun->number), 0, 8, lun->spec.block_size);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.violations.empty()) << r.Describe();
  EXPECT_GE(r.data_in_pdus, answer == "Reject" ? 1u : 8u);
}

TEST(LoginNegotiation, MaxRecvDataSegmentLengthHonoured) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §13.12 (the target sends at most the initiator's MaxRecvDataSegmentLength)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "mrdsl4k");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  const harness::suite::LunInfo* lun = t.WritableLun();
  ASSERT_NE(lun, nullptr);
  const uint32_t bs = lun->spec.block_size;
  std::string err;
  auto client = RawClient::Open(t, initiator, {{"MaxRecvDataSegmentLength", "4096"}}, &err);
  ASSERT_TRUE(client) << err;
  const uint32_t lun_no = static_cast<uint32_t>(lun->number);
  ASSERT_TRUE(client->ClearUnitAttentions(lun_no, &err)) << err;
  const uint64_t lba = 2048;
  const std::vector<uint8_t> data = Pattern(0x4096, 65536);
  RawOutcome w = client->Write(lun_no, lba, data, bs);
  ASSERT_TRUE(w.good()) << w.Describe();
  RawOutcome r = client->Read(lun_no, lba, 65536 / bs, bs);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.violations.empty()) << r.Describe();
  EXPECT_GE(r.data_in_pdus, 16u) << "64 KiB in Data-In PDUs of at most 4096 bytes";
  EXPECT_TRUE(r.data == data) << "read-back differs from what was written";
}

}  // namespace
}  // namespace conformance
