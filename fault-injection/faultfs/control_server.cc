#include "fault-injection/faultfs/control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "target/common/logging.h"

namespace reftarget::faultfs {
namespace {

Result<sockaddr_un> SocketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Status::Error("--control path '" + path + "' is empty or longer than " +
                         std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Returns true if something accepts connections on `path`.
bool SomeoneListens(const sockaddr_un& addr) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool listening = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return listening;
}

}  // namespace

ControlServer::ControlServer(std::string socket_path, LineHandler handler)
    : socket_path_(std::move(socket_path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() { Stop(); }

Status ControlServer::Start() {
  Result<sockaddr_un> addr = SocketAddress(socket_path_);
  if (!addr.ok()) return addr.status();
  struct stat st;
  if (lstat(socket_path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return Status::Error("--control path '" + socket_path_ + "' exists and is not a socket");
    if (SomeoneListens(addr.value()))
      return Status::Error("--control socket '" + socket_path_ + "' is in use");
    unlink(socket_path_.c_str());
  }
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) return Status::Error(std::string("control socket: ") + std::strerror(errno));
  // The socket grants fault injection over the mount: only its owner may connect. The
  // umask makes bind() create it 0600 with no window; Start() runs before other threads.
  const mode_t old_umask = umask(0177);
  const int bound =
      bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr.value()), sizeof(sockaddr_un));
  umask(old_umask);
  if (bound != 0 || listen(listen_fd_, 16) != 0) {
    const std::string why = std::strerror(errno);
    close(listen_fd_);
    listen_fd_ = -1;
    return Status::Error("--control socket '" + socket_path_ + "': " + why);
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    Stop();
    return Status::Error(std::string("control wake pipe: ") + std::strerror(errno));
  }
  wake_read_ = pipe_fds[0];
  wake_write_ = pipe_fds[1];
  thread_ = std::thread([this] { Serve(); });
  return Status::Ok();
}

void ControlServer::Stop() {
  if (thread_.joinable()) {
    const char byte = 'x';
    ssize_t ignored = write(wake_write_, &byte, 1);
    (void)ignored;
    thread_.join();
  }
  for (auto& [fd, client] : clients_) close(fd);
  clients_.clear();
  for (int* fd : {&listen_fd_, &wake_read_, &wake_write_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  if (!socket_path_.empty()) unlink(socket_path_.c_str());
}

void ControlServer::Serve() {
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    fds.push_back({wake_read_, POLLIN, 0});
    fds.push_back({listen_fd_, static_cast<short>(clients_.size() < kMaxClients ? POLLIN : 0), 0});
    for (const auto& [fd, client] : clients_) {
      short events = client.closing ? 0 : POLLIN;
      if (!client.out.empty()) events |= POLLOUT;
      fds.push_back({fd, events, 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      RT_LOG(kError, "faultfs") << "control poll: " << std::strerror(errno);
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) clients_.emplace(fd, Client{});
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      const int fd = fds[i].fd;
      auto it = clients_.find(fd);
      if (it == clients_.end()) continue;
      bool alive = true;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) alive = ReadClient(fd, &it->second);
      if (alive && !it->second.out.empty()) alive = WriteClient(fd, &it->second);
      if (alive && it->second.closing && it->second.out.empty()) alive = false;
      if (!alive) {
        close(fd);
        clients_.erase(it);
      }
    }
  }
}

bool ControlServer::ReadClient(int fd, Client* client) {
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof(buf));
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  if (n == 0) {
    // Peer closed its side: answer what is pending, then close.
    client->closing = true;
    return !client->out.empty();
  }
  client->in.append(buf, static_cast<size_t>(n));
  size_t newline;
  while ((newline = client->in.find('\n')) != std::string::npos) {
    std::string line = client->in.substr(0, newline);
    client->in.erase(0, newline + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    client->out += handler_(line);
    client->out += '\n';
  }
  if (client->in.size() > kMaxLineBytes) {
    client->out += R"({"ok":false,"error":"request line longer than 1 MiB"})";
    client->out += '\n';
    client->in.clear();
    client->closing = true;
  }
  return true;
}

bool ControlServer::WriteClient(int fd, Client* client) {
  const ssize_t n = send(fd, client->out.data(), client->out.size(), MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  client->out.erase(0, static_cast<size_t>(n));
  return true;
}

}  // namespace reftarget::faultfs
