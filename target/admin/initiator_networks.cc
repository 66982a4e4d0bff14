#include "target/admin/initiator_networks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "target/admin/command_line.h"

namespace reftarget::admin {
namespace {

// RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is the IPv4 address a.b.c.d as an IPv6 socket sees it.
constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

struct Address {
  int family = 0;
  std::array<uint8_t, 16> bytes{};
};

// Parses a literal address, with or without IPv6 brackets. No host names, no zone ids.
bool ParseAddress(std::string_view text, Address* out) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  std::string s(text);
  if (s.find('\0') != std::string::npos) return false;
  if (inet_pton(AF_INET, s.c_str(), out->bytes.data()) == 1) {
    out->family = AF_INET;
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    out->family = AF_INET6;
    std::memcpy(out->bytes.data(), &v6, sizeof(v6));
    return true;
  }
  return false;
}

bool IsMapped(const Address& a) {
  return a.family == AF_INET6 && std::memcmp(a.bytes.data(), kMappedPrefix, 12) == 0;
}

Address Unmapped(const Address& a) {
  Address v4;
  v4.family = AF_INET;
  std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
  return v4;
}

Address Mapped(const Address& a) {
  Address v6;
  v6.family = AF_INET6;
  std::memcpy(v6.bytes.data(), kMappedPrefix, 12);
  std::memcpy(v6.bytes.data() + 12, a.bytes.data(), 4);
  return v6;
}

// Returns true if the first `prefix` bits of `a` and `b` agree.
bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                   unsigned prefix) {
  unsigned full = prefix / 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  unsigned rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

// Clears every bit past `prefix`.
std::array<uint8_t, 16> Masked(std::array<uint8_t, 16> bytes, unsigned prefix) {
  for (unsigned bit = prefix; bit < 128; ++bit) {
    bytes[bit / 8] = static_cast<uint8_t>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  }
  return bytes;
}

std::string AddressText(int family, const std::array<uint8_t, 16>& bytes) {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(family, bytes.data(), buf, sizeof(buf)) == nullptr) return "?";
  return buf;
}

}  // namespace

std::string Network::ToString() const {
  return AddressText(family, bytes) + "/" + std::to_string(prefix_length);
}

Result<Network> ParseNetwork(std::string_view text) {
  std::string_view address_text = text;
  std::string_view prefix_text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    address_text = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
  }
  if (address_text.find('%') != std::string_view::npos) {
    return Status::Error(Quote(text) + ": zone ids (%) are not accepted");
  }
  Address address;
  if (!ParseAddress(address_text, &address)) {
    return Status::Error(Quote(text) +
                         " is not an IPv4 or IPv6 network (examples: 10.0.0.0/8, fd00::/8)");
  }
  unsigned max_prefix = address.family == AF_INET ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    if (prefix_text.empty() || prefix_text.size() > 3) {
      return Status::Error(Quote(text) + ": the prefix length after '/' must be 0 to " +
                           std::to_string(max_prefix));
    }
    prefix = 0;
    for (char c : prefix_text) {
      if (c < '0' || c > '9') {
        return Status::Error(Quote(text) + ": the prefix length after '/' must be 0 to " +
                             std::to_string(max_prefix));
      }
      prefix = prefix * 10 + static_cast<unsigned>(c - '0');
    }
    if (prefix > max_prefix) {
      return Status::Error(Quote(text) + ": prefix length " + std::to_string(prefix) +
                           " is larger than " + std::to_string(max_prefix));
    }
  }
  Network network;
  network.family = address.family;
  network.prefix_length = prefix;
  network.bytes = Masked(address.bytes, prefix);
  if (network.bytes != address.bytes) {
    // A typo such as 10.0.0.1/8 usually means 10.0.0.0/8; ask rather than guess.
    return Status::Error(Quote(text) + ": host bits are set (did you mean " + network.ToString() +
                         "?)");
  }
  return network;
}

Result<std::vector<Network>> ParseNetworks(const nlohmann::json& value) {
  std::vector<Network> out;
  if (value.is_null()) return out;
  if (!value.is_array()) return Status::Error("expected an array of CIDR strings");
  if (value.size() > kMaxInitiatorNetworks) {
    return Status::Error(std::to_string(value.size()) + " networks; at most " +
                         std::to_string(kMaxInitiatorNetworks));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const nlohmann::json& entry = value[i];
    if (!entry.is_string()) {
      return Status::Error("[" + std::to_string(i) + "]: expected a CIDR string");
    }
    auto network = ParseNetwork(entry.get_ref<const std::string&>());
    if (!network.ok()) return Status::Error("[" + std::to_string(i) + "]: " + network.error());
    out.push_back(network.value());
  }
  return out;
}

Result<std::vector<Network>> NetworksOf(const nlohmann::json& extra) {
  if (!extra.is_object()) return std::vector<Network>{};
  auto it = extra.find(std::string(kInitiatorNetworksKey));
  if (it == extra.end()) return std::vector<Network>{};
  auto networks = ParseNetworks(*it);
  if (!networks.ok()) {
    const std::string& why = networks.error();
    return Status::Error(std::string(kInitiatorNetworksKey) + (why.front() == '[' ? "" : ": ") +
                         why);
  }
  return networks;
}

bool NetworkContains(const Network& network, const std::string& ip) {
  Address peer;
  if (!ParseAddress(ip, &peer)) return false;
  if (network.family == AF_INET && IsMapped(peer)) peer = Unmapped(peer);
  if (network.family == AF_INET6 && peer.family == AF_INET) peer = Mapped(peer);
  if (peer.family != network.family) return false;
  return PrefixMatches(peer.bytes, network.bytes, network.prefix_length);
}

bool NetworksAllow(const std::vector<Network>& networks, const std::string& ip) {
  if (networks.empty()) return true;
  for (const Network& network : networks) {
    if (NetworkContains(network, ip)) return true;
  }
  return false;
}

}  // namespace reftarget::admin
