// CRC32C (Castagnoli) for iSCSI header and data digests (RFC 7143 §13.1, appendix B.4).
//
// What the value is: the standard CRC-32C, i.e. the reflected CRC with polynomial 0x1EDC6F41
// (0x82F63B78 bit-reversed), initial register 0xffffffff and a final complement. The RFC 3720
// B.4 (= RFC 7143 B.4) vectors give, as uint32_t values:
//   32 bytes of 0x00         -> 0x8a9136aa      32 bytes of 0xff        -> 0x62a8ab43
//   bytes 0x00, 0x01..0x1f   -> 0x46dd794e      bytes 0x1f, 0x1e..0x00  -> 0x113fdb5c
//   the 48-byte READ(10) SCSI Command BHS of B.4 -> 0xd9963a56
//
// How it goes on the wire: least significant byte first. RFC B.4 lists the 32-zero digest as
// the bytes "aa 36 91 8a", which is StoreDigest(p, 0x8a9136aa). This is the one field of an
// iSCSI PDU that is NOT big-endian; use StoreDigest/LoadDigest, never Store32/Load32.
// libiscsi (the initiator we interoperate with) does the same: lib/socket.c (send path)
// writes data[48+0] = crc, data[48+1] = crc >> 8, ..., data[48+3] = crc >> 24 after the
// 48-byte BHS, and lib/pdu.c (iscsi_process_pdu) assembles hdr[48] | hdr[49] << 8 |
// hdr[50] << 16 | hdr[51] << 24 and compares it with crc32c(hdr, 48); its lib/crc32c.c is
// the same reflected table CRC (init 0xffffffff, result ^ 0xffffffff) as ours. libiscsi 1.19
// (Debian 12) negotiates HeaderDigest only and always offers DataDigest=None; it also refuses AHS,
// so its header digest always covers 48 bytes.
//
// What it covers (RFC 7143 §13.1, §11.2.3): the header digest covers the BHS and any AHS; the
// data digest covers the data segment including its 0..3 zero pad bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace reftarget::iscsi {

// Returns the CRC32C of `data` continuing from `crc` (start with 0): the value that goes on
// the wire as the digest, least significant byte first (see StoreDigest). Chaining holds:
// Crc32c(b, Crc32c(a)) == Crc32c(a || b), so a digest can be computed over scattered buffers.
uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc = 0);
// Same, forced to the portable table implementation (tests compare the two).
uint32_t Crc32cPortable(std::span<const uint8_t> data, uint32_t crc = 0);
// Returns true if the SSE4.2 instruction is used.
bool Crc32cUsesHardware();

// Writes a digest value as the 4 wire bytes at `p` (little-endian, RFC 7143 B.4).
inline void StoreDigest(uint8_t* p, uint32_t crc) {
  p[0] = static_cast<uint8_t>(crc);
  p[1] = static_cast<uint8_t>(crc >> 8);
  p[2] = static_cast<uint8_t>(crc >> 16);
  p[3] = static_cast<uint8_t>(crc >> 24);
}
// Returns the digest value carried by the 4 wire bytes at `p`.
inline uint32_t LoadDigest(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace reftarget::iscsi
