#include "target/iscsi/login/text_keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reftarget::iscsi::login {
namespace {

Result<std::vector<KeyValue>> Parse(const std::string& text) {
  return ParseTextKeys(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string Pair(const std::string& key, const std::string& value) {
  return key + "=" + value + std::string(1, '\0');
}

TEST(TextKeys, ParsesPairsInOrder) {
  auto r = Parse(Pair("InitiatorName", "iqn.1993-08.org.debian:01:abc") +
                 Pair("HeaderDigest", "None") + Pair("MaxRecvDataSegmentLength", "262144"));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0].key, "InitiatorName");
  EXPECT_EQ(r.value()[0].value, "iqn.1993-08.org.debian:01:abc");
  EXPECT_EQ(r.value()[2].key, "MaxRecvDataSegmentLength");
  EXPECT_EQ(r.value()[2].value, "262144");
}

TEST(TextKeys, EmptyInputHasNoPairs) {
  auto r = Parse("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
}

TEST(TextKeys, ValueMayBeEmptyOrContainEquals) {
  auto r = Parse(Pair("TargetAlias", "") + Pair("X-com.example.k", "a=b=c"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value()[0].value, "");
  EXPECT_EQ(r.value()[1].value, "a=b=c");
}

TEST(TextKeys, ToleratesTrailingPaddingZeros) {
  auto r = Parse(Pair("HeaderDigest", "None") + std::string(3, '\0'));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().size(), 1u);
  EXPECT_TRUE(Parse(std::string(4, '\0')).ok());
}

TEST(TextKeys, EmptyPairBeforeMoreTextFails) {
  auto r = Parse(Pair("HeaderDigest", "None") + std::string(1, '\0') + Pair("DataDigest", "None"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("pair 1"), std::string::npos) << r.error();
}

TEST(TextKeys, MissingEqualsFails) {
  std::string text = Pair("HeaderDigest", "None") + "DataDigestNone" + std::string(1, '\0');
  auto r = Parse(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("pair 1"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("no '='"), std::string::npos) << r.error();
}

TEST(TextKeys, EmptyKeyFails) {
  auto r = Parse(Pair("", "x"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("empty key"), std::string::npos) << r.error();
}

TEST(TextKeys, KeyOf63BytesIsAcceptedAnd64Rejected) {
  EXPECT_TRUE(Parse(Pair("K" + std::string(62, 'a'), "1")).ok());
  auto r = Parse(Pair("K" + std::string(63, 'a'), "1"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("64 bytes"), std::string::npos) << r.error();
}

TEST(TextKeys, KeyCharacterSet) {
  EXPECT_TRUE(Parse(Pair("X-com.example+key@v_1", "1")).ok());
  EXPECT_TRUE(Parse(Pair("X#ext", "1")).ok());
  // Lowercase starts are not standard-labels but are left to the negotiator (NotUnderstood).
  EXPECT_TRUE(Parse(Pair("a", "b")).ok());
  for (std::string bad : {"Key Name", "Key\x01", "Key/x", "Key:x", "K\xc3\xa9y", "Key,x"}) {
    auto r = Parse(Pair(bad, "1"));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().find("invalid character"), std::string::npos) << r.error();
  }
}

TEST(TextKeys, SimpleValueLimitIs255Bytes) {
  EXPECT_TRUE(Parse(Pair("TargetAlias", std::string(255, 'v'))).ok());
  auto r = Parse(Pair("TargetAlias", std::string(256, 'v')));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("TargetAlias"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("256 bytes"), std::string::npos) << r.error();
  // Unknown keys get the default limit too.
  EXPECT_FALSE(Parse(Pair("Unknown", std::string(256, 'v'))).ok());
}

TEST(TextKeys, IscsiNameLimitIs223Bytes) {
  for (std::string key : {"InitiatorName", "TargetName"}) {
    EXPECT_TRUE(Parse(Pair(key, std::string(223, 'n'))).ok()) << key;
    EXPECT_FALSE(Parse(Pair(key, std::string(224, 'n'))).ok()) << key;
  }
}

TEST(TextKeys, ListElementsAreEachLimitedTo255Bytes) {
  std::string element(255, 'a');
  EXPECT_TRUE(Parse(Pair("HeaderDigest", element + "," + element)).ok());
  EXPECT_FALSE(Parse(Pair("HeaderDigest", element + "a,None")).ok());
  EXPECT_EQ(MaxValueLength("AuthMethod"), kMaxListValueLength);
  EXPECT_FALSE(Parse(Pair("AuthMethod", std::string(kMaxListValueLength + 1, ','))).ok());
}

TEST(TextKeys, ChapBinaryKeysAllowLongEncodingsForTheAuthenticatorToJudge) {
  std::string hex = "0x" + std::string(kMaxChapBinaryEncodedLength - 2, 'a');
  EXPECT_TRUE(Parse(Pair("CHAP_R", hex)).ok());
  EXPECT_TRUE(Parse(Pair("CHAP_C", hex)).ok());
  EXPECT_FALSE(Parse(Pair("CHAP_R", hex + "a")).ok());
  EXPECT_FALSE(Parse(Pair("CHAP_N", std::string(256, 'n'))).ok());
}

TEST(TextKeys, LastPairWithoutNulFails) {
  auto r = Parse(Pair("HeaderDigest", "None") + "DataDigest=None");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("pair 1"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("not NUL-terminated"), std::string::npos) << r.error();
}

TEST(TextKeys, FullSegmentWithoutNulFailsWithinBounds) {
  // T01: 8189..8192 bytes of key text and no NUL.
  for (size_t n = 8189; n <= 8192; ++n) {
    std::string text = "K=" + std::string(n - 2, 'v');
    auto r = Parse(text);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_LT(r.error().size(), 200u);
  }
}

TEST(TextKeys, ErrorsDoNotEchoControlBytes) {
  auto r = Parse(std::string("Bad\x1b[31m") + std::string(1, '\0'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().find('\x1b'), std::string::npos) << r.error();
}

TEST(TextKeys, EncodeRoundTrips) {
  std::vector<KeyValue> keys = {{"HeaderDigest", "CRC32C"}, {"TargetAlias", ""}, {"A", "b=c"}};
  std::string encoded = EncodeTextKeys(keys);
  EXPECT_EQ(encoded.size(), EncodedSize(keys));
  EXPECT_EQ(encoded, std::string("HeaderDigest=CRC32C\0TargetAlias=\0A=b=c\0", 39));
  auto r = Parse(encoded);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[2].value, "b=c");
}

TEST(TextKeys, AppendTextKeyAddsOneTerminatedPair) {
  std::string out = "x";
  AppendTextKey(&out, "MaxRecvDataSegmentLength", "8192");
  EXPECT_EQ(out, std::string("xMaxRecvDataSegmentLength=8192\0", 31));
}

}  // namespace
}  // namespace reftarget::iscsi::login
