// The fault drivers against the real tools: faultfs started, faulted, killed and stopped
// through FaultfsDaemon, and a loop device over a faultfs file that fails for real.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "harness/faults/faultfs_daemon.h"
#include "harness/faults/loop_device.h"
#include "harness/faults/netfault_proxy.h"
#include "harness/net/tcp_util.h"

namespace harness::faults {
namespace {

constexpr size_t kFileBytes = 1 << 20;

// A scratch directory removed at the end, mount or not.
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "faults-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

FaultfsOptions OptionsIn(const Scratch& dir) {
  FaultfsOptions o;
  o.source = dir.path() / "source";
  o.mount = dir.path() / "mnt";
  o.control = dir.path() / "ctl.sock";
  o.log = dir.path() / "faultfs.log";
  return o;
}

// Returns errno of a pread of 4 KiB at `offset` of `path` (0 on success).
int ReadErrno(const std::filesystem::path& path, off_t offset, bool direct = false) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
  if (fd < 0) return errno;
  void* buf = nullptr;
  if (::posix_memalign(&buf, 4096, 4096) != 0) {
    ::close(fd);
    return ENOMEM;
  }
  const ssize_t n = ::pread(fd, buf, 4096, offset);
  const int err = n < 0 ? errno : 0;
  std::free(buf);
  ::close(fd);
  return err;
}

void CreateFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  std::vector<char> data(kFileBytes, 'x');
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fd);
}

TEST(FaultsIntegrationTest, RulesReachTheKernelAndAKilledDaemonLeavesNoMount) {
  if (std::string why = WhyFaultfsUnavailable(); !why.empty()) GTEST_SKIP() << why;
  Scratch dir;
  auto started = FaultfsDaemon::Start(OptionsIn(dir));
  ASSERT_TRUE(started.ok()) << started.error();
  FaultfsDaemon& fs = *started.value();
  EXPECT_TRUE(IsMountPoint(fs.mount()));
  CreateFile(fs.PathOf("disk.img"));
  EXPECT_EQ(ReadErrno(fs.PathOf("disk.img"), 0), 0);

  auto id = fs.AddRule({{"file", "disk.img"},
                        {"op", "read"},
                        {"offset", 65536},
                        {"length", 4096},
                        {"errno", "EIO"}});
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(ReadErrno(fs.PathOf("disk.img"), 65536), EIO);
  EXPECT_EQ(ReadErrno(fs.PathOf("disk.img"), 0), 0) << "outside the rule's range";
  auto refused = fs.AddRule({{"op", "sideways"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("faultfs refused add"), std::string::npos) << refused.error();

  // A loop device over the faultfs file fails for real.
  auto loop = LoopDevice::Attach(fs.PathOf("disk.img"), /*direct_io=*/false);
  ASSERT_TRUE(loop.ok()) << loop.error();
  EXPECT_EQ(ReadErrno(loop.value()->device(), 65536, /*direct=*/true), EIO);
  ASSERT_TRUE(fs.ClearRules().ok());
  EXPECT_EQ(ReadErrno(loop.value()->device(), 65536, /*direct=*/true), 0);
  ASSERT_TRUE(loop.value()->Detach().ok());
  EXPECT_TRUE(loop.value()->Detach().ok()) << "idempotent";

  // A killed daemon: its files fail (ENOTCONN), and Stop still removes the mount.
  ASSERT_TRUE(fs.Kill().ok());
  EXPECT_FALSE(fs.alive());
  struct stat st;
  const int rc = ::stat(fs.PathOf("disk.img").c_str(), &st);
  EXPECT_TRUE(rc != 0) << "a dead FUSE daemon's files must not answer";
  EXPECT_TRUE(fs.Stop().ok());
  EXPECT_FALSE(IsMountPoint(fs.mount()));
}

TEST(FaultsIntegrationTest, StartFailsNamingTheProblem) {
  if (std::string why = WhyFaultfsUnavailable(); !why.empty()) GTEST_SKIP() << why;
  Scratch dir;
  FaultfsOptions o = OptionsIn(dir);
  o.control = dir.path() / std::string(120, 's');
  auto started = FaultfsDaemon::Start(o);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("longer than 107 bytes"), std::string::npos) << started.error();
}

// A one-connection echo server on a loopback port chosen by the kernel.
class EchoServer {
 public:
  EchoServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    socklen_t len = sizeof(a);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      const int c = ::accept(listen_fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      for (;;) {
        const ssize_t n = ::read(c, buf, sizeof(buf));
        if (n <= 0 || ::write(c, buf, static_cast<size_t>(n)) != n) break;
      }
      ::close(c);
    });
  }
  ~EchoServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// Sends `text` on `fd` and reads as many bytes back; returns them ("" on EOF or error).
std::string RoundTrip(int fd, const std::string& text) {
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return "";
  std::string got;
  char buf[256];
  while (got.size() < text.size()) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return "";
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(FaultsIntegrationTest, NetfaultProxyPassesDelaysAndResets) {
  if (FindNetfault().empty()) GTEST_SKIP() << "netfault was not built";
  Scratch dir;
  EchoServer echo;
  NetfaultOptions o;
  o.target = "127.0.0.1:" + std::to_string(echo.port());
  o.control = dir.path() / "nf.sock";
  o.log = dir.path() / "netfault.log";
  auto started = NetfaultProxy::Start(o);
  ASSERT_TRUE(started.ok()) << started.error();
  NetfaultProxy& proxy = *started.value();
  const std::string portal = proxy.portal();
  ASSERT_EQ(portal.rfind("127.0.0.1:", 0), 0u) << portal;
  auto fd = net::ConnectTcp("127.0.0.1", std::stoi(portal.substr(10)), std::chrono::seconds(5));
  ASSERT_TRUE(fd.ok()) << fd.error();
  EXPECT_EQ(RoundTrip(fd.value(), "hello"), "hello");

  ASSERT_TRUE(proxy.AddRule({{"dir", "up"}, {"action", "delay"}, {"delay_ms", 200}}).ok());
  const auto begun = std::chrono::steady_clock::now();
  EXPECT_EQ(RoundTrip(fd.value(), "slow"), "slow");
  EXPECT_GE(std::chrono::steady_clock::now() - begun, std::chrono::milliseconds(200));
  ASSERT_TRUE(proxy.ClearRules().ok());
  auto refused = proxy.AddRule({{"action", "sideways"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("netfault refused add"), std::string::npos) << refused.error();

  auto conns = proxy.Connections();
  ASSERT_TRUE(conns.ok()) << conns.error();
  ASSERT_EQ(conns.value().size(), 1u) << conns.value().dump();
  ASSERT_TRUE(proxy.KillConnection(conns.value()[0]["id"].get<int>()).ok());
  EXPECT_EQ(RoundTrip(fd.value(), "gone"), "") << "the connection was reset";
  ::close(fd.value());
  EXPECT_TRUE(proxy.Stop().ok());
}

}  // namespace
}  // namespace harness::faults
