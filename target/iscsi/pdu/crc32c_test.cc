// CRC32C: RFC 3720/7143 appendix B.4 vectors, the wire byte order, chaining, and the SSE4.2
// path against the portable tables and against a bit-at-a-time reference written here.
#include "target/iscsi/pdu/crc32c.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <random>
#include <string_view>
#include <vector>

namespace reftarget::iscsi {
namespace {

// The definition, one bit at a time: an oracle that shares no code or table with crc32c.cc.
uint32_t BitwiseCrc32c(std::span<const uint8_t> data, uint32_t crc = 0) {
  uint32_t reg = ~crc;
  for (uint8_t byte : data) {
    reg ^= byte;
    for (int bit = 0; bit < 8; ++bit) reg = (reg >> 1) ^ (0x82f63b78u & (0u - (reg & 1u)));
  }
  return ~reg;
}

std::array<uint8_t, 4> Wire(uint32_t crc) {
  std::array<uint8_t, 4> out;
  StoreDigest(out.data(), crc);
  return out;
}

// RFC 3720 B.4 (carried into RFC 7143 B.4): the 48-byte SCSI Command BHS of a READ(10).
constexpr std::array<uint8_t, 48> kRfcReadCommand = {
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

struct Vector {
  const char* name;
  std::vector<uint8_t> data;
  uint32_t value;
  std::array<uint8_t, 4> wire;  // as RFC B.4 prints the CRC bytes
};

std::vector<Vector> RfcVectors() {
  std::vector<uint8_t> inc(32), dec(32);
  std::iota(inc.begin(), inc.end(), 0);
  for (int i = 0; i < 32; ++i) dec[i] = static_cast<uint8_t>(31 - i);
  return {
      {"32 zeros", std::vector<uint8_t>(32, 0x00), 0x8a9136aa, {0xaa, 0x36, 0x91, 0x8a}},
      {"32 ones", std::vector<uint8_t>(32, 0xff), 0x62a8ab43, {0x43, 0xab, 0xa8, 0x62}},
      {"incrementing", inc, 0x46dd794e, {0x4e, 0x79, 0xdd, 0x46}},
      {"decrementing", dec, 0x113fdb5c, {0x5c, 0xdb, 0x3f, 0x11}},
      {"read command",
       std::vector<uint8_t>(kRfcReadCommand.begin(), kRfcReadCommand.end()),
       0xd9963a56,
       {0x56, 0x3a, 0x96, 0xd9}},
  };
}

TEST(Crc32c, RfcVectorsValue) {
  for (const Vector& v : RfcVectors()) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(Crc32c(v.data), v.value);
    EXPECT_EQ(Crc32cPortable(v.data), v.value);
    EXPECT_EQ(BitwiseCrc32c(v.data), v.value);
  }
}

TEST(Crc32c, RfcVectorsWireOrderIsLittleEndian) {
  for (const Vector& v : RfcVectors()) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(Wire(Crc32c(v.data)), v.wire);
    EXPECT_EQ(LoadDigest(v.wire.data()), v.value);
  }
}

TEST(Crc32c, StandardCheckValue) {
  // The CRC catalogue's check input "123456789" for CRC-32/ISCSI.
  constexpr std::string_view kCheck = "123456789";
  const auto* p = reinterpret_cast<const uint8_t*>(kCheck.data());
  EXPECT_EQ(Crc32c({p, kCheck.size()}), 0xe3069283u);
  EXPECT_EQ(Crc32cPortable({p, kCheck.size()}), 0xe3069283u);
}

TEST(Crc32c, EmptyInputKeepsTheRunningValue) {
  EXPECT_EQ(Crc32c({}), 0u);
  EXPECT_EQ(Crc32c({}, 0x12345678u), 0x12345678u);
  EXPECT_EQ(Crc32cPortable({}, 0xdeadbeefu), 0xdeadbeefu);
}

TEST(Crc32c, AppendedDigestLeavesTheConstantResidue) {
  // A reflected CRC followed by its own value stored least significant byte first always
  // yields the same residue; for CRC-32C that is 0x48674bc7 (catalogue residue 0xb798b438,
  // complemented). This is why the digest goes on the wire little-endian.
  std::mt19937 rng(3720);
  for (size_t len : {0u, 1u, 47u, 48u, 1000u}) {
    std::vector<uint8_t> buf(len + 4);
    for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(rng());
    StoreDigest(&buf[len], Crc32c({buf.data(), len}));
    EXPECT_EQ(Crc32c(buf), 0x48674bc7u) << "len " << len;
  }
}

TEST(Crc32c, ChainingEqualsOneShotAtEverySplit) {
  std::vector<uint8_t> buf(100);
  std::iota(buf.begin(), buf.end(), 7);
  const std::span<const uint8_t> all(buf);
  const uint32_t whole = Crc32c(all);
  for (size_t split = 0; split <= buf.size(); ++split) {
    SCOPED_TRACE(split);
    EXPECT_EQ(Crc32c(all.subspan(split), Crc32c(all.first(split))), whole);
    EXPECT_EQ(Crc32cPortable(all.subspan(split), Crc32cPortable(all.first(split))), whole);
  }
  // Three pieces, as a header digest over BHS + AHS or a data digest over data + pad.
  uint32_t crc = Crc32c(all.first(48));
  crc = Crc32c(all.subspan(48, 20), crc);
  crc = Crc32c(all.subspan(68), crc);
  EXPECT_EQ(crc, whole);
}

TEST(Crc32c, HardwareMatchesPortableOnRandomBuffers) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  EXPECT_EQ(Crc32cUsesHardware(), __builtin_cpu_supports("sse4.2") != 0);
#endif
  if (!Crc32cUsesHardware()) GTEST_SKIP() << "no SSE4.2 on this CPU; only the tables run";
  std::mt19937 rng(7143);
  std::vector<uint8_t> pool(4096 + 64);
  for (auto& b : pool) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len <= 600; ++len) {
      const std::span<const uint8_t> data(pool.data() + offset, len);
      const uint32_t seed = (len % 3 == 0) ? 0 : static_cast<uint32_t>(rng());
      const uint32_t hw = Crc32c(data, seed);
      ASSERT_EQ(hw, Crc32cPortable(data, seed)) << "offset " << offset << " len " << len;
      if (len < 80) {
        ASSERT_EQ(hw, BitwiseCrc32c(data, seed)) << offset << "/" << len;
      }
    }
  }
  for (size_t len : {1023u, 1024u, 1025u, 4095u, 4096u}) {
    const std::span<const uint8_t> data(pool.data() + 3, len);
    EXPECT_EQ(Crc32c(data), Crc32cPortable(data)) << len;
    EXPECT_EQ(Crc32c(data), BitwiseCrc32c(data)) << len;
  }
}

TEST(Crc32c, LargeBufferMatches) {
  std::vector<uint8_t> big(1 << 20);
  std::mt19937 rng(1);
  for (auto& b : big) b = static_cast<uint8_t>(rng());
  EXPECT_EQ(Crc32c(big), Crc32cPortable(big));
}

TEST(Crc32c, StoreAndLoadDigest) {
  uint8_t wire[4];
  StoreDigest(wire, 0x04030201u);
  EXPECT_EQ(wire[0], 0x01);
  EXPECT_EQ(wire[1], 0x02);
  EXPECT_EQ(wire[2], 0x03);
  EXPECT_EQ(wire[3], 0x04);
  EXPECT_EQ(LoadDigest(wire), 0x04030201u);
}

}  // namespace
}  // namespace reftarget::iscsi
