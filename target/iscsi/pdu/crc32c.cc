// CRC32C: the SSE4.2 `crc32` instruction when the CPU has it, else slicing-by-8 tables.
// Both compute the same reflected CRC (polynomial 0x82F63B78); the public functions take and
// return the finalized value, so the register is complemented on entry and on exit, which is
// what makes Crc32c(b, Crc32c(a)) == Crc32c(a || b).
#include "target/iscsi/pdu/crc32c.h"

#include <array>
#include <cstring>

namespace reftarget::iscsi {

namespace {

constexpr uint32_t kReflectedPoly = 0x82f63b78u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

// table[0] is the classic byte-at-a-time table; table[k][i] is the CRC of byte i followed by
// k zero bytes, which lets the loop below fold 8 input bytes with 8 independent lookups.
constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kReflectedPoly : 0);
    t[0][i] = crc;
  }
  for (int k = 1; k < 8; ++k) {
    for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

inline uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// `reg` is the raw (complemented) CRC register.
uint32_t UpdatePortable(uint32_t reg, const uint8_t* p, size_t n) {
  while (n >= 8) {
    const uint32_t lo = reg ^ LoadLe32(p);
    const uint32_t hi = LoadLe32(p + 4);
    reg = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
          kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
          kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) reg = (reg >> 8) ^ kTables[0][(reg ^ *p++) & 0xff];
  return reg;
}

#if defined(__x86_64__)

// The `crc32` instruction implements exactly this CRC (Intel SDM: polynomial 0x11EDC6F41,
// reflected). One 8-byte step per instruction is several GB/s, well above what one TCP
// connection carries, so no 3-way interleaving.
__attribute__((target("sse4.2"))) uint32_t UpdateSse42(uint32_t reg, const uint8_t* p, size_t n) {
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg = __builtin_ia32_crc32qi(reg, *p++);
    --n;
  }
  uint64_t reg64 = reg;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));  // aligned now; memcpy keeps it well-defined
    reg64 = __builtin_ia32_crc32di(reg64, word);
    p += 8;
    n -= 8;
  }
  reg = static_cast<uint32_t>(reg64);
  if (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, sizeof(word));
    reg = __builtin_ia32_crc32si(reg, word);
    p += 4;
    n -= 4;
  }
  while (n-- > 0) reg = __builtin_ia32_crc32qi(reg, *p++);
  return reg;
}

bool DetectSse42() {
  // __builtin_cpu_init must run first if this is reached before static constructors.
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}

#endif

}  // namespace

bool Crc32cUsesHardware() {
#if defined(__x86_64__)
  static const bool kHardware = DetectSse42();
  return kHardware;
#else
  return false;
#endif
}

uint32_t Crc32cPortable(std::span<const uint8_t> data, uint32_t crc) {
  return ~UpdatePortable(~crc, data.data(), data.size());
}

uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc) {
#if defined(__x86_64__)
  if (Crc32cUsesHardware()) return ~UpdateSse42(~crc, data.data(), data.size());
#endif
  return Crc32cPortable(data, crc);
}

}  // namespace reftarget::iscsi
