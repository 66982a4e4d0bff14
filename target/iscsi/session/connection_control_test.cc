// Control PDUs through a real Connection: NOP-Out/NOP-In, Reject, Text (SendTargets) and
// Logout (RFC 7143 §11.10, §11.14, §11.17, §11.18).
#include <string>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using ControlTest = ConnectionTest;

// Returns the Reject for `bhs`'s ITT after sending it, or nullopt.
std::optional<Pdu> ExpectReject(Initiator& ini, const Bhs& bhs) {
  if (!ini.SendPdu(bhs)) return std::nullopt;
  auto pdu = ini.Recv();
  if (!pdu) return std::nullopt;
  EXPECT_EQ(pdu->opcode(), static_cast<uint8_t>(Opcode::kReject)) << Describe(*pdu);
  // §11.17: the data segment is the rejected header.
  EXPECT_EQ(pdu->data.size(), kBhsLength);
  if (pdu->data.size() >= kBhsLength) {
    Bhs sent = bhs;
    EXPECT_TRUE(std::equal(sent.begin(), sent.begin() + 4, pdu->data.begin()));
  }
  EXPECT_EQ(pdu->itt(), kReservedTag) << "a Reject's ITT is reserved";
  return pdu;
}

TEST_F(ControlTest, NopOutPingEchoesDataAndItt) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  std::vector<uint8_t> data = Pattern(1001, 30);
  NopOutPdu n;
  n.immediate = true;
  n.itt = 0x5151;
  n.target_transfer_tag = kReservedTag;
  n.lun = EncodeLun(3);
  n.cmd_sn = ini->cmd_sn;
  ASSERT_TRUE(ini->SendPdu(Encode(n), data));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  auto in = DecodeNopIn(pdu->bhs);
  ASSERT_TRUE(in.ok()) << Describe(*pdu);
  EXPECT_EQ(in.value().itt, 0x5151u);
  EXPECT_EQ(in.value().target_transfer_tag, kReservedTag);
  EXPECT_EQ(in.value().lun, EncodeLun(3));
  EXPECT_EQ(pdu->data, data);
  EXPECT_EQ(pdu->exp_cmd_sn(), ini->cmd_sn) << "an immediate NOP-Out takes no CmdSN";
}

TEST_F(ControlTest, NonImmediateNopOutAdvancesExpCmdSn) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  NopOutPdu n;
  n.itt = 0x77;
  n.target_transfer_tag = kReservedTag;
  n.cmd_sn = ini->cmd_sn++;
  ASSERT_TRUE(ini->SendPdu(Encode(n)));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  EXPECT_EQ(pdu->itt(), 0x77u);
  EXPECT_EQ(pdu->exp_cmd_sn(), ini->cmd_sn);
}

TEST_F(ControlTest, OneWayNopOutGetsNoAnswer) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  NopOutPdu n;
  n.immediate = true;
  n.itt = kReservedTag;
  n.target_transfer_tag = kReservedTag;
  n.cmd_sn = ini->cmd_sn;
  ASSERT_TRUE(ini->SendPdu(Encode(n)));
  EXPECT_TRUE(ini->Quiet());
}

TEST_F(ControlTest, ScsiCommandOnDiscoverySessionIsRejected) {
  LoginOptions o;
  o.discovery = true;
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ScsiCommandPdu c;
  c.final = true;
  c.attribute = 1;
  c.itt = 0x99;
  c.cmd_sn = ini->cmd_sn;
  auto rej = ExpectReject(*ini, Encode(c));
  ASSERT_TRUE(rej.has_value()) << ini->error();
  EXPECT_EQ(rej->bhs[2], 0x04) << "Protocol Error";
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(ControlTest, SnackIsRejected) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  SnackRequestPdu s;
  s.itt = 0x10;
  s.target_transfer_tag = kReservedTag;
  auto rej = ExpectReject(*ini, Encode(s));
  ASSERT_TRUE(rej.has_value()) << ini->error();
  EXPECT_EQ(rej->bhs[2], 0x04) << "ERL 0: SNACK is a protocol error";
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(ControlTest, UnknownOpcodeIsRejectedAsNotSupported) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  Bhs bhs{};
  bhs[0] = 0x0f | 0x40;
  bhs[1] = 0x80;
  Store32(&bhs[16], 0x1234);
  auto rej = ExpectReject(*ini, bhs);
  ASSERT_TRUE(rej.has_value()) << ini->error();
  EXPECT_EQ(rej->bhs[2], 0x05) << "Command not supported";
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(ControlTest, LoginRequestInFullFeaturePhaseIsRejected) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  auto rej = ExpectReject(*ini, Encode(ini->MakeLogin(1, 3, true)));
  ASSERT_TRUE(rej.has_value()) << ini->error();
  EXPECT_EQ(rej->bhs[2], 0x04);
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(ControlTest, TextSendTargetsAllListsTheTarget) {
  LoginOptions o;
  o.discovery = true;
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  TextRequestPdu t;
  t.immediate = true;
  t.final = true;
  t.itt = 0x42;
  t.target_transfer_tag = kReservedTag;
  t.cmd_sn = ini->cmd_sn;
  std::string keys = login::EncodeTextKeys({{"SendTargets", "All"}});
  ASSERT_TRUE(
      ini->SendPdu(Encode(t), {reinterpret_cast<const uint8_t*>(keys.data()), keys.size()}));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  auto tr = DecodeTextResponse(pdu->bhs);
  ASSERT_TRUE(tr.ok()) << Describe(*pdu);
  EXPECT_TRUE(tr.value().final);
  EXPECT_EQ(tr.value().itt, 0x42u);
  EXPECT_EQ(tr.value().target_transfer_tag, kReservedTag);
  auto parsed = login::ParseTextKeys(pdu->data);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed.value().size(), 2u);
  EXPECT_EQ(parsed.value()[0].key, "TargetName");
  EXPECT_EQ(parsed.value()[0].value, kTargetName);
  EXPECT_EQ(parsed.value()[1].key, "TargetAddress");
  EXPECT_EQ(parsed.value()[1].value, "127.0.0.1:3260,1");
}

TEST_F(ControlTest, TextSendTargetsHidesTargetsWithoutAcl) {
  TargetConfig c;
  c.generate_node_acls = false;
  c.acl_initiators = {"iqn.2026-01.org.example:someone-else"};
  Configure(c);
  LoginOptions o;
  o.discovery = true;
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  TextRequestPdu t;
  t.immediate = true;
  t.final = true;
  t.itt = 0x43;
  t.target_transfer_tag = kReservedTag;
  t.cmd_sn = ini->cmd_sn;
  std::string keys = login::EncodeTextKeys({{"SendTargets", "All"}});
  ASSERT_TRUE(
      ini->SendPdu(Encode(t), {reinterpret_cast<const uint8_t*>(keys.data()), keys.size()}));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  EXPECT_TRUE(pdu->data.empty()) << "S15: only permitted targets are listed";
}

TEST_F(ControlTest, TextMaxRecvDataSegmentLengthAppliesToLaterDataIn) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  TextRequestPdu t;
  t.final = true;
  t.itt = 0x44;
  t.target_transfer_tag = kReservedTag;
  t.cmd_sn = ini->cmd_sn++;
  std::string keys = login::EncodeTextKeys({{"MaxRecvDataSegmentLength", "1024"}});
  ASSERT_TRUE(
      ini->SendPdu(Encode(t), {reinterpret_cast<const uint8_t*>(keys.data()), keys.size()}));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  ASSERT_EQ(pdu->opcode(), static_cast<uint8_t>(Opcode::kTextResponse)) << Describe(*pdu);
  EXPECT_EQ(pdu->exp_cmd_sn(), ini->cmd_sn) << "a non-immediate Text Request takes a CmdSN";
  ScsiRequest rd;
  rd.cdb = Read10Cdb(0, 8);
  rd.read = true;
  rd.edtl = 4096;
  ScsiResult r = ini->Scsi(rd);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.data_ins.size(), 4u) << "RFC 7143 §13.12: 1024-byte Data-In from now on";
}

TEST_F(ControlTest, LogoutAnswersThenCloses) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  EXPECT_EQ(sessions_.size(), 1u);
  LogoutRequestPdu l;
  l.immediate = true;
  l.reason_code = 0;
  l.itt = 0x66;
  l.cmd_sn = ini->cmd_sn;
  ASSERT_TRUE(ini->SendPdu(Encode(l)));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  auto lr = DecodeLogoutResponse(pdu->bhs);
  ASSERT_TRUE(lr.ok()) << Describe(*pdu);
  EXPECT_EQ(lr.value().response, 0);
  EXPECT_EQ(lr.value().itt, 0x66u);
  EXPECT_TRUE(ini->WaitForClose());
  EXPECT_EQ(OpenConnections(), 0u);
  EXPECT_EQ(sessions_.size(), 0u);
}

}  // namespace
}  // namespace reftarget::iscsi::testing
