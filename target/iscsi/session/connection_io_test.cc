// The full feature phase's data path through a real Connection: Data-In splitting, immediate
// data, unsolicited Data-Out, R2Ts (RFC 7143 §11.3, §11.7, §11.8), residuals (§11.4.5).
#include <algorithm>
#include <string>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using FullFeatureTest = ConnectionTest;

// Reads `blocks` blocks at `lba` and returns the data (empty on failure, which is reported).
std::vector<uint8_t> ReadBlocks(Initiator& ini, uint32_t lba, uint16_t blocks, uint64_t lun = 0) {
  ScsiRequest rq;
  rq.cdb = Read10Cdb(lba, blocks);
  rq.lun = lun;
  rq.read = true;
  rq.edtl = blocks * kBlockSize;
  ScsiResult r = ini.Scsi(rq);
  EXPECT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
  return r.data_in;
}

// Writes `data` at `lba` as `how` says (immediate / unsolicited bytes) and checks GOOD.
ScsiResult WriteBlocks(Initiator& ini, uint32_t lba, const std::vector<uint8_t>& data,
                       uint32_t immediate_bytes, uint32_t unsolicited_bytes) {
  ScsiRequest rq;
  rq.cdb = Write10Cdb(lba, static_cast<uint16_t>(data.size() / kBlockSize));
  rq.write = true;
  rq.edtl = static_cast<uint32_t>(data.size());
  rq.write_data = data;
  rq.immediate_bytes = immediate_bytes;
  rq.unsolicited_bytes = unsolicited_bytes;
  return ini.Scsi(rq);
}

TEST_F(FullFeatureTest, TestUnitReadyReportsPowerOnThenGood) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ScsiRequest rq;
  rq.cdb = TestUnitReadyCdb();
  ScsiResult first = ini->Scsi(rq);
  ASSERT_TRUE(first.completed) << first.error;
  EXPECT_EQ(first.status, 0x02);
  EXPECT_EQ(first.sense_key(), 0x06);
  EXPECT_EQ(first.asc(), 0x29);
  EXPECT_EQ(first.ascq(), 0x00);
  ScsiResult second = ini->Scsi(rq);
  ASSERT_TRUE(second.completed) << second.error;
  EXPECT_EQ(second.status, 0x00);
  EXPECT_FALSE(second.underflow);
  EXPECT_TRUE(second.sense.empty());
}

TEST_F(FullFeatureTest, ReadSplitsDataInAtInitiatorMaxRecvDataSegmentLength) {
  LoginOptions o;
  o.Set("MaxRecvDataSegmentLength", "4096");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(32768, 1);
  ScsiResult w = WriteBlocks(*ini, 100, data, 8192, 0);
  ASSERT_TRUE(w.completed) << w.error;
  ASSERT_EQ(w.status, 0);

  ScsiRequest rq;
  rq.cdb = Read10Cdb(100, 64);
  rq.read = true;
  rq.edtl = 32768;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.status_in_data_in) << "RFC 7143 §11.7.4: status in the last Data-In";
  EXPECT_TRUE(r.others.empty());
  ASSERT_EQ(r.data_ins.size(), 8u);
  for (size_t i = 0; i < r.data_ins.size(); ++i) {
    const DataInPdu& d = r.data_ins[i];
    EXPECT_EQ(d.data_sn, i);
    EXPECT_EQ(d.buffer_offset, i * 4096);
    EXPECT_EQ(d.data_segment_length, 4096u);
    EXPECT_EQ(d.final, i == 7) << "DataSN " << i;
    EXPECT_EQ(d.has_status, i == 7) << "DataSN " << i;
  }
  EXPECT_EQ(r.data_in, data);
  EXPECT_TRUE(ini->Quiet()) << "no separate SCSI Response after phase collapse";
}

TEST_F(FullFeatureTest, ReadSetsFinalAtEachMaxBurstLength) {
  LoginOptions o;
  o.Set("MaxRecvDataSegmentLength", "4096")
      .Set("MaxBurstLength", "8192")
      .Set("FirstBurstLength", "8192");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ScsiRequest rq;
  rq.cdb = Read10Cdb(0, 64);
  rq.read = true;
  rq.edtl = 32768;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  ASSERT_EQ(r.data_ins.size(), 8u);
  for (size_t i = 0; i < r.data_ins.size(); ++i) {
    // RFC 7143 §13.13: a Data-In sequence is at most MaxBurstLength; F ends each one, and
    // DataSN keeps counting across sequences.
    EXPECT_EQ(r.data_ins[i].data_sn, i);
    EXPECT_EQ(r.data_ins[i].final, i % 2 == 1) << "DataSN " << i;
  }
  EXPECT_EQ(r.status, 0);
}

TEST_F(FullFeatureTest, WriteWithImmediateData) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(4096, 2);
  ScsiResult w = WriteBlocks(*ini, 8, data, 4096, 0);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  EXPECT_TRUE(w.r2ts.empty()) << "all data was immediate";
  EXPECT_FALSE(w.underflow);
  EXPECT_EQ(ReadBlocks(*ini, 8, 8), data);
}

TEST_F(FullFeatureTest, WriteWithImmediateDataThenR2t) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(20480, 3);
  ScsiResult w = WriteBlocks(*ini, 16, data, 8192, 0);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  ASSERT_EQ(w.r2ts.size(), 1u);
  EXPECT_EQ(w.r2ts[0].buffer_offset, 8192u);
  EXPECT_EQ(w.r2ts[0].desired_data_transfer_length, 12288u);
  EXPECT_EQ(w.r2ts[0].r2t_sn, 0u);
  EXPECT_EQ(ReadBlocks(*ini, 16, 40), data);
}

TEST_F(FullFeatureTest, WriteWithUnsolicitedDataOut) {
  TargetConfig c;
  c.parameters["InitialR2T"] = "No";
  Configure(c);
  LoginOptions o;
  o.Set("InitialR2T", "No");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(32768, 4);
  ScsiResult w = WriteBlocks(*ini, 200, data, 8192, 24576);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  EXPECT_TRUE(w.r2ts.empty()) << "everything fit in FirstBurstLength";
  EXPECT_EQ(ReadBlocks(*ini, 200, 64), data);
}

TEST_F(FullFeatureTest, WriteWithUnsolicitedDataOutThenR2t) {
  TargetConfig c;
  c.parameters["InitialR2T"] = "No";
  Configure(c);
  LoginOptions o;
  o.Set("InitialR2T", "No").Set("FirstBurstLength", "16384");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(65536, 5);
  ScsiResult w = WriteBlocks(*ini, 300, data, 4096, 12288);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  ASSERT_EQ(w.r2ts.size(), 1u);
  EXPECT_EQ(w.r2ts[0].buffer_offset, 16384u) << "R2Ts start after FirstBurstLength";
  EXPECT_EQ(w.r2ts[0].desired_data_transfer_length, 49152u);
  EXPECT_EQ(ReadBlocks(*ini, 300, 128), data);
}

TEST_F(FullFeatureTest, WriteWithR2tsHonoursMaxBurstAndOutstandingR2t) {
  LoginOptions o;
  o.Set("ImmediateData", "No")
      .Set("MaxBurstLength", "8192")
      .Set("FirstBurstLength", "8192")
      .Set("MaxOutstandingR2T", "1");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(32768, 6);
  ScsiRequest rq;
  rq.cdb = Write10Cdb(400, 64);
  rq.write = true;
  rq.edtl = 32768;
  rq.write_data = data;
  uint32_t itt = ini->StartScsi(rq);
  for (uint32_t n = 0; n < 4; ++n) {
    auto pdu = ini->RecvFor(static_cast<uint8_t>(Opcode::kR2T), itt, nullptr);
    ASSERT_TRUE(pdu.has_value()) << "R2T " << n << ": " << ini->error();
    R2TPdu r2t = DecodeR2T(pdu->bhs).value();
    EXPECT_EQ(r2t.r2t_sn, n);
    EXPECT_EQ(r2t.buffer_offset, n * 8192);
    EXPECT_EQ(r2t.desired_data_transfer_length, 8192u);
    EXPECT_NE(r2t.target_transfer_tag, kReservedTag);
    // MaxOutstandingR2T=1: the next R2T waits for this one's data.
    EXPECT_TRUE(ini->Quiet(50)) << "a second R2T was outstanding";
    for (uint32_t k = 0; k < 2; ++k) {
      uint32_t off = r2t.buffer_offset + k * 4096;
      ASSERT_TRUE(ini->SendDataOut(itt, r2t.target_transfer_tag, k, off, {data.data() + off, 4096},
                                   k == 1));
    }
  }
  ScsiResult w = ini->FinishScsi(itt, rq);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  EXPECT_TRUE(w.r2ts.empty());
  EXPECT_EQ(ReadBlocks(*ini, 400, 64), data);
}

TEST_F(FullFeatureTest, ReadWithLargerEdtlReportsUnderflow) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ScsiRequest rq;
  rq.cdb = Read10Cdb(0, 8);
  rq.read = true;
  rq.edtl = 8192;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.underflow);
  EXPECT_FALSE(r.overflow);
  EXPECT_EQ(r.residual, 4096u);
  EXPECT_EQ(r.data_in.size(), 4096u);
}

TEST_F(FullFeatureTest, ReadWithSmallerEdtlReportsOverflow) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ScsiRequest rq;
  rq.cdb = Read10Cdb(0, 8);
  rq.read = true;
  rq.edtl = 2048;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.overflow);
  EXPECT_FALSE(r.underflow);
  EXPECT_EQ(r.residual, 2048u);
  EXPECT_EQ(r.data_in.size(), 2048u) << "never more than EDTL";
}

TEST_F(FullFeatureTest, WriteWithLargerEdtlReportsUnderflow) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(8192, 8);
  ScsiRequest rq;
  rq.cdb = Write10Cdb(500, 8);  // 4096 bytes by the CDB
  rq.write = true;
  rq.edtl = 8192;
  rq.write_data = data;
  rq.immediate_bytes = 8192;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.underflow);
  EXPECT_EQ(r.residual, 4096u);
  EXPECT_EQ(ReadBlocks(*ini, 500, 8), std::vector<uint8_t>(data.begin(), data.begin() + 4096));
}

TEST_F(FullFeatureTest, WriteWithSmallerEdtlReportsOverflow) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(2048, 9);
  ScsiRequest rq;
  rq.cdb = Write10Cdb(520, 8);  // 4096 bytes by the CDB, 2048 by EDTL
  rq.write = true;
  rq.edtl = 2048;
  rq.write_data = data;
  rq.immediate_bytes = 2048;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0) << "FCP-4: the blocks EDTL covers are written";
  EXPECT_TRUE(r.overflow);
  EXPECT_EQ(r.residual, 2048u);
  std::vector<uint8_t> expect = data;
  expect.resize(4096, 0);
  EXPECT_EQ(ReadBlocks(*ini, 520, 8), expect);
}

TEST_F(FullFeatureTest, OversizedWriteIsRefused) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ScsiRequest rq;
  rq.cdb = Write10Cdb(0, 8);
  rq.write = true;
  rq.edtl = 64u << 20;  // above the 32 MiB the target buffers per command
  rq.answer_r2ts = false;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_TRUE(r.r2ts.empty());
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x05);
  EXPECT_TRUE(ini->Ping().has_value());
}

TEST_F(FullFeatureTest, ReadBeyondCapacityIsLbaOutOfRange) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ScsiRequest rq;
  rq.cdb = Read10Cdb(kLun0Bytes / kBlockSize, 1);
  rq.read = true;
  rq.edtl = kBlockSize;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_FALSE(r.status_in_data_in);
  EXPECT_TRUE(r.data_ins.empty());
  EXPECT_EQ(r.sense_key(), 0x05);
  EXPECT_EQ(r.asc(), 0x21);
}

TEST_F(FullFeatureTest, UnmappedLunIsLogicalUnitNotSupported) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ScsiRequest rq;
  rq.cdb = Read10Cdb(0, 1);
  rq.lun = 5;
  rq.read = true;
  rq.edtl = kBlockSize;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x05);
  EXPECT_EQ(r.asc(), 0x25);
}

TEST_F(FullFeatureTest, StatSnIncreasesByOnePerStatus) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  uint32_t expected = ini->exp_stat_sn;
  auto check = [&](const char* what, uint32_t stat_sn) {
    EXPECT_EQ(stat_sn, expected) << what;
    expected = stat_sn + 1;
  };
  ScsiRequest tur;
  tur.cdb = TestUnitReadyCdb();
  for (int i = 0; i < 3; ++i) {
    uint32_t before = ini->exp_stat_sn;
    ScsiResult r = ini->Scsi(tur);
    ASSERT_TRUE(r.completed) << r.error;
    check("SCSI Response", ini->exp_stat_sn - 1);
    EXPECT_EQ(ini->exp_stat_sn, before + 1);
  }
  ScsiRequest rd;
  rd.cdb = Read10Cdb(0, 8);
  rd.read = true;
  rd.edtl = 4096;
  ScsiResult r = ini->Scsi(rd);
  ASSERT_TRUE(r.completed && r.status_in_data_in) << r.error;
  check("Data-In with status", r.data_ins.back().stat_sn);
  auto nop = ini->Ping();
  ASSERT_TRUE(nop.has_value());
  check("NOP-In", nop->stat_sn());
  // An R2T carries the next StatSN without consuming it.
  ScsiRequest w;
  w.cdb = Write10Cdb(0, 1);
  w.write = true;
  w.edtl = 512;
  w.write_data = Pattern(512, 15);
  ScsiResult wr = ini->Scsi(w);
  ASSERT_TRUE(wr.completed) << wr.error;
  ASSERT_EQ(wr.r2ts.size(), 1u);
  EXPECT_EQ(wr.r2ts[0].stat_sn, expected);
  check("SCSI Response after R2T", ini->exp_stat_sn - 1);
}

// Segments of 16 KiB and more are received straight into the task's buffer
// (connection_io.cc kDirectReceiveThreshold); odd lengths put padding behind them.
class LargeSegmentTest : public ConnectionTest {
 protected:
  void RoundTrip(bool digests);
};

void LargeSegmentTest::RoundTrip(bool digests) {
  SCOPED_TRACE(digests ? "with digests" : "without digests");
  TargetConfig c;
  c.parameters["MaxRecvDataSegmentLength"] = "262144";
  c.parameters["MaxXmitDataSegmentLength"] = "262144";
  Configure(c);
  LoginOptions o;
  o.Set("MaxRecvDataSegmentLength", "262144");
  if (digests) o.Set("HeaderDigest", "CRC32C").Set("DataDigest", "CRC32C");
  o.isid[5] = digests ? 2 : 1;
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(262144, digests ? 12 : 13);
  ScsiRequest rq;
  rq.cdb = Write10Cdb(1000, 512);
  rq.write = true;
  rq.edtl = 262144;
  rq.write_data = data;
  rq.immediate_bytes = 65533;
  rq.data_out_segment = 100001;
  ScsiResult w = ini->Scsi(rq);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  ASSERT_EQ(w.r2ts.size(), 1u);
  EXPECT_EQ(w.r2ts[0].buffer_offset, 65533u);
  ScsiRequest rd;
  rd.cdb = Read10Cdb(1000, 512);
  rd.read = true;
  rd.edtl = 262144;
  ScsiResult r = ini->Scsi(rd);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.data_ins.size(), 1u) << "one Data-In of 256 KiB";
  EXPECT_TRUE(r.data_in == data) << "data differs";
}

TEST_F(LargeSegmentTest, UnalignedWithoutDigests) { RoundTrip(false); }

TEST_F(LargeSegmentTest, UnalignedWithDigests) { RoundTrip(true); }

TEST_F(FullFeatureTest, ManySmallDataInPdusSurvivePartialWrites) {
  LoginOptions o;
  o.Set("MaxRecvDataSegmentLength", "512");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(65536, 14);
  ScsiResult w = WriteBlocks(*ini, 2048, data, 512, 0);
  ASSERT_TRUE(w.completed) << w.error;
  ASSERT_EQ(w.status, 0);
  // 1 MiB in 512-byte Data-In PDUs: far more than the socket buffer holds, so the target's
  // writev stops part-way through PDUs and resumes on EPOLLOUT.
  ScsiRequest rd;
  rd.cdb = Read10Cdb(2048, 2048);
  rd.read = true;
  rd.edtl = 1 << 20;
  ScsiResult r = ini->Scsi(rd);
  ASSERT_TRUE(r.completed) << r.error;
  ASSERT_EQ(r.data_ins.size(), 2048u);
  for (size_t i = 0; i < r.data_ins.size(); ++i) {
    if (r.data_ins[i].data_sn != i || r.data_ins[i].buffer_offset != i * 512) {
      ADD_FAILURE() << "Data-In " << i << ": DataSN " << r.data_ins[i].data_sn << " offset "
                    << r.data_ins[i].buffer_offset;
      break;
    }
  }
  EXPECT_TRUE(std::equal(data.begin(), data.end(), r.data_in.begin()));
  EXPECT_EQ(r.status, 0);
}

}  // namespace
}  // namespace reftarget::iscsi::testing
