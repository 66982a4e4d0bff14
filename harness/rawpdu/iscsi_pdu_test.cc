// Unit tests of the raw client's own encoders: CRC32C, key text, binary values, sense.
#include "harness/rawpdu/iscsi_pdu.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "harness/rawpdu/crc32c.h"
#include "harness/rawpdu/pdu_mutator.h"
#include "harness/rawpdu/raw_login.h"

namespace harness::rawpdu {
namespace {

TEST(Crc32c, KnownVectors) {
  const char* check = "123456789";
  EXPECT_EQ(Crc32c(reinterpret_cast<const uint8_t*>(check), 9), 0xE3069283u);
  // RFC 7143 Appendix B.4: 32 bytes of zeros -> aa 36 91 8a (on the wire, LSB first).
  uint8_t zeros[32] = {};
  EXPECT_EQ(Crc32c(zeros, sizeof(zeros)), 0x8A9136AAu);
  uint8_t ones[32];
  std::memset(ones, 0xff, sizeof(ones));
  EXPECT_EQ(Crc32c(ones, sizeof(ones)), 0x62A8AB43u);
  uint8_t incrementing[32];
  for (int i = 0; i < 32; ++i) incrementing[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(Crc32c(incrementing, sizeof(incrementing)), 0x46DD794Eu);
}

TEST(Crc32c, HardwarePathAgreesWithTheTable) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(300);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  // Every length and misalignment around the 8-byte steps of the hardware loop.
  for (size_t n = 0; n < data.size(); n += 7) {
    for (size_t off = 0; off < 9 && off + n <= data.size(); ++off) {
      EXPECT_EQ(Crc32cExtend(0x1234, data.data() + off, n),
                Crc32cExtendPortable(0x1234, data.data() + off, n))
          << "n=" << n << " off=" << off << " hardware=" << Crc32cHardware();
    }
  }
}

TEST(Crc32c, ExtendEqualsOneShot) {
  uint8_t data[100];
  for (int i = 0; i < 100; ++i) data[i] = static_cast<uint8_t>(i * 7);
  EXPECT_EQ(Crc32cExtend(Crc32c(data, 40), data + 40, 60), Crc32c(data, 100));
}

TEST(IscsiPdu, SerializeFillsLengthsPaddingAndDigests) {
  Pdu p;
  p.bhs[0] = kOpTextRequest;
  p.data = {'a', '=', 'b', 0, 'c'};
  std::vector<uint8_t> plain = SerializePdu(p, false, false);
  ASSERT_EQ(plain.size(), 48u + 8u);
  EXPECT_EQ(plain[7], 5);
  EXPECT_EQ(plain[53], 0);  // padding
  std::vector<uint8_t> digested = SerializePdu(p, true, true);
  ASSERT_EQ(digested.size(), 48u + 4u + 8u + 4u);
  const uint32_t hd = Crc32c(digested.data(), 48);
  EXPECT_EQ(digested[48], hd & 0xff);
  EXPECT_EQ(digested[51], hd >> 24);
  const uint32_t dd = Crc32c(digested.data() + 52, 8);
  EXPECT_EQ(digested[60], dd & 0xff);
}

TEST(IscsiPdu, KeysRoundTrip) {
  KeyValues keys = {{"InitiatorName", "iqn.x:y"}, {"AuthMethod", "CHAP,None"}, {"Empty", ""}};
  std::vector<uint8_t> enc = EncodeKeys(keys);
  EXPECT_EQ(enc.back(), 0);
  EXPECT_EQ(DecodeKeys(enc), keys);
  EXPECT_EQ(FindKey(keys, "AuthMethod"), "CHAP,None");
  EXPECT_FALSE(FindKey(keys, "Missing").has_value());
}

TEST(IscsiPdu, BinaryValues) {
  EXPECT_EQ(DecodeBinaryValue("0x0aff"), (std::vector<uint8_t>{0x0a, 0xff}));
  EXPECT_EQ(DecodeBinaryValue("0xabc"), (std::vector<uint8_t>{0x0a, 0xbc}));
  EXPECT_EQ(DecodeBinaryValue("0bAAEC"), (std::vector<uint8_t>{0x00, 0x01, 0x02}));
  EXPECT_FALSE(DecodeBinaryValue("0xzz").has_value());
  EXPECT_FALSE(DecodeBinaryValue("1234").has_value());
  EXPECT_EQ(ToHex({0x01, 0xab}), "0x01ab");
}

TEST(IscsiPdu, SenseFixedAndDescriptor) {
  std::vector<uint8_t> fixed(2 + 18, 0);
  fixed[1] = 18;
  fixed[2] = 0x70;
  fixed[4] = 0x0b;
  fixed[14] = 0x47;
  fixed[15] = 0x05;
  auto s = ParseSenseSegment(fixed);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->key, 0x0b);
  EXPECT_EQ(s->asc, 0x47);
  EXPECT_EQ(s->ascq, 0x05);
  std::vector<uint8_t> desc = {0, 8, 0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0};
  s = ParseSenseSegment(desc);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->key, 0x05);
  EXPECT_EQ(s->asc, 0x24);
  EXPECT_FALSE(ParseSenseSegment({0, 0}).has_value());
}

TEST(RawLogin, ChapResponseMatchesRfc1994) {
  // MD5(0x01 || "secret" || 0x00..0x0f), computed independently with Python's hashlib.
  std::vector<uint8_t> challenge(16);
  for (int i = 0; i < 16; ++i) challenge[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(ToHex(ChapResponse(1, "secret", challenge)), "0x740e86463bda3a4d7017d6e0fba0699d");
}

TEST(PduMutator, SameSeedSameBytes) {
  PduMutator a(42, 1), b(42, 1);
  for (int i = 0; i < 200; ++i) {
    MutatedPdu x = a.NextFfpPdu(10, 20), y = b.NextFfpPdu(10, 20);
    ASSERT_EQ(x.bytes, y.bytes) << "PDU " << i;
    ASSERT_EQ(x.kind, y.kind);
  }
  EXPECT_EQ(a.RandomBytes(100), b.RandomBytes(100));
}

TEST(PduMutator, ConfineKeepsOtherLunsOutOfReach) {
  uint8_t bhs[kBhsLength] = {};
  bhs[0] = kOpTaskMgmt | kImmediateBit;
  bhs[1] = 0x80 | 7;  // TARGET COLD RESET
  bhs[9] = 0;         // LUN 0
  ConfineBhs(bhs, 1);
  EXPECT_EQ(bhs[1] & 0x7f, 1);  // ABORT TASK
  EXPECT_EQ(bhs[9], 1);
  uint8_t cmd[kBhsLength] = {};
  cmd[0] = kOpScsiCommand;
  cmd[32] = 0x83;  // EXTENDED COPY
  ConfineBhs(cmd, 1);
  EXPECT_EQ(cmd[32], 0x00);
  EXPECT_EQ(cmd[9], 1);
  // Every generated PDU that names a LUN names the sandbox.
  PduMutator m(7, 1);
  for (int i = 0; i < 2000; ++i) {
    MutatedPdu p = m.NextFfpPdu(1, 1);
    if (p.bytes.size() < kBhsLength) continue;
    const uint8_t op = p.bytes[0] & 0x3f;
    if (op == kOpScsiCommand || op == kOpTaskMgmt || op == kOpDataOut) {
      ASSERT_EQ(p.bytes[9], 1) << p.kind;
      ASSERT_EQ(p.bytes[8], 0) << p.kind;
    }
    if (op == kOpTaskMgmt) {
      ASSERT_NE(p.bytes[1] & 0x7f, 6) << p.kind;
      ASSERT_NE(p.bytes[1] & 0x7f, 7) << p.kind;
    }
  }
}

}  // namespace
}  // namespace harness::rawpdu
