// Isolation from a stalled backstore (DESIGN.md principles; TEST-PLAN T31): one target, two
// FILEIO LUNs. LUN 0's file lives on a faultfs FUSE mount whose reads can be made to hang;
// LUN 1's is a plain file. Each LUN has its own libiscsi session. Once LUN 0's reads hang
// (and a READ on it is stuck), LUN 1 must still complete 200 reads within 5 s and a new
// login must succeed within 2 s; after the hang is released the stuck READ completes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>

#include "suites/target/support/faultfs_mount.h"
#include "suites/target/support/libiscsi_client.h"
#include "suites/target/support/target_process.h"
#include "suites/target/support/temp_dir.h"

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kLunBytes = 64ull << 20;
constexpr uint32_t kBlock = 512;
constexpr int kReadsOnHealthyLun = 200;
constexpr auto kHealthyBudget = std::chrono::seconds(5);
// Far from anything read before, so the page cache cannot answer for FUSE.
constexpr uint64_t kStalledLba = (48ull << 20) / kBlock;

LibiscsiLogin LoginFor(const TargetProcess& target, const std::string& who, int lun) {
  LibiscsiLogin l;
  l.initiator = "iqn.2003-01.org.reftarget.itest:" + who;
  l.portal = target.portal();
  l.target = target.iqn();
  l.lun = target.Lun(lun);
  return l;
}

TEST(StalledBackstoreTest, HungReadsOnOneLunDoNotBlockAnother) {
  std::string reason;
  if (!FaultfsMount::Available(&reason)) GTEST_SKIP() << reason;

  TempDir dir("itest-stall-");
  ASSERT_TRUE(dir.ok()) << dir.error();
  const auto source = dir.path() / "source";
  const auto mount = dir.path() / "mnt";
  ASSERT_EQ(mkdir(source.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(mount.c_str(), 0755), 0);
  TempDir plain("itest-stall-plain-");
  ASSERT_FALSE(dir.CreateFile("source/lun0.img", kLunBytes).empty()) << dir.error();
  auto lun1_file = plain.CreateFile("lun1.img", kLunBytes);
  ASSERT_FALSE(lun1_file.empty()) << plain.error();

  std::string error;
  auto fs =
      FaultfsMount::Start(source.string(), mount.string(), (dir.path() / "faultfs.sock").string(),
                          (dir.path() / "faultfs.log").string(), &error);
  ASSERT_TRUE(fs) << error;

  TargetSpec spec;
  spec.storage_objects = {
      StorageObjectSpec{"stalled", "fileio", (mount / "lun0.img").string(), kLunBytes},
      StorageObjectSpec{"healthy", "fileio", lun1_file.string(), kLunBytes}};
  spec.luns = {{0, "stalled"}, {1, "healthy"}};
  auto target = TargetProcess::Start(spec, &error);
  ASSERT_TRUE(target) << error;

  LibiscsiLogin stalled_login = LoginFor(*target, "stalled", 0);
  stalled_login.timeout_s = 60;
  IscsiContextPtr stalled = LibiscsiConnect(stalled_login, &error);
  ASSERT_TRUE(stalled) << error;
  IscsiContextPtr healthy = LibiscsiConnect(LoginFor(*target, "healthy", 1), &error);
  ASSERT_TRUE(healthy) << error;
  {
    ScsiTaskPtr a(iscsi_read16_sync(stalled.get(), target->Lun(0), 0, 4096, kBlock, 0, 0, 0, 0, 0));
    ASSERT_TRUE(a && a->status == SCSI_STATUS_GOOD) << DescribeTask(stalled.get(), a.get());
  }

  ASSERT_TRUE(fs->Ctl({"add", "--file", "lun0.img", "--op", "read", "--hang"}, &error)) << error;

  std::atomic<bool> stuck_done{false};
  std::atomic<int> stuck_status{-1};
  std::thread stuck([&] {
    ScsiTaskPtr t(
        iscsi_read16_sync(stalled.get(), target->Lun(0), kStalledLba, 4096, kBlock, 0, 0, 0, 0, 0));
    stuck_status = t ? t->status : -1;
    stuck_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the READ reach FUSE

  // The healthy LUN keeps serving.
  std::mt19937_64 rng(7);
  const auto start = Clock::now();
  int good = 0;
  std::string first_failure;
  for (int i = 0; i < kReadsOnHealthyLun && Clock::now() - start < kHealthyBudget * 2; ++i) {
    const uint64_t lba = rng() % (kLunBytes / kBlock - 8);
    ScsiTaskPtr t(
        iscsi_read16_sync(healthy.get(), target->Lun(1), lba, 4096, kBlock, 0, 0, 0, 0, 0));
    if (t && t->status == SCSI_STATUS_GOOD) {
      ++good;
    } else if (first_failure.empty()) {
      first_failure = DescribeTask(healthy.get(), t.get());
    }
  }
  const auto healthy_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_EQ(good, kReadsOnHealthyLun) << "first failure: " << first_failure;
  EXPECT_LT(healthy_ms, 5000) << kReadsOnHealthyLun << " reads on the healthy LUN took "
                              << healthy_ms << " ms while LUN 0 was stalled";

  const auto login_start = Clock::now();
  LibiscsiLogin fresh = LoginFor(*target, "fresh", 1);
  fresh.timeout_s = 2;
  IscsiContextPtr third = LibiscsiConnect(fresh, &error);
  const auto login_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - login_start).count();
  EXPECT_TRUE(third) << "new login while LUN 0 is stalled failed: " << error;
  EXPECT_LT(login_ms, 2000);
  third.reset();

  EXPECT_FALSE(stuck_done) << "the READ on LUN 0 finished while its reads were hung: the fault "
                              "did not take effect, so this run proves nothing";
  EXPECT_TRUE(target->Alive()) << target->DescribeState();

  EXPECT_TRUE(fs->Ctl({"release"}, &error)) << error;
  EXPECT_TRUE(fs->Ctl({"clear", "all"}, &error)) << error;
  const auto release_deadline = Clock::now() + std::chrono::seconds(15);
  while (!stuck_done && Clock::now() < release_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(stuck_done) << "the READ on LUN 0 did not complete after the hang was released";
  if (!stuck_done) target->Stop();  // closes the session, so the thread returns
  stuck.join();
  if (stuck_done) {
    EXPECT_EQ(stuck_status, SCSI_STATUS_GOOD);
  }
  stalled.reset();
  healthy.reset();
  EXPECT_EQ(target->Stop(), 0) << "reftarget must drain and exit 0 on SIGTERM";
}

}  // namespace
}  // namespace itest
