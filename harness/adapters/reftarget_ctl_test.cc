// The reftarget-ctl commands the reference adapter runs for live LUN changes: the exact argv
// of each (program, socket, targetcli path, verb, arguments), the LUN numbers chosen, the undo
// of a half-done add, and the backing files created and released. Nothing runs: a fake
// command runner records every command.
#include "harness/adapters/reftarget_ctl.h"

#include <gtest/gtest.h>

#include "harness/adapters/adapter_test_support.h"
#include "harness/adapters/reference_adapter.h"

namespace harness::adapters::refctl {
namespace {

using test_support::Exited;
using test_support::FakeRunner;
using test_support::kIqn;
using test_support::kMiB;
using test_support::LunAt;
using test_support::TempDir;

constexpr char kCtl[] = "/opt/rt/reftarget-ctl";
constexpr char kSocket[] = "/run/rt/admin.sock";

Argv Ctl(Argv args) {
  args.insert(args.begin(), {kCtl, "--socket", kSocket});
  return args;
}

struct Bed {
  Bed()
      : dir("refctl"), files(dir.path / "backing"), luns(CtlOptions{kCtl, kSocket, fake.Runner()}) {
    TargetSpec spec;
    spec.luns = {LunAt("disk0", Backing::kFileio, 64 * kMiB, "/var/tmp/disk0.img"),
                 MakeLunSpec("ram0", Backing::kRamdisk, 16 * kMiB)};
    numbers = luns.Attach(spec, &files);
  }
  TempDir dir;
  BackingFiles files;
  FakeRunner fake;
  ReftargetLuns luns;
  std::vector<int> numbers;
};

TEST(ReftargetCtlArgsTest, EveryCreateFormAndTheLunCommands) {
  LunSpec file = LunAt("disk1", Backing::kFileio, 8 * kMiB, "/tmp/d1.img");
  file.write_back = false;
  EXPECT_EQ(CreateBackstoreArgs(file), (Argv{"/backstores/fileio", "create", "disk1", "/tmp/d1.img",
                                             "8388608", "write_back=false"}));
  EXPECT_EQ(CreateBackstoreArgs(MakeLunSpec("r1", Backing::kRamdisk, kMiB)),
            (Argv{"/backstores/ramdisk", "create", "r1", "1048576"}));
  EXPECT_EQ(CreateBackstoreArgs(LunAt("b1", Backing::kBlock, kMiB, "/dev/loop3")),
            (Argv{"/backstores/block", "create", "b1", "/dev/loop3"}));
  EXPECT_EQ(CreateLunArgs(kIqn, file, 5), (Argv{std::string("/iscsi/") + kIqn + "/tpg1/luns",
                                                "create", "/backstores/fileio/disk1", "lun=5"}));
  EXPECT_EQ(DeleteLunArgs(kIqn, 5),
            (Argv{std::string("/iscsi/") + kIqn + "/tpg1/luns", "delete", "5"}));
  EXPECT_EQ(DeleteBackstoreArgs(file), (Argv{"/backstores/fileio", "delete", "disk1"}));
  EXPECT_EQ(ResizeArgs(file, 16 * kMiB), (Argv{"/backstores/fileio/disk1", "resize", "16777216"}));
}

TEST(ReftargetCtlArgsTest, RefusesWhatTheGrammarCannotSayNamingTheField) {
  LunSpec lun = LunAt("d", Backing::kFileio, kMiB, "/tmp/d.img");
  EXPECT_TRUE(ValidateLun(lun).ok());
  LunSpec bad = lun;
  bad.name = "a/b";
  EXPECT_EQ(ValidateLun(bad).message().rfind("lun.name \"a/b\": contains '/'", 0), 0u)
      << ValidateLun(bad).message();
  bad = lun;
  bad.name = "two words";
  EXPECT_EQ(ValidateLun(bad).message().rfind("lun.name", 0), 0u);
  bad = lun;
  bad.block_size = 4096;
  bad.size_bytes = 4 * kMiB;
  EXPECT_EQ(ValidateLun(bad).message().rfind("lun.block_size 4096", 0), 0u);
  bad = lun;
  bad.thin = true;
  EXPECT_EQ(ValidateLun(bad).message().rfind("lun.thin", 0), 0u);
  bad = lun;
  bad.size_bytes = 1000;
  EXPECT_EQ(ValidateLun(bad).message().rfind("lun.size_bytes 1000", 0), 0u);
  bad = lun;
  bad.path.clear();
  EXPECT_EQ(ValidateLun(bad).message().rfind("lun.path: empty", 0), 0u);
  EXPECT_EQ(
      ValidateLun(MakeLunSpec("n", Backing::kNull, kMiB)).message().rfind("lun.backing null", 0),
      0u);
}

TEST(ReftargetLunsTest, AddCreatesTheBackingTheStorageObjectAndTheLun) {
  Bed bed;
  EXPECT_EQ(bed.numbers, (std::vector<int>{0, 1}));
  Result<int> added = bed.luns.AddLun(MakeLunSpec("hot0", Backing::kFileio, 4 * kMiB));
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added.value(), 2);
  const std::string file = (bed.dir.path / "backing" / "hot0.img").string();
  EXPECT_TRUE(std::filesystem::exists(file));
  // One invocation, applied as one change: the storage object and its LUN.
  ASSERT_EQ(bed.fake.calls.size(), 1u);
  EXPECT_EQ(bed.fake.calls[0],
            Ctl({"/backstores/fileio", "create", "hot0", file, "4194304", "write_back=true", ";",
                 std::string("/iscsi/") + kIqn + "/tpg1/luns", "create", "/backstores/fileio/hot0",
                 "lun=2"}));

  // Removal: LUN first, then the storage object (one change), then the file.
  bed.fake.calls.clear();
  ASSERT_TRUE(bed.luns.RemoveLun(2).ok());
  EXPECT_EQ(bed.fake.calls,
            (std::vector<Argv>{Ctl({std::string("/iscsi/") + kIqn + "/tpg1/luns", "delete", "2",
                                    ";", "/backstores/fileio", "delete", "hot0"})}));
  EXPECT_FALSE(std::filesystem::exists(file));
  // The number is free again; a RAM disk needs no file.
  bed.fake.calls.clear();
  Result<int> ram = bed.luns.AddLun(MakeLunSpec("hotram", Backing::kRamdisk, kMiB));
  ASSERT_TRUE(ram.ok()) << ram.error();
  EXPECT_EQ(ram.value(), 2);
  EXPECT_EQ(bed.fake.calls[0], Ctl({"/backstores/ramdisk", "create", "hotram", "1048576", ";",
                                    std::string("/iscsi/") + kIqn + "/tpg1/luns", "create",
                                    "/backstores/ramdisk/hotram", "lun=2"}));
}

TEST(ReftargetLunsTest, AFailedAddLeavesNothingBehind) {
  Bed bed;
  // reftarget refuses the whole batch (nothing is created); the adapter removes the file.
  bed.fake.answer = [](const Argv&) { return Exited(1, "batch: command 2: LUN 2 already in use"); };
  Result<int> added = bed.luns.AddLun(MakeLunSpec("hot1", Backing::kFileio, kMiB));
  ASSERT_FALSE(added.ok());
  EXPECT_NE(added.error().find("LUN 2 already in use"), std::string::npos) << added.error();
  EXPECT_NE(added.error().find("`/opt/rt/reftarget-ctl --socket"), std::string::npos);
  ASSERT_EQ(bed.fake.calls.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(bed.dir.path / "backing" / "hot1.img"));
  EXPECT_EQ(bed.luns.spec().luns.size(), 2u) << "a failed add must not be recorded";
}

TEST(ReftargetLunsTest, RefusedInputsRunNothing) {
  Bed bed;
  EXPECT_FALSE(bed.luns.AddLun(MakeLunSpec("disk0", Backing::kFileio, kMiB)).ok())
      << "the name is exported already";
  EXPECT_FALSE(bed.luns.AddLun(MakeLunSpec("n0", Backing::kNull, kMiB)).ok());
  EXPECT_EQ(bed.luns.RemoveLun(7).message(),
            "reftarget: LUN 7 is not exported by " + std::string(kIqn));
  EXPECT_FALSE(bed.luns.ResizeLun(0, 1000).ok());
  EXPECT_TRUE(bed.fake.calls.empty());
  EXPECT_FALSE(std::filesystem::exists(bed.dir.path / "backing"));
}

TEST(ReftargetLunsTest, ResizeSendsTheNewSizeAndRemembersIt) {
  Bed bed;
  ASSERT_TRUE(bed.luns.ResizeLun(0, 96 * kMiB).ok());
  EXPECT_EQ(bed.fake.calls,
            (std::vector<Argv>{Ctl({"/backstores/fileio/disk0", "resize", "100663296"})}));
  EXPECT_EQ(bed.luns.spec().luns.back().size_bytes, 96 * kMiB);
  // The LUN keeps its number: removing LUN 0 names disk0.
  bed.fake.calls.clear();
  ASSERT_TRUE(bed.luns.RemoveLun(0).ok());
  ASSERT_EQ(bed.fake.calls.size(), 1u);
  EXPECT_EQ(bed.fake.calls[0].back(), "disk0");
}

TEST(ReftargetLunsTest, QuerySessionsAsksForTheDetailedListAndReportsAFailure) {
  Bed bed;
  Result<std::chrono::milliseconds> took = bed.luns.QuerySessions(std::chrono::seconds(2));
  ASSERT_TRUE(took.ok()) << took.error();
  EXPECT_EQ(bed.fake.calls, (std::vector<Argv>{Ctl({"sessions", "detail"})}));
  bed.fake.answer = [](const Argv&) { return Exited(1, "admin socket: timed out"); };
  took = bed.luns.QuerySessions(std::chrono::seconds(2));
  ASSERT_FALSE(took.ok());
  EXPECT_NE(took.error().find("admin socket: timed out"), std::string::npos) << took.error();
}

TEST(ReferenceAdapterLiveTest, CapabilitiesFollowTheCtlBinaryAndTheSocketFits) {
  TempDir dir("refadapter");
  ReferenceOptions with;
  with.work_dir = dir.path;
  with.reftarget = "/nonexistent/reftarget";
  with.reftarget_ctl = "/opt/rt/reftarget-ctl";
  ReferenceAdapter live(with);
  EXPECT_TRUE(live.capabilities().live_lun_changes);
  EXPECT_TRUE(live.capabilities().live_resize);
  EXPECT_EQ(live.admin_socket(), dir.path / "admin.sock");
  // Not started: a live change says so and runs nothing.
  EXPECT_EQ(live.AddLun(MakeLunSpec("x", Backing::kRamdisk, kMiB)).error(),
            "reference adapter: not started");

  const std::filesystem::path deep = dir.path / std::string(120, 'd');
  const std::filesystem::path socket = AdminSocketPath(deep);
  EXPECT_LE(socket.string().size(), 107u) << socket;
  EXPECT_EQ(socket.parent_path(), std::filesystem::temp_directory_path());
  EXPECT_EQ(AdminSocketPath(deep), socket) << "the same work dir gets the same socket";
}

}  // namespace
}  // namespace harness::adapters::refctl
