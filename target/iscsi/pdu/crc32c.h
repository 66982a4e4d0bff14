// CRC32C (Castagnoli) for iSCSI header and data digests (RFC 7143 §13.1, appendix B.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace reftarget::iscsi {

// Returns the CRC32C of `data` continuing from `crc` (start with 0): the value that goes on
// the wire as the digest (little-endian byte order per RFC 7143 §13.1's examples).
uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc = 0);
// Same, forced to the portable table implementation (tests compare the two).
uint32_t Crc32cPortable(std::span<const uint8_t> data, uint32_t crc = 0);
// Returns true if the SSE4.2 instruction is used.
bool Crc32cUsesHardware();

}  // namespace reftarget::iscsi
