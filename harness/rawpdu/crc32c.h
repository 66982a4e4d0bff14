// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), written here from the polynomial so
// that the harness's iSCSI digests are independent of the target's implementation
// (RFC 7143 §13.1, Appendix B: iSCSI digests are CRC32C).
#pragma once

#include <cstddef>
#include <cstdint>

namespace harness::rawpdu {

// Returns the CRC32C of data[0, n) continuing from `crc` (0 to start): the usual
// pre- and post-inversion are applied, as in leveldb's crc32c::Extend.
uint32_t Crc32cExtend(uint32_t crc, const uint8_t* data, size_t n);

// Returns the CRC32C of data[0, n). Crc32c("123456789") == 0xE3069283.
inline uint32_t Crc32c(const uint8_t* data, size_t n) { return Crc32cExtend(0, data, n); }

}  // namespace harness::rawpdu
