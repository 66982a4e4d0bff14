// Header and data digests through a real Connection (RFC 7143 §7.8, §13.1; TEST-PLAN S4):
// a header digest error closes the connection; a data digest error gets Reject 0x02, the
// task ends with 0B/47/05, and the connection keeps working.
#include <string>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using DigestTest = ConnectionTest;

LoginOptions WithDigests() {
  LoginOptions o;
  o.Set("HeaderDigest", "CRC32C").Set("DataDigest", "CRC32C");
  return o;
}

ScsiRequest ReadRq(uint32_t lba, uint16_t blocks) {
  ScsiRequest rq;
  rq.cdb = Read10Cdb(lba, blocks);
  rq.read = true;
  rq.edtl = blocks * kBlockSize;
  return rq;
}

TEST_F(DigestTest, TrafficWithBothDigestsWorks) {
  auto ini = LoggedIn(WithDigests());
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->header_digest && ini->data_digest);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(12800, 50);
  ScsiRequest w;
  w.cdb = Write10Cdb(10, 25);
  w.write = true;
  w.edtl = 12800;
  w.write_data = data;
  w.immediate_bytes = 4097;  // unaligned immediate data: padding is covered by the digest
  w.data_out_segment = 4093;
  ScsiResult r = ini->Scsi(w);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
  ScsiResult rd = ini->Scsi(ReadRq(10, 25));
  ASSERT_TRUE(rd.completed) << rd.error;
  EXPECT_EQ(rd.data_in, data);
}

TEST_F(DigestTest, CorruptHeaderDigestClosesTheConnection) {
  auto ini = LoggedIn(WithDigests());
  ASSERT_TRUE(ini);
  NopOutPdu n;
  n.immediate = true;
  n.itt = 0x31;
  n.target_transfer_tag = kReservedTag;
  n.cmd_sn = ini->cmd_sn;
  ASSERT_TRUE(ini->SendPdu(Encode(n), {}, {}, /*corrupt_header_digest=*/true));
  EXPECT_TRUE(ini->WaitForClose()) << "S4: a header digest error closes the connection";
  EXPECT_TRUE(ini->discarded().empty()) << "the corrupt PDU must not be answered";
  EXPECT_EQ(OpenConnections(), 0u);  // also waits for Close() to finish on the reactor
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(DigestTest, CorruptDataDigestOnImmediateDataRejectsAndFailsTheTask) {
  auto ini = LoggedIn(WithDigests());
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(4096, 51);
  ScsiCommandPdu c;
  c.final = true;
  c.write = true;
  c.attribute = 1;
  c.itt = ini->NextItt();
  c.expected_data_transfer_length = 4096;
  c.cmd_sn = ini->cmd_sn++;
  auto cdb = Write10Cdb(20, 8);
  std::copy(cdb.begin(), cdb.end(), c.cdb.begin());
  ASSERT_TRUE(ini->SendPdu(Encode(c), data, {}, false, /*corrupt_data_digest=*/true));
  auto reject = ini->Recv();
  ASSERT_TRUE(reject.has_value()) << ini->error();
  EXPECT_EQ(reject->opcode(), static_cast<uint8_t>(Opcode::kReject)) << Describe(*reject);
  EXPECT_EQ(reject->bhs[2], 0x02) << "Data-Digest-Error";
  ScsiRequest rq;  // only for FinishScsi's bookkeeping
  ScsiResult r = ini->FinishScsi(c.itt, rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x0b);
  EXPECT_EQ(r.asc(), 0x47);
  EXPECT_EQ(r.ascq(), 0x05) << "S4: PROTOCOL SERVICE CRC ERROR";
  EXPECT_TRUE(ini->Ping().has_value()) << "the connection keeps working";
  ScsiResult rd = ini->Scsi(ReadRq(20, 8));
  EXPECT_EQ(rd.data_in, std::vector<uint8_t>(4096, 0)) << "the corrupt data never landed";
}

TEST_F(DigestTest, CorruptDataDigestOnDataOutRejectsAndFailsTheTask) {
  LoginOptions o = WithDigests();
  o.Set("ImmediateData", "No");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(4096, 52);
  ScsiRequest rq;
  rq.cdb = Write10Cdb(30, 8);
  rq.write = true;
  rq.edtl = 4096;
  rq.write_data = data;
  rq.answer_r2ts = false;
  uint32_t itt = ini->StartScsi(rq);
  auto r2t_pdu = ini->RecvFor(static_cast<uint8_t>(Opcode::kR2T), itt, nullptr);
  ASSERT_TRUE(r2t_pdu.has_value()) << ini->error();
  R2TPdu r2t = DecodeR2T(r2t_pdu->bhs).value();
  DataOutPdu d;
  d.final = true;
  d.itt = itt;
  d.target_transfer_tag = r2t.target_transfer_tag;
  ASSERT_TRUE(ini->SendPdu(Encode(d), data, {}, false, /*corrupt_data_digest=*/true));
  ScsiResult r = ini->FinishScsi(itt, rq);
  ASSERT_TRUE(r.completed) << r.error;
  ASSERT_EQ(r.others.size(), 1u);
  EXPECT_EQ(r.others[0].opcode(), static_cast<uint8_t>(Opcode::kReject));
  EXPECT_EQ(r.others[0].bhs[2], 0x02);
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x0b);
  EXPECT_EQ(r.asc(), 0x47);
  EXPECT_EQ(r.ascq(), 0x05);
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(DigestTest, CorruptDataDigestOnNopOutIsRejected) {
  auto ini = LoggedIn(WithDigests());
  ASSERT_TRUE(ini);
  NopOutPdu n;
  n.immediate = true;
  n.itt = 0x32;
  n.target_transfer_tag = kReservedTag;
  n.cmd_sn = ini->cmd_sn;
  std::vector<uint8_t> data = Pattern(64, 53);
  ASSERT_TRUE(ini->SendPdu(Encode(n), data, {}, false, true));
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  EXPECT_EQ(pdu->opcode(), static_cast<uint8_t>(Opcode::kReject)) << Describe(*pdu);
  EXPECT_EQ(pdu->bhs[2], 0x02);
  EXPECT_TRUE(ini->Ping().has_value());
}

}  // namespace
}  // namespace reftarget::iscsi::testing
