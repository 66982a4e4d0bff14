#include "target/admin/admin_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "target/common/logging.h"

namespace reftarget::admin {
namespace {

bool FillAddress(const std::string& path, sockaddr_un* addr) {
  if (path.empty() || path.size() >= sizeof(addr->sun_path)) return false;
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  std::memcpy(addr->sun_path, path.c_str(), path.size());
  return true;
}

// Returns true if a process accepts connections on `path`.
bool SomeoneListens(const sockaddr_un& addr) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<AdminSocket>> AdminSocket::Open(const std::string& path, Handler handler) {
  sockaddr_un addr{};
  if (!FillAddress(path, &addr)) {
    return Status::Error("--admin-socket " + path + ": a socket path must be 1 to " +
                         std::to_string(sizeof(addr.sun_path) - 1) + " bytes long");
  }
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::Error("--admin-socket " + path + ": exists and is not a socket; not replaced");
    }
    if (SomeoneListens(addr)) {
      return Status::Error("--admin-socket " + path + ": another process is serving it");
    }
    ::unlink(path.c_str());
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Error("--admin-socket " + path + ": socket: " + std::strerror(errno));
  // The file must never be reachable by others, not even between bind and chmod.
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old_mask);
  if (rc != 0 || ::listen(fd, 16) != 0) {
    if (rc == 0) err = errno;
    ::close(fd);
    return Status::Error("--admin-socket " + path + ": " + std::strerror(err));
  }
  ::chmod(path.c_str(), 0600);
  int stop_fd = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return Status::Error("--admin-socket " + path + ": eventfd: " + std::strerror(errno));
  }
  std::unique_ptr<AdminSocket> s(new AdminSocket(path, fd, stop_fd, std::move(handler)));
  s->accept_thread_ = std::thread([raw = s.get()] { raw->AcceptLoop(); });
  return s;
}

AdminSocket::~AdminSocket() {
  stopping_ = true;
  uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) {
    // The accept loop also checks stopping_ every poll timeout.
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    for (auto& c : clients_) {
      if (c->fd >= 0) ::shutdown(c->fd, SHUT_RDWR);
    }
  }
  for (auto& c : clients_) {
    if (c->thread.joinable()) c->thread.join();
  }
  ::close(fd_);
  ::close(stop_fd_);
  ::unlink(path_.c_str());
}

void AdminSocket::ReapFinished() {
  std::lock_guard<std::mutex> lock(clients_mu_);
  for (auto it = clients_.begin(); it != clients_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
}

void AdminSocket::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, 1000);
    ReapFinished();
    if (n <= 0 || (fds[1].revents & POLLIN) || stopping_) continue;
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard<std::mutex> lock(clients_mu_);
    if (clients_.size() >= kMaxClients) {
      WriteAll(client, nlohmann::json{{"ok", false},
                                      {"error", "admin socket busy: " + std::to_string(kMaxClients) +
                                                    " clients connected"}}
                               .dump() + "\n");
      ::close(client);
      continue;
    }
    auto c = std::make_unique<Client>();
    c->fd = client;
    Client* raw = c.get();
    clients_.push_back(std::move(c));
    raw->thread = std::thread([this, raw] { Serve(raw); });
  }
}

void AdminSocket::Serve(Client* client) {
  std::string buffer;
  char chunk[65536];
  bool open = true;
  while (open && !stopping_) {
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      nlohmann::json answer;
      nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
      if (request.is_discarded()) {
        answer = {{"ok", false}, {"error", "request: not valid JSON (one JSON object per line)"}};
      } else {
        answer = handler_(request);
      }
      if (!WriteAll(client->fd, answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n")) {
        open = false;
        break;
      }
    }
    if (!open) break;
    if (buffer.size() > kMaxRequestBytes) {
      WriteAll(client->fd, nlohmann::json{{"ok", false},
                                          {"error", "request: longer than " +
                                                        std::to_string(kMaxRequestBytes) + " bytes"}}
                                   .dump() + "\n");
      break;
    }
    ssize_t n = ::recv(client->fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  // Close now rather than when the accept loop reaps the thread (up to a second later): a
  // client that is gone must not hold a descriptor (the hotplug suite counts them).
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    ::close(client->fd);
    client->fd = -1;
  }
  client->done = true;
}

}  // namespace reftarget::admin
