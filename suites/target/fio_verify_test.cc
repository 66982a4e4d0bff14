// Data integrity through real initiators, on each backstore kind:
//  - fio's libiscsi engine: 4k random writes at iodepth 32 over the LUN, then a full
//    read-back with verify=crc32c (fio's JSON must show no error and every byte read back);
//  - the same with HeaderDigest=CRC32C. libiscsi (and so fio) offers "None,CRC32C" and
//    cannot do data digests, so the target is configured to accept only CRC32C headers and
//    the test first proves, with a raw login making fio's exact offer, that it picks CRC32C;
//  - header AND data digests through the raw client (which computes CRC32C itself):
//    writes of 4 KiB-256 KiB (immediate data and R2T/Data-Out), read back and compared,
//    every Data-In digest checked.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>
#include <string>

#include "suites/target/support/backstore_setup.h"
#include "suites/target/support/fio_runner.h"
#include "suites/target/support/libiscsi_client.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "harness/rawpdu/raw_session.h"
#include "suites/target/support/target_process.h"

namespace itest {

using namespace harness::rawpdu;  // NOLINT: the raw PDU client is the suites' vocabulary
namespace {

constexpr uint64_t kLunBytes = 128ull << 20;
constexpr const char* kFioSize = "128m";
constexpr uint64_t kFioBytes = 128ull << 20;
constexpr uint32_t kBlock = 512;

class FioVerifyTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Creates the backstore and starts the target with `parameters`; skips when the kind or
  // tool is unavailable.
  void StartTarget(const std::map<std::string, std::string>& parameters) {
    dir_ = std::make_unique<TempDir>("itest-fio-" + GetParam() + "-");
    ASSERT_TRUE(dir_->ok()) << dir_->error();
    std::string skip, error;
    if (!MakeBackstore(GetParam(), "disk0", kLunBytes, false, dir_.get(), &backstore_, &skip,
                       &error)) {
      if (!skip.empty()) GTEST_SKIP() << skip;
      FAIL() << error;
    }
    TargetSpec spec;
    spec.storage_objects = {backstore_.spec};
    spec.luns = {{0, "disk0"}};
    spec.parameters = parameters;
    target_ = TargetProcess::Start(spec, &error);
    ASSERT_TRUE(target_) << error;
  }

  void RunFio() {
    std::string reason;
    const std::string fio = FindFioWithLibiscsi(&reason);
    if (fio.empty()) GTEST_SKIP() << reason;
    FioVerifyJob job;
    job.fio = fio;
    job.url = target_->Url(0);
    job.size = kFioSize;
    job.workdir = dir_->path().string();
    FioVerifyResult r = RunFioVerify(job);
    EXPECT_TRUE(r.ran) << r.problem << "\n" << r.output;
    EXPECT_EQ(r.problem, "") << r.output;
    EXPECT_EQ(r.job_error, 0) << r.output;
    EXPECT_EQ(r.write_bytes, kFioBytes) << "fio wrote less than the job size";
    EXPECT_EQ(r.read_bytes, kFioBytes) << "the verify pass did not read everything back";
    std::cout << GetParam() << ": randwrite " << static_cast<int>(r.write_iops)
              << " IOPS, verify read " << static_cast<int>(r.read_iops) << " IOPS\n";
    EXPECT_TRUE(target_->Alive()) << target_->DescribeState();
  }

  // TempDir first: the target (and loop device) must go before their files.
  std::unique_ptr<TempDir> dir_;
  Backstore backstore_;
  std::unique_ptr<TargetProcess> target_;
};

TEST_P(FioVerifyTest, RandomWriteVerify) {
  ASSERT_NO_FATAL_FAILURE(StartTarget({}));
  if (IsSkipped()) return;
  RunFio();
  EXPECT_EQ(target_->Stop(), 0);
}

TEST_P(FioVerifyTest, RandomWriteVerifyWithHeaderDigest) {
  ASSERT_NO_FATAL_FAILURE(StartTarget({{"HeaderDigest", "CRC32C"}, {"DataDigest", "None"}}));
  if (IsSkipped()) return;
  // Prove that libiscsi's offer gets CRC32C from this target, so the fio session ran with
  // header digests.
  std::string error;
  auto conn =
      RawConnection::Connect(target_->host(), target_->port(), std::chrono::seconds(5), &error);
  ASSERT_TRUE(conn) << error;
  RawLoginOptions login;
  login.target_name = target_->iqn();
  login.header_digest = "None,CRC32C";  // ISCSI_HEADER_DIGEST_NONE_CRC32C, fio's choice
  RawLoginResult lr = RawLogin(conn.get(), login);
  ASSERT_TRUE(lr.full_feature) << lr.error;
  ASSERT_EQ(FindKey(lr.target_keys, "HeaderDigest"), "CRC32C")
      << "target configured with HeaderDigest=CRC32C accepted a session without it";
  RawSession session(conn.get(), lr);
  ASSERT_TRUE(session.Logout(std::chrono::seconds(5), &error)) << error;
  conn.reset();
  RunFio();
  EXPECT_EQ(target_->Stop(), 0);
}

TEST_P(FioVerifyTest, RawVerifiedIoWithHeaderAndDataDigests) {
  ASSERT_NO_FATAL_FAILURE(
      StartTarget({{"HeaderDigest", "CRC32C,None"}, {"DataDigest", "CRC32C,None"}}));
  if (IsSkipped()) return;
  std::string error;
  auto conn =
      RawConnection::Connect(target_->host(), target_->port(), std::chrono::seconds(5), &error);
  ASSERT_TRUE(conn) << error;
  RawLoginOptions login;
  login.target_name = target_->iqn();
  login.header_digest = "CRC32C";
  login.data_digest = "CRC32C";
  RawLoginResult lr = RawLogin(conn.get(), login);
  ASSERT_TRUE(lr.full_feature) << lr.error;
  ASSERT_TRUE(conn->header_digest() && conn->data_digest())
      << "target did not agree to CRC32C for both digests";
  RawSession session(conn.get(), lr);
  ASSERT_TRUE(session.ClearUnitAttentions(target_->Lun(0), &error)) << error;

  std::mt19937_64 rng(0x5eed);
  const uint64_t blocks = kLunBytes / kBlock;
  const uint32_t sizes[] = {8, 64, 128, 512};  // 4 KiB .. 256 KiB: immediate and R2T paths
  for (int i = 0; i < 64; ++i) {
    const uint32_t n = sizes[i % 4];
    const uint64_t lba = rng() % (blocks - n);
    std::vector<uint8_t> data = MakePattern(0xd16e57, lba + static_cast<uint64_t>(i), n * kBlock);
    RawScsiResult w = session.Write16(target_->Lun(0), lba, data, kBlock);
    ASSERT_TRUE(w.completed) << "WRITE(16) #" << i << ": " << w.error;
    ASSERT_EQ(w.status, 0) << "WRITE(16) #" << i << " lba " << lba << ": " << DescribeResult(w);
    ASSERT_TRUE(w.rejects.empty()) << "target rejected a PDU with a correct digest";
    RawScsiResult r = session.Read16(target_->Lun(0), lba, n, kBlock);
    ASSERT_TRUE(r.completed) << "READ(16) #" << i << ": " << r.error;
    ASSERT_EQ(r.status, 0) << DescribeResult(r);
    ASSERT_TRUE(r.data == data) << "READ(16) #" << i << " lba " << lba
                                << " returned other data than was written";
  }
  ASSERT_TRUE(session.Logout(std::chrono::seconds(5), &error)) << error;
  EXPECT_TRUE(target_->Alive());
  EXPECT_EQ(target_->Stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backstores, FioVerifyTest, ::testing::ValuesIn(BackstoreKinds()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return "bs_" + info.param;
                         });

}  // namespace
}  // namespace itest
