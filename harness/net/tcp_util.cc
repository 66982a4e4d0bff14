#include "harness/net/tcp_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace harness::net {
namespace {

using Clock = std::chrono::steady_clock;

// Bounds one connect attempt inside WaitForTcpPort, so that a portal that drops SYNs
// still leaves time for another try before the limit.
constexpr std::chrono::milliseconds kAttemptLimit{500};
constexpr std::chrono::milliseconds kRetryPause{20};

// Fills a sockaddr for an IPv4 or IPv6 literal (an IPv6 one may come in brackets, as in a
// portal "[::1]:3260"); false if `host` is neither.
bool MakeAddress(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof(*ss));
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in);
    return true;
  }
  std::string bare = host;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET6, bare.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// Closes the socket unless released to the caller.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string Endpoint(const std::string& host, int port) {
  return host + ":" + std::to_string(port);
}

}  // namespace

Result<int> PickFreePort(const std::string& host) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!MakeAddress(host, 0, &ss, &len)) return Status::Error(host + ": not an IP address");
  Socket s(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return Status::Error(std::string("socket: ") + std::strerror(errno));
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    return Status::Error("bind " + Endpoint(host, 0) + ": " + std::strerror(errno));
  }
  if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return Status::Error(std::string("getsockname: ") + std::strerror(errno));
  }
  return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                 : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

Result<int> ConnectTcp(const std::string& host, int port, std::chrono::milliseconds limit) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!MakeAddress(host, port, &ss, &len)) {
    return Status::Error("not a numeric address: " + host);
  }
  Socket s(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.get() < 0) return Status::Error(std::string("socket: ") + std::strerror(errno));
  const int rc = ::connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len);
  if (rc != 0 && errno != EINPROGRESS) {
    return Status::Error("connect " + Endpoint(host, port) + ": " + std::strerror(errno));
  }
  if (rc != 0) {
    pollfd p{s.get(), POLLOUT, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(limit.count(), 0)));
    if (ready <= 0) return Status::Error("connect " + Endpoint(host, port) + ": timed out");
    int so_error = 0;
    socklen_t so_len = sizeof(so_error);
    ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &so_error, &so_len);
    if (so_error != 0) {
      return Status::Error("connect " + Endpoint(host, port) + ": " + std::strerror(so_error));
    }
  }
  const int flags = ::fcntl(s.get(), F_GETFL);
  ::fcntl(s.get(), F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return s.Release();
}

bool WaitForTcpPort(const std::string& host, int port, std::chrono::milliseconds limit) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!MakeAddress(host, port, &ss, &len)) return false;
  const auto deadline = Clock::now() + limit;
  do {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Result<int> fd =
        ConnectTcp(host, port, std::clamp(left, std::chrono::milliseconds(1), kAttemptLimit));
    if (fd.ok()) {
      ::close(fd.value());
      return true;
    }
    std::this_thread::sleep_for(kRetryPause);
  } while (Clock::now() < deadline);
  return false;
}

}  // namespace harness::net
