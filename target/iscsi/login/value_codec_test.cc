#include "target/iscsi/login/value_codec.h"

#include <gtest/gtest.h>

namespace reftarget::iscsi::login {
namespace {

TEST(ValueCodec, ParseNumberDecimalAndHex) {
  EXPECT_EQ(ParseNumber("0"), 0u);
  EXPECT_EQ(ParseNumber("8192"), 8192u);
  EXPECT_EQ(ParseNumber("0x2000"), 8192u);
  EXPECT_EQ(ParseNumber("0X2000"), 8192u);
  EXPECT_EQ(ParseNumber("0x00000000000000000001"), 1u);
  EXPECT_EQ(ParseNumber("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseNumber("0xffffffffffffffff"), UINT64_MAX);
}

TEST(ValueCodec, ParseNumberRejectsMalformed) {
  for (const char* bad : {"", "-1", "+1", "08192", "1e3", " 1", "1 ", "0x", "0xg", "abc",
                          "18446744073709551616", "0x10000000000000000", "1,2"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
}

TEST(ValueCodec, Booleans) {
  EXPECT_EQ(ParseBoolean("Yes"), true);
  EXPECT_EQ(ParseBoolean("No"), false);
  EXPECT_FALSE(ParseBoolean("yes").has_value());
  EXPECT_FALSE(ParseBoolean("").has_value());
  EXPECT_EQ(BooleanText(true), "Yes");
}

TEST(ValueCodec, SplitList) {
  auto parts = SplitList("CRC32C,None");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "CRC32C");
  EXPECT_EQ(parts[1], "None");
  EXPECT_EQ(SplitList("").size(), 1u);
  EXPECT_EQ(SplitList(",,").size(), 3u);
}

TEST(ValueCodec, DecodeHex) {
  auto r = DecodeBinary("0x00ffA5", 16);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value(), (std::vector<uint8_t>{0x00, 0xff, 0xa5}));
  EXPECT_TRUE(DecodeBinary("0X0a", 16).ok());
}

TEST(ValueCodec, DecodeHexErrors) {
  auto odd = DecodeBinary("0xabc", 16);
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().find("odd"), std::string::npos) << odd.error();
  auto nonhex = DecodeBinary("0xabzz", 16);
  ASSERT_FALSE(nonhex.ok());
  EXPECT_NE(nonhex.error().find("non-hex"), std::string::npos) << nonhex.error();
  EXPECT_FALSE(DecodeBinary("0x", 16).ok());
  EXPECT_FALSE(DecodeBinary("abcd", 16).ok());
  EXPECT_FALSE(DecodeBinary("1234", 16).ok());
}

TEST(ValueCodec, DecodeChecksLengthBeforeDecoding) {
  // 3 bytes allowed: 4 bytes of hex fails on length even though the digits are garbage.
  auto r = DecodeBinary("0xzzzzzzzz", 3);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("more than 3"), std::string::npos) << r.error();
  EXPECT_TRUE(DecodeBinary("0x" + std::string(2048, 'a'), 1024).ok());
  EXPECT_FALSE(DecodeBinary("0x" + std::string(2050, 'a'), 1024).ok());
}

TEST(ValueCodec, DecodeBase64) {
  auto r = DecodeBinary("0bAAECAw==", 16);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value(), (std::vector<uint8_t>{0, 1, 2, 3}));
  auto two = DecodeBinary("0BAAEC", 16);
  ASSERT_TRUE(two.ok()) << two.error();
  EXPECT_EQ(two.value(), (std::vector<uint8_t>{0, 1, 2}));
  auto pad1 = DecodeBinary("0b+/8=", 16);
  ASSERT_TRUE(pad1.ok()) << pad1.error();
  EXPECT_EQ(pad1.value(), (std::vector<uint8_t>{0xfb, 0xff}));
}

TEST(ValueCodec, DecodeBase64Errors) {
  EXPECT_FALSE(DecodeBinary("0bAAE", 16).ok());   // not a multiple of 4
  EXPECT_FALSE(DecodeBinary("0bA=AA", 16).ok());  // not a multiple of 4
  EXPECT_FALSE(DecodeBinary("0bA=A=", 16).ok());  // '=' inside
  EXPECT_FALSE(DecodeBinary("0b====", 16).ok());
  EXPECT_FALSE(DecodeBinary("0bAA!A", 16).ok());
  EXPECT_FALSE(DecodeBinary("0b", 16).ok());
  EXPECT_FALSE(DecodeBinary("0bAAAAAAAA", 5).ok());  // 6 bytes > 5
  EXPECT_TRUE(DecodeBinary("0bAAAAAA==", 4).ok());   // 4 bytes
}

TEST(ValueCodec, EncodeHexIsLowercaseWithPrefix) {
  std::vector<uint8_t> bytes = {0x00, 0xab, 0xff};
  EXPECT_EQ(EncodeHex(bytes), "0x00abff");
}

TEST(ValueCodec, PrintableEscapesAndTruncates) {
  EXPECT_EQ(Printable("a\x01"
                      "b"),
            "a\\x01b");
  EXPECT_EQ(Printable(std::string(100, 'x'), 10), std::string(10, 'x') + "...");
}

}  // namespace
}  // namespace reftarget::iscsi::login
