// OutgoingPdu: a mutable view of one PDU that libiscsi is about to queue, as a
// PduRewriteGuard's rewriter sees it. It exposes the 48-byte Basic Header Segment (RFC 7143
// §11.2) with named accessors for the fields tests change, written by the harness from the
// RFC's tables (no shared codec with the target).
//
// What a rewrite can and cannot change: libiscsi writes ExpStatSN (bytes 28-31) and the
// header digest just before the bytes go on the wire, after the hook ran, so rewriting
// ExpStatSN has no effect and the digest always matches the rewritten header. The data
// segment is sent from libiscsi's buffers: changing DataSegmentLength does not change how
// many bytes follow (which is how a test sends a header that lies about its data).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace harness::iscsi {

// Initiator opcodes (RFC 7143 §11.2.1.2).
namespace pdu_opcode {
inline constexpr uint8_t kNopOut = 0x00;
inline constexpr uint8_t kScsiCommand = 0x01;
inline constexpr uint8_t kTaskManagement = 0x02;
inline constexpr uint8_t kLogin = 0x03;
inline constexpr uint8_t kText = 0x04;
inline constexpr uint8_t kDataOut = 0x05;
inline constexpr uint8_t kLogout = 0x06;
inline constexpr uint8_t kSnack = 0x10;
}  // namespace pdu_opcode

// Returns "SCSI Command", "Data-Out", ... for an initiator opcode.
std::string PduOpcodeName(uint8_t opcode);

class OutgoingPdu {
 public:
  static constexpr size_t kBhsSize = 48;

  // `bhs` is the PDU's header; `inline_data` the data segment bytes that follow it in
  // libiscsi's header buffer (login, text, NOP-Out data); `payload_length` the data sent
  // from the task's buffers (immediate data, Data-Out).
  OutgoingPdu(std::span<uint8_t, kBhsSize> bhs, std::span<const uint8_t> inline_data,
              uint32_t payload_length)
      : bhs_(bhs), inline_data_(inline_data), payload_length_(payload_length) {}

  std::span<uint8_t, kBhsSize> bhs() { return bhs_; }
  std::span<const uint8_t, kBhsSize> bhs() const { return bhs_; }
  std::span<const uint8_t> inline_data() const { return inline_data_; }
  uint32_t payload_length() const { return payload_length_; }

  // Byte 0 bits 5-0.
  uint8_t opcode() const { return bhs_[0] & 0x3f; }
  // Byte 0 bit 6: immediate delivery.
  bool immediate() const { return (bhs_[0] & 0x40) != 0; }
  // Byte 1: the opcode-specific flags (F, R, W, ATTR for a SCSI Command).
  uint8_t flags() const { return bhs_[1]; }
  void set_flags(uint8_t v) { bhs_[1] = v; }
  // Bytes 5-7 (24 bits).
  uint32_t data_segment_length() const;
  void set_data_segment_length(uint32_t v);
  // Bytes 8-15.
  uint64_t lun() const { return Get64(8); }
  void set_lun(uint64_t v) { Put64(8, v); }
  // Bytes 16-19.
  uint32_t itt() const { return Get32(16); }
  void set_itt(uint32_t v) { Put32(16, v); }
  // SCSI Command: bytes 20-23 Expected Data Transfer Length (RFC 7143 §11.3.4).
  uint32_t expected_data_transfer_length() const { return Get32(20); }
  void set_expected_data_transfer_length(uint32_t v) { Put32(20, v); }
  // Data-Out: bytes 20-23 Target Transfer Tag.
  uint32_t ttt() const { return Get32(20); }
  void set_ttt(uint32_t v) { Put32(20, v); }
  // Bytes 24-27: CmdSN for commands (reserved in Data-Out).
  uint32_t cmdsn() const { return Get32(24); }
  void set_cmdsn(uint32_t v) { Put32(24, v); }
  // Bytes 28-31: ExpStatSN (overwritten by libiscsi when sent; see the file comment).
  uint32_t exp_statsn() const { return Get32(28); }
  // SCSI Command: bytes 32-47, the CDB.
  std::span<uint8_t, 16> cdb() { return bhs_.subspan<32, 16>(); }
  // Data-Out: bytes 36-39 DataSN, 40-43 Buffer Offset.
  uint32_t data_sn() const { return Get32(36); }
  void set_data_sn(uint32_t v) { Put32(36, v); }
  uint32_t buffer_offset() const { return Get32(40); }
  void set_buffer_offset(uint32_t v) { Put32(40, v); }

  // Raw big-endian access. REQUIRES: offset + width <= 48.
  uint32_t Get32(size_t offset) const;
  void Put32(size_t offset, uint32_t v);
  uint64_t Get64(size_t offset) const;
  void Put64(size_t offset, uint64_t v);

  // Returns "SCSI Command itt=0x00000003 cmdsn=5 edtl=512 cdb=28 00 ..." for logs.
  std::string Describe() const;

 private:
  std::span<uint8_t, kBhsSize> bhs_;
  std::span<const uint8_t> inline_data_;
  uint32_t payload_length_;
};

}  // namespace harness::iscsi
