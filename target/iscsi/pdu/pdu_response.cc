// Target → initiator PDUs (RFC 7143 §11.4, §11.6, §11.7.2, §11.8, §11.9, §11.11, §11.13,
// §11.15, §11.17, §11.19): encoders for the target, and decoders that read them back for
// tests and fuzzing. Byte offsets follow the figures of each section.
#include <algorithm>
#include <string>

#include "target/iscsi/pdu/pdu.h"
#include "target/iscsi/pdu/pdu_internal.h"

namespace reftarget::iscsi {

using internal::CheckFixedFinal;
using internal::CheckOpcode;
using internal::FieldError;
using internal::FinalBit;
using internal::kFinalBit;
using internal::PutOpcodeAndLength;

namespace {

constexpr char kScsiResponse[] = "SCSI Response";
constexpr char kTaskMgmt[] = "Task Management Response";
constexpr char kDataIn[] = "SCSI Data-In";
constexpr char kR2T[] = "R2T";
constexpr char kNopIn[] = "NOP-In";
constexpr char kLogin[] = "Login Response";
constexpr char kText[] = "Text Response";
constexpr char kLogout[] = "Logout Response";
constexpr char kReject[] = "Reject";
constexpr char kAsync[] = "Asynchronous Message";

// SCSI Response byte 1 (§11.4.1): 1|.|.|o|u|O|U|.
constexpr uint8_t kBidiOverflowBit = 0x10;
constexpr uint8_t kBidiUnderflowBit = 0x08;
constexpr uint8_t kResidualOverflowBit = 0x04;
constexpr uint8_t kResidualUnderflowBit = 0x02;
// SCSI Data-In byte 1 (§11.7.1): F|A|0|0|0|O|U|S.
constexpr uint8_t kAcknowledgeBit = 0x40;
constexpr uint8_t kStatusBit = 0x01;
// Login and Text Response byte 1 (§11.11.1, §11.13.1).
constexpr uint8_t kContinueBit = 0x40;
constexpr uint8_t kReservedStage = 2;

uint8_t Flag(bool set, uint8_t bit) { return set ? bit : 0; }

}  // namespace

// ---- Encoders ------------------------------------------------------------------------------

Bhs Encode(const ScsiResponsePdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kScsiResponse, false, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>(kFinalBit | Flag(pdu.bidi_overflow, kBidiOverflowBit) |
                                Flag(pdu.bidi_underflow, kBidiUnderflowBit) |
                                Flag(pdu.overflow, kResidualOverflowBit) |
                                Flag(pdu.underflow, kResidualUnderflowBit));
  bhs[2] = pdu.response;
  bhs[3] = pdu.status;
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.snack_tag);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  Store32(&bhs[36], pdu.exp_data_sn);
  Store32(&bhs[40], pdu.bidi_read_residual_count);
  Store32(&bhs[44], pdu.residual_count);
  return bhs;
}

Bhs Encode(const TaskMgmtResponsePdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kTaskMgmtResponse, false, 0);
  bhs[1] = kFinalBit;
  bhs[2] = pdu.response;
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  return bhs;
}

Bhs Encode(const DataInPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kDataIn, false, pdu.data_segment_length);
  // §11.7.4: "If the S bit is set, the F bit MUST also be set". Status, StatSN, the O and U
  // bits and the Residual Count are defined only with S; otherwise they are reserved (zero).
  const bool s = pdu.has_status;
  bhs[1] = static_cast<uint8_t>(
      Flag(pdu.final || s, kFinalBit) | Flag(pdu.acknowledge, kAcknowledgeBit) |
      Flag(s && pdu.overflow, kResidualOverflowBit) |
      Flag(s && pdu.underflow, kResidualUnderflowBit) | Flag(s, kStatusBit));
  if (s) bhs[3] = pdu.status;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  if (s) Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  Store32(&bhs[36], pdu.data_sn);
  Store32(&bhs[40], pdu.buffer_offset);
  if (s) Store32(&bhs[44], pdu.residual_count);
  return bhs;
}

Bhs Encode(const R2TPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kR2T, false, 0);  // §11.8: TotalAHSLength and DSL are 0
  bhs[1] = kFinalBit;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  Store32(&bhs[36], pdu.r2t_sn);
  Store32(&bhs[40], pdu.buffer_offset);
  Store32(&bhs[44], pdu.desired_data_transfer_length);
  return bhs;
}

Bhs Encode(const NopInPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kNopIn, false, pdu.data_segment_length);
  bhs[1] = kFinalBit;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  return bhs;
}

Bhs Encode(const LoginResponsePdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kLoginResponse, false, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>(Flag(pdu.transit, kFinalBit) | Flag(pdu.continue_, kContinueBit) |
                                (pdu.csg & 0x3) << 2 | (pdu.nsg & 0x3));
  bhs[2] = pdu.version_max;
  bhs[3] = pdu.version_active;
  std::copy(pdu.isid.begin(), pdu.isid.end(), &bhs[8]);
  Store16(&bhs[14], pdu.tsih);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  bhs[36] = pdu.status_class;
  bhs[37] = pdu.status_detail;
  return bhs;
}

Bhs Encode(const TextResponsePdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kTextResponse, false, pdu.data_segment_length);
  bhs[1] = static_cast<uint8_t>(Flag(pdu.final, kFinalBit) | Flag(pdu.continue_, kContinueBit));
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[20], pdu.target_transfer_tag);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  return bhs;
}

Bhs Encode(const LogoutResponsePdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kLogoutResponse, false, 0);
  bhs[1] = kFinalBit;
  bhs[2] = pdu.response;
  Store32(&bhs[16], pdu.itt);
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  Store16(&bhs[40], pdu.time2wait);
  Store16(&bhs[42], pdu.time2retain);
  return bhs;
}

Bhs Encode(const RejectPdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kReject, false, pdu.data_segment_length);
  bhs[1] = kFinalBit;
  bhs[2] = pdu.reason;
  Store32(&bhs[16], kReservedTag);  // §11.17: bytes 16..19 are 0xffffffff
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  Store32(&bhs[36], pdu.data_sn_or_r2t_sn);
  return bhs;
}

Bhs Encode(const AsyncMessagePdu& pdu) {
  Bhs bhs{};
  PutOpcodeAndLength(bhs, Opcode::kAsyncMessage, false, pdu.data_segment_length);
  bhs[1] = kFinalBit;
  Store64(&bhs[8], pdu.lun);
  Store32(&bhs[16], kReservedTag);  // §11.9: bytes 16..19 are 0xffffffff
  Store32(&bhs[24], pdu.stat_sn);
  Store32(&bhs[28], pdu.exp_cmd_sn);
  Store32(&bhs[32], pdu.max_cmd_sn);
  bhs[36] = pdu.async_event;
  bhs[37] = pdu.async_vcode;
  Store16(&bhs[38], pdu.parameter1);
  Store16(&bhs[40], pdu.parameter2);
  Store16(&bhs[42], pdu.parameter3);
  return bhs;
}

// ---- Decoders ------------------------------------------------------------------------------

Result<ScsiResponsePdu> DecodeScsiResponse(const Bhs& bhs) {
  if (Status s = CheckOpcode(kScsiResponse, Opcode::kScsiResponse, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kScsiResponse, bhs); !s.ok()) return s;
  ScsiResponsePdu pdu;
  pdu.bidi_overflow = (bhs[1] & kBidiOverflowBit) != 0;
  pdu.bidi_underflow = (bhs[1] & kBidiUnderflowBit) != 0;
  pdu.overflow = (bhs[1] & kResidualOverflowBit) != 0;
  pdu.underflow = (bhs[1] & kResidualUnderflowBit) != 0;
  pdu.response = bhs[2];
  pdu.status = bhs[3];
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.itt = Load32(&bhs[16]);
  pdu.snack_tag = Load32(&bhs[20]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.exp_data_sn = Load32(&bhs[36]);
  pdu.bidi_read_residual_count = Load32(&bhs[40]);
  pdu.residual_count = Load32(&bhs[44]);
  return pdu;
}

Result<TaskMgmtResponsePdu> DecodeTaskMgmtResponse(const Bhs& bhs) {
  if (Status s = CheckOpcode(kTaskMgmt, Opcode::kTaskMgmtResponse, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kTaskMgmt, bhs); !s.ok()) return s;
  TaskMgmtResponsePdu pdu;
  pdu.response = bhs[2];
  pdu.itt = Load32(&bhs[16]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  return pdu;
}

Result<DataInPdu> DecodeDataIn(const Bhs& bhs) {
  if (Status s = CheckOpcode(kDataIn, Opcode::kDataIn, bhs); !s.ok()) return s;
  DataInPdu pdu;
  pdu.final = FinalBit(bhs);
  pdu.acknowledge = (bhs[1] & kAcknowledgeBit) != 0;
  pdu.has_status = (bhs[1] & kStatusBit) != 0;
  if (pdu.has_status && !pdu.final) return FieldError(kDataIn, "S bit set with F clear");
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.data_sn = Load32(&bhs[36]);
  pdu.buffer_offset = Load32(&bhs[40]);
  if (pdu.has_status) {
    pdu.overflow = (bhs[1] & kResidualOverflowBit) != 0;
    pdu.underflow = (bhs[1] & kResidualUnderflowBit) != 0;
    pdu.status = bhs[3];
    pdu.stat_sn = Load32(&bhs[24]);
    pdu.residual_count = Load32(&bhs[44]);
  }
  return pdu;
}

Result<R2TPdu> DecodeR2T(const Bhs& bhs) {
  if (Status s = CheckOpcode(kR2T, Opcode::kR2T, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kR2T, bhs); !s.ok()) return s;
  R2TPdu pdu;
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.r2t_sn = Load32(&bhs[36]);
  pdu.buffer_offset = Load32(&bhs[40]);
  pdu.desired_data_transfer_length = Load32(&bhs[44]);
  return pdu;
}

Result<NopInPdu> DecodeNopIn(const Bhs& bhs) {
  if (Status s = CheckOpcode(kNopIn, Opcode::kNopIn, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kNopIn, bhs); !s.ok()) return s;
  NopInPdu pdu;
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  return pdu;
}

Result<LoginResponsePdu> DecodeLoginResponse(const Bhs& bhs) {
  if (Status s = CheckOpcode(kLogin, Opcode::kLoginResponse, bhs); !s.ok()) return s;
  LoginResponsePdu pdu;
  pdu.transit = FinalBit(bhs);
  pdu.continue_ = (bhs[1] & kContinueBit) != 0;
  pdu.csg = (bhs[1] >> 2) & 0x3;
  pdu.nsg = bhs[1] & 0x3;
  if (pdu.transit && pdu.continue_) return FieldError(kLogin, "T and C both set");
  if (pdu.csg == kReservedStage) return FieldError(kLogin, "CSG 2 is reserved");
  if (pdu.transit && pdu.nsg == kReservedStage) return FieldError(kLogin, "NSG 2 is reserved");
  pdu.version_max = bhs[2];
  pdu.version_active = bhs[3];
  pdu.data_segment_length = Load24(&bhs[5]);
  std::copy_n(&bhs[8], pdu.isid.size(), pdu.isid.begin());
  pdu.tsih = Load16(&bhs[14]);
  pdu.itt = Load32(&bhs[16]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.status_class = bhs[36];
  pdu.status_detail = bhs[37];
  return pdu;
}

Result<TextResponsePdu> DecodeTextResponse(const Bhs& bhs) {
  if (Status s = CheckOpcode(kText, Opcode::kTextResponse, bhs); !s.ok()) return s;
  TextResponsePdu pdu;
  pdu.final = FinalBit(bhs);
  pdu.continue_ = (bhs[1] & kContinueBit) != 0;
  if (pdu.final && pdu.continue_) return FieldError(kText, "F and C both set");
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.itt = Load32(&bhs[16]);
  pdu.target_transfer_tag = Load32(&bhs[20]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  return pdu;
}

Result<LogoutResponsePdu> DecodeLogoutResponse(const Bhs& bhs) {
  if (Status s = CheckOpcode(kLogout, Opcode::kLogoutResponse, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kLogout, bhs); !s.ok()) return s;
  LogoutResponsePdu pdu;
  pdu.response = bhs[2];
  pdu.itt = Load32(&bhs[16]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.time2wait = Load16(&bhs[40]);
  pdu.time2retain = Load16(&bhs[42]);
  return pdu;
}

Result<RejectPdu> DecodeReject(const Bhs& bhs) {
  if (Status s = CheckOpcode(kReject, Opcode::kReject, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kReject, bhs); !s.ok()) return s;
  RejectPdu pdu;
  pdu.reason = bhs[2];
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.data_sn_or_r2t_sn = Load32(&bhs[36]);
  return pdu;
}

Result<AsyncMessagePdu> DecodeAsyncMessage(const Bhs& bhs) {
  if (Status s = CheckOpcode(kAsync, Opcode::kAsyncMessage, bhs); !s.ok()) return s;
  if (Status s = CheckFixedFinal(kAsync, bhs); !s.ok()) return s;
  AsyncMessagePdu pdu;
  pdu.data_segment_length = Load24(&bhs[5]);
  pdu.lun = Load64(&bhs[8]);
  pdu.stat_sn = Load32(&bhs[24]);
  pdu.exp_cmd_sn = Load32(&bhs[28]);
  pdu.max_cmd_sn = Load32(&bhs[32]);
  pdu.async_event = bhs[36];
  pdu.async_vcode = bhs[37];
  pdu.parameter1 = Load16(&bhs[38]);
  pdu.parameter2 = Load16(&bhs[40]);
  pdu.parameter3 = Load16(&bhs[42]);
  return pdu;
}

}  // namespace reftarget::iscsi
