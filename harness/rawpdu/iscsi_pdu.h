// A hand-written iSCSI PDU model for the raw test client (RFC 7143 §11): a 48-byte Basic
// Header Segment, optional AHS, and a data segment of key=value\0 text or payload. It is
// deliberately independent of the target's codec ("the harness judges from outside").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace harness::rawpdu {

// Opcodes, RFC 7143 §11.1.1.
inline constexpr uint8_t kOpNopOut = 0x00;
inline constexpr uint8_t kOpScsiCommand = 0x01;
inline constexpr uint8_t kOpTaskMgmt = 0x02;
inline constexpr uint8_t kOpLoginRequest = 0x03;
inline constexpr uint8_t kOpTextRequest = 0x04;
inline constexpr uint8_t kOpDataOut = 0x05;
inline constexpr uint8_t kOpLogoutRequest = 0x06;
inline constexpr uint8_t kOpSnack = 0x10;
inline constexpr uint8_t kOpNopIn = 0x20;
inline constexpr uint8_t kOpScsiResponse = 0x21;
inline constexpr uint8_t kOpTaskMgmtResponse = 0x22;
inline constexpr uint8_t kOpLoginResponse = 0x23;
inline constexpr uint8_t kOpTextResponse = 0x24;
inline constexpr uint8_t kOpDataIn = 0x25;
inline constexpr uint8_t kOpLogoutResponse = 0x26;
inline constexpr uint8_t kOpR2t = 0x31;
inline constexpr uint8_t kOpAsyncMessage = 0x32;
inline constexpr uint8_t kOpReject = 0x3f;

inline constexpr uint8_t kImmediateBit = 0x40;  // byte 0, initiator PDUs
inline constexpr size_t kBhsLength = 48;
inline constexpr uint32_t kReservedTag = 0xFFFFFFFFu;

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct Pdu {
  std::array<uint8_t, kBhsLength> bhs{};
  std::vector<uint8_t> ahs;   // whole 4-byte words
  std::vector<uint8_t> data;  // without padding or digest

  uint8_t opcode() const { return bhs[0] & 0x3f; }
  uint8_t flags() const { return bhs[1]; }
  uint32_t Get32(size_t offset) const;
  void Set32(size_t offset, uint32_t value);
  uint16_t Get16(size_t offset) const;
  void Set16(size_t offset, uint16_t value);
  // DataSegmentLength as the header states it (bytes 5-7).
  uint32_t HeaderDataLength() const;
  uint32_t itt() const { return Get32(16); }
  // Sets bytes 8-15 to `lun` in SAM's single-level peripheral (< 256) or flat format.
  void SetLun(uint32_t lun);
};

// Returns the bytes on the wire: BHS (TotalAHSLength and DataSegmentLength filled in from
// ahs/data), AHS, header digest, data, padding to 4, data digest.
std::vector<uint8_t> SerializePdu(const Pdu& pdu, bool header_digest, bool data_digest);

// Returns "key=value\0" for each pair, in order (RFC 7143 §6.1).
std::vector<uint8_t> EncodeKeys(const KeyValues& keys);
// Splits a text data segment into pairs; an entry without '=' gets an empty value.
KeyValues DecodeKeys(const std::vector<uint8_t>& data);
// Returns the value of the last `key` in `keys`, if any.
std::optional<std::string> FindKey(const KeyValues& keys, const std::string& key);

// Returns a name such as "SCSI-Response" or "opcode-0x1b".
std::string OpcodeName(uint8_t opcode);

// Sense data in fixed (70h/71h) or descriptor (72h/73h) format.
struct Sense {
  uint8_t key = 0;
  uint8_t asc = 0;
  uint8_t ascq = 0;
};
// Parses SCSI Response data (2-byte SenseLength + sense). Returns nullopt if there is none.
std::optional<Sense> ParseSenseSegment(const std::vector<uint8_t>& data);

// Lower-case hex of `bytes` with a "0x" prefix.
std::string ToHex(const std::vector<uint8_t>& bytes);
// "0b" and the base64 of `bytes`, padded (RFC 7143 §6.1 binary values).
std::string ToBase64(const std::vector<uint8_t>& bytes);
// Decodes "0x..." hex or "0b..." base64 (RFC 7143 §6.1 binary values). nullopt if invalid.
std::optional<std::vector<uint8_t>> DecodeBinaryValue(const std::string& value);

}  // namespace harness::rawpdu
