#include "target/config/portal_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace reftarget::config {

Result<PortalAddress> ParsePortalAddress(std::string_view text) {
  // INET6_ADDRSTRLEN plus brackets bounds every valid spelling.
  if (text.empty() || text.size() > INET6_ADDRSTRLEN + 2) {
    return Status::Error("not an IPv4 or IPv6 address");
  }
  PortalAddress out;
  std::string inner(text);
  bool bracketed = text.front() == '[';
  if (bracketed) {
    if (text.size() < 3 || text.back() != ']') {
      return Status::Error("unbalanced '[' in an IPv6 address");
    }
    inner = std::string(text.substr(1, text.size() - 2));
  }
  if (inner.find('\0') != std::string::npos) return Status::Error("not an IPv4 or IPv6 address");
  if (!bracketed && inet_pton(AF_INET, inner.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET;
    out.text = inner;
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, inner.c_str(), &v6) == 1) {
    out.family = AF_INET6;
    std::memcpy(out.bytes.data(), &v6, sizeof(v6));
    out.text = "[" + inner + "]";
    return out;
  }
  if (bracketed) return Status::Error("not an IPv6 address inside the brackets");
  return Status::Error("not an IPv4 or IPv6 address (host names are not accepted)");
}

}  // namespace reftarget::config
