#include "fault-injection/netfault/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace reftarget::netfault {

Result<HostPort> ParseHostPort(std::string_view text, bool allow_port_zero,
                               const std::string& flag) {
  const std::string input(text);
  HostPort hp;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::Error(flag + " '" + input + "': expected [IPV6]:PORT");
    }
    hp.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::Error(flag + " '" + input + "': expected HOST:PORT");
    }
    hp.host = std::string(text.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) {
      return Status::Error(flag + " '" + input + "': write IPv6 addresses as [ADDR]:PORT");
    }
    port_text = text.substr(colon + 1);
  }
  if (hp.host.empty()) return Status::Error(flag + " '" + input + "': the host is empty");
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port > 65535 || (port == 0 && !allow_port_zero)) {
    return Status::Error(flag + " '" + input + "': port must be " +
                         (allow_port_zero ? "0..65535 (0 picks a free one)" : "1..65535"));
  }
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

Result<SocketAddress> LoopbackAddress(const HostPort& hp, const std::string& flag) {
  SocketAddress out;
  const std::string host = hp.host == "localhost" ? "127.0.0.1" : hp.host;
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    if ((ntohl(v4.sin_addr.s_addr) >> 24) != 127) {
      return Status::Error(flag + " " + hp.host +
                           ": not a loopback address (netfault listens on 127.0.0.0/8 or [::1] "
                           "only, so that no other host can reach the sessions it controls)");
    }
    v4.sin_family = AF_INET;
    v4.sin_port = htons(hp.port);
    std::memcpy(&out.storage, &v4, sizeof(v4));
    out.length = sizeof(v4);
    return out;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr)) {
      return Status::Error(flag + " [" + hp.host +
                           "]: not a loopback address (netfault listens on 127.0.0.0/8 or [::1] "
                           "only, so that no other host can reach the sessions it controls)");
    }
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(hp.port);
    std::memcpy(&out.storage, &v6, sizeof(v6));
    out.length = sizeof(v6);
    return out;
  }
  return Status::Error(flag + " " + hp.host +
                       ": not a numeric loopback address (use 127.0.0.1, [::1] or localhost)");
}

Result<SocketAddress> ResolveAddress(const HostPort& hp, const std::string& flag) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(hp.port);
  const int rc = getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status::Error(flag + " " + hp.host + ": cannot resolve: " + gai_strerror(rc));
  }
  SocketAddress out;
  std::memcpy(&out.storage, found->ai_addr, found->ai_addrlen);
  out.length = found->ai_addrlen;
  freeaddrinfo(found);
  return out;
}

std::string FormatAddress(const sockaddr* addr, socklen_t length) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  if (addr->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  return "?";
}

}  // namespace reftarget::netfault
