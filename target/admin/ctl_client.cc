#include "target/admin/ctl_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reftarget::admin {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<nlohmann::json> SendRequest(const std::string& socket_path, const nlohmann::json& request,
                                   std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return Status::Error(socket_path + ": not a usable socket path");
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::Error(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::Error(socket_path + ": cannot connect (" + std::strerror(errno) +
                         "); is reftarget running with --admin-socket " + socket_path + "?");
  }
  const std::string line = request.dump() + "\n";
  for (size_t done = 0; done < line.size();) {
    ssize_t n = ::send(fd.get(), line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Error(socket_path + ": send: " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[65536];
  while (answer.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Error(socket_path + ": no answer within " + std::to_string(timeout.count()) + " ms");
    }
    pollfd p{fd.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) return Status::Error(socket_path + ": poll: " + std::strerror(errno));
    if (ready <= 0) continue;
    ssize_t n = ::recv(fd.get(), chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Error(socket_path + ": reftarget closed the connection without answering");
    answer.append(chunk, static_cast<size_t>(n));
  }
  auto parsed = nlohmann::json::parse(answer.substr(0, answer.find('\n')), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::Error(socket_path + ": the answer is not a JSON object");
  }
  return parsed;
}

}  // namespace reftarget::admin
