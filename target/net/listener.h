// Listener: a listening TCP socket on one portal address, accepting on a reactor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "target/common/status.h"
#include "target/net/reactor.h"

namespace reftarget::net {

// Where a connection came from and arrived at, as "ip" and port (IPv6 without brackets).
struct Endpoint {
  std::string ip;
  uint16_t port = 0;
  bool ipv6 = false;
  // Returns "ip:port" or "[ip]:port".
  std::string ToString() const;
};

class Listener {
 public:
  // Called on the accepting reactor's thread with a non-blocking, close-on-exec socket that
  // the callee now owns.
  using AcceptFn = std::function<void(int fd, const Endpoint& peer, const Endpoint& local)>;

  // Binds and listens on ip:port ("0.0.0.0", "::", "127.0.0.1", "::1", with or without
  // brackets). Port 0 picks a free port. Errors name the address.
  static Result<std::unique_ptr<Listener>> Open(const std::string& ip, uint16_t port);
  ~Listener();

  // Starts accepting on `reactor` (its thread). REQUIRES: called once.
  Status Start(Reactor* reactor, AcceptFn on_accept);
  // Stops accepting and closes the socket; safe from any thread.
  void Close();
  const Endpoint& local() const { return local_; }

 private:
  Listener(int fd, Endpoint local) : fd_(fd), local_(std::move(local)) {}
  void OnReadable();
  // Out of descriptors: stop polling the socket for a moment instead of spinning on it.
  void PauseAccepting();

  int fd_;
  Endpoint local_;
  Reactor* reactor_ = nullptr;
  AcceptFn on_accept_;
  // Expires when the listener closes; the resume timer checks it (loop thread only).
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  uint64_t accept_failures_ = 0;
};

// Returns the endpoint of a socket address; false for non-IP families.
bool EndpointFromSockaddr(const void* sockaddr_storage, Endpoint* out);

}  // namespace reftarget::net
