// Parsing of portal addresses in saveconfig.json: IPv4 dotted quads and IPv6 addresses with
// or without brackets. No host names: a portal is bound, never resolved.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "target/common/status.h"

namespace reftarget::config {

struct PortalAddress {
  int family = 0;                   // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  std::string text;                 // as LIO writes it: "0.0.0.0", "[::1]"

  // Returns true if both name the same address (for duplicate detection).
  bool SameAddress(const PortalAddress& other) const {
    return family == other.family && bytes == other.bytes;
  }
};

// Parses "192.0.2.1", "0.0.0.0", "::", "[::1]", "fe80::1". IPv6 text keeps its spelling and
// gains brackets (LIO's configfs portal directory "[addr]:port" needs them). On failure the
// Status message says what is wrong, without naming the field.
Result<PortalAddress> ParsePortalAddress(std::string_view text);

}  // namespace reftarget::config
