// The parts of the PDU codec that every PDU shares: the common BHS fields (RFC 7143 §11.2.1),
// opcode names, and the SAM-5 LUN field.
#include "target/iscsi/pdu/pdu.h"

#include <cassert>

#include "target/iscsi/pdu/pdu_internal.h"

namespace reftarget::iscsi {

namespace internal {

std::string Hex(uint32_t value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int i = digits - 1; i >= 0; --i) out += kDigits[(value >> (4 * i)) & 0xf];
  return out;
}

Status FieldError(const char* pdu, const std::string& what) {
  return Status::Error(std::string(pdu) + ": " + what);
}

Status CheckOpcode(const char* pdu, Opcode expected, const Bhs& bhs) {
  const uint8_t actual = bhs[0] & kOpcodeMask;
  if (actual == static_cast<uint8_t>(expected)) return Status::Ok();
  return FieldError(pdu, "opcode " + Hex(actual, 2) + " (" + OpcodeName(actual) + ") is not " +
                             Hex(static_cast<uint8_t>(expected), 2));
}

Status CheckFixedFinal(const char* pdu, const Bhs& bhs) {
  if (FinalBit(bhs)) return Status::Ok();
  return FieldError(pdu, "F bit must be 1");
}

void PutOpcodeAndLength(Bhs& bhs, Opcode opcode, bool immediate, uint32_t data_segment_length) {
  assert(data_segment_length <= kMaxDataSegmentLength);
  bhs[0] = static_cast<uint8_t>(static_cast<uint8_t>(opcode) | (immediate ? kImmediateBit : 0));
  // RFC 7143 §11.2.1.5: 24 bits. The mask keeps a caller's bug from spilling into byte 4.
  Store24(&bhs[5], data_segment_length & kMaxDataSegmentLength);
}

}  // namespace internal

std::string OpcodeName(uint8_t opcode) {
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kNopOut:
      return "NOP-Out";
    case Opcode::kScsiCommand:
      return "SCSI Command";
    case Opcode::kTaskMgmtRequest:
      return "Task Management Function Request";
    case Opcode::kLoginRequest:
      return "Login Request";
    case Opcode::kTextRequest:
      return "Text Request";
    case Opcode::kDataOut:
      return "SCSI Data-Out";
    case Opcode::kLogoutRequest:
      return "Logout Request";
    case Opcode::kSnackRequest:
      return "SNACK Request";
    case Opcode::kNopIn:
      return "NOP-In";
    case Opcode::kScsiResponse:
      return "SCSI Response";
    case Opcode::kTaskMgmtResponse:
      return "Task Management Function Response";
    case Opcode::kLoginResponse:
      return "Login Response";
    case Opcode::kTextResponse:
      return "Text Response";
    case Opcode::kDataIn:
      return "SCSI Data-In";
    case Opcode::kLogoutResponse:
      return "Logout Response";
    case Opcode::kR2T:
      return "Ready To Transfer";
    case Opcode::kAsyncMessage:
      return "Asynchronous Message";
    case Opcode::kReject:
      return "Reject";
  }
  return "opcode " + internal::Hex(opcode, 2);
}

BhsCommon DecodeCommon(const Bhs& bhs) {
  BhsCommon common;
  common.opcode = bhs[0] & internal::kOpcodeMask;
  common.immediate = internal::ImmediateBit(bhs);
  common.final = internal::FinalBit(bhs);
  common.total_ahs_length = bhs[4];
  common.data_segment_length = Load24(&bhs[5]);
  common.itt = Load32(&bhs[16]);
  return common;
}

// SAM-5 §4.7: the first two bytes carry a single-level LUN; bits 7..6 of byte 0 are the
// address method. Bytes 2..7 hold the second to fourth levels, which must be null (zero) for
// a single-level LUN.
bool DecodeLun(uint64_t raw, uint64_t* lun) {
  if ((raw & 0x0000ffffffffffffull) != 0) return false;
  const uint8_t byte0 = static_cast<uint8_t>(raw >> 56);
  const uint8_t byte1 = static_cast<uint8_t>(raw >> 48);
  switch (byte0 >> 6) {
    case 0:  // Peripheral device addressing (§4.7.5): bus identifier 0 means "this level".
      if ((byte0 & 0x3f) != 0) return false;
      *lun = byte1;
      return true;
    case 1:  // Flat space addressing (§4.7.7): a 14-bit LUN.
      *lun = static_cast<uint64_t>(byte0 & 0x3f) << 8 | byte1;
      return true;
    default:  // Logical unit addressing (10b) and extended addressing (11b): not ours.
      return false;
  }
}

uint64_t EncodeLun(uint64_t lun) {
  // Peripheral addressing below 256, as Linux and libiscsi expect LUN 0..255 to look; flat
  // space above it (the form LIO and SPDK use for 256..16383).
  if (lun < 256) return lun << 48;
  if (lun <= kMaxFlatLun) return (0x4000 | lun) << 48;
  return kInvalidLunField;
}

}  // namespace reftarget::iscsi
