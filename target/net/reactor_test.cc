#include "target/net/reactor.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <future>

#include "target/net/listener.h"

namespace reftarget::net {
namespace {

TEST(ReactorTest, PostRunsOnLoopThread) {
  Reactor reactor("test");
  reactor.Start();
  std::promise<bool> ran;
  reactor.Post([&] { ran.set_value(reactor.InLoopThread()); });
  auto f = ran.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  reactor.Stop();
}

TEST(ReactorTest, FdHandlerSeesReadable) {
  Reactor reactor("test");
  reactor.Start();
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  std::promise<char> got;
  reactor.Post([&] {
    ASSERT_TRUE(reactor.Add(fds[0], EPOLLIN, [&](uint32_t) {
      char c = 0;
      ASSERT_EQ(read(fds[0], &c, 1), 1);
      reactor.Remove(fds[0]);
      got.set_value(c);
    }).ok());
  });
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get(), 'x');
  reactor.Stop();
  close(fds[0]);
  close(fds[1]);
}

TEST(ReactorTest, PeriodicFires) {
  Reactor reactor("test");
  reactor.Start();
  std::promise<void> fired;
  std::atomic<int> count{0};
  reactor.AddPeriodic(std::chrono::milliseconds(10), [&] {
    if (++count == 3) fired.set_value();
    return count < 3;
  });
  auto f = fired.get_future();
  EXPECT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  reactor.Stop();
}

TEST(ListenerTest, RejectsBadAddressNamingIt) {
  auto l = Listener::Open("300.1.1.1", 3260);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.error().find("300.1.1.1"), std::string::npos);
}

TEST(ListenerTest, AcceptsOnLoopbackV4AndV6) {
  Reactor reactor("test");
  reactor.Start();
  for (const char* ip : {"127.0.0.1", "::1"}) {
    auto l = Listener::Open(ip, 0);
    ASSERT_TRUE(l.ok()) << l.error();
    std::promise<Endpoint> accepted;
    ASSERT_TRUE(l.value()->Start(&reactor, [&](int fd, const Endpoint& peer, const Endpoint&) {
      close(fd);
      accepted.set_value(peer);
    }).ok());
    const Endpoint& local = l.value()->local();
    int c = socket(local.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (local.ipv6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(local.port);
      a->sin6_addr = in6addr_loopback;
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(local.port);
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(*a);
    }
    ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&ss), len), 0);
    auto f = accepted.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(f.get().ipv6, local.ipv6);
    close(c);
    l.value()->Close();
  }
  reactor.Stop();
}

}  // namespace
}  // namespace reftarget::net
