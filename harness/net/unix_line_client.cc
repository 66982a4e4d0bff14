#include "harness/net/unix_line_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace harness::net {
namespace {

using Clock = std::chrono::steady_clock;

// Closes the descriptor when the exchange ends, however it ends.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int MsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, MsLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

Result<std::string> UnixLineCall(const std::string& socket_path, const std::string& line,
                                 std::chrono::milliseconds limit, size_t max_bytes) {
  const auto deadline = Clock::now() + limit;
  const std::string where = socket_path + ": ";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return Status::Error(where + "not a usable socket path (1.." +
                         std::to_string(sizeof(addr.sun_path) - 1) + " bytes)");
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  Fd s;
  s.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s.fd < 0) return Status::Error(where + "socket: " + std::strerror(errno));
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 &&
      errno != EINPROGRESS && errno != EAGAIN) {
    return Status::Error(where + "connect: " + std::strerror(errno));
  }
  const std::string out = line + "\n";
  size_t sent = 0;
  while (sent < out.size()) {
    if (!WaitFor(s.fd, POLLOUT, deadline)) return Status::Error(where + "send timed out");
    const ssize_t n = ::send(s.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::Error(where + "send: " + std::strerror(errno));
    }
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  char buf[4096];
  for (;;) {
    if (const size_t nl = reply.find('\n'); nl != std::string::npos) return reply.substr(0, nl);
    if (reply.size() > max_bytes) {
      return Status::Error(where + "reply longer than " + std::to_string(max_bytes) + " bytes");
    }
    if (!WaitFor(s.fd, POLLIN, deadline)) {
      return Status::Error(where + "no reply within " + std::to_string(limit.count()) + " ms");
    }
    const ssize_t n = ::recv(s.fd, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::Error(where + "recv: " + std::strerror(errno));
    }
    if (n == 0) {
      return Status::Error(where + "closed before a full reply line" +
                           (reply.empty() ? "" : " (got \"" + reply.substr(0, 200) + "\")"));
    }
    reply.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace harness::net
