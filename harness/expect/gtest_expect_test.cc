#include "harness/expect/gtest_expect.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "harness/iscsi/sense.h"

namespace harness::expect {
namespace {

CommandResult InvalidFieldResult() {
  CommandResult r;
  r.outcome = Outcome::kCompleted;
  r.status = iscsi::scsi_status::kCheckCondition;
  r.cdb = iscsi::cdb::Inquiry(false, 1, 96);
  r.sense = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x24, 0x00, 0, 0, 0, 0};
  r.decoded = iscsi::DecodeSense(r.sense);
  return r;
}

TEST(GtestExpectTest, PassingCheckAddsNoFailureAndRecordsProperties) {
  EXPECT_TRUE(EXPECT_SCSI(InvalidFieldResult(), Expect::InvalidFieldInCdb(),
                          "SPC-4 §6.6: PAGE CODE without EVPD"));
}

TEST(GtestExpectTest, FailingCheckReportsTheMessage) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_SCSI(InvalidFieldResult(), Expect::Good(), "SPC-4 §6.6 clause"),
      "got:      CHECK CONDITION 05/24/00 ILLEGAL REQUEST: INVALID FIELD IN CDB");
}

bool g_reached_end = false;

void AssertingHelper() {
  ASSERT_SCSI(InvalidFieldResult(), Expect::Good(), "fatal clause");
  g_reached_end = true;
}

TEST(GtestExpectTest, AssertStopsTheFunction) {
  g_reached_end = false;
  EXPECT_FATAL_FAILURE(AssertingHelper(), "FAIL: fatal clause");
  EXPECT_FALSE(g_reached_end);
}

}  // namespace
}  // namespace harness::expect
