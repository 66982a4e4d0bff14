// Command ordering and Data-Out validation through a real Connection: the CmdSN window
// (RFC 7143 §4.2.2.1, TEST-PLAN S1/S2) and Data-Out sequence errors (§4.2.2.3, S3).
#include <string>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using CmdSnTest = ConnectionTest;
using DataOutTest = ConnectionTest;

bool SerialLessEq(uint32_t a, uint32_t b) { return static_cast<int32_t>(b - a) >= 0; }

ScsiRequest Tur(uint64_t lun = 0) {
  ScsiRequest rq;
  rq.cdb = TestUnitReadyCdb();
  rq.lun = lun;
  return rq;
}

ScsiRequest ReadRq(uint32_t lba, uint16_t blocks, uint64_t lun = 0) {
  ScsiRequest rq;
  rq.cdb = Read10Cdb(lba, blocks);
  rq.lun = lun;
  rq.read = true;
  rq.edtl = blocks * kBlockSize;
  return rq;
}

ScsiRequest WriteRq(uint32_t lba, const std::vector<uint8_t>& data, uint32_t immediate) {
  ScsiRequest rq;
  rq.cdb = Write10Cdb(lba, static_cast<uint16_t>(data.size() / kBlockSize));
  rq.write = true;
  rq.edtl = static_cast<uint32_t>(data.size());
  rq.write_data = data;
  rq.immediate_bytes = immediate;
  return rq;
}

// ---- CmdSN window ---------------------------------------------------------------------------

TEST_F(CmdSnTest, OutOfWindowCommandsAreSilentlyIgnored) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  const uint32_t exp = ini->last_exp_cmd_sn;
  const uint32_t max = ini->last_max_cmd_sn;
  ASSERT_EQ(exp, ini->cmd_sn);
  // A TUR that ran would consume the power-on unit attention; ignored ones must not.
  ScsiRequest above = Tur();
  above.cmd_sn = max + 1;
  ini->StartScsi(above);
  ScsiRequest below = Tur();
  below.cmd_sn = exp - 1;
  ini->StartScsi(below);
  EXPECT_TRUE(ini->Quiet()) << "S1: out-of-window commands get no response";
  ScsiResult r = ini->Scsi(Tur());
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02) << "the ignored TURs must not have run";
  EXPECT_EQ(r.asc(), 0x29);
  r = ini->Scsi(Tur());
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x00);
}

TEST_F(CmdSnTest, DuplicateCmdSnInWindowIsIgnored) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  const uint32_t n = ini->cmd_sn;
  // N+1 waits for N; a second command with N+1 is a duplicate.
  ScsiRequest later = Tur();
  later.cmd_sn = n + 1;
  uint32_t later_itt = ini->StartScsi(later);
  ScsiRequest dup = Tur();
  dup.cmd_sn = n + 1;
  uint32_t dup_itt = ini->StartScsi(dup);
  EXPECT_TRUE(ini->Quiet());
  ScsiRequest first = Tur();
  first.cmd_sn = n;
  uint32_t first_itt = ini->StartScsi(first);
  ini->cmd_sn = n + 2;
  std::vector<Pdu> seen;
  for (int i = 0; i < 2; ++i) {
    auto pdu = ini->Recv();
    ASSERT_TRUE(pdu.has_value()) << ini->error();
    seen.push_back(*pdu);
  }
  EXPECT_EQ(seen[0].itt(), first_itt);
  EXPECT_EQ(seen[1].itt(), later_itt);
  EXPECT_TRUE(ini->Quiet()) << "the duplicate (ITT " << dup_itt << ") must not run";
}

TEST_F(CmdSnTest, GapIsFilledAndBothRunInOrder) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  const uint32_t n = ini->cmd_sn;
  std::vector<uint8_t> a = Pattern(4096, 10), b = Pattern(4096, 11);
  ScsiRequest second = WriteRq(50, b, 4096);
  second.cmd_sn = n + 1;
  uint32_t second_itt = ini->StartScsi(second);
  EXPECT_TRUE(ini->Quiet()) << "CmdSN N+1 must wait for N";
  ScsiRequest first = WriteRq(50, a, 4096);
  first.cmd_sn = n;
  uint32_t first_itt = ini->StartScsi(first);
  ini->cmd_sn = n + 2;
  auto r1 = ini->Recv();
  auto r2 = ini->Recv();
  ASSERT_TRUE(r1 && r2) << ini->error();
  EXPECT_EQ(r1->itt(), first_itt);
  EXPECT_EQ(r2->itt(), second_itt);
  EXPECT_EQ(r1->bhs[3], 0);
  EXPECT_EQ(r2->bhs[3], 0);
  ScsiResult r = ini->Scsi(ReadRq(50, 8));
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.data_in, b) << "N+1 ran last";
}

TEST_F(CmdSnTest, MaxCmdSnNeverDecreases) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  // Pipeline bursts of commands so that the window fills and drains repeatedly.
  for (int round = 0; round < 5; ++round) {
    std::vector<uint32_t> itts;
    std::vector<ScsiRequest> rqs;
    for (int i = 0; i < 12; ++i) {
      rqs.push_back(i % 3 == 0 ? Tur() : ReadRq(static_cast<uint32_t>(i * 8), 8, i % 2));
      itts.push_back(ini->StartScsi(rqs.back()));
    }
    for (size_t i = 0; i < itts.size(); ++i) {
      ScsiResult r = ini->FinishScsi(itts[i], rqs[i]);
      ASSERT_TRUE(r.completed) << r.error;
      EXPECT_EQ(r.status, 0);
    }
    ASSERT_TRUE(ini->Ping().has_value());
  }
  const auto& h = ini->max_cmd_sn_history;
  ASSERT_GT(h.size(), 60u);
  for (size_t i = 1; i < h.size(); ++i) {
    EXPECT_TRUE(SerialLessEq(h[i - 1], h[i]))
        << "MaxCmdSN went from " << h[i - 1] << " to " << h[i] << " at PDU " << i;
  }
}

TEST_F(CmdSnTest, WindowClosesAtConfiguredDepthAndReopens) {
  TargetConfig c;
  c.cmdsn_depth = 4;
  Configure(c);
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  backstore::FaultRule hang;
  hang.op = backstore::IoType::kRead;
  hang.action = backstore::FaultAction::kHang;
  ASSERT_TRUE(faulty_->AddRule(hang).ok());
  std::vector<uint32_t> itts;
  for (int i = 0; i < 4; ++i) itts.push_back(ini->StartScsi(ReadRq(0, 1, 1)));
  auto nop = ini->Ping();
  ASSERT_TRUE(nop.has_value()) << ini->error();
  EXPECT_EQ(nop->exp_cmd_sn(), ini->cmd_sn);
  // S2: MaxCmdSN = ExpCmdSN - 1 is a closed window, never less.
  EXPECT_EQ(nop->max_cmd_sn(), ini->cmd_sn - 1) << "four commands fill a window of four";
  ScsiRequest extra = Tur();
  extra.cmd_sn = ini->cmd_sn;
  ini->StartScsi(extra);
  EXPECT_TRUE(ini->Quiet()) << "a command beyond a closed window is ignored";
  faulty_->ClearRules();
  EXPECT_EQ(faulty_->ReleaseHung(), 4u);
  uint32_t last_max = 0;
  for (uint32_t itt : itts) {
    ScsiResult r = ini->FinishScsi(itt, ReadRq(0, 1, 1));
    ASSERT_TRUE(r.completed) << r.error;
    EXPECT_EQ(r.status, 0);
    last_max = r.max_cmd_sn;
  }
  EXPECT_TRUE(SerialLessEq(ini->cmd_sn + 3, last_max)) << "S2: the window reopens";
  ScsiResult r = ini->Scsi(Tur());
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0);
}

TEST_F(CmdSnTest, DuplicateIttIsRejectedAsTaskInProgress) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  backstore::FaultRule hang;
  hang.op = backstore::IoType::kRead;
  hang.action = backstore::FaultAction::kHang;
  ASSERT_TRUE(faulty_->AddRule(hang).ok());
  ScsiRequest rd = ReadRq(0, 1, 1);
  uint32_t itt = ini->StartScsi(rd);
  ScsiRequest dup = Tur();
  dup.itt = itt;
  dup.immediate = true;
  ini->StartScsi(dup);
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  EXPECT_EQ(pdu->opcode(), static_cast<uint8_t>(Opcode::kReject)) << Describe(*pdu);
  EXPECT_EQ(pdu->bhs[2], 0x07) << "Task in progress";
  faulty_->ClearRules();
  faulty_->ReleaseHung();
  ScsiResult r = ini->FinishScsi(itt, rd);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0) << "the original task is unaffected (S5)";
}

TEST_F(CmdSnTest, IgnoredCommandWithAnActiveTasksIttLeavesThatTaskAlone) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(8192, 24);
  ScsiRequest rq = WriteRq(640, data, 0);
  rq.answer_r2ts = false;
  uint32_t itt = ini->StartScsi(rq);
  auto r2t_pdu = ini->RecvFor(static_cast<uint8_t>(Opcode::kR2T), itt, nullptr);
  ASSERT_TRUE(r2t_pdu.has_value()) << ini->error();
  R2TPdu r2t = DecodeR2T(r2t_pdu->bhs).value();
  // A stale retransmission: same ITT, a CmdSN below the window, 4 KiB of immediate data.
  // S1: it is silently ignored, payload and all.
  ScsiRequest stale = WriteRq(640, Pattern(8192, 25), 4096);
  stale.itt = itt;
  stale.cmd_sn = ini->cmd_sn - 1;
  ini->StartScsi(stale);
  // Half of the R2T's data: the WRITE must keep waiting for the rest.
  ini->SendDataOut(itt, r2t.target_transfer_tag, 0, 0, {data.data(), 4096}, false);
  ASSERT_TRUE(ini->Quiet(200))
      << "an ignored stale SCSI Command must not feed the live task with its ITT (RFC 7143 "
         "§4.2.2.1): the WRITE answered before all its data arrived";
  ini->SendDataOut(itt, r2t.target_transfer_tag, 1, 4096, {data.data() + 4096, 4096}, true);
  ScsiResult w = ini->FinishScsi(itt, rq);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0);
  ScsiResult rd = ini->Scsi(ReadRq(640, 16));
  EXPECT_EQ(rd.data_in, data);
}

// ---- Data-Out errors ------------------------------------------------------------------------

class R2tDataOutTest : public ConnectionTest {
 protected:
  // Logs in with ImmediateData=No so every byte of a WRITE needs an R2T, and starts an
  // 8 KiB WRITE at LBA 600, returning its first R2T.
  void StartWrite() {
    LoginOptions o;
    o.Set("ImmediateData", "No");
    ini_ = LoggedIn(o);
    ASSERT_TRUE(ini_);
    ASSERT_TRUE(ini_->ClearUnitAttention(0));
    data_ = Pattern(8192, 20);
    rq_ = WriteRq(600, data_, 0);
    itt_ = ini_->StartScsi(rq_);
    auto pdu = ini_->RecvFor(static_cast<uint8_t>(Opcode::kR2T), itt_, nullptr);
    ASSERT_TRUE(pdu.has_value()) << ini_->error();
    r2t_ = DecodeR2T(pdu->bhs).value();
    ASSERT_EQ(r2t_.desired_data_transfer_length, 8192u);
  }
  // Expects CHECK CONDITION with ABORTED COMMAND and no GOOD afterwards; the medium must
  // still read zeroes.
  void ExpectAbortedCommand() {
    rq_.answer_r2ts = false;
    ScsiResult r = ini_->FinishScsi(itt_, rq_);
    ASSERT_TRUE(r.completed) << r.error;
    EXPECT_EQ(r.status, 0x02);
    EXPECT_EQ(r.sense_key(), 0x0b) << "S3/S6: ABORTED COMMAND";
    // Data the initiator still sends for the failed task is discarded.
    ini_->SendDataOut(itt_, r2t_.target_transfer_tag, 1, 4096, {data_.data() + 4096, 4096}, true);
    EXPECT_TRUE(ini_->Quiet()) << "no second status for the task";
    ScsiResult rd = ini_->Scsi(ReadRq(600, 16));
    ASSERT_TRUE(rd.completed) << rd.error;
    EXPECT_EQ(rd.data_in, std::vector<uint8_t>(8192, 0)) << "a failed WRITE changed the medium";
  }

  std::unique_ptr<Initiator> ini_;
  std::vector<uint8_t> data_;
  ScsiRequest rq_;
  uint32_t itt_ = 0;
  R2TPdu r2t_;
};

TEST_F(R2tDataOutTest, WrongDataSnFailsTheTask) {
  ASSERT_NO_FATAL_FAILURE(StartWrite());
  ini_->SendDataOut(itt_, r2t_.target_transfer_tag, 1, 0, {data_.data(), 4096}, false);
  ExpectAbortedCommand();
}

TEST_F(R2tDataOutTest, OffsetBeyondEdtlFailsTheTask) {
  ASSERT_NO_FATAL_FAILURE(StartWrite());
  ini_->SendDataOut(itt_, r2t_.target_transfer_tag, 0, 8192, {data_.data(), 512}, false);
  ExpectAbortedCommand();
}

TEST_F(R2tDataOutTest, UnknownTargetTransferTagFailsTheTask) {
  ASSERT_NO_FATAL_FAILURE(StartWrite());
  ini_->SendDataOut(itt_, r2t_.target_transfer_tag + 1000, 0, 0, {data_.data(), 4096}, false);
  ExpectAbortedCommand();
}

TEST_F(R2tDataOutTest, FinalBitBeforeTheR2tIsSatisfiedFailsTheTask) {
  ASSERT_NO_FATAL_FAILURE(StartWrite());
  ini_->SendDataOut(itt_, r2t_.target_transfer_tag, 0, 0, {data_.data(), 4096}, true);
  rq_.answer_r2ts = false;
  ScsiResult r = ini_->FinishScsi(itt_, rq_);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x0b);
  EXPECT_EQ(r.asc(), 0x0c);
  EXPECT_EQ(r.ascq(), 0x0d) << "S6: not enough unsolicited data / incorrect amount";
}

TEST_F(R2tDataOutTest, OverlappingDataOutOffsetsFailTheTask) {
  ASSERT_NO_FATAL_FAILURE(StartWrite());
  // DataPDUInOrder=Yes (RFC 7143 §13.18): Data-Out within a sequence must be at increasing,
  // contiguous offsets. Sending [0, 4096) twice leaves [4096, 8192) never written.
  ini_->SendDataOut(itt_, r2t_.target_transfer_tag, 0, 0, {data_.data(), 4096}, false);
  ini_->SendDataOut(itt_, r2t_.target_transfer_tag, 1, 0, {data_.data(), 4096}, true);
  rq_.answer_r2ts = false;
  ScsiResult r = ini_->FinishScsi(itt_, rq_);
  ASSERT_TRUE(r.completed) << r.error;
  ASSERT_FALSE(r.status == 0)
    << "overlapping Data-Out offsets (DataPDUInOrder=Yes, RFC 7143 §13.18) must fail the WRITE, not write a hole";
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x0b);
}

TEST_F(DataOutTest, UnsolicitedDataOutWithGapFailsTheTask) {
  TargetConfig c;
  c.parameters["InitialR2T"] = "No";
  Configure(c);
  LoginOptions o;
  o.Set("InitialR2T", "No").Set("ImmediateData", "No");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(8192, 21);
  ScsiRequest rq = WriteRq(700, data, 0);
  rq.unsolicited_bytes = 0;
  rq.answer_r2ts = false;
  ScsiCommandPdu cmd;  // built by hand: F=0, unsolicited data follows
  uint32_t itt = ini->NextItt();
  cmd.read = false;
  cmd.write = true;
  cmd.attribute = 1;
  cmd.itt = itt;
  cmd.expected_data_transfer_length = 8192;
  cmd.cmd_sn = ini->cmd_sn++;
  std::copy_n(rq.cdb.begin(), 10, cmd.cdb.begin());
  ASSERT_TRUE(ini->SendPdu(Encode(cmd)));
  // Offsets 4096 then 4096 again (DataSN 0, 1): [0, 4096) is never sent.
  ini->SendDataOut(itt, kReservedTag, 0, 4096, {data.data() + 4096, 4096}, false);
  ini->SendDataOut(itt, kReservedTag, 1, 4096, {data.data() + 4096, 4096}, true);
  ScsiResult r = ini->FinishScsi(itt, rq, 1000);
  ASSERT_TRUE(r.completed) << r.error;
  ASSERT_FALSE(r.status == 0)
    << "unsolicited Data-Out must arrive at the next offset (RFC 7143 §13.18); a gap must fail the WRITE";
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x0b);
}

TEST_F(DataOutTest, DataOutForUnknownIttIsIgnored) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  std::vector<uint8_t> junk = Pattern(4096, 22);
  ASSERT_TRUE(ini->SendDataOut(0xdead, 0x1234, 0, 0, junk, true));
  EXPECT_TRUE(ini->Quiet());
  auto nop = ini->Ping();
  EXPECT_TRUE(nop.has_value()) << "the connection survives";
}

TEST_F(DataOutTest, UnexpectedImmediateDataFailsTheTask) {
  // ImmediateData=No: a WRITE carrying data is answered 0B/0C/0C.
  LoginOptions o;
  o.Set("ImmediateData", "No");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(4096, 23);
  ScsiRequest rq = WriteRq(800, data, 4096);
  rq.answer_r2ts = false;
  ScsiResult r = ini->Scsi(rq);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x0b);
  EXPECT_EQ(r.asc(), 0x0c);
  EXPECT_EQ(r.ascq(), 0x0c) << "S6: unexpected unsolicited data";
  ScsiResult rd = ini->Scsi(ReadRq(800, 8));
  EXPECT_EQ(rd.data_in, std::vector<uint8_t>(4096, 0));
}

}  // namespace
}  // namespace reftarget::iscsi::testing
