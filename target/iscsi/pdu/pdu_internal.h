// Helpers shared by the PDU codec's source files; not part of the public API.
#pragma once

#include <cstdint>
#include <string>

#include "target/common/status.h"
#include "target/iscsi/pdu/pdu.h"

namespace reftarget::iscsi::internal {

// Byte 0 (RFC 7143 §11.2.1.1-2): bit 7 reserved, bit 6 the I bit, bits 5..0 the opcode.
inline constexpr uint8_t kImmediateBit = 0x40;
inline constexpr uint8_t kOpcodeMask = 0x3f;
// Byte 1, bit 7: the F bit (or the T bit of Login PDUs).
inline constexpr uint8_t kFinalBit = 0x80;

// Returns "0x" followed by `digits` hexadecimal digits of `value`.
std::string Hex(uint32_t value, int digits);

// Returns an error "<pdu>: <what>".
Status FieldError(const char* pdu, const std::string& what);

// Returns OK if `bhs` carries `expected`, else an error naming `pdu` and both opcodes.
Status CheckOpcode(const char* pdu, Opcode expected, const Bhs& bhs);

// Returns OK if byte 1's bit 7 is set, else "<pdu>: F bit must be 1". For PDUs whose figure
// shows a literal 1 there (RFC 7143 §11.5, §11.14, §11.16, §11.18 and the target PDUs).
Status CheckFixedFinal(const char* pdu, const Bhs& bhs);

inline bool ImmediateBit(const Bhs& bhs) { return (bhs[0] & kImmediateBit) != 0; }
inline bool FinalBit(const Bhs& bhs) { return (bhs[1] & kFinalBit) != 0; }

// Writes the opcode byte and the 24-bit DataSegmentLength, the fields every encoder sets.
void PutOpcodeAndLength(Bhs& bhs, Opcode opcode, bool immediate, uint32_t data_segment_length);

}  // namespace reftarget::iscsi::internal
