// Runs the real faultfs binary and checks the pass-through, durability tracking, lifecycle
// (signals, kills) and the CLI.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/aio_abi.h>
#include <linux/falloc.h>
#include <linux/loop.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "fault-injection/faultfs/integration_fixture.h"
#include "target/common/io_buffer.h"

namespace reftarget::faultfs::testing {
namespace {

TEST_F(FaultFsTest, PassThroughReadsAndWrites) {
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.ok()) << std::strerror(errno);
  std::string buf(kDiskSize, '\0');
  ASSERT_EQ(pread(fd.get(), buf.data(), buf.size(), 0), static_cast<ssize_t>(kDiskSize));
  EXPECT_TRUE(buf == disk_);
  ASSERT_EQ(pwrite(fd.get(), "hello", 5, 100), 5);
  EXPECT_EQ(ReadFile(Src("disk.img")).substr(100, 5), "hello");
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kDiskSize);
}

TEST_F(FaultFsTest, ODirectWorks) {
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_DIRECT | O_CLOEXEC));
  ASSERT_TRUE(fd.ok()) << "O_DIRECT open: " << std::strerror(errno);
  IoBuffer buffer(65536);
  ASSERT_EQ(pread(fd.get(), buffer.data(), 65536, 0), 65536);
  EXPECT_EQ(std::memcmp(buffer.data(), disk_.data(), 65536), 0);
  std::memset(buffer.data(), 'd', 65536);
  ASSERT_EQ(pwrite(fd.get(), buffer.data(), 65536, 65536), 65536);
  EXPECT_EQ(ReadFile(Src("disk.img")).substr(65536, 65536), std::string(65536, 'd'));
  daemon_.AddRule(
      {{"file", "disk.img"}, {"op", "read"}, {"offset", 0}, {"length", 512}, {"errno", "EIO"}});
  errno = 0;
  EXPECT_EQ(pread(fd.get(), buffer.data(), 4096, 0), -1);
  EXPECT_EQ(errno, EIO);
}

TEST_F(FaultFsTest, SeekDataAndHole) {
  {
    Fd src(open(Src("sparse.img").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_EQ(ftruncate(src.get(), 4 << 20), 0);
    ASSERT_EQ(pwrite(src.get(), "data", 4, 1 << 20), 4);
  }
  Fd fd(open(Mnt("sparse.img").c_str(), O_RDONLY | O_CLOEXEC));
  const off_t data = lseek(fd.get(), 0, SEEK_DATA);
  if (data < 0 && errno == EINVAL) GTEST_SKIP() << "source file system has no SEEK_DATA";
  EXPECT_EQ(data, 1 << 20);
  const off_t hole = lseek(fd.get(), 1 << 20, SEEK_HOLE);
  EXPECT_GT(hole, 1 << 20);
  EXPECT_LE(hole, 4 << 20);
}

TEST_F(FaultFsTest, MetadataPassThrough) {
  ASSERT_EQ(mkdir(Mnt("dir").c_str(), 0750), 0);
  {
    Fd fd(open(Mnt("dir/f").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    ASSERT_TRUE(fd.ok());
    ASSERT_EQ(pwrite(fd.get(), "0123456789", 10, 0), 10);
    ASSERT_EQ(ftruncate(fd.get(), 8192), 0);
    ASSERT_EQ(fallocate(fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), 0);
    char buf[10];
    ASSERT_EQ(pread(fd.get(), buf, 10, 0), 10);
    EXPECT_EQ(std::string(buf, 10), std::string(10, '\0'));
  }
  EXPECT_LT(open(Mnt("dir/f").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640), 0);
  EXPECT_EQ(errno, EEXIST);
  ASSERT_EQ(chmod(Mnt("dir/f").c_str(), 0600), 0);
  const struct timespec times[2] = {{1000, 0}, {2000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, Mnt("dir/f").c_str(), times, 0), 0);
  struct stat st;
  ASSERT_EQ(stat(Src("dir/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_size, 8192);
  ASSERT_EQ(truncate(Mnt("dir/f").c_str(), 100), 0);
  ASSERT_EQ(stat(Mnt("dir/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 100);
  ASSERT_EQ(rename(Mnt("dir/f").c_str(), Mnt("dir/g").c_str()), 0);
  std::set<std::string> names;
  DIR* dir = opendir(Mnt("dir").c_str());
  ASSERT_NE(dir, nullptr);
  while (const dirent* e = readdir(dir)) names.insert(e->d_name);
  closedir(dir);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "g"}));
  struct statvfs vfs;
  EXPECT_EQ(statvfs(tree_.mnt().c_str(), &vfs), 0);
  EXPECT_GT(vfs.f_blocks, 0u);
  ASSERT_EQ(symlink("g", Mnt("dir/link").c_str()), 0);
  char target[16] = {};
  EXPECT_EQ(readlink(Mnt("dir/link").c_str(), target, sizeof(target)), 1);
  ASSERT_EQ(unlink(Mnt("dir/link").c_str()), 0);
  ASSERT_EQ(unlink(Mnt("dir/g").c_str()), 0);
  ASSERT_EQ(rmdir(Mnt("dir").c_str()), 0);
  EXPECT_NE(access(Src("dir").c_str(), F_OK), 0);
}

TEST_F(FaultFsTest, RulesFollowRenamedOpenFiles) {
  Fd fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_EQ(rename(Mnt("disk.img").c_str(), Mnt("moved.img").c_str()), 0);
  daemon_.AddRule({{"file", "moved.img"}, {"op", "read"}, {"errno", "EIO"}});
  char buf[512];
  errno = 0;
  EXPECT_EQ(pread(fd.get(), buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, EIO);
}

TEST_F(FaultFsTest, UnsyncedAndPowerCut) {
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.ok());
  const std::string synced(8192, 's');
  ASSERT_EQ(pwrite(fd.get(), synced.data(), synced.size(), 0), 8192);
  ASSERT_EQ(fsync(fd.get()), 0);
  const std::string lost(4096, 'L');
  ASSERT_EQ(pwrite(fd.get(), lost.data(), lost.size(), 2048), 4096);
  ASSERT_EQ(pwrite(fd.get(), lost.data(), lost.size(), kDiskSize), 4096);  // Extends the file.
  Result<json> unsynced = daemon_.Call({{"cmd", "unsynced"}, {"file", "disk.img"}});
  ASSERT_TRUE(unsynced.ok());
  EXPECT_EQ(unsynced.value()["unsynced"],
            json::parse("[{\"offset\":2048,\"length\":4096},{\"offset\":" +
                        std::to_string(kDiskSize) + ",\"length\":4096}]"))
      << unsynced.value().dump();
  EXPECT_EQ(unsynced.value()["synced_size"], kDiskSize);
  EXPECT_EQ(unsynced.value()["shadow_bytes"], 4096);

  Result<json> cut = daemon_.Call({{"cmd", "powercut"}, {"file", "disk.img"}});
  ASSERT_TRUE(cut.ok());
  ASSERT_TRUE(cut.value()["ok"].get<bool>()) << cut.value().dump();
  std::string expected = disk_;
  expected.replace(0, 8192, synced);
  EXPECT_TRUE(ReadFile(Src("disk.img")) == expected);
  std::string buf(8192, '\0');
  ASSERT_EQ(pread(fd.get(), buf.data(), buf.size(), 0), 8192);  // The mount sees it too.
  EXPECT_EQ(buf, synced);
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), kDiskSize);
  unsynced = daemon_.Call({{"cmd", "unsynced"}, {"file", "disk.img"}});
  EXPECT_TRUE(unsynced.value()["unsynced"].empty());
}

// A target writes FUA and write-through data with pwritev2(RWF_DSYNC) on an ordinary open
// file: the kernel passes the flag with that one FUSE write, and a power cut must keep it.
TEST_F(FaultFsTest, PerWriteDsyncIsDurable) {
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.ok());
  std::string durable(4096, 'D');
  iovec iov{durable.data(), durable.size()};
  ASSERT_EQ(pwritev2(fd.get(), &iov, 1, 0, RWF_DSYNC), 4096) << std::strerror(errno);
  const std::string plain(4096, 'p');
  ASSERT_EQ(pwrite(fd.get(), plain.data(), plain.size(), 8192), 4096);
  Result<json> unsynced = daemon_.Call({{"cmd", "unsynced"}, {"file", "disk.img"}});
  ASSERT_TRUE(unsynced.ok());
  EXPECT_EQ(unsynced.value()["unsynced"], json::parse("[{\"offset\":8192,\"length\":4096}]"))
      << unsynced.value().dump();
  Result<json> cut = daemon_.Call({{"cmd", "powercut"}, {"file", "disk.img"}});
  ASSERT_TRUE(cut.ok());
  std::string expected = disk_;
  expected.replace(0, 4096, durable);
  EXPECT_TRUE(ReadFile(Src("disk.img")) == expected)
      << "the RWF_DSYNC write survives, the other not";
}

TEST_F(FaultFsTest, SigtermReleasesHangsAndUnmounts) {
  daemon_.AddRule({{"file", "disk.img"}, {"op", "read"}, {"hang", true}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  char buf[512];
  BackgroundIo io(&daemon_, [&] { return pread(fd.get(), buf, sizeof(buf), 0); });
  ASSERT_TRUE(WaitHanging(1));
  daemon_.Signal(SIGTERM);
  std::optional<int> status = daemon_.WaitExit(10s);
  ASSERT_TRUE(status) << "faultfs did not exit within 10 s of SIGTERM with a hung request";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status;
  ASSERT_TRUE(io.WaitDone(5s));
  for (int i = 0; i < 100 && IsMountPoint(tree_.mnt()); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(IsMountPoint(tree_.mnt()));
  struct stat st;
  EXPECT_NE(stat(tree_.sock().c_str(), &st), 0) << "control socket left behind";
}

TEST_F(FaultFsTest, KilledDaemonIsUnmountedByTheGuard) {
  daemon_.Kill();
  daemon_.Stop();
  EXPECT_FALSE(IsMountPoint(tree_.mnt()));
}

TEST_F(FaultFsTest, CtlBinary) {
  const std::string ctl = FAULTFS_CTL_BINARY;
  const std::string sock = tree_.sock();
  ProcessResult add =
      RunProcess({ctl, "--control", sock, "add", "--file", "disk.img", "--op", "read", "--offset",
                  "0", "--length", "1M", "--error", "EIO", "--count", "5"},
                 10s);
  EXPECT_EQ(add.exit_code, 0) << add.output;
  EXPECT_EQ(add.output, "added rule 1\n");
  ProcessResult list = RunProcess({ctl, "--control", sock, "list"}, 10s);
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.output,
            "1: file=disk.img op=read range=[0, 1048576) action=error EIO count=5 hits=0\n");
  ProcessResult stats = RunProcess({ctl, "--control", sock, "--json", "stats"}, 10s);
  EXPECT_EQ(stats.exit_code, 0);
  EXPECT_EQ(json::parse(stats.output, nullptr, false)["rules"][0]["hits"], 0);
  ProcessResult bad = RunProcess({ctl, "--control", sock, "clear", "99"}, 10s);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("no rule with id 99"), std::string::npos);
  ProcessResult usage =
      RunProcess({ctl, "--control", sock, "add", "--hang", "--error", "EIO"}, 10s);
  EXPECT_EQ(usage.exit_code, 2);
  ProcessResult sub = RunProcess({FAULTFS_BINARY, "ctl", "--control", sock, "clear", "all"}, 10s);
  EXPECT_EQ(sub.exit_code, 0) << sub.output;
  EXPECT_EQ(sub.output, "cleared 1 rule(s)\n");
  ProcessResult absent = RunProcess({ctl, "--control", tree_.root() + "/nope.sock", "ping"}, 10s);
  EXPECT_EQ(absent.exit_code, 2);
}

// The loop device over a faulty file: the block layer sees the error for the range.
}  // namespace
}  // namespace reftarget::faultfs::testing
