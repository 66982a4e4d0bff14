// HOST:PORT parsing and resolution for netfault's --listen and --target.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "target/common/status.h"

namespace reftarget::netfault {

// "HOST:PORT" or "[IPV6]:PORT", split.
struct HostPort {
  std::string host;  // Without brackets.
  uint16_t port = 0;
};

// A resolved socket address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Parses "HOST:PORT" or "[V6]:PORT"; port 0 only if `allow_port_zero`. `flag` names the
// option in errors ("--listen").
Result<HostPort> ParseHostPort(std::string_view text, bool allow_port_zero,
                               const std::string& flag);

// Returns the listen address for `hp`: a numeric address in 127.0.0.0/8, ::1, or
// "localhost" (127.0.0.1). Anything else is refused: the proxy lets whoever can connect to
// it reach the target's sessions, so it stays on loopback.
Result<SocketAddress> LoopbackAddress(const HostPort& hp, const std::string& flag);

// Resolves `hp` (numeric or a name, via getaddrinfo; may block) to its first TCP address.
Result<SocketAddress> ResolveAddress(const HostPort& hp, const std::string& flag);

// Returns "127.0.0.1:3260" or "[::1]:3260".
std::string FormatAddress(const sockaddr* addr, socklen_t length);

}  // namespace reftarget::netfault
