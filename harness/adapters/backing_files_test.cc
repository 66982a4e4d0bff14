// BackingFiles with a fake runner standing in for losetup: what it creates, what it runs,
// and what it releases, per LUN and all at once.
#include "harness/adapters/backing_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "harness/adapters/adapter_test_support.h"

namespace harness::adapters {
namespace {

using test_support::Exited;
using test_support::FakeRunner;
using test_support::TempDir;

BackingOptions With(FakeRunner& fake, bool direct_io = false) {
  BackingOptions options;
  options.runner = fake.Runner();
  options.loop_direct_io = direct_io;
  return options;
}

TEST(BackingFilesTest, FileioGetsASparseFileThatReleaseRemoves) {
  TempDir dir("kadapters-backing");
  FakeRunner fake;
  BackingFiles backings(dir.path / "work", With(fake));
  LunSpec lun = MakeLunSpec("fileio0", Backing::kFileio, 1ull << 30);
  ASSERT_TRUE(backings.Prepare(&lun).ok());
  EXPECT_EQ(lun.path, dir.path / "work" / "fileio0.img");
  EXPECT_EQ(std::filesystem::file_size(lun.path), 1ull << 30);
  struct stat st {};
  ASSERT_EQ(::stat(lun.path.c_str(), &st), 0);
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 1ull << 20) << "the file must be sparse";
  EXPECT_TRUE(fake.calls.empty());

  LunSpec given = MakeLunSpec("given", Backing::kFileio, 4096);
  given.path = "/srv/given.img";
  LunSpec ram = MakeLunSpec("ram", Backing::kRamdisk, 4096);
  ASSERT_TRUE(backings.Prepare(&given).ok());
  ASSERT_TRUE(backings.Prepare(&ram).ok());
  EXPECT_EQ(given.path, "/srv/given.img");
  EXPECT_TRUE(ram.path.empty());

  ASSERT_TRUE(backings.Release("fileio0").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "work" / "fileio0.img"));
  EXPECT_TRUE(backings.Release("fileio0").ok()) << "releasing twice is harmless";
}

TEST(BackingFilesTest, ALeftoverFileIsReplacedByAZeroedOne) {
  TempDir dir("kadapters-backing");
  FakeRunner fake;
  BackingFiles backings(dir.path, With(fake));
  { std::ofstream(dir.path / "disk.img") << "old data"; }
  Result<std::filesystem::path> file =
      backings.CreateSparseFile(MakeLunSpec("disk", Backing::kRamdisk, 8192));
  ASSERT_TRUE(file.ok()) << file.error();
  EXPECT_EQ(file.value(), dir.path / "disk.img");
  EXPECT_EQ(std::filesystem::file_size(file.value()), 8192u);
  EXPECT_EQ(test_support::ReadFile(file.value()), std::string(8192, '\0'));
  ASSERT_TRUE(backings.ReleaseAll().ok());
  EXPECT_FALSE(std::filesystem::exists(file.value()));
}

TEST(BackingFilesTest, BlockGetsALoopDeviceDetachedOnRelease) {
  TempDir dir("kadapters-backing");
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>& argv) {
    return argv[1] == "-f" ? Exited(0, "/dev/loop9\n") : Exited(0, "");
  };
  {
    BackingFiles backings(dir.path, With(fake));
    LunSpec lun = MakeLunSpec("block0", Backing::kBlock, 1 << 20);
    ASSERT_TRUE(backings.Prepare(&lun).ok());
    EXPECT_EQ(lun.path, "/dev/loop9");
    ASSERT_EQ(fake.calls.size(), 1u);
    const std::vector<std::string> attach = {"losetup", "-f", "--show",
                                             (dir.path / "block0.img").string()};
    EXPECT_EQ(fake.calls[0], attach);
  }  // the destructor releases what is left
  ASSERT_EQ(fake.calls.size(), 2u);
  const std::vector<std::string> detach = {"losetup", "-d", "/dev/loop9"};
  EXPECT_EQ(fake.calls[1], detach);
  EXPECT_FALSE(std::filesystem::exists(dir.path / "block0.img"));
}

TEST(BackingFilesTest, DirectIoLoopDevicesAskLosetupForIt) {
  TempDir dir("kadapters-backing");
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>&) { return Exited(0, "/dev/loop3\n"); };
  BackingFiles backings(dir.path, With(fake, /*direct_io=*/true));
  LunSpec lun = MakeLunSpec("b", Backing::kBlock, 1 << 20);
  ASSERT_TRUE(backings.Prepare(&lun).ok());
  const std::vector<std::string> attach = {"losetup", "-f", "--show", "--direct-io=on",
                                           (dir.path / "b.img").string()};
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0], attach);
}

TEST(BackingFilesTest, FailuresNameTheLunAndLeaveNothingBehind) {
  TempDir dir("kadapters-backing");
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>&) { return Exited(0, "losetup: oops\n"); };
  BackingFiles backings(dir.path, With(fake));
  LunSpec lun = MakeLunSpec("block0", Backing::kBlock, 1 << 20);
  Status status = backings.Prepare(&lun);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("LUN block0"), std::string::npos) << status.message();
  EXPECT_TRUE(lun.path.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "block0.img"));

  BackingFiles no_dir("", With(fake));
  LunSpec file = MakeLunSpec("f", Backing::kFileio, 4096);
  status = no_dir.Prepare(&file);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("work_dir"), std::string::npos) << status.message();
  EXPECT_TRUE(backings.ReleaseAll().ok());
}

TEST(BackingFilesTest, PrepareAllUndoesItsOwnWorkOnAFailure) {
  TempDir dir("kadapters-backing");
  FakeRunner fake;
  fake.answer = [](const std::vector<std::string>&) { return Exited(1, "no loop device\n"); };
  BackingFiles backings(dir.path, With(fake));
  LunSpec earlier = MakeLunSpec("earlier", Backing::kFileio, 4096);
  ASSERT_TRUE(backings.Prepare(&earlier).ok());
  std::vector<LunSpec> luns = {MakeLunSpec("f0", Backing::kFileio, 4096),
                               MakeLunSpec("b0", Backing::kBlock, 4096)};
  Status status = backings.PrepareAll(&luns);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().rfind("LUN b0: cannot attach a loop device: ", 0), 0u)
      << status.message();
  EXPECT_FALSE(std::filesystem::exists(dir.path / "f0.img"));
  EXPECT_TRUE(std::filesystem::exists(earlier.path)) << "what an earlier call made stays";
}

}  // namespace
}  // namespace harness::adapters
