// Task management through a real Connection (RFC 7143 §11.5, §11.6; TEST-PLAN S9): ABORT TASK
// of unknown, hung and collecting tasks, LUN RESET, and the unsupported functions.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using TmfTest = ConnectionTest;

constexpr uint8_t kTmfResponse = static_cast<uint8_t>(Opcode::kTaskMgmtResponse);

ScsiRequest ReadRq(uint32_t lba, uint16_t blocks, uint64_t lun) {
  ScsiRequest rq;
  rq.cdb = Read10Cdb(lba, blocks);
  rq.lun = lun;
  rq.read = true;
  rq.edtl = blocks * kBlockSize;
  return rq;
}

// Sends a task management request (immediate unless `cmd_sn` is given); returns its ITT.
uint32_t SendTmf(Initiator& ini, TmfFunction function, uint64_t lun, uint32_t rtt = kReservedTag,
                 std::optional<uint32_t> ref_cmd_sn = std::nullopt) {
  TaskMgmtRequestPdu t;
  t.immediate = true;
  t.function = static_cast<uint8_t>(function);
  t.lun = EncodeLun(lun);
  t.itt = ini.NextItt();
  t.referenced_task_tag = rtt;
  t.cmd_sn = ini.cmd_sn;
  t.exp_stat_sn = ini.exp_stat_sn;
  t.ref_cmd_sn = ref_cmd_sn.value_or(ini.cmd_sn);
  EXPECT_TRUE(ini.SendPdu(Encode(t))) << ini.error();
  return t.itt;
}

// Waits for the TMF response for `itt` and returns its response code (-1 on timeout).
int TmfResult(Initiator& ini, uint32_t itt, std::vector<Pdu>* others = nullptr,
              int timeout_ms = kWaitMs) {
  auto pdu = ini.RecvFor(kTmfResponse, itt, others, timeout_ms);
  if (!pdu) return -1;
  return DecodeTaskMgmtResponse(pdu->bhs).value().response;
}

// Adds a rule that holds every read of LUN 1 in [offset, offset+length).
void HangReads(backstore::FaultyBackstore* faulty, uint64_t offset = 0,
               uint64_t length = UINT64_MAX) {
  backstore::FaultRule hang;
  hang.op = backstore::IoType::kRead;
  hang.offset = offset;
  hang.length = length;
  hang.action = backstore::FaultAction::kHang;
  ASSERT_TRUE(faulty->AddRule(hang).ok());
}

TEST_F(TmfTest, AbortUnknownTaskOutsideWindowIsTaskDoesNotExist) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  uint32_t itt = SendTmf(*ini, TmfFunction::kAbortTask, 0, 0xabcdef, ini->cmd_sn + 1000);
  EXPECT_EQ(TmfResult(*ini, itt), 1);
}

TEST_F(TmfTest, AbortUnknownTaskWithRefCmdSnInWindowIsFunctionComplete) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  // The initiator sent CmdSN N, which never arrived; its counter is now N+1.
  const uint32_t lost = ini->cmd_sn++;
  uint32_t itt = SendTmf(*ini, TmfFunction::kAbortTask, 0, 0xabcdef, lost);
  EXPECT_EQ(TmfResult(*ini, itt), 0) << "§11.5.1: RefCmdSN in window and below the TMF's CmdSN";
}

TEST_F(TmfTest, AbortOfLostCommandPlugsTheCmdSnGap) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  const uint32_t lost = ini->cmd_sn++;
  uint32_t itt = SendTmf(*ini, TmfFunction::kAbortTask, 0, 0xabcdef, lost);
  ASSERT_EQ(TmfResult(*ini, itt), 0);
  // RFC 7143 §11.5.1: "targets must consider the CmdSN as received", so the next command
  // (CmdSN N+1) runs. Rejected commands rely on this to plug their gap (§6.3 / RFC 3720).
  ScsiRequest tur;
  tur.cdb = TestUnitReadyCdb();
  uint32_t tur_itt = ini->StartScsi(tur);
  ScsiResult r = ini->FinishScsi(tur_itt, tur, 1000);
  ASSERT_FALSE(!r.completed) << "RFC 7143 §11.5.1: an ABORT TASK for an unreceived in-window CmdSN "
                                "marks it received, so later commands run";
  EXPECT_EQ(r.status, 0x02) << "the power-on UA";
}

TEST_F(TmfTest, RejectedCommandGapIsPluggedByAbortTask) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  // A non-immediate SCSI command with ATTR 7 is rejected (Invalid PDU field); RFC 3720 §6.3:
  // its CmdSN is not considered received, and the initiator plugs the gap with an abort.
  ScsiCommandPdu bad;
  bad.final = true;
  bad.attribute = 7;
  bad.itt = ini->NextItt();
  bad.cmd_sn = ini->cmd_sn++;
  ASSERT_TRUE(ini->SendPdu(Encode(bad)));
  auto rej = ini->Recv();
  ASSERT_TRUE(rej.has_value()) << ini->error();
  EXPECT_EQ(rej->opcode(), static_cast<uint8_t>(Opcode::kReject)) << Describe(*rej);
  EXPECT_EQ(rej->exp_cmd_sn(), bad.cmd_sn) << "the rejected CmdSN is not consumed";
  uint32_t itt = SendTmf(*ini, TmfFunction::kAbortTask, 0, bad.itt, bad.cmd_sn);
  ASSERT_EQ(TmfResult(*ini, itt), 0);
  ScsiRequest tur;
  tur.cdb = TestUnitReadyCdb();
  uint32_t tur_itt = ini->StartScsi(tur);
  ScsiResult r = ini->FinishScsi(tur_itt, tur, 1000);
  ASSERT_FALSE(!r.completed) << "after a Reject the ABORT TASK naming the rejected CmdSN must plug "
                                "the gap (RFC 7143 §11.5.1)";
  EXPECT_EQ(r.status, 0);
}

TEST_F(TmfTest, AbortHungTaskAnswersOnlyAfterTheBackstoreReturns) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  HangReads(faulty_);
  ScsiRequest rq = ReadRq(0, 8, 1);
  uint32_t task = ini->StartScsi(rq);
  // Wait until the read is held by the backstore.
  for (int i = 0; i < 500 && faulty_->hung() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(faulty_->hung(), 1u);
  uint32_t tmf = SendTmf(*ini, TmfFunction::kAbortTask, 1, task);
  EXPECT_TRUE(ini->Quiet(200)) << "S9: no TMF response while the aborted task still runs";
  faulty_->ClearRules();
  EXPECT_EQ(faulty_->ReleaseHung(), 1u);
  std::vector<Pdu> others;
  EXPECT_EQ(TmfResult(*ini, tmf, &others), 0);
  for (const auto& p : others) ADD_FAILURE() << "unexpected " << Describe(p);
  EXPECT_TRUE(ini->Quiet()) << "the aborted task gets no SCSI response";
  EXPECT_TRUE(ini->Ping().has_value());
}

// Polls `fn` every 5 ms for up to `ms`; returns whether it became true.
template <typename Fn>
bool Eventually(Fn fn, int ms = 3000) {
  for (int i = 0; i < ms / 5; ++i) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return fn();
}

ScsiRequest WriteRq(uint32_t lba, uint16_t blocks, uint64_t lun, uint32_t seed) {
  ScsiRequest rq;
  rq.cdb = Write10Cdb(lba, blocks);
  rq.lun = lun;
  rq.write = true;
  rq.edtl = blocks * kBlockSize;
  rq.write_data = Pattern(rq.edtl, seed);
  rq.immediate_bytes = rq.edtl;  // no R2T: the command reaches the unit at once
  return rq;
}

// TEST-PLAN S21 / T31: a backstore call that cannot be cancelled must not hold the TMF for
// ever (tgt and LIO do, 40 s and more) nor be reported aborted while a newer command could
// overtake it. The TMF is answered within 2 s and the unit fenced until the call returns.
TEST_F(TmfTest, AbortOfAStuckTaskFencesItsUnitAndAnswersWithinTwoSeconds) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  HangReads(faulty_);
  uint32_t task = ini->StartScsi(ReadRq(0, 8, 1));
  ASSERT_TRUE(Eventually([&] { return faulty_->hung() == 1; }));
  const auto sent = std::chrono::steady_clock::now();
  uint32_t tmf = SendTmf(*ini, TmfFunction::kAbortTask, 1, task);
  EXPECT_EQ(TmfResult(*ini, tmf, nullptr, 5000), 0) << "FUNCTION COMPLETE";
  const auto waited = std::chrono::steady_clock::now() - sent;
  EXPECT_GE(waited, std::chrono::milliseconds(900)) << "an ordinary abort gets time to finish";
  EXPECT_LT(waited, std::chrono::seconds(2));
  // Fenced: medium commands get 02/04/01; INQUIRY still answers; LUN 0 is untouched.
  ScsiResult r = ini->Scsi(ReadRq(64, 8, 1));
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x02);
  EXPECT_EQ(r.asc(), 0x04);
  EXPECT_EQ(r.ascq(), 0x01) << "LOGICAL UNIT IS IN PROCESS OF BECOMING READY";
  ScsiRequest inquiry;
  inquiry.cdb = {0x12, 0, 0, 0, 96, 0};
  inquiry.lun = 1;
  inquiry.read = true;
  inquiry.edtl = 96;
  r = ini->Scsi(inquiry);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x00);
  r = ini->Scsi(ReadRq(0, 8, 0));
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x00) << "another unit is not fenced";
  // The stuck read returns: the fence lifts by itself.
  faulty_->ClearRules();
  EXPECT_EQ(faulty_->ReleaseHung(), 1u);
  EXPECT_TRUE(Eventually([&] {
    ScsiResult again = ini->Scsi(ReadRq(64, 8, 1));
    return again.completed && again.status == 0x00;
  })) << "the unit serves I/O again once the stuck command has returned";
  EXPECT_TRUE(ini->Quiet()) << "the aborted task gets no SCSI response";
}

TEST_F(TmfTest, WriteSentWhileTheAbortWaitsLandsAfterTheStuckWrite) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  backstore::FaultRule hang;
  hang.op = backstore::IoType::kWrite;
  hang.action = backstore::FaultAction::kHang;
  hang.count = 1;  // only the first write sticks
  ASSERT_TRUE(faulty_->AddRule(hang).ok());
  ScsiRequest old_write = WriteRq(200, 8, 1, 1);
  uint32_t stuck = ini->StartScsi(old_write);
  ASSERT_TRUE(Eventually([&] { return faulty_->hung() == 1; }));
  uint32_t tmf = SendTmf(*ini, TmfFunction::kAbortTask, 1, stuck);
  // The initiator writes the same blocks again before the TMF is answered: the new write
  // must wait at the unit, or the stuck one would land over it.
  ScsiRequest new_write = WriteRq(200, 8, 1, 2);
  uint32_t newer = ini->StartScsi(new_write);
  EXPECT_TRUE(ini->Quiet(200)) << "neither the TMF nor the new write may finish yet";
  EXPECT_EQ(faulty_->ReleaseHung(), 1u);
  std::vector<Pdu> others;
  EXPECT_EQ(TmfResult(*ini, tmf, &others), 0);
  ScsiResult w = ini->FinishScsi(newer, new_write, 3000);
  ASSERT_TRUE(w.completed) << w.error;
  EXPECT_EQ(w.status, 0x00);
  ScsiResult r = ini->Scsi(ReadRq(200, 8, 1));
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.data_in, new_write.write_data) << "the stuck write landed after the newer one";
}

TEST_F(TmfTest, AbortCollectingTaskAnswersAtOnceAndDropsItsData) {
  LoginOptions o;
  o.Set("ImmediateData", "No");
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(0));
  std::vector<uint8_t> data = Pattern(4096, 40);
  ScsiRequest rq;
  rq.cdb = Write10Cdb(900, 8);
  rq.write = true;
  rq.edtl = 4096;
  rq.write_data = data;
  uint32_t task = ini->StartScsi(rq);
  auto r2t_pdu = ini->RecvFor(static_cast<uint8_t>(Opcode::kR2T), task, nullptr);
  ASSERT_TRUE(r2t_pdu.has_value()) << ini->error();
  R2TPdu r2t = DecodeR2T(r2t_pdu->bhs).value();
  uint32_t tmf = SendTmf(*ini, TmfFunction::kAbortTask, 0, task);
  EXPECT_EQ(TmfResult(*ini, tmf), 0);
  ini->SendDataOut(task, r2t.target_transfer_tag, 0, 0, data, true);
  EXPECT_TRUE(ini->Quiet()) << "no response for the aborted WRITE";
  ScsiRequest rd = ReadRq(900, 8, 0);
  ScsiResult r = ini->Scsi(rd);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.data_in, std::vector<uint8_t>(4096, 0)) << "the aborted WRITE must not land";
}

TEST_F(TmfTest, SecondAbortWaitsForItsOwnTask) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  // Task A: delayed 300 ms; task B: held until released.
  backstore::FaultRule delay;
  delay.op = backstore::IoType::kRead;
  delay.offset = 0;
  delay.length = 4096;
  delay.action = backstore::FaultAction::kDelay;
  delay.delay_ms = 300;
  ASSERT_TRUE(faulty_->AddRule(delay).ok());
  HangReads(faulty_, 65536, 4096);
  uint32_t a = ini->StartScsi(ReadRq(0, 8, 1));
  uint32_t b = ini->StartScsi(ReadRq(128, 8, 1));
  for (int i = 0; i < 500 && faulty_->hung() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(faulty_->hung(), 1u);
  uint32_t tmf_a = SendTmf(*ini, TmfFunction::kAbortTask, 1, a);
  uint32_t tmf_b = SendTmf(*ini, TmfFunction::kAbortTask, 1, b);
  std::vector<Pdu> others;
  EXPECT_EQ(TmfResult(*ini, tmf_a, &others), 0);
  // B is still held: its TMF must not be answered yet.
  bool early = false;
  for (const auto& p : others) early = early || p.itt() == tmf_b;
  early = early || !ini->Quiet(200);
  faulty_->ClearRules();
  faulty_->ReleaseHung();
  ASSERT_FALSE(early) << "a TMF must wait for its own aborted commands only (SAM-5 §7.1)";
  EXPECT_EQ(TmfResult(*ini, tmf_b), 0);
}

TEST_F(TmfTest, LunResetOnUnmappedLunIsLunDoesNotExist) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  uint32_t itt = SendTmf(*ini, TmfFunction::kLogicalUnitReset, 7);
  EXPECT_EQ(TmfResult(*ini, itt), 2);
}

TEST_F(TmfTest, LunResetRaisesResetUnitAttentionOnOtherSessions) {
  LoginOptions first;
  first.isid = {0x80, 0, 0, 0, 0, 1};
  LoginOptions second;
  second.isid = {0x80, 0, 0, 0, 0, 2};
  auto a = LoggedIn(first);
  auto b = LoggedIn(second);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->ClearUnitAttention(0));
  ASSERT_TRUE(b->ClearUnitAttention(0));
  uint32_t itt = SendTmf(*a, TmfFunction::kLogicalUnitReset, 0);
  EXPECT_EQ(TmfResult(*a, itt), 0);
  ScsiRequest tur;
  tur.cdb = TestUnitReadyCdb();
  ScsiResult r = b->Scsi(tur);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x02);
  EXPECT_EQ(r.sense_key(), 0x06);
  EXPECT_EQ(r.asc(), 0x29);
  EXPECT_EQ(r.ascq(), 0x03) << "BUS DEVICE RESET FUNCTION OCCURRED";
  // The requester may get the same unit attention (SAM-5 §6.3.3 says every I_T nexus; LIO
  // raises it for the requester): either is accepted, nothing else.
  r = a->Scsi(tur);
  ASSERT_TRUE(r.completed) << r.error;
  if (r.status != 0x00) {
    EXPECT_EQ(r.status, 0x02);
    EXPECT_EQ(r.asc(), 0x29);
    EXPECT_EQ(r.ascq(), 0x03);
  }
}

TEST_F(TmfTest, LunResetWaitsForHungCommands) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  ASSERT_TRUE(ini->ClearUnitAttention(1));
  HangReads(faulty_);
  ini->StartScsi(ReadRq(0, 8, 1));
  ini->StartScsi(ReadRq(16, 8, 1));
  for (int i = 0; i < 500 && faulty_->hung() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(faulty_->hung(), 2u);
  uint32_t tmf = SendTmf(*ini, TmfFunction::kLogicalUnitReset, 1);
  EXPECT_TRUE(ini->Quiet(200));
  faulty_->ClearRules();
  faulty_->ReleaseHung();
  std::vector<Pdu> others;
  EXPECT_EQ(TmfResult(*ini, tmf, &others), 0);
  EXPECT_TRUE(others.empty()) << "aborted commands get no response";
  EXPECT_TRUE(ini->Quiet());
}

// SAM-5 §7.4 / §7.7 and RFC 7143 §11.5.1: CLEAR TASK SET, LUN RESET and TARGET WARM RESET
// abort another session's command on the unit; with TAS=1 that session gets TASK ABORTED,
// and the TMF is answered only after the command has stopped.
class CrossSessionAbortTest : public TmfTest, public ::testing::WithParamInterface<TmfFunction> {};

TEST_P(CrossSessionAbortTest, OtherSessionGetsTaskAbortedAfterItsCommandStops) {
  LoginOptions first;
  first.isid = {0x80, 0, 0, 0, 0, 1};
  LoginOptions second;
  second.isid = {0x80, 0, 0, 0, 0, 2};
  auto a = LoggedIn(first);
  auto b = LoggedIn(second);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(b->ClearUnitAttention(1));
  HangReads(faulty_);
  ScsiRequest rq = ReadRq(0, 8, 1);
  uint32_t b_task = b->StartScsi(rq);
  for (int i = 0; i < 500 && faulty_->hung() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(faulty_->hung(), 1u);
  const TmfFunction function = GetParam();
  const uint64_t lun = function == TmfFunction::kTargetWarmReset ? 0 : 1;
  uint32_t tmf = SendTmf(*a, function, lun);
  EXPECT_FALSE(a->RecvFor(kTmfResponse, tmf, nullptr, 200).has_value())
      << "answered while the other session's command still runs";
  faulty_->ClearRules();
  faulty_->ReleaseHung();
  EXPECT_EQ(TmfResult(*a, tmf), 0);
  ScsiResult r = b->FinishScsi(b_task, rq, 1000);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.status, 0x40) << "TASK ABORTED (TAS=1)";
}

INSTANTIATE_TEST_SUITE_P(Functions, CrossSessionAbortTest,
                         ::testing::Values(TmfFunction::kClearTaskSet,
                                           TmfFunction::kLogicalUnitReset,
                                           TmfFunction::kTargetWarmReset));

TEST_F(TmfTest, TargetColdResetClosesEverySessionOrIsRefused) {
  LoginOptions first;
  first.isid = {0x80, 0, 0, 0, 0, 1};
  LoginOptions second;
  second.isid = {0x80, 0, 0, 0, 0, 2};
  auto a = LoggedIn(first);
  auto b = LoggedIn(second);
  ASSERT_TRUE(a && b);
  uint32_t tmf = SendTmf(*a, TmfFunction::kTargetColdReset, 0);
  int response = TmfResult(*a, tmf);
  ASSERT_NE(response, -1) << a->error();
  if (response != 0) {
    // S10: refusing the function (LIO answers 255) is allowed.
    EXPECT_TRUE(response == 5 || response == 255) << response;
    return;
  }
  EXPECT_TRUE(a->WaitForClose()) << "the requester's connection closes after the response";
  bool b_closed = b->WaitForClose(300);
  ASSERT_FALSE(!b_closed)
      << "TARGET COLD RESET must close every connection to the target (RFC 7143 §11.5.1)";
}

TEST_F(TmfTest, ReinstatementWaitsForTheOldSessionsTasks) {
  auto old_session = LoggedIn();
  ASSERT_TRUE(old_session);
  ASSERT_TRUE(old_session->ClearUnitAttention(1));
  HangReads(faulty_);
  old_session->StartScsi(ReadRq(0, 8, 1));
  for (int i = 0; i < 500 && faulty_->hung() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(faulty_->hung(), 1u);
  // Same ISID, TSIH 0: reinstatement, straight to the operational stage.
  auto fresh = Connect();
  LoginRequestPdu req = fresh->MakeLogin(1, 3, true);
  std::string keys =
      login::EncodeTextKeys({{"InitiatorName", kInitiatorName}, {"TargetName", kTargetName}});
  keys += login::EncodeTextKeys(LoginOptions::Defaults());
  ASSERT_TRUE(
      fresh->SendPdu(Encode(req), {reinterpret_cast<const uint8_t*>(keys.data()), keys.size()}));
  // S7: the old session's tasks are terminated before the new session is FFP-ready.
  bool ready_early = !fresh->Quiet(300);
  faulty_->ClearRules();
  faulty_->ReleaseHung();
  auto resp = fresh->Recv();
  ASSERT_TRUE(resp.has_value()) << fresh->error();
  auto lr = DecodeLoginResponse(resp->bhs);
  ASSERT_TRUE(lr.ok()) << Describe(*resp);
  EXPECT_EQ(lr.value().status_class, 0);
  ASSERT_FALSE(ready_early) << "reinstatement must end the old session's commands before the new "
                               "login completes (RFC 7143 §6.3.5)";
}

TEST_F(TmfTest, TaskReassignIsNotSupported) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  uint32_t itt = SendTmf(*ini, TmfFunction::kTaskReassign, 0, 0x1);
  EXPECT_EQ(TmfResult(*ini, itt), 4);
}

TEST_F(TmfTest, ClearAcaIsFunctionNotSupported) {
  auto ini = LoggedIn();
  ASSERT_TRUE(ini);
  uint32_t itt = SendTmf(*ini, TmfFunction::kClearAca, 0);
  EXPECT_EQ(TmfResult(*ini, itt), 5);
}

TEST_F(TmfTest, TmfOnDiscoverySessionIsRejected) {
  LoginOptions o;
  o.discovery = true;
  auto ini = LoggedIn(o);
  ASSERT_TRUE(ini);
  SendTmf(*ini, TmfFunction::kAbortTaskSet, 0);
  auto pdu = ini->Recv();
  ASSERT_TRUE(pdu.has_value()) << ini->error();
  EXPECT_EQ(pdu->opcode(), static_cast<uint8_t>(Opcode::kReject)) << Describe(*pdu);
}

}  // namespace
}  // namespace reftarget::iscsi::testing
