#include "harness/iscsi/outgoing_pdu.h"

#include <cstdio>

#include "harness/iscsi/cdb.h"

namespace harness::iscsi {

std::string PduOpcodeName(uint8_t opcode) {
  switch (opcode) {
    case pdu_opcode::kNopOut: return "NOP-Out";
    case pdu_opcode::kScsiCommand: return "SCSI Command";
    case pdu_opcode::kTaskManagement: return "Task Management Request";
    case pdu_opcode::kLogin: return "Login Request";
    case pdu_opcode::kText: return "Text Request";
    case pdu_opcode::kDataOut: return "Data-Out";
    case pdu_opcode::kLogout: return "Logout Request";
    case pdu_opcode::kSnack: return "SNACK Request";
    default: break;
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "opcode 0x%02x", opcode);
  return buf;
}

uint32_t OutgoingPdu::data_segment_length() const {
  return (uint32_t{bhs_[5]} << 16) | (uint32_t{bhs_[6]} << 8) | bhs_[7];
}

void OutgoingPdu::set_data_segment_length(uint32_t v) {
  bhs_[5] = static_cast<uint8_t>(v >> 16);
  bhs_[6] = static_cast<uint8_t>(v >> 8);
  bhs_[7] = static_cast<uint8_t>(v);
}

uint32_t OutgoingPdu::Get32(size_t offset) const {
  return (uint32_t{bhs_[offset]} << 24) | (uint32_t{bhs_[offset + 1]} << 16) |
         (uint32_t{bhs_[offset + 2]} << 8) | bhs_[offset + 3];
}

void OutgoingPdu::Put32(size_t offset, uint32_t v) {
  bhs_[offset] = static_cast<uint8_t>(v >> 24);
  bhs_[offset + 1] = static_cast<uint8_t>(v >> 16);
  bhs_[offset + 2] = static_cast<uint8_t>(v >> 8);
  bhs_[offset + 3] = static_cast<uint8_t>(v);
}

uint64_t OutgoingPdu::Get64(size_t offset) const {
  return (uint64_t{Get32(offset)} << 32) | Get32(offset + 4);
}

void OutgoingPdu::Put64(size_t offset, uint64_t v) {
  Put32(offset, static_cast<uint32_t>(v >> 32));
  Put32(offset + 4, static_cast<uint32_t>(v));
}

std::string OutgoingPdu::Describe() const {
  char buf[96];
  std::snprintf(buf, sizeof(buf), " itt=0x%08x dsl=%u", itt(), data_segment_length());
  std::string out = PduOpcodeName(opcode()) + (immediate() ? " (I)" : "") + buf;
  if (opcode() == pdu_opcode::kDataOut) {
    std::snprintf(buf, sizeof(buf), " ttt=0x%08x datasn=%u offset=%u", ttt(), data_sn(),
                  buffer_offset());
    return out + buf;
  }
  std::snprintf(buf, sizeof(buf), " cmdsn=%u", cmdsn());
  out += buf;
  if (opcode() == pdu_opcode::kScsiCommand) {
    std::snprintf(buf, sizeof(buf), " edtl=%u cdb=", expected_data_transfer_length());
    out += buf;
    out += HexBytes(std::span<const uint8_t>(bhs_.data() + 32, 16));
  }
  return out;
}

}  // namespace harness::iscsi
