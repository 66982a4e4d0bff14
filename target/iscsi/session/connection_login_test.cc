// The login phase through a real Connection (RFC 7143 §6, §11.12, §11.13): stages, status
// codes, CHAP, the C bit, size limits and session reinstatement.
#include <string>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

constexpr char kChapUser[] = "session-test-user";
constexpr char kChapSecret[] = "sixteen-byte-sec";

std::string Keys(const std::vector<login::KeyValue>& keys) { return login::EncodeTextKeys(keys); }

std::string Leading() {
  return Keys({{"InitiatorName", kInitiatorName}, {"TargetName", kTargetName}});
}

class LoginTest : public ConnectionTest {
 protected:
  // Configures a TPG that requires one-way CHAP; returns login options using `secret`.
  LoginOptions ChapOptions(const std::string& secret = kChapSecret) {
    TargetConfig c;
    c.require_chap = true;
    c.tpg_auth = {kChapUser, kChapSecret, "", ""};
    Configure(c);
    LoginOptions o;
    o.chap_user = kChapUser;
    o.chap_secret = secret;
    return o;
  }
};

TEST_F(LoginTest, SucceedsWithNonZeroTsih) {
  auto ini = Connect();
  LoginResult r = ini->Login(LoginOptions{});
  ASSERT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
  EXPECT_NE(r.tsih, 0);
  ASSERT_EQ(r.responses.size(), 2u);
  // StatSN starts somewhere and increases by one per Login Response.
  EXPECT_EQ(r.responses[1].stat_sn(), r.responses[0].stat_sn() + 1);
  // RFC 7143 §4.2.2.1: the login's CmdSN is the first the session expects.
  EXPECT_EQ(r.responses.back().exp_cmd_sn(), 1u);
  EXPECT_EQ(r.responses.back().max_cmd_sn(), 1u + config_.cmdsn_depth - 1);
  // Only the final response carries the TSIH; earlier ones echo the initiator's 0.
  EXPECT_EQ(DecodeLoginResponse(r.responses[0].bhs).value().tsih, 0);
  EXPECT_TRUE(r.keys.count("MaxRecvDataSegmentLength"));
  auto nop = ini->Ping();
  ASSERT_TRUE(nop.has_value()) << ini->error();
  EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(LoginTest, StraightToOperationalStage) {
  LoginOptions o;
  o.security_stage = false;
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  ASSERT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
  EXPECT_NE(r.tsih, 0);
  EXPECT_EQ(r.responses.size(), 1u);
}

TEST_F(LoginTest, TargetPortalGroupTagInFirstResponse) {
  auto ini = Connect();
  LoginResult r = ini->Login(LoginOptions{});
  ASSERT_TRUE(r.ok) << r.error;
  auto keys = login::ParseTextKeys(r.responses[0].data);
  ASSERT_TRUE(keys.ok());
  bool found = false;
  for (const auto& kv : keys.value()) {
    if (kv.key == "TargetPortalGroupTag") {
      found = true;
      EXPECT_EQ(kv.value, "1");
    }
  }
  EXPECT_TRUE(found) << "RFC 7143 §13.9: the first Login Response carries TargetPortalGroupTag";
}

TEST_F(LoginTest, MissingInitiatorNameIs0207) {
  auto ini = Connect();
  auto resp = ini->LoginStep(ini->MakeLogin(0, 1, true),
                             Keys({{"TargetName", kTargetName}, {"AuthMethod", "None"}}));
  ASSERT_TRUE(resp.has_value()) << ini->error();
  auto lr = DecodeLoginResponse(resp->bhs);
  ASSERT_TRUE(lr.ok());
  EXPECT_EQ(lr.value().status_class, 0x02);
  EXPECT_EQ(lr.value().status_detail, 0x07);
  EXPECT_FALSE(lr.value().transit);
  EXPECT_TRUE(ini->WaitForClose()) << "RFC 7143 §6.9: a failed login closes the connection";
}

TEST_F(LoginTest, UnknownTargetIs0203) {
  LoginOptions o;
  o.target_name = "iqn.2026-01.org.reftarget:nobody";
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0203);
  EXPECT_TRUE(ini->WaitForClose());
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(LoginTest, InitiatorWithoutAclIs0202) {
  TargetConfig c;
  c.generate_node_acls = false;
  c.acl_initiators = {"iqn.2026-01.org.example:someone-else"};
  Configure(c);
  auto ini = Connect();
  LoginResult r = ini->Login(LoginOptions{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0202);
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(LoginTest, InitiatorWithAclSucceedsCaseInsensitively) {
  TargetConfig c;
  c.generate_node_acls = false;
  c.acl_initiators = {"IQN.2026-01.ORG.EXAMPLE:INITIATOR"};
  Configure(c);
  auto ini = Connect();
  LoginResult r = ini->Login(LoginOptions{});
  EXPECT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
}

TEST_F(LoginTest, VersionMinAboveZeroIs0205) {
  auto ini = Connect();
  LoginRequestPdu req = ini->MakeLogin(0, 1, true);
  req.version_min = 1;
  req.version_max = 1;
  auto resp = ini->LoginStep(req, Leading() + Keys({{"AuthMethod", "None"}}));
  ASSERT_TRUE(resp.has_value()) << ini->error();
  auto lr = DecodeLoginResponse(resp->bhs).value();
  EXPECT_EQ(lr.status_class << 8 | lr.status_detail, 0x0205);
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(LoginTest, ChapRequiredButAuthMethodNoneIs0201) {
  TargetConfig c;
  c.require_chap = true;
  c.tpg_auth = {kChapUser, kChapSecret, "", ""};
  Configure(c);
  auto ini = Connect();
  LoginResult r = ini->Login(LoginOptions{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0201);
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(LoginTest, ChapRequiredButSecurityStageSkippedIs0201) {
  TargetConfig c;
  c.require_chap = true;
  c.tpg_auth = {kChapUser, kChapSecret, "", ""};
  Configure(c);
  LoginOptions o;
  o.security_stage = false;
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0201);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(LoginTest, ChapOneWaySucceeds) {
  LoginOptions o = ChapOptions();
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  ASSERT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
  EXPECT_EQ(r.keys["CHAP_A"], "5");
  // 16-byte challenge, hex encoded.
  EXPECT_EQ(r.keys["CHAP_C"].size(), 2u + 32u);
  EXPECT_TRUE(ini->Ping().has_value());
}

// libiscsi 1.19 repeats InitiatorName and SessionType in each CHAP step of a discovery
// login; RFC 7143 §6.2's "should not" is tolerated for an unchanged value.
TEST_F(LoginTest, RepeatedUnchangedDeclarationsAreTolerated) {
  LoginOptions o = ChapOptions();
  o.repeat_declarations = true;
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  EXPECT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
}

TEST_F(LoginTest, InitiatorNameChangedDuringLoginIs0200) {
  LoginOptions o = ChapOptions();
  o.repeat_declarations = true;
  o.repeated_initiator_name = "iqn.2026-01.org.example:someone-else";
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0200);
}

TEST_F(LoginTest, AuthMethodInOperationalStageIs0200) {
  LoginOptions o;
  o.security_stage = false;
  o.Set("AuthMethod", "None");
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0200);
}

TEST_F(LoginTest, ChapWrongSecretIs0201) {
  LoginOptions o = ChapOptions("not-the-secret!!");
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0201);
  EXPECT_TRUE(ini->WaitForClose());
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(LoginTest, NonLoginPduFirstClosesTheConnection) {
  auto ini = Connect();
  NopOutPdu nop;
  nop.immediate = true;
  nop.itt = 1;
  nop.target_transfer_tag = kReservedTag;
  ASSERT_TRUE(ini->SendPdu(Encode(nop)));
  EXPECT_TRUE(ini->WaitForClose());
  EXPECT_TRUE(ini->discarded().empty())
      << "expected no answer, got " << Describe(ini->discarded()[0]);
}

TEST_F(LoginTest, NonLoginPduDuringLoginIs020b) {
  auto ini = Connect();
  auto resp =
      ini->LoginStep(ini->MakeLogin(0, 1, false), Leading() + Keys({{"AuthMethod", "None"}}));
  ASSERT_TRUE(resp.has_value()) << ini->error();
  NopOutPdu nop;
  nop.immediate = true;
  nop.itt = 1;
  nop.target_transfer_tag = kReservedTag;
  ASSERT_TRUE(ini->SendPdu(Encode(nop)));
  auto fail = ini->Recv();
  ASSERT_TRUE(fail.has_value()) << ini->error();
  auto lr = DecodeLoginResponse(fail->bhs);
  ASSERT_TRUE(lr.ok()) << Describe(*fail);
  EXPECT_EQ(lr.value().status_class << 8 | lr.value().status_detail, 0x020b);
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(LoginTest, TsihOfUnknownSessionIs020a) {
  auto ini = Connect();
  ini->tsih = 0x4242;
  LoginResult r = ini->Login(LoginOptions{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x020a);
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(LoginTest, TsihOfLiveSessionIs0206) {
  auto first = LoggedIn();
  ASSERT_TRUE(first);
  auto ini = Connect();
  ini->tsih = first->tsih;
  LoginResult r = ini->Login(LoginOptions{});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status(), 0x0206) << "MaxConnections=1: too many connections";
  EXPECT_TRUE(first->Ping().has_value()) << "the existing session must survive";
}

TEST_F(LoginTest, ContinuationBitAccumulatesKeys) {
  auto ini = Connect();
  std::string all = Leading() + Keys({{"AuthMethod", "None"}});
  // Split in the middle of the TargetName value.
  size_t cut = all.find("TargetName=") + 15;
  LoginRequestPdu first = ini->MakeLogin(0, 1, false);
  first.continue_ = true;
  auto ack = ini->LoginStep(first, all.substr(0, cut));
  ASSERT_TRUE(ack.has_value()) << ini->error();
  auto lr = DecodeLoginResponse(ack->bhs).value();
  EXPECT_EQ(lr.status_class, 0);
  EXPECT_FALSE(lr.transit);
  EXPECT_TRUE(ack->data.empty()) << "RFC 7143 §6.2: a partial key set gets an empty response";
  auto resp = ini->LoginStep(ini->MakeLogin(0, 1, true), all.substr(cut));
  ASSERT_TRUE(resp.has_value()) << ini->error();
  lr = DecodeLoginResponse(resp->bhs).value();
  EXPECT_EQ(lr.status_class, 0) << std::hex << (lr.status_class << 8 | lr.status_detail);
  EXPECT_TRUE(lr.transit);
  EXPECT_EQ(lr.nsg, 1);
  std::string text(resp->data.begin(), resp->data.end());
  EXPECT_NE(text.find("AuthMethod=None"), std::string::npos) << text;
}

TEST_F(LoginTest, KeysOver64KiBFail) {
  auto ini = Connect();
  std::string chunk(8192, 'a');
  LoginRequestPdu req = ini->MakeLogin(0, 1, false);
  req.continue_ = true;
  for (int i = 0; i < 8; ++i) {
    auto ack = ini->LoginStep(req, chunk);
    ASSERT_TRUE(ack.has_value()) << "PDU " << i << ": " << ini->error();
    EXPECT_EQ(DecodeLoginResponse(ack->bhs).value().status_class, 0) << "PDU " << i;
  }
  auto fail = ini->LoginStep(req, chunk);
  ASSERT_TRUE(fail.has_value()) << ini->error();
  auto lr = DecodeLoginResponse(fail->bhs).value();
  EXPECT_EQ(lr.status_class << 8 | lr.status_detail, 0x0200);
  EXPECT_TRUE(ini->WaitForClose());
}

TEST_F(LoginTest, DataSegmentOver8192Closes) {
  auto ini = Connect();
  std::string big = Leading();
  big.resize(8196, 'x');
  LoginRequestPdu req = ini->MakeLogin(0, 1, false);
  std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(big.data()), big.size());
  ini->SendPdu(Encode(req), data);  // may fail half-way: the target closes at the header
  EXPECT_TRUE(ini->WaitForClose());
  EXPECT_TRUE(ini->discarded().empty());
}

TEST_F(LoginTest, DiscoverySessionLogsIn) {
  LoginOptions o;
  o.discovery = true;
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  ASSERT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
  EXPECT_EQ(r.keys.count("TargetPortalGroupTag"), 0u);
}

TEST_F(LoginTest, SameIsidReinstatesTheSession) {
  auto old_session = LoggedIn();
  ASSERT_TRUE(old_session);
  uint16_t old_tsih = old_session->tsih;
  auto fresh = LoggedIn();
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->tsih, old_tsih);
  // RFC 7143 §6.3.5: the old session is closed.
  EXPECT_TRUE(old_session->WaitForClose());
  EXPECT_TRUE(fresh->Ping().has_value());
  EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(LoginTest, HeaderAndDataDigestNegotiated) {
  LoginOptions o;
  o.Set("HeaderDigest", "CRC32C,None").Set("DataDigest", "CRC32C,None");
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.keys["HeaderDigest"], "CRC32C");
  EXPECT_EQ(r.keys["DataDigest"], "CRC32C");
  std::vector<uint8_t> ping = Pattern(101, 7);  // padded: the digest covers the pad
  auto nop = ini->Ping(ping);
  ASSERT_TRUE(nop.has_value()) << ini->error();
  EXPECT_EQ(nop->data, ping);
}

TEST_F(LoginTest, TargetOffersAreAnsweredBeforeFullFeature) {
  TargetConfig c;
  c.parameters["ImmediateData"] = "No";
  Configure(c);
  LoginOptions o;
  std::erase_if(o.operational, [](const login::KeyValue& kv) { return kv.key == "ImmediateData"; });
  auto ini = Connect();
  LoginResult r = ini->Login(o);
  ASSERT_TRUE(r.ok) << r.error << " status " << std::hex << r.status();
  EXPECT_EQ(r.keys["ImmediateData"], "No") << "the TPG's value is offered";
  // The operational stage took two rounds: the offer (T=0), then the final response.
  ASSERT_GE(r.responses.size(), 3u);
  EXPECT_FALSE(DecodeLoginResponse(r.responses[1].bhs).value().transit);
  // The session really runs with ImmediateData=No: immediate data is unexpected.
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ScsiRequest rq;
  rq.cdb = Write10Cdb(0, 1);
  rq.write = true;
  rq.edtl = 512;
  rq.write_data = Pattern(512, 1);
  rq.immediate_bytes = 512;
  rq.answer_r2ts = false;
  ScsiResult w = ini->Scsi(rq);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0x02);
  EXPECT_EQ(w.asc(), 0x0c);
}

}  // namespace
}  // namespace reftarget::iscsi::testing
