// Initiator → target PDUs (RFC 7143 §11.3, §11.5, §11.7.1, §11.10, §11.12, §11.14, §11.16,
// §11.18): decoders that validate what the RFC fixes, and encoders for tests and fuzzing.
//
// Per RFC 7143 §11 a receiver ignores reserved bits and fields, so decoders never look at
// them; they reject only fixed bits that are wrong, reserved code values in defined fields,
// and flag combinations that the RFC forbids. Everything else (CmdSN windows, tags, lengths
// against negotiated limits) belongs to the session layer.
#include <algorithm>
#include <string>

#include "target/iscsi/pdu/pdu.h"
#include "target/iscsi/pdu/pdu_internal.h"

namespace reftarget::iscsi {

using internal::CheckFixedFinal;
using internal::CheckOpcode;
using internal::FieldError;
using internal::FinalBit;
using internal::ImmediateBit;
using internal::PutOpcodeAndLength;

namespace {

constexpr char kScsiCommand[] = "SCSI Command";
constexpr char kTaskMgmt[] = "Task Management Request";
constexpr char kDataOut[] = "SCSI Data-Out";
constexpr char kNopOut[] = "NOP-Out";
constexpr char kLogin[] = "Login Request";
constexpr char kText[] = "Text Request";
constexpr char kLogout[] = "Logout Request";
constexpr char kSnack[] = "SNACK Request";

// SCSI Command byte 1 (§11.3.1).
constexpr uint8_t kReadBit = 0x40;
constexpr uint8_t kWriteBit = 0x20;
constexpr uint8_t kAttrMask = 0x07;
constexpr uint8_t kMaxTaskAttribute = 4;  // §11.3.1.3: 5..7 are reserved
// Text and Login byte 1 (§11.10.2, §11.12.2).
constexpr uint8_t kContinueBit = 0x40;
// Login byte 1 (§11.12.3): CSG in bits 3..2, NSG in bits 1..0; stage 2 is reserved.
constexpr uint8_t kReservedStage = 2;
// Logout reason codes (§11.14.1): 0 close session, 1 close connection, 2 recovery.
constexpr uint8_t kMaxLogoutReason = 2;
// SNACK types (§11.16.1): 0 Data/R2T, 1 Status, 2 DataACK, 3 R-Data.
constexpr uint8_t kMaxSnackType = 3;

}  // namespace

Result<ScsiCommandPdu> DecodeScsiCommand(const Bhs& bhs) {
  if (Status s = CheckOpcode(kScsiCommand, Opcode::kScsiCommand, bhs); !s.ok()) return s;
  ScsiCommandPdu pdu;
  pdu.immediate = ImmediateBit(bhs);
  pdu.final = FinalBit(bhs);
  pdu.read = (bhs[1] & kReadBit) != 0;
  pdu.write = (bhs[1] & kWriteBit) != 0;
  pdu.attribute = bhs[1] & kAttrMask;
  // §11.3.1: F=0 announces unsolicited Data-Out PDUs, which only a write can have.
  if (!pdu.final && !pdu.write) return FieldError(kScsiCommand, "F bit clear with W clear");
  if (pdu.attribute > kMaxTaskAttribute) {
    return FieldError(kScsiCommand, "ATTR " + std::to_string(pdu.attribute) + " is reserved");
  }
  pdu.total_ahs_length = bhs[4];
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.expected_data_transfer_length = Load32(&bhs[20]);
  pdu.cmd_sn = Load32(&bhs[24]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  std::copy_n(&bhs[32], pdu.cdb.size(), pdu.cdb.begin());
  return pdu;
}

Result<TaskMgmtRequestPdu> DecodeTaskMgmtRequest(const Bhs& bhs) {
  if (Status s = CheckOpcode(kTaskMgmt, Opcode::kTaskMgmtRequest, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kTaskMgmt, bhs); !s.ok()) return s;
  TaskMgmtRequestPdu pdu;
  pdu.immediate = ImmediateBit(bhs);
  // Unknown functions are not rejected here: §11.6.1 gives them a response of their own
  // ("Task management function not supported"), which the task management layer sends.
  pdu.function = bhs[1] & 0x7f;
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.referenced_task_tag = Load32(&bhs[20]);
  pdu.cmd_sn = Load32(&bhs[24]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  pdu.ref_cmd_sn = Load32(&bhs[32]);
  pdu.exp_data_sn = Load32(&bhs[36]);
  return pdu;
}

Result<DataOutPdu> DecodeDataOut(const Bhs& bhs) {
  if (Status s = CheckOpcode(kDataOut, Opcode::kDataOut, bhs); !s.ok()) return s;
  DataOutPdu pdu;
  pdu.final = FinalBit(bhs);
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  pdu.data_sn = Load32(&bhs[36]);
  pdu.buffer_offset = Load32(&bhs[40]);
  return pdu;
}

Result<NopOutPdu> DecodeNopOut(const Bhs& bhs) {
  if (Status s = CheckOpcode(kNopOut, Opcode::kNopOut, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kNopOut, bhs); !s.ok()) return s;
  NopOutPdu pdu;
  pdu.immediate = ImmediateBit(bhs);
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.cmd_sn = Load32(&bhs[24]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  // §11.18.1: "If the Initiator Task Tag contains 0xffffffff, the I bit MUST be set to 1".
  if (pdu.itt == kReservedTag && !pdu.immediate) {
    return FieldError(kNopOut, "ITT 0xffffffff with I bit clear");
  }
  return pdu;
}

Result<LoginRequestPdu> DecodeLoginRequest(const Bhs& bhs) {
  if (Status s = CheckOpcode(kLogin, Opcode::kLoginRequest, bhs); !s.ok()) return s;
  // §11.12: byte 0 is ".|1|0x03": a Login Request is always immediate.
  if (!ImmediateBit(bhs)) return FieldError(kLogin, "I bit must be 1");
  LoginRequestPdu pdu;
  pdu.transit = FinalBit(bhs);
  pdu.continue_ = (bhs[1] & kContinueBit) != 0;
  pdu.csg = (bhs[1] >> 2) & 0x3;
  pdu.nsg = bhs[1] & 0x3;
  // §11.12.2: "If the C bit is set to 1, the T bit MUST be 0."
  if (pdu.transit && pdu.continue_) return FieldError(kLogin, "T and C both set");
  if (pdu.csg == kReservedStage) return FieldError(kLogin, "CSG 2 is reserved");
  // §11.12.3: NSG is meaningful only with T=1; otherwise the field is reserved and ignored.
  if (pdu.transit && pdu.nsg == kReservedStage) return FieldError(kLogin, "NSG 2 is reserved");
  pdu.version_max = bhs[2];
  pdu.version_min = bhs[3];
  pdu.data_segment_length = Load24(&bhs[5]);
  std::copy_n(&bhs[8], pdu.isid.size(), pdu.isid.begin());
  pdu.tsih = Load16(&bhs[14]);
  pdu.itt = Load32(&bhs[16]);
  pdu.cid = Load16(&bhs[20]);
  pdu.cmd_sn = Load32(&bhs[24]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  return pdu;
}

Result<TextRequestPdu> DecodeTextRequest(const Bhs& bhs) {
  if (Status s = CheckOpcode(kText, Opcode::kTextRequest, bhs); !s.ok()) return s;
  TextRequestPdu pdu;
  pdu.immediate = ImmediateBit(bhs);
  pdu.final = FinalBit(bhs);
  pdu.continue_ = (bhs[1] & kContinueBit) != 0;
  // §11.10.2: "If the C bit is set to 1, the F bit MUST be set to 0."
  if (pdu.final && pdu.continue_) return FieldError(kText, "F and C both set");
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.cmd_sn = Load32(&bhs[24]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  return pdu;
}

Result<LogoutRequestPdu> DecodeLogoutRequest(const Bhs& bhs) {
  if (Status s = CheckOpcode(kLogout, Opcode::kLogoutRequest, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kLogout, bhs); !s.ok()) return s;
  LogoutRequestPdu pdu;
  pdu.immediate = ImmediateBit(bhs);
  pdu.reason_code = bhs[1] & 0x7f;
  if (pdu.reason_code > kMaxLogoutReason) {
    return FieldError(kLogout, "reason code " + std::to_string(pdu.reason_code) + " is reserved");
  }
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.itt = Load32(&bhs[16]);
  pdu.cid = Load16(&bhs[20]);
  pdu.cmd_sn = Load32(&bhs[24]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  return pdu;
}

Result<SnackRequestPdu> DecodeSnackRequest(const Bhs& bhs) {
  if (Status s = CheckOpcode(kSnack, Opcode::kSnackRequest, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kSnack, bhs); !s.ok()) return s;
  SnackRequestPdu pdu;
  pdu.type = bhs[1] & 0x0f;
  if (pdu.type > kMaxSnackType) {
    return FieldError(kSnack, "type " + std::to_string(pdu.type) + " is reserved");
  }
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.exp_stat_sn = Load32(&bhs[28]);
  pdu.beg_run = Load32(&bhs[40]);
  pdu.run_length = Load32(&bhs[44]);
  return pdu;
}

// ---- Encoders ------------------------------------------------------------------------------

Bhs Encode(const ScsiCommandPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kScsiCommand, pdu.immediate, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>((pdu.final ? internal::kFinalBit : 0) | (pdu.read ? kReadBit : 0) |
                                (pdu.write ? kWriteBit : 0) | (pdu.attribute & kAttrMask));
  bhs[4] = pdu.total_ahs_length;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.expected_data_transfer_length);
  Store32(&bhs[24], pdu.cmd_sn);
  Store32(&bhs[28], pdu.exp_stat_sn);
  std::copy(pdu.cdb.begin(), pdu.cdb.end(), &bhs[32]);
  return bhs;
}

Bhs Encode(const TaskMgmtRequestPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kTaskMgmtRequest, pdu.immediate, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>(internal::kFinalBit | (pdu.function & 0x7f));
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.referenced_task_tag);
  Store32(&bhs[24], pdu.cmd_sn);
  Store32(&bhs[28], pdu.exp_stat_sn);
  Store32(&bhs[32], pdu.ref_cmd_sn);
  Store32(&bhs[36], pdu.exp_data_sn);
  return bhs;
}

Bhs Encode(const DataOutPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kDataOut, false, pdu.data_segment_length);
  bhs[1] = pdu.final ? internal::kFinalBit : 0;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[28], pdu.exp_stat_sn);
  Store32(&bhs[36], pdu.data_sn);
  Store32(&bhs[40], pdu.buffer_offset);
  return bhs;
}

Bhs Encode(const NopOutPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kNopOut, pdu.immediate, pdu.data_segment_length);
  bhs[1] = internal::kFinalBit;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[24], pdu.cmd_sn);
  Store32(&bhs[28], pdu.exp_stat_sn);
  return bhs;
}

Bhs Encode(const LoginRequestPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kLoginRequest, true, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>((pdu.transit ? internal::kFinalBit : 0) |
                                (pdu.continue_ ? kContinueBit : 0) | (pdu.csg & 0x3) << 2 |
                                (pdu.nsg & 0x3));
  bhs[2] = pdu.version_max;
  bhs[3] = pdu.version_min;
  std::copy(pdu.isid.begin(), pdu.isid.end(), &bhs[8]);
  Store16(&bhs[14], pdu.tsih);
  Store32(&bhs[16], pdu.itt);
  Store16(&bhs[20], pdu.cid);
  Store32(&bhs[24], pdu.cmd_sn);
  Store32(&bhs[28], pdu.exp_stat_sn);
  return bhs;
}

Bhs Encode(const TextRequestPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kTextRequest, pdu.immediate, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>((pdu.final ? internal::kFinalBit : 0) |
                                (pdu.continue_ ? kContinueBit : 0));
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[24], pdu.cmd_sn);
  Store32(&bhs[28], pdu.exp_stat_sn);
  return bhs;
}

Bhs Encode(const LogoutRequestPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kLogoutRequest, pdu.immediate, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>(internal::kFinalBit | (pdu.reason_code & 0x7f));
  Store32(&bhs[16], pdu.itt);
  Store16(&bhs[20], pdu.cid);
  Store32(&bhs[24], pdu.cmd_sn);
  Store32(&bhs[28], pdu.exp_stat_sn);
  return bhs;
}

Bhs Encode(const SnackRequestPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kSnackRequest, false, 0);
  bhs[1] = static_cast<uint8_t>(internal::kFinalBit | (pdu.type & 0x0f));
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[28], pdu.exp_stat_sn);
  Store32(&bhs[40], pdu.beg_run);
  Store32(&bhs[44], pdu.run_length);
  return bhs;
}

}  // namespace reftarget::iscsi
