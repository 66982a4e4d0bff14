// The tgt adapter against a real tgtd (Debian package tgt): it starts its own tgtd on a
// free loopback port, exports the LUNs, adds and removes one live, and cleans up.
#include "harness/adapters/tgt_adapter.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "harness/adapters/restart_test_support.h"
#include "harness/iscsi/cdb.h"
#include "harness/iscsi/session.h"
#include "harness/process/child_process.h"

namespace harness::adapters {
namespace {

process::RunResult Inquiry(const RunningTarget& t, int lun) {
  process::RunOptions o;
  o.limit = std::chrono::seconds(20);
  return process::Run({"iscsi-inq", "-i", "iqn.2024-01.org.reftarget.harness:tgt-test",
                       "iscsi://" + t.portal.ToString() + "/" + t.iqn + "/" + std::to_string(lun)},
                      o);
}

TEST(TgtAdapterTest, StartsExportsAddsRemovesAndStops) {
  if (process::FindProgram("tgtd").empty()) GTEST_SKIP() << "tgtd not installed (package tgt)";
  if (process::FindProgram("iscsi-inq").empty()) GTEST_SKIP() << "iscsi-inq not installed";
  auto work =
      std::filesystem::temp_directory_path() / ("tgt-adapter-test-" + std::to_string(getpid()));
  TgtOptions options;
  options.work_dir = work;
  TgtAdapter adapter(options);
  TargetSpec spec;
  spec.iqn = "iqn.2024-01.org.reftarget.harness:tgt-adapter-test";
  spec.luns = {MakeLunSpec("file0", Backing::kFileio, 16u << 20),
               MakeLunSpec("ram0", Backing::kRamdisk, 16u << 20)};
  spec.luns[1].block_size = 4096;
  auto started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  const RunningTarget& t = started.value();
  EXPECT_EQ(t.lun_numbers, (std::vector<int>{1, 2}));
  EXPECT_NE(t.product.find("tgt"), std::string::npos);
  process::RunResult inq = Inquiry(t, 1);
  EXPECT_TRUE(inq.exited_ok()) << inq.Describe() << "\n" << inq.output;

  auto added = adapter.AddLun(MakeLunSpec("file1", Backing::kFileio, 8u << 20));
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added.value(), 3);
  EXPECT_TRUE(Inquiry(t, 3).exited_ok());
  EXPECT_TRUE(adapter.RemoveLun(3).ok());
  EXPECT_FALSE(Inquiry(t, 3).exited_ok()) << "LUN 3 still answers after removal";
  auto queried = adapter.QueryManagement(std::chrono::seconds(10));
  EXPECT_TRUE(queried.ok()) << queried.error();

  EXPECT_TRUE(adapter.Stop().ok());
  EXPECT_FALSE(std::filesystem::exists(work / "backing" / "file0.img"));
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

TEST(TgtAdapterTest, RestartAfterSigkillReappliesTheConfigOnTheSameBacking) {
  if (process::FindProgram("tgtd").empty()) GTEST_SKIP() << "tgtd not installed (package tgt)";
  auto work =
      std::filesystem::temp_directory_path() / ("tgt-adapter-restart-" + std::to_string(getpid()));
  TgtOptions options;
  options.work_dir = work;
  TgtAdapter adapter(options);
  EXPECT_FALSE(adapter.Restart().ok()) << "nothing started yet";
  TargetSpec spec;
  spec.iqn = "iqn.2024-01.org.reftarget.harness:tgt-adapter-restart";
  spec.luns = {MakeLunSpec("file0", Backing::kFileio, 16u << 20)};
  auto started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  // A LUN added live is re-created by the restart too, with its number.
  auto added = adapter.AddLun(MakeLunSpec("file1", Backing::kFileio, 8u << 20));
  ASSERT_TRUE(added.ok()) << added.error();
  test_support::ExpectWriteSurvivesRestart(adapter, started.value(),
                                           started.value().lun_numbers[0]);
  auto again = adapter.Restart();  // tgtd still runs: deleted, stopped, started again
  ASSERT_TRUE(again.ok()) << again.error();
  auto s = test_support::Login(again.value(), added.value());
  EXPECT_NE(s, nullptr) << "the live-added LUN after the restart";
  s.reset();
  EXPECT_TRUE(adapter.Stop().ok());
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

}  // namespace
}  // namespace harness::adapters
