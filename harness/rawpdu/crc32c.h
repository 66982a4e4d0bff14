// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), written here from the polynomial so
// that the harness's iSCSI digests are independent of the target's implementation
// (RFC 7143 §13.1, Appendix B: iSCSI digests are CRC32C). The load generator checksums
// every block it writes and reads, so on a 2-core machine shared with the target the byte
// table would make it CPU-bound: SSE4.2's CRC32 instruction is used when the CPU has it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace harness::rawpdu {

// Returns the CRC32C of data[0, n) continuing from `crc` (0 to start): the usual
// pre- and post-inversion are applied, as in leveldb's crc32c::Extend, so
// Crc32cExtend(Crc32cExtend(0, a), b) is the CRC32C of a followed by b.
uint32_t Crc32cExtend(uint32_t crc, const uint8_t* data, size_t n);

// The same with the byte table only (the fallback, and the reference in tests).
uint32_t Crc32cExtendPortable(uint32_t crc, const uint8_t* data, size_t n);

// True if Crc32cExtend uses the CPU's CRC32 instruction (checked once at run time).
bool Crc32cHardware();

// Returns the CRC32C of data[0, n). Crc32c("123456789") == 0xE3069283.
inline uint32_t Crc32c(const uint8_t* data, size_t n) { return Crc32cExtend(0, data, n); }

}  // namespace harness::rawpdu
