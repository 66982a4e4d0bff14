// The fixture of faultfs_integration_test: a temporary tree with two 4 MiB images, the real
// faultfs daemon mounted over it, and small helpers. Every wait is bounded.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "fault-injection/faultfs/test_daemon.h"

namespace reftarget::faultfs::testing {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kDiskSize = 4 << 20;
constexpr uint64_t kFaultOffset = 1 << 20;
constexpr uint64_t kFaultLength = 64 << 10;

// An fd closed at scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

inline std::string Pattern(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string data(size, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  return data;
}

inline void WriteSourceFile(const std::string& path, const std::string& data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd.ok()) << path << ": " << std::strerror(errno);
  ASSERT_EQ(pwrite(fd.get(), data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
}

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/dev/fuse", R_OK | W_OK) != 0)
      GTEST_SKIP() << "/dev/fuse is missing or not accessible";
    if (access(FAULTFS_BINARY, X_OK) != 0)
      GTEST_SKIP() << "faultfs binary not built: " << FAULTFS_BINARY;
    disk_ = Pattern(kDiskSize, 1);
    WriteSourceFile(tree_.src() + "/disk.img", disk_);
    WriteSourceFile(tree_.src() + "/other.img", Pattern(kDiskSize, 2));
    Status started = daemon_.Start();
    ASSERT_TRUE(started.ok()) << started.message();
  }

  void TearDown() override {
    daemon_.Stop();
    EXPECT_FALSE(IsMountPoint(tree_.mnt())) << "mount left behind";
    if (HasFailure()) {
      std::cerr << "---- faultfs output ----\n"
                << ReadFile(tree_.daemon_output()) << "---- fault log ----\n"
                << ReadFile(tree_.log());
    }
  }

  std::string Mnt(const std::string& name) const { return tree_.mnt() + "/" + name; }
  std::string Src(const std::string& name) const { return tree_.src() + "/" + name; }

  json Stats() {
    Result<json> reply = daemon_.Call({{"cmd", "stats"}});
    EXPECT_TRUE(reply.ok()) << reply.error();
    return reply.ok() ? reply.value() : json();
  }

  // Waits (bounded) until `n` requests hang in faultfs.
  bool WaitHanging(uint64_t n) {
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
      Result<json> reply = daemon_.Call({{"cmd", "ping"}});
      if (reply.ok() && reply.value().value("hanging", 0ull) >= n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  TempTree tree_;
  FaultFsDaemon daemon_{FAULTFS_BINARY, tree_};
  std::string disk_;
};

}  // namespace reftarget::faultfs::testing
