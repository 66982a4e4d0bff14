#include "fault-injection/faultfs/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace reftarget::faultfs {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` on `fd` until `deadline`; returns false on timeout or error.
bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, events, 0};
    const int rc = poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

}  // namespace

Result<nlohmann::json> ControlCall(const std::string& socket_path, const nlohmann::json& request,
                                   int timeout_ms) {
  const std::string where = "control socket '" + socket_path + "'";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return Status::Error(where + ": path is empty or too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  Socket sock;
  if (sock.fd() < 0) return Status::Error(where + ": socket: " + std::strerror(errno));
  if (connect(sock.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN)
      return Status::Error(where + ": connect: " + std::strerror(errno));
    if (!WaitFor(sock.fd(), POLLOUT, deadline)) return Status::Error(where + ": connect timed out");
  }
  const std::string line =
      request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = send(sock.fd(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return Status::Error(where + ": send: " + std::strerror(errno));
    if (!WaitFor(sock.fd(), POLLOUT, deadline)) return Status::Error(where + ": send timed out");
  }
  std::string reply;
  while (reply.find('\n') == std::string::npos) {
    if (!WaitFor(sock.fd(), POLLIN, deadline))
      return Status::Error(where + ": no reply within " + std::to_string(timeout_ms) + " ms");
    char buf[4096];
    const ssize_t n = recv(sock.fd(), buf, sizeof(buf), 0);
    if (n == 0) return Status::Error(where + ": closed before replying");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Status::Error(where + ": recv: " + std::strerror(errno));
    }
    reply.append(buf, static_cast<size_t>(n));
    if (reply.size() > (64u << 20)) return Status::Error(where + ": reply longer than 64 MiB");
  }
  reply.resize(reply.find('\n'));
  nlohmann::json parsed = nlohmann::json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return Status::Error(where + ": reply is not a JSON object");
  return parsed;
}

}  // namespace reftarget::faultfs
