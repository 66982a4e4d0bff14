// LioAdapter against a fake targetcli: the runner records every command and plays the
// kernel's part by creating the configfs directories the real commands would create, in a
// temporary directory standing in for /sys/kernel/config/target.
#include "harness/adapters/lio_adapter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "harness/adapters/adapter_test_support.h"

namespace harness::adapters {
namespace {

using test_support::Exited;
using test_support::FakeRunner;
using test_support::KernelTestBed;
using test_support::kInit1;
using test_support::kIqn;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A fake targetcli (and targetctl): records argv and updates a fake configfs tree.
class FakeLio {
 public:
  explicit FakeLio(std::filesystem::path configfs) : configfs_(std::move(configfs)) {}

  std::vector<std::vector<std::string>> calls;
  // Returns a failure for a command, or nullopt to let it succeed.
  std::function<std::optional<process::RunResult>(const std::vector<std::string>&)> fail =
      [](const std::vector<std::string>&) { return std::nullopt; };
  bool touch_configfs = true;
  std::function<void(const std::vector<std::string>&)> on_restore;

  CommandRunner Runner() {
    return [this](const std::vector<std::string>& argv, const process::RunOptions& options) {
      EXPECT_EQ(options.limit, std::chrono::seconds(30));
      calls.push_back(argv);
      if (std::optional<process::RunResult> failure = fail(argv)) return *failure;
      if (argv.size() >= 2 && argv[1] == "restore" && on_restore) on_restore(argv);
      if (touch_configfs) Apply(argv);
      return Exited(0);
    };
  }

  // The targetcli commands seen after index `from`, argv[0] dropped, as lines.
  std::vector<std::string> Lines(size_t from = 0) const {
    std::vector<std::string> out;
    for (size_t i = from; i < calls.size(); ++i) {
      std::string line;
      for (size_t j = 1; j < calls[i].size(); ++j) line += (j > 1 ? " " : "") + calls[i][j];
      out.push_back(line);
    }
    return out;
  }

 private:
  void Apply(const std::vector<std::string>& argv) {
    if (argv.size() < 3) return;
    const std::string& path = argv[1];
    const std::string& verb = argv[2];
    const std::string prefix = "/iscsi/";
    if (path.rfind(prefix, 0) != 0) {
      if (path == "/iscsi" && verb == "delete") {
        std::filesystem::remove_all(configfs_ / "iscsi" / argv[3]);
      }
      return;
    }
    const std::string iqn =
        path.substr(prefix.size(), path.find('/', prefix.size()) - prefix.size());
    const std::filesystem::path tpg = configfs_ / "iscsi" / iqn / "tpgt_1";
    if (EndsWith(path, "/luns") && verb == "create") {
      std::filesystem::create_directories(tpg / "lun" / ("lun_" + argv[4].substr(4)));
    } else if (EndsWith(path, "/luns") && verb == "delete") {
      std::filesystem::remove_all(tpg / "lun" / ("lun_" + argv[3].substr(4)));
    } else if (EndsWith(path, "/portals") && verb == "create") {
      const std::string ip = argv[3].find(':') != std::string::npos ? "[" + argv[3] + "]" : argv[3];
      std::filesystem::create_directories(tpg / "np" / (ip + ":" + argv[4]));
    } else if (path.find("/acls/") != std::string::npos && verb == "create") {
      const std::string initiator = path.substr(path.rfind('/') + 1);
      std::filesystem::create_directories(tpg / "acls" / initiator / ("lun_" + argv[3]));
    }
  }

  std::filesystem::path configfs_;
};

// kernel_dir stands in for /sys/kernel/config/target.
struct Fixture : KernelTestBed {
  Fixture() : KernelTestBed("kadapters-lio") {}
  FakeLio fake{kernel_dir.path};
  LioAdapterOptions Options() {
    LioAdapterOptions options = BaseOptions<LioAdapterOptions>(fake.Runner());
    options.configfs_dir = kernel_dir.path;
    options.targetcli = "/bin/true";  // exists; the fake runner stands in for it
    options.targetctl = "/bin/true";
    return options;
  }
};

TargetSpec SpecWithChap() {
  TargetSpec spec;
  spec.luns = {MakeLunSpec("fileio0", Backing::kFileio, 8 << 20),
               MakeLunSpec("ram0", Backing::kRamdisk, 4 << 20)};
  spec.acls = {AclSpec{kInit1, ChapSpec{"user1", "secret1secret", "", ""}}};
  return spec;
}

TEST(LioAdapterTest, StartOnThisMachineReportsTheMissingKernelTargetAndRunsNothing) {
  if (std::filesystem::exists("/sys/kernel/config/target")) {
    GTEST_SKIP() << "this host has LIO's configfs; the test is for hosts without it";
  }
  KernelTestBed bed("kadapters-lio");
  FakeRunner fake;
  LioAdapter adapter(bed.BaseOptions<LioAdapterOptions>(fake.Runner()));
  const std::string reason =
      "LIO needs the target_core_mod kernel module and configfs "
      "(/sys/kernel/config/target missing)";
  bed.ExpectStartRefused(adapter, SpecWithChap(), reason, fake);
  EXPECT_EQ(adapter.Unavailable(), reason);
  EXPECT_EQ(adapter.version(), "");
  EXPECT_FALSE(adapter.AddLun(SpecWithChap().luns[1]).ok());
}

TEST(LioAdapterTest, MissingTargetcliIsNamed) {
  Fixture f;
  LioAdapterOptions options = f.Options();
  options.targetcli = "/nonexistent/targetcli";
  LioAdapter adapter(options);
  Result<RunningTarget> started = adapter.Start(SpecWithChap());
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error(),
            "LIO needs /nonexistent/targetcli (targetcli-fb), which is not installed or not in "
            "PATH");
  EXPECT_TRUE(f.fake.calls.empty());
}

TEST(LioAdapterTest, CapabilitiesAreLiosRealOnes) {
  LioAdapter adapter({});
  const Capabilities c = adapter.capabilities();
  EXPECT_EQ(adapter.name(), "lio");
  EXPECT_TRUE(c.managed && c.live_lun_changes && c.chap && c.mutual_chap && c.discovery_auth);
  EXPECT_TRUE(c.acls && c.ipv6 && c.thin && c.read_only_luns && c.block_size_4096);
  EXPECT_FALSE(c.removable_luns);
  EXPECT_FALSE(c.process_faults);
  const std::set<Backing> backings = {Backing::kFileio, Backing::kBlock, Backing::kRamdisk,
                                      Backing::kNull};
  EXPECT_EQ(c.backings, backings);
}

TEST(LioAdapterTest, StartAddRemoveStop) {
  Fixture f;
  {
    std::ofstream(f.kernel_dir.path / "version")
        << "Target Engine Core ConfigFS Infrastructure v5.0\n";
  }
  LioAdapter adapter(f.Options());
  const TargetSpec spec = SpecWithChap();
  Result<RunningTarget> started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  EXPECT_EQ(started.value().portal.ToString(), "127.0.0.1:3260");
  EXPECT_FALSE(started.value().ipv6_portal.has_value());
  EXPECT_EQ(started.value().iqn, kIqn);
  EXPECT_EQ(started.value().lun_numbers, (std::vector<int>{0, 1}));
  EXPECT_EQ(started.value().product, "LIO (Target Engine Core ConfigFS Infrastructure v5.0)");

  // The adapter made the FILEIO backing and ran exactly the generated commands.
  const std::filesystem::path image = f.work.path / "fileio0.img";
  ASSERT_TRUE(std::filesystem::exists(image));
  EXPECT_EQ(std::filesystem::file_size(image), 8u << 20);
  TargetSpec resolved = spec;
  resolved.luns[0].path = image;
  Result<std::vector<lio::Command>> expected = lio::SetupCommands(resolved, {});
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(f.fake.calls.size(), expected.value().size());
  for (size_t i = 0; i < f.fake.calls.size(); ++i) {
    EXPECT_EQ(f.fake.calls[i][0], "/bin/true");
    EXPECT_TRUE(std::equal(f.fake.calls[i].begin() + 1, f.fake.calls[i].end(),
                           expected.value()[i].argv.begin() + 1, expected.value()[i].argv.end()))
        << f.fake.Lines(i)[0];
  }
  EXPECT_TRUE(adapter.Start(spec).status().message().find("already running") != std::string::npos);

  // A refused LUN touches nothing: not even the live LUN whose name it repeats.
  {
    std::fstream data(image, std::ios::in | std::ios::out | std::ios::binary);
    data << "live data";
  }
  size_t before = f.fake.calls.size();
  Result<int> duplicate = adapter.AddLun(spec.luns[0]);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().find("already exported"), std::string::npos) << duplicate.error();
  EXPECT_EQ(f.fake.calls.size(), before);
  std::ifstream data(image, std::ios::binary);
  std::string first(9, '\0');
  data.read(first.data(), 9);
  EXPECT_EQ(first, "live data") << "the live LUN's backing was left alone";
  LunSpec removable = MakeLunSpec("cdrom", Backing::kFileio);
  removable.removable = true;
  EXPECT_EQ(adapter.AddLun(removable).error().rfind("LIO: lun.removable", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "cdrom.img"));

  // A live LUN gets the next free number and a mapping in the ACL.
  const LunSpec extra = MakeLunSpec("extra", Backing::kFileio, 1 << 20);
  size_t mark = f.fake.calls.size();
  Result<int> added = adapter.AddLun(extra);
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added.value(), 2);
  const std::string tpg = std::string("/iscsi/") + kIqn + "/tpg1";
  const std::vector<std::string> expected_add = {
      "/backstores/fileio create name=extra file_or_dev=" + (f.work.path / "extra.img").string() +
          " size=1M write_back=true",
      tpg + "/luns create /backstores/fileio/extra lun=2 add_mapped_luns=false",
      tpg + "/acls/" + kInit1 + " create 2 2"};
  EXPECT_EQ(f.fake.Lines(mark), expected_add);
  EXPECT_TRUE(std::filesystem::exists(f.work.path / "extra.img"));

  mark = f.fake.calls.size();
  ASSERT_TRUE(adapter.RemoveLun(2).ok());
  const std::vector<std::string> expected_remove = {tpg + "/luns delete lun=2",
                                                    "/backstores/fileio delete extra"};
  EXPECT_EQ(f.fake.Lines(mark), expected_remove);
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "extra.img"));
  Status missing = adapter.RemoveLun(7);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("LUN 7"), std::string::npos);

  mark = f.fake.calls.size();
  ASSERT_TRUE(adapter.Stop().ok());
  const std::vector<std::string> expected_stop = {std::string("/iscsi delete ") + kIqn,
                                                  "/backstores/fileio delete fileio0",
                                                  "/backstores/ramdisk delete ram0"};
  EXPECT_EQ(f.fake.Lines(mark), expected_stop);
  EXPECT_FALSE(std::filesystem::exists(image));
  mark = f.fake.calls.size();
  EXPECT_TRUE(adapter.Stop().ok());
  EXPECT_EQ(f.fake.calls.size(), mark) << "Stop is idempotent";
}

TEST(LioAdapterTest, AFailedStepRollsBackAndKeepsSecretsOutOfTheMessage) {
  Fixture f;
  f.fake.fail = [](const std::vector<std::string>& argv) -> std::optional<process::RunResult> {
    if (argv.size() > 3 && argv[2] == "set" && argv[3] == "auth") {
      return Exited(1, "Parameter password is now 'secret1secret'.\nCannot set auth\n");
    }
    return std::nullopt;
  };
  LioAdapter adapter(f.Options());
  Result<RunningTarget> started = adapter.Start(SpecWithChap());
  ASSERT_FALSE(started.ok());
  const std::string& error = started.error();
  EXPECT_NE(error.find("LIO: step "), std::string::npos) << error;
  EXPECT_NE(error.find("set auth userid=user1 password=***"), std::string::npos) << error;
  EXPECT_NE(error.find("Cannot set auth"), std::string::npos) << error;
  EXPECT_EQ(error.find("secret1secret"), std::string::npos) << error;
  // Rollback deleted the target and the storage objects, and the backing file is gone.
  const std::vector<std::string> lines = f.fake.Lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), std::string("/iscsi delete ") + kIqn),
            lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "/backstores/fileio delete fileio0"),
            lines.end());
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "fileio0.img"));
}

TEST(LioAdapterTest, ADefaultPortalThatIsNotThereIsNoFailure) {
  Fixture f;
  f.fake.fail = [](const std::vector<std::string>& argv) -> std::optional<process::RunResult> {
    if (argv.size() > 3 && argv[2] == "delete" && argv[3] == "0.0.0.0") {
      return Exited(1, "No such NetworkPortal in configfs");
    }
    return std::nullopt;
  };
  LioAdapter adapter(f.Options());
  EXPECT_TRUE(adapter.Start(SpecWithChap()).ok());
}

TEST(LioAdapterTest, ASilentTargetcliFailureIsCaughtInConfigfs) {
  Fixture f;
  f.fake.touch_configfs = false;  // every command "succeeds" but nothing appears
  LioAdapter adapter(f.Options());
  Result<RunningTarget> started = adapter.Start(SpecWithChap());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("configfs lacks"), std::string::npos) << started.error();
  EXPECT_FALSE(std::filesystem::exists(f.work.path / "fileio0.img"));
}

TEST(LioAdapterTest, TargetctlRestoreGetsTheSaveconfigFile) {
  Fixture f;
  LioAdapterOptions options = f.Options();
  options.use_targetctl_restore = true;
  const TargetSpec spec = SpecWithChap();
  bool restored = false;
  f.fake.on_restore = [&](const std::vector<std::string>& argv) {
    restored = true;
    ASSERT_EQ(argv.size(), 3u);
    struct stat st {};
    ASSERT_EQ(::stat(argv[2].c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the file holds CHAP secrets";
    std::ifstream in(argv[2]);
    const nlohmann::json written = nlohmann::json::parse(in);
    TargetSpec resolved = spec;
    resolved.luns[0].path = f.work.path / "fileio0.img";
    EXPECT_EQ(written, lio::SaveConfig(resolved, {}).value());
    // Play the kernel: the restored configuration appears in configfs.
    for (const std::string& path : lio::ExpectedConfigfsPaths(resolved, {})) {
      std::filesystem::create_directories(f.kernel_dir.path / path);
    }
  };
  LioAdapter adapter(options);
  Result<RunningTarget> started = adapter.Start(spec);
  ASSERT_TRUE(started.ok()) << started.error();
  EXPECT_TRUE(restored);
  ASSERT_EQ(f.fake.calls.size(), 1u);
  EXPECT_EQ(f.fake.calls[0][1], "restore");
  EXPECT_FALSE(std::filesystem::exists(f.fake.calls[0][2])) << "removed after the restore";
}

}  // namespace
}  // namespace harness::adapters
