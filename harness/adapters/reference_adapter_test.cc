// The reference adapter against the real reftarget binary: the generated LIO-schema
// saveconfig.json loads, every LUN answers INQUIRY, IPv6 works, and Stop sees exit 0; with
// reftarget-ctl built, LUNs are added, resized and removed live.
#include "harness/adapters/reference_adapter.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "harness/adapters/restart_test_support.h"
#include "harness/iscsi/cdb.h"
#include "harness/iscsi/session.h"

namespace harness::adapters {
namespace {

process::RunResult Inquiry(const Portal& portal, const std::string& iqn, int lun) {
  process::RunOptions o;
  o.limit = std::chrono::seconds(20);
  return process::Run({"iscsi-inq", "-i", "iqn.2024-01.org.reftarget.harness:ref-test",
                       "iscsi://" + portal.ToString() + "/" + iqn + "/" + std::to_string(lun)},
                      o);
}

TEST(ReferenceAdapterTest, ExportsEveryBackingAndStopsCleanly) {
  if (process::FindProgram("iscsi-inq").empty()) GTEST_SKIP() << "iscsi-inq not installed";
  auto work =
      std::filesystem::temp_directory_path() / ("ref-adapter-test-" + std::to_string(getpid()));
  ReferenceOptions o;
  o.work_dir = work;
  o.reftarget = REFTARGET_BIN;
  ReferenceAdapter adapter(o);
  TargetSpec spec;
  spec.iqn = "iqn.2024-01.org.reftarget.harness:ref-adapter-test";
  spec.ipv6_portal = true;
  spec.luns = {MakeLunSpec("file0", Backing::kFileio, 16u << 20),
               MakeLunSpec("ram0", Backing::kRamdisk, 16u << 20),
               MakeLunSpec("thin0", Backing::kFileio, 16u << 20)};
  spec.luns[2].block_size = 4096;
  spec.luns[2].thin = true;
  auto started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  const RunningTarget& t = started.value();
  ASSERT_EQ(t.lun_numbers.size(), 3u);
  ASSERT_TRUE(t.pid.has_value());
  for (int lun : t.lun_numbers) {
    auto inq = Inquiry(t.portal, t.iqn, lun);
    EXPECT_TRUE(inq.exited_ok()) << "LUN " << lun << ": " << inq.Describe() << "\n" << inq.output;
  }
  ASSERT_TRUE(t.ipv6_portal.has_value());
  auto inq6 = Inquiry(*t.ipv6_portal, t.iqn, 0);
  EXPECT_TRUE(inq6.exited_ok()) << inq6.Describe() << "\n" << inq6.output;
  Status stopped = adapter.Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.message();
  EXPECT_TRUE(std::filesystem::exists(work / "reftarget.log"));
  EXPECT_FALSE(std::filesystem::exists(work / "backing" / "file0.img")) << "backing not removed";
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

TEST(ReferenceAdapterTest, LiveLunChangesThroughReftargetCtl) {
  if (process::FindProgram("iscsi-inq").empty()) GTEST_SKIP() << "iscsi-inq not installed";
  auto work =
      std::filesystem::temp_directory_path() / ("ref-adapter-live-" + std::to_string(getpid()));
  ReferenceOptions o;
  o.work_dir = work;
  o.reftarget = REFTARGET_BIN;
#ifdef REFTARGET_CTL_BIN
  o.reftarget_ctl = REFTARGET_CTL_BIN;
#endif
  ReferenceAdapter adapter(o);
  if (!adapter.capabilities().live_lun_changes) {
    GTEST_SKIP() << "reftarget-ctl not built or found (REFTARGET_CTL_BIN)";
  }
  TargetSpec spec;
  spec.iqn = "iqn.2024-01.org.reftarget.harness:ref-adapter-live";
  spec.luns = {MakeLunSpec("live0", Backing::kFileio, 16u << 20)};
  auto started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  const RunningTarget& t = started.value();
  EXPECT_TRUE(std::filesystem::exists(adapter.admin_socket())) << adapter.admin_socket();
  EXPECT_TRUE(adapter.capabilities().management_query);
  auto queried = adapter.QueryManagement(std::chrono::seconds(10));
  EXPECT_TRUE(queried.ok()) << queried.error();
  Result<int> added = adapter.AddLun(MakeLunSpec("live1", Backing::kRamdisk, 8u << 20));
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added.value(), 1);
  auto inq = Inquiry(t.portal, t.iqn, 1);
  EXPECT_TRUE(inq.exited_ok()) << inq.Describe() << "\n" << inq.output;
  Status resized = adapter.ResizeLun(1, 16u << 20);
  EXPECT_TRUE(resized.ok()) << resized.message();
  Status removed = adapter.RemoveLun(1);
  EXPECT_TRUE(removed.ok()) << removed.message();
  EXPECT_FALSE(adapter.RemoveLun(1).ok()) << "LUN 1 is gone";
  Status stopped = adapter.Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.message();
  EXPECT_FALSE(std::filesystem::exists(adapter.admin_socket()));
  EXPECT_FALSE(adapter.QueryManagement(std::chrono::seconds(10)).ok()) << "nothing runs";
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

TEST(ReferenceAdapterTest, RestartAfterSigkillKeepsPortalConfigAndData) {
  auto work =
      std::filesystem::temp_directory_path() / ("ref-adapter-restart-" + std::to_string(getpid()));
  ReferenceOptions o;
  o.work_dir = work;
  o.reftarget = REFTARGET_BIN;
  ReferenceAdapter adapter(o);
  EXPECT_FALSE(adapter.Restart().ok()) << "nothing started yet";
  TargetSpec spec;
  spec.iqn = "iqn.2024-01.org.reftarget.harness:ref-adapter-restart";
  spec.luns = {MakeLunSpec("file0", Backing::kFileio, 16u << 20)};
  auto started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  test_support::ExpectWriteSurvivesRestart(adapter, started.value(),
                                           started.value().lun_numbers[0]);
  EXPECT_TRUE(std::filesystem::exists(adapter.admin_socket())) << "the new process's admin socket";
  // A restart of a target that still runs stops it first.
  auto again = adapter.Restart();
  ASSERT_TRUE(again.ok()) << again.error();
  auto s = test_support::Login(again.value(), again.value().lun_numbers[0]);
  EXPECT_NE(s, nullptr);
  s.reset();
  Status stopped = adapter.Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.message();
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

TEST(ReferenceAdapterTest, MissingBinaryIsAClearError) {
  ReferenceOptions o;
  o.work_dir = std::filesystem::temp_directory_path() / "ref-adapter-missing";
  o.reftarget = "/nonexistent/reftarget";
  ReferenceAdapter adapter(o);
  auto started = adapter.Start(TargetSpec{});
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("/nonexistent/reftarget"), std::string::npos) << started.error();
}

}  // namespace
}  // namespace harness::adapters
