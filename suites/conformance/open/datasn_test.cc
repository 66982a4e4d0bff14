// Data sequencing and residuals (RFC 7143 §4.2.5, §11.7 Data-Out/Data-In (DataSN, Buffer
// Offset, F and S bits), §13.18 DataPDUInOrder, §11.4.5.1 residuals, §11.4.7.2 iSCSI sense;
// TEST-PLAN S3, S6, T17, T18): a broken Data-Out sequence fails the task without touching the
// medium, Data-In arrives in order with the status only in the last PDU, and residual
// overflow / underflow are reported.
#include <gtest/gtest.h>

#include <string>

#include "harness/expect/gtest_expect.h"
#include "harness/iscsi/session.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"
#include "suites/conformance/open/writable_lun_fixture.h"

namespace conformance {
namespace {

using harness::expect::Expect;

class DataSnBase : protected WritableLunFixture {
 protected:
  bool Open(const TargetUnderTest& t, const std::string& tag, const KeyValues& keys) {
    if (!BindWritableLun(t, tag)) return false;
    std::string err;
    client_ = RawClient::Open(t, initiator_, keys, &err);
    if (!client_ || !client_->ClearUnitAttentions(lun_no_, &err)) {
      ADD_FAILURE() << err;
      return false;
    }
    return true;
  }

  RawCommand Rw(uint8_t opcode, uint64_t lba, uint32_t blocks) const {
    RawCommand c;
    c.lun = lun_no_;
    c.cdb.assign(16, 0);
    c.cdb[0] = opcode;
    for (int i = 0; i < 8; ++i) c.cdb[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
    for (int i = 0; i < 4; ++i) c.cdb[10 + i] = static_cast<uint8_t>(blocks >> (24 - 8 * i));
    return c;
  }

  // The task failed (RFC 7143 §4.2.5, TEST-PLAN S3): a non-GOOD SCSI Response (possibly after
  // a Reject), or the connection closed (session recovery at ERL 0). Never GOOD, never a hang.
  void ExpectTaskFailed(const RawOutcome& r) {
    ::testing::Test::RecordProperty("outcome", r.Describe());
    if (r.closed) return;
    ASSERT_FALSE(r.timed_out) << "the task neither ended nor was the connection closed: "
                              << r.Describe();
    ASSERT_TRUE(r.completed) << r.Describe();
    EXPECT_NE(r.status, 0) << "the target accepted the broken Data-Out sequence: " << r.Describe();
    for (const Pdu& reject : r.rejects) {
      const uint8_t reason = reject.bhs[2];
      EXPECT_TRUE(reason == 0x04 || reason == 0x09)
          << "Reject reason 0x" << std::hex << int{reason} << " (04h protocol error or 09h invalid "
          << "PDU field)";
    }
  }

  std::unique_ptr<RawClient> client_;
};

class DataSn : public ::testing::Test, public DataSnBase {};

// Two solicited Data-Out PDUs whose DataSNs are rewritten.
struct DataSnCase {
  const char* name;
  uint32_t first;
  uint32_t second;
};

class DataSnInvalid : public ::testing::TestWithParam<DataSnCase>, public DataSnBase {};

TEST_P(DataSnInvalid, InvalidDataSnFailsTask) {
  const DataSnCase& d = GetParam();
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.7.5 (DataSN starts at 0 per R2T and increases by 1), §4.2.5");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "datasn", {{"ImmediateData", "No"}, {"InitialR2T", "Yes"}}));
  const uint64_t lba = 7000;
  const std::vector<uint8_t> before = Pattern(0xda7a, 2 * bs_);
  ASSERT_TRUE(client_->Write(lun_no_, lba, before, bs_).good());
  RawCommand w = Rw(0x8a, lba, 2);
  w.data_out = Pattern(0xbad5, 2 * bs_);
  w.max_data_pdu = bs_;  // two Data-Out PDUs for the one R2T
  w.rewrite_burst = [&](std::vector<Pdu>* burst) {
    if (burst->size() != 2) return;
    (*burst)[0].Set32(36, d.first);
    (*burst)[1].Set32(36, d.second);
  };
  RawOutcome r = client_->Execute(w);
  ASSERT_NO_FATAL_FAILURE(ExpectTaskFailed(r));
  ExpectContents(lba, before);
}

INSTANTIATE_TEST_SUITE_P(
    Sequences, DataSnInvalid,
    ::testing::Values(DataSnCase{"duplicate_0_0", 0, 0}, DataSnCase{"gap_0_27", 0, 27},
                      DataSnCase{"first_not_zero_1_2", 1, 2}, DataSnCase{"reversed_1_0", 1, 0},
                      DataSnCase{"minus_one_first", 0xffffffffu, 0}),
    [](const ::testing::TestParamInfo<DataSnCase>& info) { return info.param.name; });

TEST_F(DataSn, OverlappingBufferOffsetsFailTask) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.18 (DataPDUInOrder=Yes: increasing offsets, overlays forbidden)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "overlap", {{"ImmediateData", "No"}, {"InitialR2T", "Yes"}}));
  const uint64_t lba = 7010;
  const std::vector<uint8_t> before = Pattern(0x0e1a, 2 * bs_);
  ASSERT_TRUE(client_->Write(lun_no_, lba, before, bs_).good());
  RawCommand w = Rw(0x8a, lba, 2);
  w.data_out = Pattern(0xbad6, 2 * bs_);
  w.max_data_pdu = bs_;
  w.rewrite_burst = [](std::vector<Pdu>* burst) {
    if (burst->size() == 2) (*burst)[1].Set32(40, (*burst)[0].Get32(40));  // both at one offset
  };
  RawOutcome r = client_->Execute(w);
  ASSERT_NO_FATAL_FAILURE(ExpectTaskFailed(r));
  ExpectContents(lba, before);
}

TEST_F(DataSn, UnsolicitedDataBeyondFirstBurstFailsTask) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.14 (FirstBurstLength bounds unsolicited data), §11.4.7.2 (0C/0C)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "firstburst",
                   {{"ImmediateData", "No"}, {"InitialR2T", "No"}, {"FirstBurstLength", "512"}}));
  if (client_->negotiated().initial_r2t) {
    // InitialR2T is OR-negotiated: a target that requires R2Ts allows no unsolicited Data-Out.
    GTEST_SKIP() << "the target answered InitialR2T=Yes: it accepts no unsolicited Data-Out";
  }
  ASSERT_EQ(client_->negotiated().first_burst, 512u);
  const uint64_t lba = 7020;
  const std::vector<uint8_t> before = Pattern(0xf1b, 4 * bs_);
  ASSERT_TRUE(client_->Write(lun_no_, lba, before, bs_).good());
  RawCommand w = Rw(0x8a, lba, 4);
  w.data_out = Pattern(0xbad7, 4 * bs_);
  w.max_data_pdu = 512;
  w.rewrite_burst = [&](std::vector<Pdu>* burst) {
    if (burst->empty() || burst->front().Get32(20) != harness::rawpdu::kReservedTag) return;
    // One more unsolicited PDU past FirstBurstLength, carrying the F bit.
    Pdu extra = burst->back();
    extra.bhs[1] = 0x80;
    burst->back().bhs[1] = 0;
    extra.Set32(36, burst->back().Get32(36) + 1);
    extra.Set32(40, burst->back().Get32(40) + 512);
    extra.data.assign(w.data_out.begin() + 512, w.data_out.begin() + 1024);
    burst->push_back(extra);
  };
  RawOutcome r = client_->Execute(w);
  ASSERT_NO_FATAL_FAILURE(ExpectTaskFailed(r));
  if (r.completed && r.status == 0x02) {
    EXPECT_SCSI(r.ToCommandResult(w.cdb),
                Expect::CheckCondition(0x0b, {{0x0c, 0x0c}}, "UNEXPECTED UNSOLICITED DATA")
                    .Or(Expect::CheckCondition(0x0b, {}, "ABORTED COMMAND"))
                    .Or(Expect::InvalidFieldInCommandIu()),
                "RFC 7143 §11.4.7.2: ABORTED COMMAND 0Ch/0Ch");
  }
  ExpectContents(lba, before);
}

TEST_F(DataSn, DataInOrderedWithStatusInLastPdu) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §11.7.4-11.7.5 (Data-In DataSN and offsets in order; S only with F), §13.18");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "datain", {{"MaxRecvDataSegmentLength", "8192"}}));
  const uint64_t lba = 7100;
  const std::vector<uint8_t> data = Pattern(0xd1, 65536);
  ASSERT_TRUE(client_->Write(lun_no_, lba, data, bs_).good());
  RawOutcome r = client_->Read(lun_no_, lba, 65536 / bs_, bs_);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.violations.empty()) << r.Describe();
  EXPECT_GE(r.data_in_pdus, 8u) << "64 KiB in Data-In PDUs of at most 8192 bytes";
  EXPECT_EQ(r.data_in_bytes, 65536u);
  EXPECT_TRUE(r.data == data);
  // Nothing more for that task: no Data-In after the status, no second status.
  std::vector<Pdu> late;
  client_->Quiet(Ms(200), &late);
  for (const Pdu& p : late) EXPECT_NE(p.itt(), r.itt) << harness::rawpdu::OpcodeName(p.opcode());
}

TEST_F(DataSn, ResidualUnderflowOnRead) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.4.5.1 (U bit and Residual Count: less data than EDTL)");
  ASSERT_TRUE(Open(t, "underflow", {}));
  RawCommand c = Rw(0x88, 7200, 1);
  c.data_in_length = 2 * bs_;  // EDTL two blocks for a one-block READ
  RawOutcome r = client_->Execute(c);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_EQ(r.data_in_bytes, bs_);
  EXPECT_TRUE(r.underflow) << "U bit";
  EXPECT_FALSE(r.overflow);
  EXPECT_EQ(r.residual, bs_) << "Residual Count";
}

TEST_F(DataSn, ResidualOverflowOnRead) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.4.5.1 (O bit and Residual Count: more data than EDTL)");
  ASSERT_TRUE(Open(t, "overflow", {}));
  RawCommand c = Rw(0x88, 7200, 2);
  c.data_in_length = bs_;  // EDTL one block for a two-block READ
  RawOutcome r = client_->Execute(c);
  ASSERT_TRUE(r.good()) << r.Describe();
  EXPECT_TRUE(r.violations.empty()) << "no Data-In beyond EDTL: " << r.Describe();
  EXPECT_EQ(r.data_in_bytes, bs_);
  EXPECT_TRUE(r.overflow) << "O bit";
  EXPECT_FALSE(r.underflow);
  EXPECT_EQ(r.residual, bs_) << "Residual Count";
}

TEST_F(DataSn, ResidualOverflowOnWrite) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.4.5.1 (O bit on a WRITE shorter than its CDB), TEST-PLAN T18");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "wroverflow", {}));
  const uint64_t lba = 7300;
  const std::vector<uint8_t> before = Pattern(0x0f0, 2 * bs_);
  ASSERT_TRUE(client_->Write(lun_no_, lba, before, bs_).good());
  RawCommand c = Rw(0x8a, lba, 2);
  c.data_out = Pattern(0x0f1, bs_);  // EDTL one block for a two-block WRITE
  RawOutcome r = client_->Execute(c);
  ASSERT_TRUE(r.completed) << r.Describe();
  if (r.status == 0) {
    EXPECT_TRUE(r.overflow) << "GOOD without the O bit for a WRITE whose CDB wants more";
    EXPECT_EQ(r.residual, bs_) << "Residual Count";
  } else {
    // SPC-4 / TEST-PLAN T18: the target may refuse the mismatch instead.
    EXPECT_SCSI(r.ToCommandResult(c.cdb),
                Expect::InvalidFieldInCdb().Or(Expect::InvalidFieldInCommandIu()),
                "TEST-PLAN T18: overflowing WRITE refused 05/24/00");
    ExpectContents(lba, before);
  }
}

TEST_F(DataSn, ResidualUnderflowOnWrite) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.4.5.1 (U bit on a WRITE whose EDTL exceeds the CDB's length)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  ASSERT_TRUE(Open(t, "wrunderflow", {}));
  const uint64_t lba = 7400;
  const std::vector<uint8_t> before = Pattern(0x0f2, 2 * bs_);
  ASSERT_TRUE(client_->Write(lun_no_, lba, before, bs_).good());
  RawCommand c = Rw(0x8a, lba, 1);
  c.data_out = Pattern(0x0f3, 2 * bs_);  // EDTL two blocks for a one-block WRITE
  RawOutcome r = client_->Execute(c);
  ASSERT_TRUE(r.completed) << r.Describe();
  if (r.status == 0) {
    EXPECT_TRUE(r.underflow) << "GOOD without the U bit for a WRITE that used less than EDTL";
    EXPECT_EQ(r.residual, bs_) << "Residual Count";
    std::vector<uint8_t> expected(c.data_out.begin(), c.data_out.begin() + bs_);
    expected.insert(expected.end(), before.begin() + bs_, before.end());
    ExpectContents(lba, expected);
  } else {
    EXPECT_SCSI(r.ToCommandResult(c.cdb),
                Expect::InvalidFieldInCdb().Or(Expect::InvalidFieldInCommandIu()),
                "TEST-PLAN T18: mismatched WRITE refused 05/24/00");
    ExpectContents(lba, before);
  }
}

}  // namespace
}  // namespace conformance
