// Data digest errors (RFC 7143 §7.8 (para.), TEST-PLAN S4/T19). The raw client negotiates
// HeaderDigest=CRC32C and DataDigest=CRC32C (computing CRC32C itself) and sends a WRITE
// whose data digest is wrong, once as immediate data and once in a solicited Data-Out.
// Expected at ErrorRecoveryLevel=0: a Reject PDU with reason 0x02 (Data-Digest-Error)
// carrying the rejected header, the task ending with CHECK CONDITION, sense key 0Bh
// ABORTED COMMAND, ASC/ASCQ 47h/05h PROTOCOL SERVICE CRC ERROR, nothing written, and the
// same connection still executing a correct command afterwards.
#include <gtest/gtest.h>

#include <string>

#include "suites/target/support/libiscsi_client.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "harness/rawpdu/raw_session.h"
#include "suites/target/support/target_process.h"
#include "suites/target/support/temp_dir.h"

namespace itest {

using namespace harness::rawpdu;  // NOLINT: the raw PDU client is the suites' vocabulary
namespace {

constexpr uint32_t kBlock = 512;
constexpr uint8_t kRejectDataDigestError = 0x02;

class DigestErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok()) << dir_.error();
    auto file = dir_.CreateFile("disk0.img", 16 << 20);
    ASSERT_FALSE(file.empty()) << dir_.error();
    StorageObjectSpec so;
    so.name = "disk0";
    so.plugin = "fileio";
    so.dev = file.string();
    so.size = 16 << 20;
    TargetSpec spec;
    spec.storage_objects = {so};
    spec.luns = {{0, "disk0"}};
    spec.parameters = {{"HeaderDigest", "CRC32C,None"}, {"DataDigest", "CRC32C,None"}};
    std::string error;
    target_ = TargetProcess::Start(spec, &error);
    ASSERT_TRUE(target_) << error;
  }

  // Logs in with both digests; `immediate_data` picks ImmediateData=Yes or No.
  void Login(bool immediate_data) {
    std::string error;
    conn_ =
        RawConnection::Connect(target_->host(), target_->port(), std::chrono::seconds(5), &error);
    ASSERT_TRUE(conn_) << error;
    RawLoginOptions o;
    o.target_name = target_->iqn();
    o.header_digest = "CRC32C";
    o.data_digest = "CRC32C";
    o.extra_operational_keys = {{"ImmediateData", immediate_data ? "Yes" : "No"}};
    RawLoginResult r = RawLogin(conn_.get(), o);
    ASSERT_TRUE(r.full_feature) << r.error;
    ASSERT_TRUE(conn_->header_digest() && conn_->data_digest())
        << "target did not negotiate CRC32C for both digests";
    session_ = std::make_unique<RawSession>(conn_.get(), r);
    ASSERT_TRUE(session_->ClearUnitAttentions(target_->Lun(0), &error)) << error;
  }

  // Checks the outcome of a WRITE whose data digest was wrong.
  void ExpectDigestErrorOutcome(const RawScsiResult& w, uint8_t rejected_opcode) {
    ASSERT_FALSE(w.rejects.empty()) << "no Reject PDU (" << w.error << ")";
    const Pdu& reject = w.rejects.front();
    EXPECT_EQ(reject.bhs[2], kRejectDataDigestError) << "Reject reason";
    ASSERT_GE(reject.data.size(), kBhsLength) << "Reject must carry the rejected header";
    EXPECT_EQ(reject.data[0] & 0x3f, rejected_opcode) << "rejected header's opcode";
    ASSERT_TRUE(w.completed) << "the task did not end with a SCSI Response: " << w.error;
    EXPECT_EQ(w.status, 0x02) << "expected CHECK CONDITION, got " << DescribeResult(w);
    ASSERT_TRUE(w.sense.has_value()) << "CHECK CONDITION without sense data";
    EXPECT_EQ(w.sense->key, 0x0b);
    EXPECT_EQ(w.sense->asc, 0x47);
    EXPECT_EQ(w.sense->ascq, 0x05);
  }

  // A correct write and read-back on the same connection.
  void ExpectConnectionStillWorks(uint64_t lba, uint32_t blocks) {
    std::vector<uint8_t> good = MakePattern(0x600d, lba, blocks * kBlock);
    RawScsiResult w = session_->Write16(target_->Lun(0), lba, good, kBlock);
    ASSERT_TRUE(w.completed) << w.error;
    EXPECT_EQ(w.status, 0) << DescribeResult(w);
    EXPECT_TRUE(w.rejects.empty());
    RawScsiResult r = session_->Read16(target_->Lun(0), lba, blocks, kBlock);
    ASSERT_TRUE(r.completed) << r.error;
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(r.data == good) << "read-back differs from the good write";
    std::string error;
    EXPECT_TRUE(session_->Logout(std::chrono::seconds(5), &error)) << error;
    EXPECT_TRUE(target_->Alive()) << target_->DescribeState();
  }

  // The bad write must not have reached the medium: the LBA still reads as zeroes.
  void ExpectUnwritten(uint64_t lba, uint32_t blocks) {
    RawScsiResult r = session_->Read16(target_->Lun(0), lba, blocks, kBlock);
    ASSERT_TRUE(r.completed) << r.error;
    ASSERT_EQ(r.status, 0);
    EXPECT_TRUE(r.data == std::vector<uint8_t>(blocks * kBlock, 0))
        << "data with a bad digest was written";
  }

  TempDir dir_{"itest-digest-"};
  std::unique_ptr<TargetProcess> target_;
  std::unique_ptr<RawConnection> conn_;
  std::unique_ptr<RawSession> session_;
};

TEST_F(DigestErrorTest, ImmediateDataWithBadDigest) {
  ASSERT_NO_FATAL_FAILURE(Login(/*immediate_data=*/true));
  std::vector<uint8_t> data = MakePattern(0xbad, 100, kBlock);
  CommandOptions opts;
  opts.corrupt_data_digest = true;
  opts.timeout = std::chrono::seconds(10);
  RawScsiResult w = session_->Write16(target_->Lun(0), 100, data, kBlock, opts);
  ASSERT_NO_FATAL_FAILURE(ExpectDigestErrorOutcome(w, kOpScsiCommand));
  ASSERT_NO_FATAL_FAILURE(ExpectUnwritten(100, 1));
  ExpectConnectionStillWorks(200, 1);
}

TEST_F(DigestErrorTest, SolicitedDataOutWithBadDigest) {
  ASSERT_NO_FATAL_FAILURE(Login(/*immediate_data=*/false));
  std::vector<uint8_t> data = MakePattern(0xbad, 300, 16 * kBlock);
  CommandOptions opts;
  opts.corrupt_data_out_digest = true;
  opts.timeout = std::chrono::seconds(10);
  RawScsiResult w = session_->Write16(target_->Lun(0), 300, data, kBlock, opts);
  ASSERT_NO_FATAL_FAILURE(ExpectDigestErrorOutcome(w, kOpDataOut));
  ASSERT_NO_FATAL_FAILURE(ExpectUnwritten(300, 16));
  ExpectConnectionStillWorks(400, 16);
}

}  // namespace
}  // namespace itest
