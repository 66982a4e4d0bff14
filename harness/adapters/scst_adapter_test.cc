// ScstAdapter against a fake scstadmin: the runner records every command and plays the
// kernel's part by creating the sysfs directories the real commands would create, in a
// temporary directory standing in for /sys/kernel/scst_tgt.
#include "harness/adapters/scst_adapter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "harness/adapters/adapter_test_support.h"
#include "harness/adapters/scst_config.h"

namespace harness::adapters {
namespace {

using test_support::Exited;
using test_support::FakeRunner;
using test_support::KernelTestBed;
using test_support::kIqn;
using test_support::ReadFile;

// kernel_dir stands in for /sys/kernel/scst_tgt; `calls` and `answer` are the fake
// scstadmin's.
struct Fixture : KernelTestBed, FakeRunner {
  Fixture() : KernelTestBed("kadapters-scst") {
    std::filesystem::create_directories(kernel_dir.path / "targets" / "iscsi");
  }

  ScstAdapterOptions Options() {
    ScstAdapterOptions options = BaseOptions<ScstAdapterOptions>(Runner());
    options.sysfs_dir = kernel_dir.path;
    options.scstadmin = "/bin/true";  // exists; the fake runner stands in for it
    return options;
  }
  void MakeDirs(const std::vector<std::string>& paths) {
    for (const std::string& p : paths) std::filesystem::create_directories(kernel_dir.path / p);
  }
};

TargetSpec Spec() {
  TargetSpec spec;
  spec.luns = {MakeLunSpec("fileio0", Backing::kFileio, 8 << 20),
               MakeLunSpec("null0", Backing::kNull, 4 << 20)};
  spec.discovery_chap = ChapSpec{"disc", "discsecret99", "", ""};
  return spec;
}

TEST(ScstAdapterTest, StartOnThisMachineReportsTheMissingKernelTargetAndRunsNothing) {
  if (std::filesystem::exists("/sys/kernel/scst_tgt")) {
    GTEST_SKIP() << "this host has SCST; the test is for hosts without it";
  }
  KernelTestBed bed("kadapters-scst");
  FakeRunner fake;
  ScstAdapter adapter(bed.BaseOptions<ScstAdapterOptions>(fake.Runner()));
  bed.ExpectStartRefused(adapter, Spec(),
                         "SCST needs its kernel modules (scst, scst_vdisk, iscsi-scst) loaded "
                         "(/sys/kernel/scst_tgt missing)",
                         fake);
}

TEST(ScstAdapterTest, MissingIscsiDriverOrScstadminIsNamed) {
  Fixture f;
  std::filesystem::remove_all(f.kernel_dir.path / "targets");
  ScstAdapter no_driver(f.Options());
  EXPECT_EQ(no_driver.Start(Spec()).error(),
            "SCST needs the iscsi-scst module and iscsi-scstd (" +
                (f.kernel_dir.path / "targets" / "iscsi").string() + " missing)");
  std::filesystem::create_directories(f.kernel_dir.path / "targets" / "iscsi");
  ScstAdapterOptions options = f.Options();
  options.scstadmin = "/nonexistent/scstadmin";
  ScstAdapter no_tool(options);
  EXPECT_EQ(no_tool.Start(Spec()).error(),
            "SCST needs /nonexistent/scstadmin, which is not installed or not in PATH");
  EXPECT_TRUE(f.calls.empty());
}

TEST(ScstAdapterTest, CapabilitiesAreScstsRealOnes) {
  ScstAdapter adapter({});
  const Capabilities c = adapter.capabilities();
  EXPECT_EQ(adapter.name(), "scst");
  EXPECT_TRUE(c.managed && c.live_lun_changes && c.chap && c.mutual_chap && c.discovery_auth);
  EXPECT_TRUE(c.acls && c.thin && c.read_only_luns && c.block_size_4096);
  EXPECT_FALSE(c.removable_luns);
  EXPECT_FALSE(c.process_faults);
  EXPECT_EQ(c.backings.count(Backing::kRamdisk), 0u) << "SCST has no RAM disk";
  EXPECT_EQ(c.backings.count(Backing::kNull), 1u);
}

TEST(ScstAdapterTest, StartAddRemoveStop) {
  Fixture f;
  const TargetSpec spec = Spec();
  TargetSpec resolved = spec;
  resolved.luns[0].path = f.work.path / "fileio0.img";
  std::string config_seen;
  f.answer = [&](const std::vector<std::string>& argv) {
    if (argv.size() == 4 && argv[2] == "-config") {
      struct stat st {};
      EXPECT_EQ(::stat(argv[3].c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u) << "the file holds CHAP secrets";
      config_seen = ReadFile(argv[3]);
      f.MakeDirs(scst::ExpectedSysfsPaths(resolved));
    } else if (argv.size() > 3 && argv[2] == "-add_lun") {
      f.MakeDirs(
          {"devices/" + argv.back(), std::string("targets/iscsi/") + kIqn + "/luns/" + argv[3]});
    }
    return Exited(0);
  };
  { std::ofstream(f.kernel_dir.path / "version") << "3.9.0\n"; }
  ScstAdapter adapter(f.Options());
  Result<RunningTarget> started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  EXPECT_EQ(config_seen, scst::ConfigText(resolved).value());
  EXPECT_EQ(started.value().lun_numbers, (std::vector<int>{0, 1}));
  EXPECT_EQ(started.value().product, "SCST 3.9.0");
  EXPECT_EQ(started.value().portal.ToString(), "127.0.0.1:3260");
  ASSERT_EQ(f.calls.size(), 1u);
  EXPECT_EQ(f.calls[0], (std::vector<std::string>{"/bin/true", "-noprompt", "-config",
                                                  (f.work.path / "scst-harness.conf").string()}));

  const size_t before = f.calls.size();
  Result<int> duplicate = adapter.AddLun(spec.luns[0]);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error(), "SCST: lun.name \"fileio0\": already exported");
  EXPECT_EQ(f.calls.size(), before);
  EXPECT_TRUE(std::filesystem::exists(f.work.path / "fileio0.img"));

  const LunSpec extra = MakeLunSpec("extra", Backing::kFileio, 1 << 20);
  Result<int> added = adapter.AddLun(extra);
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added.value(), 2);
  ASSERT_EQ(f.calls.size(), 3u);
  EXPECT_EQ(f.calls[1][2], "-open_dev");
  EXPECT_EQ(f.calls[2][2], "-add_lun");

  Status lun0 = adapter.RemoveLun(0);
  ASSERT_FALSE(lun0.ok());
  EXPECT_NE(lun0.message().find("LUN 0 cannot be removed"), std::string::npos) << lun0.message();
  ASSERT_TRUE(adapter.RemoveLun(2).ok());
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "extra.img"));

  const size_t mark = f.calls.size();
  ASSERT_TRUE(adapter.Stop().ok());
  std::vector<std::vector<std::string>> expected = scst::TeardownCommands(resolved);
  for (auto& argv : expected) argv[0] = "/bin/true";
  EXPECT_EQ(std::vector<std::vector<std::string>>(f.calls.begin() + mark, f.calls.end()), expected);
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "scst-harness.conf"));
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "fileio0.img"));
}

TEST(ScstAdapterTest, AFailedConfigRollsBackAndKeepsSecretsOutOfTheMessage) {
  Fixture f;
  f.answer = [](const std::vector<std::string>& argv) {
    if (argv.size() == 4 && argv[2] == "-config") {
      return Exited(2, "FATAL: IncomingUser \"disc discsecret99\" rejected\n");
    }
    return Exited(0);
  };
  ScstAdapter adapter(f.Options());
  Result<RunningTarget> started = adapter.Start(Spec());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("SCST: step 1 of 1"), std::string::npos) << started.error();
  EXPECT_NE(started.error().find("(exit 2)"), std::string::npos) << started.error();
  EXPECT_EQ(started.error().find("discsecret99"), std::string::npos) << started.error();
  ASSERT_GT(f.calls.size(), 1u);
  EXPECT_EQ(f.calls[1][2], "-disable_target") << "rollback ran the teardown";
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "fileio0.img"));
}

TEST(ScstAdapterTest, ASilentFailureIsCaughtInSysfs) {
  Fixture f;  // -config "succeeds" but nothing appears in sysfs
  ScstAdapter adapter(f.Options());
  Result<RunningTarget> started = adapter.Start(Spec());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("does not exist"), std::string::npos) << started.error();
}

TEST(ScstAdapterTest, InvalidSpecIsRefusedBeforeAnythingRuns) {
  Fixture f;
  TargetSpec spec = Spec();
  spec.luns[1].backing = Backing::kRamdisk;
  ScstAdapter adapter(f.Options());
  Result<RunningTarget> started = adapter.Start(spec);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().rfind("SCST: luns[1].backing", 0), 0u) << started.error();
  EXPECT_TRUE(f.calls.empty());
  EXPECT_TRUE(std::filesystem::is_empty(f.work.path));
}

}  // namespace
}  // namespace harness::adapters
