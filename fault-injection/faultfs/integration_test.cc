// Runs the real faultfs binary and checks that the kernel sees each injected fault where the
// rule says and nowhere else. The daemon guard always unmounts.
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

TEST_F(FaultFsTest, ReadErrorOnlyInsideRange) {
  daemon_.AddRule({{"file", "disk.img"},
                   {"op", "read"},
                   {"offset", kFaultOffset},
                   {"length", kFaultLength},
                   {"errno", "EIO"}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.ok());
  char buf[8192];
  EXPECT_EQ(pread(fd.get(), buf, 4096, 0), 4096);
  EXPECT_EQ(std::memcmp(buf, disk_.data(), 4096), 0);
  EXPECT_EQ(pread(fd.get(), buf, 4096, kFaultOffset - 4096), 4096);
  errno = 0;
  EXPECT_EQ(pread(fd.get(), buf, 4096, kFaultOffset), -1);
  EXPECT_EQ(errno, EIO);
  errno = 0;
  EXPECT_EQ(pread(fd.get(), buf, 8192, kFaultOffset - 4096), -1);  // Straddles the start.
  EXPECT_EQ(errno, EIO);
  errno = 0;
  EXPECT_EQ(pread(fd.get(), buf, 512, kFaultOffset + kFaultLength - 512), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(pread(fd.get(), buf, 4096, kFaultOffset + kFaultLength), 4096);
  EXPECT_EQ(std::memcmp(buf, disk_.data() + kFaultOffset + kFaultLength, 4096), 0);
  // Other files and writes are untouched.
  Fd other(open(Mnt("other.img").c_str(), O_RDWR | O_CLOEXEC));
  EXPECT_EQ(pread(other.get(), buf, 4096, kFaultOffset), 4096);
  Fd rw(open(Mnt("disk.img").c_str(), O_WRONLY | O_CLOEXEC));
  EXPECT_EQ(pwrite(rw.get(), buf, 4096, kFaultOffset), 4096);

  json stats = Stats();
  EXPECT_EQ(stats["rules"][0]["hits"], 3);
  const std::string log = ReadFile(tree_.log());
  EXPECT_NE(log.find("fault rule=1 file=disk.img op=read offset=" + std::to_string(kFaultOffset) +
                     " length=4096 action=error errno=EIO"),
            std::string::npos)
      << log;
}

TEST_F(FaultFsTest, CountLimitsFailures) {
  daemon_.AddRule({{"file", "disk.img"}, {"op", "read"}, {"errno", "EIO"}, {"count", 2}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  char buf[512];
  EXPECT_EQ(pread(fd.get(), buf, sizeof(buf), 0), -1);
  EXPECT_EQ(pread(fd.get(), buf, sizeof(buf), 0), -1);
  EXPECT_EQ(pread(fd.get(), buf, sizeof(buf), 0), 512);
  EXPECT_TRUE(Stats()["rules"][0]["exhausted"].get<bool>());
}

TEST_F(FaultFsTest, WriteEnospcOnlyInsideRange) {
  daemon_.AddRule({{"file", "disk.img"},
                   {"op", "write"},
                   {"offset", 0},
                   {"length", 4096},
                   {"errno", "ENOSPC"}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.ok());
  const std::string data(4096, 'w');
  errno = 0;
  EXPECT_EQ(pwrite(fd.get(), data.data(), data.size(), 0), -1);
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_EQ(ReadFile(Src("disk.img")).substr(0, 4096), disk_.substr(0, 4096));  // Nothing written.
  EXPECT_EQ(pwrite(fd.get(), data.data(), data.size(), 8192), 4096);
  EXPECT_EQ(ReadFile(Src("disk.img")).substr(8192, 4096), data);
  char buf[4096];
  EXPECT_EQ(pread(fd.get(), buf, sizeof(buf), 0), 4096);  // Reads still work.
}

TEST_F(FaultFsTest, DelayStallsTheRequest) {
  daemon_.AddRule({{"file", "disk.img"}, {"op", "write"}, {"delay_ms", 300}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  char buf[4096] = {};
  auto start = Clock::now();
  EXPECT_EQ(pread(fd.get(), buf, sizeof(buf), 0), 4096);
  EXPECT_LT(Clock::now() - start, 250ms);  // Reads are not delayed.
  start = Clock::now();
  EXPECT_EQ(pwrite(fd.get(), buf, sizeof(buf), 0), 4096);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(FaultFsTest, HangUntilReleased) {
  const uint64_t id = daemon_.AddRule({{"file", "disk.img"}, {"op", "read"}, {"hang", true}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  std::string buf(4096, '\0');
  BackgroundIo io(&daemon_, [&] { return pread(fd.get(), buf.data(), buf.size(), 0); });
  ASSERT_TRUE(WaitHanging(1));
  EXPECT_FALSE(io.WaitDone(200ms)) << "read returned while its rule hangs";
  Result<json> released = daemon_.Call({{"cmd", "release"}, {"id", id}});
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released.value()["woken"], 1);
  ASSERT_TRUE(io.WaitDone(5s)) << "read still hung after release";
  EXPECT_EQ(io.result(), 4096);
  EXPECT_EQ(buf, disk_.substr(0, 4096));
  EXPECT_NE(ReadFile(tree_.log()).find("hang=end reason=released"), std::string::npos);
}

TEST_F(FaultFsTest, ClearingTheRuleEndsTheHang) {
  const uint64_t id = daemon_.AddRule({{"file", "disk.img"}, {"op", "any"}, {"hang", true}});
  int opened = -1;
  BackgroundIo io(&daemon_, [&]() -> ssize_t {
    opened = open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC);  // op any: open hangs too.
    return opened;
  });
  ASSERT_TRUE(WaitHanging(1));
  ASSERT_TRUE(daemon_.Call({{"cmd", "clear"}, {"id", id}}).ok());
  ASSERT_TRUE(io.WaitDone(5s));
  EXPECT_GE(io.result(), 0);
  Fd fd(opened);
  EXPECT_NE(ReadFile(tree_.log()).find("hang=end reason=rule-cleared"), std::string::npos);
}

TEST_F(FaultFsTest, HangOnOneFileDoesNotBlockAnother) {
  daemon_.AddRule({{"file", "disk.img"}, {"op", "read"}, {"hang", true}});
  Fd hung_fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(hung_fd.ok());
  std::string hung_buf(4096, '\0');
  BackgroundIo hung(&daemon_,
                    [&] { return pread(hung_fd.get(), hung_buf.data(), hung_buf.size(), 0); });
  ASSERT_TRUE(WaitHanging(1));
  {
    // Several operations on another file and on the directory, each bounded.
    std::string buf(65536, '\0');
    BackgroundIo other(&daemon_, [&]() -> ssize_t {
      Fd fd(open(Mnt("other.img").c_str(), O_RDWR | O_CLOEXEC));
      if (!fd.ok()) return -1;
      if (pread(fd.get(), buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) return -1;
      if (pwrite(fd.get(), buf.data(), buf.size(), 65536) != static_cast<ssize_t>(buf.size()))
        return -1;
      if (fsync(fd.get()) != 0) return -1;
      struct stat st;
      if (stat(Mnt("disk.img").c_str(), &st) != 0) return -1;
      if (rename(Mnt("other.img").c_str(), Mnt("renamed.img").c_str()) != 0) return -1;
      return 0;
    });
    ASSERT_TRUE(other.WaitDone(5s)) << "I/O to other.img blocked behind the hang on disk.img";
    EXPECT_EQ(other.result(), 0) << std::strerror(other.error());
  }
  {
    // A second read of the same hung file hangs too, and still does not block other.img.
    Fd fd2(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
    char c;
    BackgroundIo second(&daemon_, [&] { return pread(fd2.get(), &c, 1, 0); });
    ASSERT_TRUE(WaitHanging(2));
    Fd fd(open(Mnt("renamed.img").c_str(), O_RDONLY | O_CLOEXEC));
    char buf[512];
    BackgroundIo other(&daemon_, [&] { return pread(fd.get(), buf, sizeof(buf), 0); });
    ASSERT_TRUE(other.WaitDone(5s));
    EXPECT_EQ(other.result(), 512);
    ASSERT_TRUE(daemon_.Call({{"cmd", "clear"}}).ok());  // Clearing the rule ends both hangs.
    ASSERT_TRUE(second.WaitDone(5s));
    EXPECT_EQ(second.result(), 1);
  }
  ASSERT_TRUE(hung.WaitDone(5s));
  EXPECT_EQ(hung.result(), 4096);
}

// A kernel AIO context (raw syscalls: no libaio dependency).
class AioContext {
 public:
  AioContext() {
    if (syscall(SYS_io_setup, 128, &ctx_) != 0) ctx_ = 0;
  }
  ~AioContext() {
    if (ctx_ != 0) syscall(SYS_io_destroy, ctx_);  // Waits for in-flight requests.
  }
  AioContext(const AioContext&) = delete;
  AioContext& operator=(const AioContext&) = delete;
  bool ok() const { return ctx_ != 0; }
  bool SubmitRead(int fd, void* buf, size_t size, uint64_t offset, uint64_t tag) {
    iocb cb{};
    cb.aio_data = tag;
    cb.aio_lio_opcode = IOCB_CMD_PREAD;
    cb.aio_fildes = static_cast<uint32_t>(fd);
    cb.aio_buf = reinterpret_cast<uintptr_t>(buf);
    cb.aio_nbytes = size;
    cb.aio_offset = static_cast<int64_t>(offset);
    iocb* list[1] = {&cb};
    return syscall(SYS_io_submit, ctx_, 1, list) == 1;
  }
  // Returns the completions that arrive within `timeout`, at least `min` of them if they do.
  std::vector<io_event> Reap(long min, std::chrono::milliseconds timeout) {
    std::vector<io_event> events(128);
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1000000};
    const long n =
        syscall(SYS_io_getevents, ctx_, min, static_cast<long>(events.size()), events.data(), &ts);
    events.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return events;
  }

 private:
  aio_context_t ctx_ = 0;
};

// Many hung asynchronous O_DIRECT reads (background requests in the kernel, the way an
// io_uring or AIO backstore issues them) must not starve asynchronous I/O to another file.
TEST_F(FaultFsTest, HungAsyncIoDoesNotStarveAnotherFile) {
  constexpr int kHung = 32;  // Well above libfuse's default max_background of 12.
  daemon_.AddRule({{"file", "disk.img"}, {"op", "read"}, {"hang", true}});
  Fd hung_fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  Fd other_fd(open(Mnt("other.img").c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  ASSERT_TRUE(hung_fd.ok() && other_fd.ok());
  std::vector<IoBuffer> buffers;
  for (int i = 0; i <= kHung; ++i) buffers.emplace_back(4096);
  AioContext aio;
  if (!aio.ok()) GTEST_SKIP() << "io_setup failed: " << std::strerror(errno);
  // Destroyed before `aio`: wakes the hung reads so that io_destroy can finish.
  struct Releaser {
    FaultFsDaemon* daemon;
    ~Releaser() { (void)daemon->Call({{"cmd", "clear"}}); }
  } releaser{&daemon_};
  // io_submit itself blocks when the kernel's background queue is full: bound it.
  BackgroundIo submit_hung(&daemon_, [&]() -> ssize_t {
    for (int i = 0; i < kHung; ++i) {
      if (!aio.SubmitRead(hung_fd.get(), buffers[i].data(), 4096, static_cast<uint64_t>(i) * 4096,
                          1)) {
        return -1;
      }
    }
    return 0;
  });
  ASSERT_TRUE(submit_hung.WaitDone(5s))
      << "io_submit blocked: the kernel queue is full of hung reads";
  ASSERT_EQ(submit_hung.result(), 0) << std::strerror(submit_hung.error());
  ASSERT_TRUE(WaitHanging(kHung)) << "not every asynchronous read reached faultfs";
  BackgroundIo submit_other(&daemon_, [&]() -> ssize_t {
    return aio.SubmitRead(other_fd.get(), buffers[kHung].data(), 4096, 0, 2) ? 0 : -1;
  });
  ASSERT_TRUE(submit_other.WaitDone(5s)) << "io_submit for other.img blocked behind hung reads";
  ASSERT_EQ(submit_other.result(), 0);
  std::vector<io_event> done = aio.Reap(1, 5s);
  ASSERT_EQ(done.size(), 1u) << "asynchronous read of other.img starved behind hung reads";
  EXPECT_EQ(done[0].data, 2u);
  EXPECT_EQ(done[0].res, 4096);
  ASSERT_TRUE(daemon_.Call({{"cmd", "release"}}).ok());
  size_t completed = 0;
  const auto deadline = Clock::now() + 10s;
  while (completed < kHung && Clock::now() < deadline) {
    for (const io_event& e : aio.Reap(1, 1s)) {
      EXPECT_EQ(e.data, 1u);
      EXPECT_EQ(e.res, 4096);
      ++completed;
    }
  }
  EXPECT_EQ(completed, static_cast<size_t>(kHung));
}

TEST_F(FaultFsTest, CorruptFlipsBitsInRange) {
  daemon_.AddRule({{"file", "disk.img"},
                   {"op", "read"},
                   {"offset", 100},
                   {"length", 2},
                   {"corrupt", true},
                   {"xor", 1}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDONLY | O_CLOEXEC));
  std::string buf(4096, '\0');
  ASSERT_EQ(pread(fd.get(), buf.data(), buf.size(), 0), 4096);
  std::string expected = disk_.substr(0, 4096);
  expected[100] = static_cast<char>(expected[100] ^ 1);
  expected[101] = static_cast<char>(expected[101] ^ 1);
  EXPECT_TRUE(buf == expected);
  EXPECT_EQ(ReadFile(Src("disk.img")).substr(0, 4096),
            disk_.substr(0, 4096));  // The medium is intact.
}

TEST_F(FaultFsTest, ShortReadAndWrite) {
  daemon_.AddRule({{"file", "disk.img"}, {"op", "any"}, {"offset", 4096}, {"short", true}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  std::string buf(8192, '\0');
  EXPECT_EQ(pread(fd.get(), buf.data(), buf.size(), 0), 4096);
  EXPECT_EQ(buf.substr(0, 4096), disk_.substr(0, 4096));
  EXPECT_EQ(pwrite(fd.get(), buf.data(), 8192, 0), 4096);
}

TEST_F(FaultFsTest, OpenAndFsyncErrors) {
  daemon_.AddRule({{"file", "ro.img"}, {"op", "open"}, {"errno", "EROFS"}});
  WriteSourceFile(Src("ro.img"), "x");
  errno = 0;
  EXPECT_LT(open(Mnt("ro.img").c_str(), O_RDONLY | O_CLOEXEC), 0);
  EXPECT_EQ(errno, EROFS);
  daemon_.AddRule({{"file", "disk.img"}, {"op", "fsync"}, {"errno", "EIO"}, {"count", 1}});
  Fd fd(open(Mnt("disk.img").c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.ok());
  ASSERT_EQ(pwrite(fd.get(), "abc", 3, 0), 3);
  errno = 0;
  EXPECT_EQ(fsync(fd.get()), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_EQ(fdatasync(fd.get()), 0);  // count 1: the next flush succeeds.
}

class LoopDevice {
 public:
  ~LoopDevice() {
    if (loop_fd_ >= 0) {
      ioctl(loop_fd_, LOOP_CLR_FD, 0);
      close(loop_fd_);
    }
  }
  Status Attach(const std::string& backing) {
    Fd control(open("/dev/loop-control", O_RDWR | O_CLOEXEC));
    if (!control.ok())
      return Status::Error(std::string("/dev/loop-control: ") + std::strerror(errno));
    Fd file(open(backing.c_str(), O_RDWR | O_CLOEXEC));
    if (!file.ok()) return Status::Error(backing + ": " + std::strerror(errno));
    for (int attempt = 0; attempt < 10; ++attempt) {
      const int index = ioctl(control.get(), LOOP_CTL_GET_FREE);
      if (index < 0)
        return Status::Error(std::string("LOOP_CTL_GET_FREE: ") + std::strerror(errno));
      path_ = "/dev/loop" + std::to_string(index);
      loop_fd_ = open(path_.c_str(), O_RDWR | O_CLOEXEC);
      if (loop_fd_ < 0) return Status::Error(path_ + ": " + std::strerror(errno));
      if (ioctl(loop_fd_, LOOP_SET_FD, file.get()) == 0) return Status::Ok();
      const int err = errno;
      close(loop_fd_);
      loop_fd_ = -1;
      if (err != EBUSY) return Status::Error(std::string("LOOP_SET_FD: ") + std::strerror(err));
    }
    return Status::Error("no free loop device after 10 attempts");
  }
  const std::string& path() const { return path_; }

 private:
  int loop_fd_ = -1;
  std::string path_;
};

TEST_F(FaultFsTest, LoopDeviceSeesTheFault) {
  if (geteuid() != 0) GTEST_SKIP() << "loop devices need root";
  if (access("/dev/loop-control", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/loop-control";
  LoopDevice loop;
  Status attached = loop.Attach(Mnt("disk.img"));
  if (!attached.ok()) GTEST_SKIP() << "cannot attach a loop device: " << attached.message();
  daemon_.AddRule({{"file", "disk.img"},
                   {"op", "read"},
                   {"offset", kFaultOffset},
                   {"length", kFaultLength},
                   {"errno", "EIO"}});
  Fd dev(open(loop.path().c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  ASSERT_TRUE(dev.ok()) << loop.path() << ": " << std::strerror(errno);
  IoBuffer buffer(4096);
  // Each read is bounded: a read that never returns is a failure, not a hung test.
  BackgroundIo good(&daemon_, [&] { return pread(dev.get(), buffer.data(), 4096, 0); });
  ASSERT_TRUE(good.WaitDone(10s));
  EXPECT_EQ(good.result(), 4096);
  EXPECT_EQ(std::memcmp(buffer.data(), disk_.data(), 4096), 0);
  BackgroundIo bad(&daemon_, [&] { return pread(dev.get(), buffer.data(), 4096, kFaultOffset); });
  ASSERT_TRUE(bad.WaitDone(10s));
  EXPECT_EQ(bad.result(), -1);
  EXPECT_EQ(bad.error(), EIO);
  BackgroundIo after(
      &daemon_, [&] { return pread(dev.get(), buffer.data(), 4096, kFaultOffset + kFaultLength); });
  ASSERT_TRUE(after.WaitDone(10s));
  EXPECT_EQ(after.result(), 4096);
}
}  // namespace
}  // namespace reftarget::faultfs::testing
