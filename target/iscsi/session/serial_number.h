// Serial number arithmetic for CmdSN, StatSN and friends (RFC 1982, RFC 7143 §4.2.2.1).
#pragma once

#include <cstdint>

namespace reftarget::iscsi {

// Returns true if `a` precedes `b` in 32-bit serial number arithmetic.
inline bool SerialLess(uint32_t a, uint32_t b) {
  return a != b && static_cast<int32_t>(a - b) < 0;
}

}  // namespace reftarget::iscsi
