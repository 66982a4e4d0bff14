// The iSCSI PDU codec (RFC 7143 §11): pure functions from the 48-byte Basic Header Segment
// to typed headers and back. No sockets, no allocation on the decode path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "target/common/status.h"

namespace reftarget::iscsi {

inline constexpr size_t kBhsLength = 48;
inline constexpr uint32_t kReservedTag = 0xffffffffu;
// RFC 7143 §11.2.1.5: DataSegmentLength is 24 bits.
inline constexpr uint32_t kMaxDataSegmentLength = (1u << 24) - 1;

using Bhs = std::array<uint8_t, kBhsLength>;

enum class Opcode : uint8_t {
  kNopOut = 0x00,
  kScsiCommand = 0x01,
  kTaskMgmtRequest = 0x02,
  kLoginRequest = 0x03,
  kTextRequest = 0x04,
  kDataOut = 0x05,
  kLogoutRequest = 0x06,
  kSnackRequest = 0x10,
  kNopIn = 0x20,
  kScsiResponse = 0x21,
  kTaskMgmtResponse = 0x22,
  kLoginResponse = 0x23,
  kTextResponse = 0x24,
  kDataIn = 0x25,
  kLogoutResponse = 0x26,
  kR2T = 0x31,
  kAsyncMessage = 0x32,
  kReject = 0x3f,
};

// Returns a name such as "SCSI Command" for logs; "opcode 0xNN" when unknown.
std::string OpcodeName(uint8_t opcode);

// Fields common to every BHS (RFC 7143 §11.2.1).
struct BhsCommon {
  uint8_t opcode = 0;                // 6 bits, not validated against the Opcode enum
  bool immediate = false;            // the I bit
  bool final = false;                // the F bit (byte 1, bit 7)
  uint8_t total_ahs_length = 0;      // in 4-byte words
  uint32_t data_segment_length = 0;  // 24 bits, in bytes, before padding
  uint32_t itt = 0;                  // Initiator Task Tag (bytes 16..19)
  bool operator==(const BhsCommon&) const = default;
};
// Decodes the common fields. Never fails: every bit pattern has a meaning here.
BhsCommon DecodeCommon(const Bhs& bhs);
// Returns the 4-byte-aligned length of a data segment of `length` bytes.
inline uint32_t PaddedLength(uint32_t length) { return (length + 3u) & ~3u; }

// ---- Initiator → target ------------------------------------------------------------------

struct ScsiCommandPdu {  // §11.3
  bool immediate = false;
  bool final = false;
  bool read = false;      // R
  bool write = false;     // W
  uint8_t attribute = 0;  // ATTR, 3 bits
  uint8_t total_ahs_length = 0;
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;  // the raw 8-byte LUN field, big-endian
  uint32_t itt = 0;
  uint32_t expected_data_transfer_length = 0;
  uint32_t cmd_sn = 0;
  uint32_t exp_stat_sn = 0;
  std::array<uint8_t, 16> cdb{};
  bool operator==(const ScsiCommandPdu&) const = default;
};

struct TaskMgmtRequestPdu {  // §11.5
  bool immediate = false;
  uint8_t function = 0;  // 7 bits
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t referenced_task_tag = 0;
  uint32_t cmd_sn = 0;
  uint32_t exp_stat_sn = 0;
  uint32_t ref_cmd_sn = 0;
  uint32_t exp_data_sn = 0;
  uint32_t data_segment_length = 0;
  bool operator==(const TaskMgmtRequestPdu&) const = default;
};

struct DataOutPdu {  // §11.7
  bool final = false;
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = 0;
  uint32_t exp_stat_sn = 0;
  uint32_t data_sn = 0;
  uint32_t buffer_offset = 0;
  bool operator==(const DataOutPdu&) const = default;
};

struct NopOutPdu {  // §11.18
  bool immediate = false;
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = 0;
  uint32_t cmd_sn = 0;
  uint32_t exp_stat_sn = 0;
  bool operator==(const NopOutPdu&) const = default;
};

struct LoginRequestPdu {   // §11.12
  bool transit = false;    // T
  bool continue_ = false;  // C
  uint8_t csg = 0;         // current stage, 2 bits
  uint8_t nsg = 0;         // next stage, 2 bits
  uint8_t version_max = 0;
  uint8_t version_min = 0;
  uint32_t data_segment_length = 0;
  std::array<uint8_t, 6> isid{};
  uint16_t tsih = 0;
  uint32_t itt = 0;
  uint16_t cid = 0;
  uint32_t cmd_sn = 0;
  uint32_t exp_stat_sn = 0;
  bool operator==(const LoginRequestPdu&) const = default;
};

struct TextRequestPdu {  // §11.10
  bool immediate = false;
  bool final = false;
  bool continue_ = false;
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = 0;
  uint32_t cmd_sn = 0;
  uint32_t exp_stat_sn = 0;
  bool operator==(const TextRequestPdu&) const = default;
};

struct LogoutRequestPdu {  // §11.14
  bool immediate = false;
  uint8_t reason_code = 0;  // 7 bits: 0 close session, 1 close connection, 2 recovery
  uint32_t data_segment_length = 0;
  uint32_t itt = 0;
  uint16_t cid = 0;
  uint32_t cmd_sn = 0;
  uint32_t exp_stat_sn = 0;
  bool operator==(const LogoutRequestPdu&) const = default;
};

struct SnackRequestPdu {  // §11.16
  uint8_t type = 0;       // 4 bits
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = 0;
  uint32_t exp_stat_sn = 0;
  uint32_t beg_run = 0;
  uint32_t run_length = 0;
  bool operator==(const SnackRequestPdu&) const = default;
};

// Decoders check the opcode and the fields the RFC fixes (F bit where it must be 1,
// reserved stage values, ...) and return an error that names the PDU and the field.
// REQUIRES: DecodeCommon(bhs).opcode is the decoder's opcode (checked; error otherwise).
// The complete list of rejections (reserved bits and fields are ignored, per RFC 7143 §11):
//   SCSI Command: F clear with W clear; ATTR 5..7.       NOP-Out: F=0; ITT 0xffffffff, I=0.
//   Task Management Request: F=0 (unknown functions pass: §11.6.1 answers them).
//   Login Request: I=0; T and C both set; CSG 2; NSG 2 with T=1 (stage order is the login
//   layer's job).   Text Request: F and C both set.   Logout Request: F=0; reason code > 2.
//   SNACK Request: F=0; type > 3.   SCSI Data-Out: nothing beyond the opcode.
// Lengths (DataSegmentLength, TotalAHSLength) are never judged here: the session layer
// checks them against negotiated limits before reading the segment.
Result<ScsiCommandPdu> DecodeScsiCommand(const Bhs& bhs);
Result<TaskMgmtRequestPdu> DecodeTaskMgmtRequest(const Bhs& bhs);
Result<DataOutPdu> DecodeDataOut(const Bhs& bhs);
Result<NopOutPdu> DecodeNopOut(const Bhs& bhs);
Result<LoginRequestPdu> DecodeLoginRequest(const Bhs& bhs);
Result<TextRequestPdu> DecodeTextRequest(const Bhs& bhs);
Result<LogoutRequestPdu> DecodeLogoutRequest(const Bhs& bhs);
Result<SnackRequestPdu> DecodeSnackRequest(const Bhs& bhs);

// Initiator-side encoders (added for tests, fuzzing and in-process initiators). Each sets the
// opcode and the bits the RFC fixes (F=1 on NOP-Out, Task Management, Logout and SNACK; I=1
// on Login) and masks narrow fields to their width; all other bytes are zero.
// REQUIRES: data_segment_length <= kMaxDataSegmentLength.
Bhs Encode(const ScsiCommandPdu& pdu);
Bhs Encode(const TaskMgmtRequestPdu& pdu);
Bhs Encode(const DataOutPdu& pdu);
Bhs Encode(const NopOutPdu& pdu);
Bhs Encode(const LoginRequestPdu& pdu);
Bhs Encode(const TextRequestPdu& pdu);
Bhs Encode(const LogoutRequestPdu& pdu);
Bhs Encode(const SnackRequestPdu& pdu);

// ---- Target → initiator ------------------------------------------------------------------
// Encoders set the opcode, the F bit where the RFC fixes it, and every field given; all
// other bytes are zero. data_segment_length is the unpadded length of what follows.

struct ScsiResponsePdu {        // §11.4
  bool bidi_overflow = false;   // o
  bool bidi_underflow = false;  // u
  bool overflow = false;        // O
  bool underflow = false;       // U
  uint8_t response = 0;         // 0 command completed at target, 1 target failure
  uint8_t status = 0;           // SAM status
  uint32_t data_segment_length = 0;
  uint32_t itt = 0;
  uint32_t snack_tag = 0;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint32_t exp_data_sn = 0;
  uint32_t bidi_read_residual_count = 0;
  uint32_t residual_count = 0;
  bool operator==(const ScsiResponsePdu&) const = default;
};

struct TaskMgmtResponsePdu {  // §11.6
  uint8_t response = 0;
  uint32_t itt = 0;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  bool operator==(const TaskMgmtResponsePdu&) const = default;
};

struct DataInPdu {  // §11.7
  bool final = false;
  bool acknowledge = false;  // A
  bool overflow = false;     // O (only with S)
  bool underflow = false;    // U (only with S)
  bool has_status = false;   // S
  uint8_t status = 0;        // valid only with S
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = kReservedTag;
  uint32_t stat_sn = 0;  // valid only with S
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint32_t data_sn = 0;
  uint32_t buffer_offset = 0;
  uint32_t residual_count = 0;
  bool operator==(const DataInPdu&) const = default;
};

struct R2TPdu {  // §11.8
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = 0;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint32_t r2t_sn = 0;
  uint32_t buffer_offset = 0;
  uint32_t desired_data_transfer_length = 0;
  bool operator==(const R2TPdu&) const = default;
};

struct NopInPdu {  // §11.19
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t itt = kReservedTag;
  uint32_t target_transfer_tag = kReservedTag;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  bool operator==(const NopInPdu&) const = default;
};

struct LoginResponsePdu {  // §11.13
  bool transit = false;
  bool continue_ = false;
  uint8_t csg = 0;
  uint8_t nsg = 0;
  uint8_t version_max = 0;
  uint8_t version_active = 0;
  uint32_t data_segment_length = 0;
  std::array<uint8_t, 6> isid{};
  uint16_t tsih = 0;
  uint32_t itt = 0;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint8_t status_class = 0;
  uint8_t status_detail = 0;
  bool operator==(const LoginResponsePdu&) const = default;
};

struct TextResponsePdu {  // §11.11
  bool final = false;
  bool continue_ = false;
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t itt = 0;
  uint32_t target_transfer_tag = kReservedTag;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  bool operator==(const TextResponsePdu&) const = default;
};

struct LogoutResponsePdu {  // §11.15
  uint8_t response = 0;
  uint32_t itt = 0;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint16_t time2wait = 0;
  uint16_t time2retain = 0;
  bool operator==(const LogoutResponsePdu&) const = default;
};

struct RejectPdu {  // §11.17; the data segment is the rejected BHS
  uint8_t reason = 0;
  uint32_t data_segment_length = kBhsLength;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint32_t data_sn_or_r2t_sn = 0;
  bool operator==(const RejectPdu&) const = default;
};

struct AsyncMessagePdu {  // §11.9
  uint32_t data_segment_length = 0;
  uint64_t lun = 0;
  uint32_t stat_sn = 0;
  uint32_t exp_cmd_sn = 0;
  uint32_t max_cmd_sn = 0;
  uint8_t async_event = 0;
  uint8_t async_vcode = 0;
  uint16_t parameter1 = 0;
  uint16_t parameter2 = 0;
  uint16_t parameter3 = 0;
  bool operator==(const AsyncMessagePdu&) const = default;
};

Bhs Encode(const ScsiResponsePdu& pdu);
Bhs Encode(const TaskMgmtResponsePdu& pdu);
Bhs Encode(const DataInPdu& pdu);
Bhs Encode(const R2TPdu& pdu);
Bhs Encode(const NopInPdu& pdu);
Bhs Encode(const LoginResponsePdu& pdu);
Bhs Encode(const TextResponsePdu& pdu);
Bhs Encode(const LogoutResponsePdu& pdu);
Bhs Encode(const RejectPdu& pdu);
Bhs Encode(const AsyncMessagePdu& pdu);

// Target-side decoders (added so that tests and the fuzzer can read back what the encoders
// wrote). They check the opcode and the bits the RFC fixes, like the request decoders.
Result<ScsiResponsePdu> DecodeScsiResponse(const Bhs& bhs);
Result<TaskMgmtResponsePdu> DecodeTaskMgmtResponse(const Bhs& bhs);
Result<DataInPdu> DecodeDataIn(const Bhs& bhs);
Result<R2TPdu> DecodeR2T(const Bhs& bhs);
Result<NopInPdu> DecodeNopIn(const Bhs& bhs);
Result<LoginResponsePdu> DecodeLoginResponse(const Bhs& bhs);
Result<TextResponsePdu> DecodeTextResponse(const Bhs& bhs);
Result<LogoutResponsePdu> DecodeLogoutResponse(const Bhs& bhs);
Result<RejectPdu> DecodeReject(const Bhs& bhs);
Result<AsyncMessagePdu> DecodeAsyncMessage(const Bhs& bhs);

// Reject reasons (§11.17.1).
enum class RejectReason : uint8_t {
  kDataDigestError = 0x02,
  kSnackReject = 0x03,
  kProtocolError = 0x04,
  kCommandNotSupported = 0x05,
  kImmediateCommandReject = 0x06,
  kTaskInProgress = 0x07,
  kInvalidDataAck = 0x08,
  kInvalidPduField = 0x09,
  kLongOperationReject = 0x0a,
  kNegotiationReset = 0x0b,
  kWaitingForLogout = 0x0c,
};

// Task management functions (§11.5.1) and responses (§11.6.1).
enum class TmfFunction : uint8_t {
  kAbortTask = 1,
  kAbortTaskSet = 2,
  kClearAca = 3,
  kClearTaskSet = 4,
  kLogicalUnitReset = 5,
  kTargetWarmReset = 6,
  kTargetColdReset = 7,
  kTaskReassign = 8,
};
enum class TmfResponse : uint8_t {
  kFunctionComplete = 0,
  kTaskDoesNotExist = 1,
  kLunDoesNotExist = 2,
  kTaskStillAllegiant = 3,
  kTaskAllegianceReassignmentNotSupported = 4,
  kFunctionNotSupported = 5,
  kFunctionAuthorizationFailed = 6,
  kFunctionRejected = 255,
};

// ---- LUN field (SAM-5 §4.7) ---------------------------------------------------------------

// Decodes the 8-byte LUN field: peripheral (00b) and flat (01b) single-level addressing.
// Returns false for other address methods or a non-zero second level.
bool DecodeLun(uint64_t raw, uint64_t* lun);
// Encodes `lun` with peripheral addressing below 256 and flat addressing up to 16383.
// Returns kInvalidLunField (which DecodeLun rejects) for a larger `lun`.
uint64_t EncodeLun(uint64_t lun);
// The largest LUN that single-level flat space addressing can carry (SAM-5 §4.7.7).
inline constexpr uint64_t kMaxFlatLun = 16383;
// What EncodeLun returns for a LUN it cannot encode: address method 11b, all ones.
inline constexpr uint64_t kInvalidLunField = ~uint64_t{0};

// ---- Big-endian helpers, shared with the SCSI layer's tests -------------------------------
inline uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Load24(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 16 | static_cast<uint32_t>(p[1]) << 8 | p[2];
}
inline uint32_t Load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
inline uint64_t Load64(const uint8_t* p) {
  return static_cast<uint64_t>(Load32(p)) << 32 | Load32(p + 4);
}
inline void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void Store24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
inline void Store32(uint8_t* p, uint32_t v) {
  Store16(p, static_cast<uint16_t>(v >> 16));
  Store16(p + 2, static_cast<uint16_t>(v));
}
inline void Store64(uint8_t* p, uint64_t v) {
  Store32(p, static_cast<uint32_t>(v >> 32));
  Store32(p + 4, static_cast<uint32_t>(v));
}

}  // namespace reftarget::iscsi
