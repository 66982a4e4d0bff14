#include "harness/expect/check.h"

#include <gtest/gtest.h>

#include "harness/iscsi/sense.h"

namespace harness::expect {
namespace {

CommandResult LbaOutOfRangeResult() {
  CommandResult r;
  r.outcome = Outcome::kCompleted;
  r.status = iscsi::scsi_status::kCheckCondition;
  r.cdb = iscsi::cdb::Read16(0xffffffff, 1);
  r.lun = 1;
  r.expected_length = 512;
  r.sense = {0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x21, 0x00, 0, 0, 0, 0};
  r.decoded = iscsi::DecodeSense(r.sense);
  return r;
}

TEST(CheckTest, PassMessage) {
  Verdict v = Check(LbaOutOfRangeResult(), Expect::LbaOutOfRange(), "SBC-3 §5.13 READ(16) past EOL");
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.message.rfind("PASS: SBC-3 §5.13 READ(16) past EOL\n", 0), 0u) << v.message;
}

TEST(CheckTest, FailMessageHasEveryFact) {
  Verdict v = Check(LbaOutOfRangeResult(), Expect::InvalidFieldInCdb(), "SPC-4 §4.5.6 clause");
  EXPECT_FALSE(v.ok);
  const std::string& m = v.message;
  EXPECT_EQ(m.rfind("FAIL: SPC-4 §4.5.6 clause\n", 0), 0u) << m;
  EXPECT_NE(m.find("command:  READ(16) to LUN 1, CDB [88 00 00 00 00 00 ff ff ff ff 00 00 00 01 00 00], EDTL 512"),
            std::string::npos) << m;
  EXPECT_NE(m.find("expected: CHECK CONDITION 05/24/00 (INVALID FIELD IN CDB)"), std::string::npos) << m;
  EXPECT_NE(m.find("got:      CHECK CONDITION 05/21/00 ILLEGAL REQUEST: LOGICAL BLOCK ADDRESS OUT OF RANGE"),
            std::string::npos) << m;
  EXPECT_NE(m.find("sense:    70 00 05 00 00 00 00 0a 00 00 00 00 21 00 00 00 00 00"), std::string::npos) << m;
  EXPECT_EQ(v.clause, "SPC-4 §4.5.6 clause");
  EXPECT_EQ(v.cdb_hex, "88 00 00 00 00 00 ff ff ff ff 00 00 00 01 00 00");
  EXPECT_EQ(v.expected, "CHECK CONDITION 05/24/00 (INVALID FIELD IN CDB)");
}

TEST(CheckTest, NonCompletedOutcomes) {
  CommandResult r;
  r.outcome = Outcome::kTimeout;
  r.cdb = iscsi::cdb::TestUnitReady();
  r.error = "no response within 100 ms";
  Verdict v = Check(r, Expect::Good(), "clause");
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.message.find("got:      timeout (no response within 100 ms)"), std::string::npos)
      << v.message;
  EXPECT_EQ(v.message.find("sense:"), std::string::npos);
}

TEST(CheckTest, ResidualIsReported) {
  CommandResult r;
  r.outcome = Outcome::kCompleted;
  r.cdb = iscsi::cdb::Read10(0, 1);
  r.residual = {iscsi::Residual::Kind::kOverflow, 256};
  Verdict v = Check(r, Expect::Good(), "c");
  EXPECT_TRUE(v.ok);
  EXPECT_NE(v.message.find("residual: overflow 256"), std::string::npos) << v.message;
}

}  // namespace
}  // namespace harness::expect
