#include "harness/expect/expectation.h"

#include <gtest/gtest.h>

#include "harness/iscsi/sense.h"

namespace harness::expect {
namespace {

using iscsi::DecodeSense;

CommandResult CheckCondition(std::vector<uint8_t> sense) {
  CommandResult r;
  r.outcome = Outcome::kCompleted;
  r.status = iscsi::scsi_status::kCheckCondition;
  r.sense = std::move(sense);
  r.decoded = DecodeSense(r.sense);
  return r;
}

std::vector<uint8_t> Fixed(uint8_t key, uint8_t asc, uint8_t ascq) {
  return {0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0};
}

std::vector<uint8_t> Descriptor(uint8_t key, uint8_t asc, uint8_t ascq) {
  return {0x72, key, asc, ascq, 0, 0, 0, 0};
}

CommandResult Good() {
  CommandResult r;
  r.outcome = Outcome::kCompleted;
  r.status = iscsi::scsi_status::kGood;
  return r;
}

TEST(ExpectationTest, GoodMatchesOnlyGood) {
  EXPECT_TRUE(Expect::Good().Matches(Good()));
  EXPECT_FALSE(Expect::Good().Matches(CheckCondition(Fixed(5, 0x24, 0))));
  CommandResult timeout;
  timeout.outcome = Outcome::kTimeout;
  EXPECT_FALSE(Expect::Good().Matches(timeout));
  EXPECT_TRUE(Expect::TimedOut().Matches(timeout));
}

TEST(ExpectationTest, NamedSenseInBothFormats) {
  EXPECT_TRUE(Expect::LbaOutOfRange().Matches(CheckCondition(Fixed(5, 0x21, 0))));
  EXPECT_TRUE(Expect::LbaOutOfRange().Matches(CheckCondition(Descriptor(5, 0x21, 0))));
  EXPECT_FALSE(Expect::LbaOutOfRange().Matches(CheckCondition(Fixed(5, 0x24, 0))));
  EXPECT_FALSE(Expect::LbaOutOfRange().Matches(CheckCondition(Fixed(6, 0x21, 0))));
  EXPECT_TRUE(Expect::InvalidFieldInCdb().Matches(CheckCondition(Fixed(5, 0x24, 0))));
  EXPECT_TRUE(Expect::InvalidOpcode().Matches(CheckCondition(Fixed(5, 0x20, 0))));
  EXPECT_TRUE(Expect::LunNotSupported().Matches(CheckCondition(Fixed(5, 0x25, 0))));
  EXPECT_TRUE(Expect::UnrecoveredReadError().Matches(CheckCondition(Fixed(3, 0x11, 0))));
  EXPECT_TRUE(Expect::WriteError().Matches(CheckCondition(Fixed(3, 0x0c, 0))));
  EXPECT_TRUE(Expect::SpaceAllocationFailed().Matches(CheckCondition(Fixed(7, 0x27, 7))));
  EXPECT_TRUE(Expect::MiscompareDuringVerify().Matches(CheckCondition(Fixed(0xe, 0x1d, 0))));
  EXPECT_TRUE(Expect::UnitAttention(0x29, 0x00).Matches(CheckCondition(Fixed(6, 0x29, 0))));
  EXPECT_FALSE(Expect::UnitAttention(0x29, 0x00).Matches(CheckCondition(Fixed(6, 0x29, 7))));
  EXPECT_TRUE(Expect::AnyUnitAttention().Matches(CheckCondition(Fixed(6, 0x3f, 0x0e))));
}

TEST(ExpectationTest, WriteProtectedAcceptsTheSpecificCodesButNotSpaceAllocation) {
  for (uint8_t q = 0; q <= 6; ++q) {
    EXPECT_TRUE(Expect::WriteProtected().Matches(CheckCondition(Fixed(7, 0x27, q)))) << int(q);
  }
  EXPECT_FALSE(Expect::WriteProtected().Matches(CheckCondition(Fixed(7, 0x27, 7))));
  EXPECT_FALSE(Expect::WriteProtected().Matches(CheckCondition(Fixed(5, 0x27, 0))));
}

TEST(ExpectationTest, StatusOnlyExpectations) {
  CommandResult r = Good();
  r.status = iscsi::scsi_status::kReservationConflict;
  EXPECT_TRUE(Expect::ReservationConflict().Matches(r));
  r.status = iscsi::scsi_status::kTaskAborted;
  EXPECT_TRUE(Expect::TaskAborted().Matches(r));
  r.status = iscsi::scsi_status::kBusy;
  EXPECT_TRUE(Expect::Busy().Matches(r));
  EXPECT_FALSE(Expect::TaskSetFull().Matches(r));
}

TEST(ExpectationTest, AnyOfAndOr) {
  Expectation e = AnyOf({Expect::Good(), Expect::InvalidFieldInCdb()});
  EXPECT_TRUE(e.Matches(Good()));
  EXPECT_TRUE(e.Matches(CheckCondition(Fixed(5, 0x24, 0))));
  EXPECT_FALSE(e.Matches(CheckCondition(Fixed(5, 0x20, 0))));
  EXPECT_EQ(e.alternatives().size(), 2u);
  EXPECT_TRUE(Expect::LbaOutOfRange().Or(Expect::InvalidFieldInCdb())
                  .Matches(CheckCondition(Fixed(5, 0x24, 0))));
  EXPECT_FALSE(Expectation().Matches(Good()));
}

TEST(ExpectationTest, AnyAscqWildcard) {
  Expectation e = Expect::CheckCondition(7, {SenseCode{0x27, 0, true}}, "27/xx");
  EXPECT_TRUE(e.Matches(CheckCondition(Fixed(7, 0x27, 0x42))));
  EXPECT_NE(e.Describe().find("27/xx"), std::string::npos);
}

TEST(ExpectationTest, IncompleteSenseDoesNotMatchAnAscCheck) {
  EXPECT_FALSE(Expect::LbaOutOfRange().Matches(CheckCondition({0x70, 0, 5})));
  EXPECT_FALSE(Expect::LbaOutOfRange().Matches(CheckCondition({})));
  // A key-only expectation is met by a key without ASC/ASCQ.
  EXPECT_TRUE(Expect::CheckCondition(5).Matches(CheckCondition({0x70, 0, 5})));
}

TEST(ExpectationTest, Describe) {
  EXPECT_EQ(Expect::Good().Describe(), "GOOD");
  EXPECT_EQ(Expect::LbaOutOfRange().Describe(),
            "CHECK CONDITION 05/21/00 (LOGICAL BLOCK ADDRESS OUT OF RANGE)");
  EXPECT_EQ(Expect::Good().Or(Expect::TimedOut()).Describe(), "GOOD or timeout");
  EXPECT_EQ(Expect::AnyUnitAttention().Describe(), "CHECK CONDITION 06/any (any UNIT ATTENTION)");
}

}  // namespace
}  // namespace harness::expect
