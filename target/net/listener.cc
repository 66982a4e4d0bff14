#include "target/net/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "target/common/logging.h"

namespace reftarget::net {

std::string Endpoint::ToString() const {
  return ipv6 ? "[" + ip + "]:" + std::to_string(port) : ip + ":" + std::to_string(port);
}

bool EndpointFromSockaddr(const void* storage, Endpoint* out) {
  const auto* sa = static_cast<const sockaddr*>(storage);
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    const auto* in = static_cast<const sockaddr_in*>(storage);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    out->ip = buf;
    out->port = ntohs(in->sin_port);
    out->ipv6 = false;
    return true;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = static_cast<const sockaddr_in6*>(storage);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    out->ip = buf;
    out->port = ntohs(in6->sin6_port);
    out->ipv6 = true;
    return true;
  }
  return false;
}

Result<std::unique_ptr<Listener>> Listener::Open(const std::string& ip_in, uint16_t port) {
  std::string ip = ip_in;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, ip.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr) == 1) {
    family = AF_INET6;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    return Status::Error("portal " + ip_in + ":" + std::to_string(port) +
                         ": not an IPv4 or IPv6 address");
  }
  std::string where = "portal " + ip_in + ":" + std::to_string(port);
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Error(where + ": socket: " + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, 256) != 0) {
    std::string err = std::strerror(errno);
    close(fd);
    return Status::Error(where + ": " + err);
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
  Endpoint local;
  EndpointFromSockaddr(&bound, &local);
  return std::unique_ptr<Listener>(new Listener(fd, local));  // private constructor
}

Listener::~Listener() { Close(); }

Status Listener::Start(Reactor* reactor, AcceptFn on_accept) {
  reactor_ = reactor;
  on_accept_ = std::move(on_accept);
  std::promise<Status> added;
  auto future = added.get_future();
  reactor_->Post([this, &added] {
    added.set_value(reactor_->Add(fd_, EPOLLIN, [this](uint32_t) { OnReadable(); }));
  });
  return future.get();
}

void Listener::Close() {
  if (fd_ < 0) return;
  int fd = fd_;
  fd_ = -1;
  if (reactor_ != nullptr) {
    std::promise<void> done;
    auto future = done.get_future();
    auto remove = [this, fd, &done] {
      alive_.reset();
      reactor_->Remove(fd);
      done.set_value();
    };
    if (reactor_->InLoopThread()) {
      remove();
    } else {
      reactor_->Post(remove);
      future.wait();
    }
  }
  close(fd);
}

void Listener::PauseAccepting() {
  // Level-triggered epoll would report the pending connection again at once.
  reactor_->Modify(fd_, 0);
  std::weak_ptr<char> alive = alive_;
  reactor_->AddPeriodic(std::chrono::milliseconds(100), [this, alive] {
    if (alive.lock()) reactor_->Modify(fd_, EPOLLIN);
    return false;  // one shot
  });
}

void Listener::OnReadable() {
  for (int i = 0; i < 64 && fd_ >= 0; ++i) {
    sockaddr_storage peer_ss{};
    socklen_t plen = sizeof(peer_ss);
    int cfd = accept4(fd_, reinterpret_cast<sockaddr*>(&peer_ss), &plen,
                      SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      if (errno == ECONNABORTED) continue;
      // EMFILE/ENFILE/ENOBUFS/ENOMEM: keep serving existing sessions and retry shortly.
      if (++accept_failures_ <= 10 || accept_failures_ % 1000 == 0) {
        RT_LOG(kWarn, "listener") << local_.ToString() << ": accept: " << std::strerror(errno)
                                  << " (" << accept_failures_ << " times so far); pausing 100 ms";
      }
      return PauseAccepting();
    }
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_storage local_ss{};
    socklen_t llen = sizeof(local_ss);
    getsockname(cfd, reinterpret_cast<sockaddr*>(&local_ss), &llen);
    Endpoint peer, local;
    EndpointFromSockaddr(&peer_ss, &peer);
    EndpointFromSockaddr(&local_ss, &local);
    on_accept_(cfd, peer, local);
  }
}

}  // namespace reftarget::net
