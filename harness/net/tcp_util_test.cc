#include "harness/net/tcp_util.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace harness::net {
namespace {

using std::chrono::milliseconds;

// A listening loopback socket on a port PickFreePort chose.
class Listener {
 public:
  explicit Listener(const std::string& host = "127.0.0.1") {
    Result<int> port = PickFreePort(host);
    if (!port.ok()) return;
    port_ = port.value();
    const bool v6 = host.find(':') != std::string::npos;
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      a->sin6_port = htons(static_cast<uint16_t>(port_));
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a->sin_port = htons(static_cast<uint16_t>(port_));
      len = sizeof(*a);
    }
    listening_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) == 0 && ::listen(fd_, 4) == 0;
  }
  ~Listener() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool listening() const { return listening_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  bool listening_ = false;
};

TEST(PickFreePortTest, ReturnsABindablePortOrNamesTheHost) {
  Listener listener;
  ASSERT_TRUE(listener.listening());
  EXPECT_GT(listener.port(), 0);
  EXPECT_LT(listener.port(), 65536);

  Result<int> bad = PickFreePort("localhost");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "localhost: not an IP address");
}

TEST(WaitForTcpPortTest, TrueForAListenerFalseAfterTheLimitOtherwise) {
  Listener listener;
  ASSERT_TRUE(listener.listening());
  EXPECT_TRUE(WaitForTcpPort("127.0.0.1", listener.port(), milliseconds(0)))
      << "one attempt even with no time left";

  Result<int> closed = PickFreePort();
  ASSERT_TRUE(closed.ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(WaitForTcpPort("127.0.0.1", closed.value(), milliseconds(150)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(150));
  EXPECT_FALSE(WaitForTcpPort("no-such-host", 3260, milliseconds(10000)))
      << "a name is refused at once";
}

TEST(ConnectTcpTest, ConnectsOrNamesTheEndpoint) {
  Listener listener;
  ASSERT_TRUE(listener.listening());
  Result<int> fd = ConnectTcp("127.0.0.1", listener.port(), milliseconds(1000));
  ASSERT_TRUE(fd.ok()) << fd.error();
  ::close(fd.value());

  Result<int> closed = PickFreePort();
  ASSERT_TRUE(closed.ok());
  Result<int> refused = ConnectTcp("127.0.0.1", closed.value(), milliseconds(1000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().rfind("connect 127.0.0.1:" + std::to_string(closed.value()) + ": ", 0),
            0u)
      << refused.error();
  EXPECT_EQ(ConnectTcp("example", 1, milliseconds(10)).error(), "not a numeric address: example");
}

TEST(ConnectTcpTest, Ipv6LoopbackWithOrWithoutBrackets) {
  Listener listener("::1");
  if (!listener.listening()) GTEST_SKIP() << "no IPv6 loopback on this host";
  for (const char* host : {"::1", "[::1]"}) {
    Result<int> fd = ConnectTcp(host, listener.port(), milliseconds(1000));
    ASSERT_TRUE(fd.ok()) << host << ": " << fd.error();
    ::close(fd.value());
    EXPECT_TRUE(WaitForTcpPort(host, listener.port(), milliseconds(1000))) << host;
  }
}

}  // namespace
}  // namespace harness::net
