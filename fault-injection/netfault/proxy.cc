#include "fault-injection/netfault/proxy.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace reftarget::netfault {
namespace {

// epoll tokens: small constants for the loop's own fds, (id << 2 | side) for connections
// (ids start at 1, so they never collide). Tokens carry ids, not pointers, so an event
// for a connection closed earlier in the same batch is simply not found.
constexpr uint64_t kListenToken = 1;
constexpr uint64_t kSignalToken = 2;
constexpr uint64_t kMailboxToken = 3;
constexpr size_t kReadChunk = 64 * 1024;

uint64_t Token(uint64_t id, Connection::Side side) { return (id << 2) | side; }

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

Proxy::Proxy(ProxyConfig config, RuleEngine* engine, faultfs::FaultLog* log)
    : config_(std::move(config)), engine_(engine), log_(log), scratch_(kReadChunk) {
  env_.engine = engine_;
  env_.log = log_;
  env_.scratch = &scratch_;
  env_.max_buffer = config_.max_buffer;
  env_.connect_timeout_ms = config_.connect_timeout_ms;
}

bool Proxy::Watch(int fd, uint64_t token) {
  epoll_event event{};
  // Edge-triggered: a connection whose queue is full simply does not read, instead of
  // being told again and again that its socket is readable (or hung up).
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = token;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) == 0) return true;
  Log(Errno("epoll_ctl"));
  return false;
}

Result<std::string> Proxy::Listen() {
  epoll_ = Fd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) return Status::Error(Errno("epoll_create1"));
  listen_ = Fd(socket(config_.listen.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listen_.valid()) return Status::Error(Errno("--listen socket"));
  const int one = 1;
  setsockopt(listen_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (config_.listen.family() == AF_INET6)
    setsockopt(listen_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  const std::string wanted = FormatAddress(config_.listen.get(), config_.listen.length);
  if (bind(listen_.get(), config_.listen.get(), config_.listen.length) != 0)
    return Status::Error(Errno("--listen " + wanted + ": bind"));
  if (listen(listen_.get(), 128) != 0)
    return Status::Error(Errno("--listen " + wanted + ": listen"));
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&bound), &length) != 0)
    return Status::Error(Errno("getsockname"));
  listen_name_ = FormatAddress(reinterpret_cast<const sockaddr*>(&bound), length);
  if (!Watch(listen_.get(), kListenToken)) return Status::Error("epoll_ctl on the listen socket");
  return listen_name_;
}

Status Proxy::Run(int signal_fd, Mailbox* mailbox,
                  const std::function<std::string(const std::string&)>& handler) {
  if (!Watch(signal_fd, kSignalToken) || !Watch(mailbox->fd(), kMailboxToken))
    return Status::Error("epoll_ctl on the signal or control fd failed");
  std::array<epoll_event, 64> events;
  std::vector<uint64_t> dirty;
  while (true) {
    const int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                             TimeoutMs(Clock::now()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Error(Errno("epoll_wait"));
    }
    const TimePoint now = Clock::now();
    dirty.clear();
    bool stop = false;
    for (int i = 0; i < n; ++i) {
      const uint64_t token = events[i].data.u64;
      if (token == kListenToken) {
        Accept(now);
      } else if (token == kSignalToken) {
        signalfd_siginfo info{};
        while (read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
          Log("signal " + std::to_string(info.ssi_signo) + ": shutting down");
          stop = true;
        }
      } else if (token == kMailboxToken) {
        mailbox->Drain(handler);
      } else {
        const uint64_t id = token >> 2;
        auto it = conns_.find(id);
        if (it == conns_.end()) continue;
        it->second->OnEvent(static_cast<Connection::Side>(token & 1), events[i].events);
        dirty.push_back(id);
      }
    }
    if (stop) return Status::Ok();
    if (accept_retry_ && *accept_retry_ <= now) {
      accept_retry_.reset();
      Accept(now);
    }
    while (!timers_.empty() && timers_.top().first <= now) {
      dirty.push_back(timers_.top().second);
      timers_.pop();
    }
    std::sort(dirty.begin(), dirty.end());
    dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
    for (uint64_t id : dirty) PumpConn(id, now);
  }
}

int Proxy::TimeoutMs(TimePoint now) const {
  std::optional<TimePoint> next = accept_retry_;
  if (!timers_.empty() && (!next || timers_.top().first < *next)) next = timers_.top().first;
  if (!next) return -1;
  if (*next <= now) return 0;
  // Round up, so a wake-up never comes before its deadline and spins.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
  return static_cast<int>(std::min<int64_t>(ms, 60 * 1000));
}

void Proxy::Accept(TimePoint now) {
  while (true) {
    sockaddr_storage addr{};
    socklen_t length = sizeof(addr);
    const int fd = accept4(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors or memory: the edge is gone, so come back on a timer.
      Log(Errno("accept") + "; retrying in 100 ms");
      accept_retry_ = now + std::chrono::milliseconds(100);
      return;
    }
    Fd client(fd);
    const std::string name = FormatAddress(reinterpret_cast<const sockaddr*>(&addr), length);
    if (conns_.size() >= config_.max_connections) {
      Log("refused client=" + name + ": " + std::to_string(conns_.size()) +
          " connections open (limit " + std::to_string(config_.max_connections) + ")");
      const linger hard{1, 0};
      setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
      continue;
    }
    const uint64_t id = ++accepted_;
    auto conn = std::make_unique<Connection>(id, std::move(client), name, env_);
    if (!conn->Start(config_.target, config_.target_name, now).ok()) continue;  // Logged.
    if (!Watch(conn->fd(Connection::kClient), Token(id, Connection::kClient)) ||
        !Watch(conn->fd(Connection::kUpstream), Token(id, Connection::kUpstream))) {
      conn->Reset("cannot watch its sockets");
      continue;
    }
    conns_.emplace(id, std::move(conn));
    PumpConn(id, now);
  }
}

void Proxy::PumpConn(uint64_t id, TimePoint now) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Connection& conn = *it->second;
  const std::optional<TimePoint> wake = conn.Pump(now);
  if (!wake) {
    conns_.erase(it);
    return;
  }
  if (*wake == TimePoint::max()) return;
  // A timer already queued for an earlier (still future) time will pump it anyway.
  if (*wake < conn.queued_wake || conn.queued_wake <= now) {
    timers_.push({*wake, id});
    conn.queued_wake = *wake;
  }
}

void Proxy::CloseAll(const std::string& reason) {
  for (auto& [id, conn] : conns_) conn->Close(reason);
  conns_.clear();
}

Result<uint64_t> Proxy::AddRule(const RuleSpec& spec) {
  Result<uint64_t> id = engine_->Add(spec, accepted_);
  if (!id.ok()) return id;
  // New rules act on bytes read from now on; wake every connection so that data already
  // readable meets them now rather than at the next event.
  std::vector<uint64_t> ids;
  for (const auto& [conn_id, conn] : conns_) ids.push_back(conn_id);
  for (uint64_t conn_id : ids) PumpConn(conn_id, Clock::now());
  return id;
}

size_t Proxy::Held(uint64_t id) const {
  size_t held = 0;
  for (const auto& [conn_id, conn] : conns_) held += conn->Held(id);
  return held;
}

size_t Proxy::Release(std::optional<uint64_t> id) {
  const TimePoint now = Clock::now();
  size_t released = 0;
  std::vector<uint64_t> woken;
  for (const auto& [conn_id, conn] : conns_) {
    const size_t n = conn->Release(id, "released", now);
    if (n > 0) woken.push_back(conn_id);
    released += n;
  }
  for (uint64_t conn_id : woken) PumpConn(conn_id, now);
  return released;
}

Result<size_t> Proxy::ClearRules(std::optional<uint64_t> id) {
  size_t cleared = 0;
  if (id) {
    if (!engine_->Clear(*id)) return Status::Error("no rule with id " + std::to_string(*id));
    cleared = 1;
  } else {
    cleared = engine_->ClearAll();
  }
  // Stalls end with their rule; blackholes and delays simply stop applying to new bytes.
  const TimePoint now = Clock::now();
  std::vector<uint64_t> ids;
  for (const auto& [conn_id, conn] : conns_) {
    conn->Release(id, "rule-cleared", now);
    ids.push_back(conn_id);
  }
  for (uint64_t conn_id : ids) PumpConn(conn_id, now);
  return cleared;
}

std::vector<ConnInfo> Proxy::Conns() const {
  const TimePoint now = Clock::now();
  std::vector<ConnInfo> out;
  for (const auto& [id, conn] : conns_) out.push_back(conn->Info(now));
  return out;
}

Status Proxy::KillConn(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return Status::Error("no live connection with id " + std::to_string(id));
  it->second->Reset("kill-conn");
  conns_.erase(it);
  return Status::Ok();
}

}  // namespace reftarget::netfault
