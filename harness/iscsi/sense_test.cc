#include "harness/iscsi/sense.h"

#include <gtest/gtest.h>

#include <vector>

namespace harness::iscsi {
namespace {

// SPC-4 Table 45: fixed format, ILLEGAL REQUEST, INVALID FIELD IN CDB, SKSV with C/D=1,
// field pointer byte 2.
const std::vector<uint8_t> kFixedInvalidField = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0,
                                                 0x24, 0x00, 0, 0xc0, 0x00, 0x02};

TEST(SenseTest, FixedFormat) {
  DecodedSense d = DecodeSense(kFixedInvalidField);
  EXPECT_EQ(d.format, SenseFormat::kFixed);
  EXPECT_FALSE(d.deferred);
  EXPECT_TRUE(d.complete);
  EXPECT_FALSE(d.truncated);
  EXPECT_EQ(d.key, 0x05);
  EXPECT_EQ(d.asc, 0x24);
  EXPECT_EQ(d.ascq, 0x00);
  ASSERT_TRUE(d.FieldPointer().has_value());
  EXPECT_EQ(*d.FieldPointer(), 2);
  EXPECT_TRUE(d.FieldInCdb());
  EXPECT_EQ(d.Triple(), "05/24/00");
  EXPECT_EQ(d.Describe(),
            "05/24/00 ILLEGAL REQUEST: INVALID FIELD IN CDB (field pointer: CDB byte 2)");
}

TEST(SenseTest, FixedDeferredWithInformation) {
  std::vector<uint8_t> s = {0xf1, 0, 0x03, 0, 0, 0x12, 0x34, 0x0a, 0, 0, 0, 0, 0x11, 0x00};
  DecodedSense d = DecodeSense(s);
  EXPECT_TRUE(d.deferred);
  EXPECT_EQ(d.response_code, 0x71);
  EXPECT_EQ(d.Triple(), "03/11/00");
  ASSERT_TRUE(d.information.has_value());
  EXPECT_EQ(*d.information, 0x1234u);
  EXPECT_TRUE(d.truncated);  // ADDITIONAL SENSE LENGTH 10 claims 18 bytes, 14 present
  EXPECT_TRUE(d.complete);
}

TEST(SenseTest, DescriptorFormat) {
  // SPC-4 Table 26 + Information descriptor (00h, len 0Ah) + sense key specific (02h).
  std::vector<uint8_t> s = {0x72, 0x05, 0x21, 0x00, 0, 0, 0, 20,
                            0x00, 0x0a, 0x80, 0,    0, 0, 0, 0, 0, 0, 0x10, 0x00,
                            0x02, 0x06, 0,    0,    0xc0, 0x00, 0x03, 0};
  DecodedSense d = DecodeSense(s);
  EXPECT_EQ(d.format, SenseFormat::kDescriptor);
  EXPECT_EQ(d.Triple(), "05/21/00");
  ASSERT_TRUE(d.information.has_value());
  EXPECT_EQ(*d.information, 0x1000u);
  ASSERT_TRUE(d.FieldPointer().has_value());
  EXPECT_EQ(*d.FieldPointer(), 3);
  EXPECT_FALSE(d.truncated);
  EXPECT_NE(d.Describe().find("[descriptor format]"), std::string::npos);
}

TEST(SenseTest, DescriptorDeferredShortHeader) {
  std::vector<uint8_t> s = {0x73, 0x06, 0x29, 0x00};
  DecodedSense d = DecodeSense(s);
  EXPECT_TRUE(d.deferred);
  EXPECT_TRUE(d.complete);
  EXPECT_TRUE(d.truncated);
  EXPECT_EQ(d.Triple(), "06/29/00");
}

TEST(SenseTest, TruncatedInsideDescriptorIsSafe) {
  // A descriptor whose ADDITIONAL LENGTH runs past the buffer is not read.
  std::vector<uint8_t> s = {0x72, 0x05, 0x24, 0x00, 0, 0, 0, 40, 0x00, 0x0a, 0x80};
  DecodedSense d = DecodeSense(s);
  EXPECT_TRUE(d.truncated);
  EXPECT_FALSE(d.information.has_value());
  EXPECT_EQ(d.Triple(), "05/24/00");
}

TEST(SenseTest, ShortFixedBuffers) {
  EXPECT_EQ(DecodeSense({}).format, SenseFormat::kNone);
  EXPECT_EQ(DecodeSense({}).Triple(), "no sense data");
  std::vector<uint8_t> one = {0x70};
  DecodedSense d1 = DecodeSense(one);
  EXPECT_FALSE(d1.has_key);
  EXPECT_TRUE(d1.truncated);
  EXPECT_EQ(d1.Triple(), "sense too short for a key");
  std::vector<uint8_t> three = {0x70, 0, 0x06};
  DecodedSense d3 = DecodeSense(three);
  EXPECT_TRUE(d3.has_key);
  EXPECT_FALSE(d3.complete);
  EXPECT_EQ(d3.Triple(), "key 06 (no ASC/ASCQ)");
  // ADDITIONAL SENSE LENGTH 4 ends the sense before ASC even though bytes follow.
  std::vector<uint8_t> cut = {0x70, 0, 0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0x24, 0};
  DecodedSense dc = DecodeSense(cut);
  EXPECT_FALSE(dc.complete);
  EXPECT_EQ(dc.asc, 0);
}

TEST(SenseTest, UnknownResponseCode) {
  std::vector<uint8_t> s = {0x7f, 0, 5};
  DecodedSense d = DecodeSense(s);
  EXPECT_EQ(d.format, SenseFormat::kUnknown);
  EXPECT_FALSE(d.has_key);
  EXPECT_EQ(d.Triple(), "unknown sense format 0x7f");
}

TEST(SenseTest, Names) {
  EXPECT_EQ(SenseKeyName(0x5), "ILLEGAL REQUEST");
  EXPECT_EQ(SenseKeyName(0xf), "KEY 0x0f");
  EXPECT_EQ(AscName(0x21, 0x00), "LOGICAL BLOCK ADDRESS OUT OF RANGE");
  EXPECT_EQ(AscName(0x99, 0x99), "");
  EXPECT_EQ(ScsiStatusName(0x18), "RESERVATION CONFLICT");
  EXPECT_EQ(ScsiStatusName(0x77), "status 0x77");
}

}  // namespace
}  // namespace harness::iscsi
