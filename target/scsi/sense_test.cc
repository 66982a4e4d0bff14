// Sense data encoding (SPC-4 sense data): exact bytes of fixed and descriptor formats.
#include "target/scsi/sense.h"

#include <gtest/gtest.h>

#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using testing::ParseSense;

TEST(SenseTest, TableCodes) {
  struct Row {
    SenseReason reason;
    uint8_t key, asc, ascq;
  };
  const Row rows[] = {
      {SenseReason::kInvalidCommandOperationCode, 0x05, 0x20, 0x00},
      {SenseReason::kInvalidFieldInCdb, 0x05, 0x24, 0x00},
      {SenseReason::kInvalidFieldInParameterList, 0x05, 0x26, 0x00},
      {SenseReason::kParameterListLengthError, 0x05, 0x1A, 0x00},
      {SenseReason::kLbaOutOfRange, 0x05, 0x21, 0x00},
      {SenseReason::kLogicalUnitNotSupported, 0x05, 0x25, 0x00},
      {SenseReason::kSavingParametersNotSupported, 0x05, 0x39, 0x00},
      {SenseReason::kInvalidFieldInCommandIu, 0x05, 0x0E, 0x03},
      {SenseReason::kWriteProtected, 0x07, 0x27, 0x00},
      {SenseReason::kSpaceAllocationFailed, 0x07, 0x27, 0x07},
      {SenseReason::kProtocolServiceCrcError, 0x0B, 0x47, 0x05},
      {SenseReason::kUnexpectedUnsolicitedData, 0x0B, 0x0C, 0x0C},
      {SenseReason::kNotEnoughUnsolicitedData, 0x0B, 0x0C, 0x0D},
      {SenseReason::kDataPhaseError, 0x0B, 0x4B, 0x00},
      {SenseReason::kUnrecoveredReadError, 0x03, 0x11, 0x00},
      {SenseReason::kWriteError, 0x03, 0x0C, 0x00},
      {SenseReason::kInternalTargetFailure, 0x04, 0x44, 0x00},
      {SenseReason::kMiscompareDuringVerify, 0x0E, 0x1D, 0x00},
      {SenseReason::kPowerOnResetOccurred, 0x06, 0x29, 0x00},
      {SenseReason::kBusDeviceResetOccurred, 0x06, 0x29, 0x03},
      {SenseReason::kItNexusLoss, 0x06, 0x29, 0x07},
      {SenseReason::kModeParametersChanged, 0x06, 0x2A, 0x01},
      {SenseReason::kCapacityDataChanged, 0x06, 0x2A, 0x09},
      {SenseReason::kReportedLunsDataChanged, 0x06, 0x3F, 0x0E},
  };
  for (const Row& r : rows) {
    SenseCode c = SenseCodeOf(r.reason);
    EXPECT_EQ(c.key, r.key) << SenseReasonName(r.reason);
    EXPECT_EQ(c.asc, r.asc) << SenseReasonName(r.reason);
    EXPECT_EQ(c.ascq, r.ascq) << SenseReasonName(r.reason);
  }
}

TEST(SenseTest, FixedFormatBytes) {
  std::vector<uint8_t> s = BuildSense(SenseReason::kLbaOutOfRange, false);
  const std::vector<uint8_t> want = {0x70, 0, 0x05, 0,    0,    0, 0, 10, 0,
                                     0,    0, 0,    0x21, 0x00, 0, 0, 0,  0};
  EXPECT_EQ(s, want);
}

TEST(SenseTest, FixedFormatFieldPointer) {
  std::vector<uint8_t> s =
      BuildSense(SenseReason::kInvalidFieldInCdb, false, SenseDetail{FieldPointer{1, 7, true}, {}});
  ASSERT_EQ(s.size(), 18u);
  EXPECT_EQ(s[2], 0x05);
  EXPECT_EQ(s[12], 0x24);
  EXPECT_EQ(s[15], 0x80 | 0x40 | 0x08 | 7);  // SKSV, C/D, BPV, bit 7
  EXPECT_EQ(s[16], 0x00);
  EXPECT_EQ(s[17], 0x01);
}

TEST(SenseTest, FixedFormatParameterListPointerHasNoCd) {
  std::vector<uint8_t> s = BuildSense(SenseReason::kInvalidFieldInParameterList, false,
                                      SenseDetail{FieldPointer{0x123, -1, false}, {}});
  EXPECT_EQ(s[15], 0x80);
  EXPECT_EQ(s[16], 0x01);
  EXPECT_EQ(s[17], 0x23);
}

TEST(SenseTest, FixedFormatInformation) {
  std::vector<uint8_t> s =
      BuildSense(SenseReason::kMiscompareDuringVerify, false, SenseDetail{{}, 0x01020304});
  EXPECT_EQ(s[0], 0xF0);  // VALID | 70h
  EXPECT_EQ(s[2], 0x0E);
  EXPECT_EQ(s[3], 0x01);
  EXPECT_EQ(s[6], 0x04);
  EXPECT_EQ(s[12], 0x1D);
  // Field pointers only apply to ILLEGAL REQUEST.
  EXPECT_EQ(s[15], 0x00);
}

TEST(SenseTest, FixedFormatInformationTooWideIsNotValid) {
  std::vector<uint8_t> s =
      BuildSense(SenseReason::kMiscompareDuringVerify, false, SenseDetail{{}, 1ull << 40});
  EXPECT_EQ(s[0], 0x70);
}

TEST(SenseTest, DescriptorFormatBytes) {
  std::vector<uint8_t> s = BuildSense(SenseReason::kWriteProtected, true);
  const std::vector<uint8_t> want = {0x72, 0x07, 0x27, 0x00, 0, 0, 0, 0};
  EXPECT_EQ(s, want);
}

TEST(SenseTest, DescriptorFormatWithDescriptors) {
  std::vector<uint8_t> s =
      BuildSense(SenseReason::kInvalidFieldInCdb, true, SenseDetail{FieldPointer{2, -1, true}, 7});
  ASSERT_EQ(s.size(), 8u + 12u + 8u);
  EXPECT_EQ(s[7], 20);
  // Information descriptor.
  EXPECT_EQ(s[8], 0x00);
  EXPECT_EQ(s[9], 0x0A);
  EXPECT_EQ(s[10], 0x80);
  EXPECT_EQ(s[19], 7);
  // Sense key specific descriptor.
  EXPECT_EQ(s[20], 0x02);
  EXPECT_EQ(s[21], 0x06);
  EXPECT_EQ(s[24], 0xC0);
  EXPECT_EQ(s[26], 0x02);
  testing::Sense p = ParseSense(s);
  EXPECT_TRUE(p.descriptor);
  EXPECT_EQ(p.key, 0x05);
  EXPECT_EQ(p.asc, 0x24);
  EXPECT_TRUE(p.sksv);
  EXPECT_TRUE(p.cd);
  EXPECT_EQ(p.field_pointer, 2);
  EXPECT_TRUE(p.valid_information);
  EXPECT_EQ(p.information, 7u);
}

}  // namespace
}  // namespace reftarget::scsi
