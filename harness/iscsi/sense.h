// The harness's own sense-data decoder (SPC-4 §4.5): fixed format (70h current, 71h
// deferred) and descriptor format (72h current, 73h deferred). It never trusts a length
// field: every byte read is checked against the buffer, and a short or truncated buffer
// yields a decode that says which fields are missing instead of reading past the end.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace harness::iscsi {

// Sense keys (SPC-4 Table 28).
namespace sense_key {
inline constexpr uint8_t kNoSense = 0x0;
inline constexpr uint8_t kRecoveredError = 0x1;
inline constexpr uint8_t kNotReady = 0x2;
inline constexpr uint8_t kMediumError = 0x3;
inline constexpr uint8_t kHardwareError = 0x4;
inline constexpr uint8_t kIllegalRequest = 0x5;
inline constexpr uint8_t kUnitAttention = 0x6;
inline constexpr uint8_t kDataProtect = 0x7;
inline constexpr uint8_t kBlankCheck = 0x8;
inline constexpr uint8_t kCopyAborted = 0xa;
inline constexpr uint8_t kAbortedCommand = 0xb;
inline constexpr uint8_t kVolumeOverflow = 0xd;
inline constexpr uint8_t kMiscompare = 0xe;
}  // namespace sense_key

enum class SenseFormat { kNone, kFixed, kDescriptor, kUnknown };

struct DecodedSense {
  SenseFormat format = SenseFormat::kNone;
  uint8_t response_code = 0;  // byte 0 bits 6-0
  bool deferred = false;      // 71h / 73h
  // True when the key, ASC and ASCQ were all inside the buffer. A fixed-format buffer
  // shorter than 14 bytes (or whose ADDITIONAL SENSE LENGTH stops before byte 13) has
  // no ASC/ASCQ; those fields then stay 0 and `complete` is false.
  bool has_key = false;
  bool complete = false;
  bool truncated = false;  // buffer shorter than 8 + ADDITIONAL SENSE LENGTH
  uint8_t key = 0;
  uint8_t asc = 0;
  uint8_t ascq = 0;
  // Fixed: INFORMATION when VALID is set; descriptor: the Information descriptor (00h).
  std::optional<uint64_t> information;
  // Sense-key specific bytes when SKSV is set (fixed bytes 15-17; descriptor type 02h).
  std::optional<uint32_t> sense_key_specific;  // the 3 bytes, SKSV bit included
  bool filemark = false, eom = false, ili = false;  // fixed byte 2 bits 7-5

  // For ILLEGAL REQUEST with SKSV: the field pointer (SPC-4 §4.5.2.4.2).
  std::optional<uint16_t> FieldPointer() const;
  // True for C/D = 1: the field pointer points into the CDB, not the parameter list.
  bool FieldInCdb() const;
  // Returns "05/24/00" (key/ASC/ASCQ in hex), or "no sense data" / "key 05 (no ASC)".
  std::string Triple() const;
  // Returns "05/24/00 ILLEGAL REQUEST: INVALID FIELD IN CDB (field pointer byte 1)".
  std::string Describe() const;
};

// Decodes `sense` (the sense bytes only, without iSCSI's 2-byte SenseLength prefix).
DecodedSense DecodeSense(std::span<const uint8_t> sense);

// Returns "ILLEGAL REQUEST" for key 5; "KEY 0xN" for an unnamed key.
std::string SenseKeyName(uint8_t key);
// Returns the SPC-4 Annex D text for the ASC/ASCQ pairs the harness checks, or "" for
// one it does not name. This table is the harness's own, for messages only.
std::string AscName(uint8_t asc, uint8_t ascq);
// Returns "GOOD", "CHECK CONDITION", ... for a SCSI status byte (SAM-5 Table 33).
std::string ScsiStatusName(uint8_t status);

}  // namespace harness::iscsi
