// Initiator network restriction: the source networks a login may come from, per TPG and per
// node ACL (beyond LIO; IET's initiators.allow did this). Stored in saveconfig.json in the
// node's own object under "initiator_networks" as a JSON array of CIDR strings, which
// rtslib ignores on restore and reftarget's reader keeps in the node's `extra`.
//
// Rule for the login path: a login must come from one of the TPG's networks (when the TPG
// has any) and from one of its ACL's networks (when that ACL has any); an empty or absent
// list restricts nothing.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"

namespace reftarget::admin {

// The key in a Tpg's or NodeAcl's `extra`.
inline constexpr std::string_view kInitiatorNetworksKey = "initiator_networks";
// More networks than anyone lists; bounds the work of every login check.
inline constexpr size_t kMaxInitiatorNetworks = 256;

struct Network {
  int family = 0;                   // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // network order, host bits zero; IPv4 uses the first 4
  unsigned prefix_length = 0;       // 0..32 (IPv4) or 0..128 (IPv6)

  // Returns the canonical text: "10.0.0.0/8", "fd00::/8".
  std::string ToString() const;
  bool operator==(const Network&) const = default;
};

// Parses one CIDR: "10.0.0.0/8", "192.0.2.7" (one host), "fd00::/8", "[::1]/128". Host bits
// must be zero ("10.0.0.1/8" is refused with the network it probably means). On failure the
// message quotes `text` and says why, without naming the field.
Result<Network> ParseNetwork(std::string_view text);

// Parses the stored form: a JSON array of CIDR strings; null (absent) means no restriction
// and gives an empty list. Errors name the array index.
Result<std::vector<Network>> ParseNetworks(const nlohmann::json& value);

// Returns the networks stored in a node's `extra` object (empty when the key is absent).
Result<std::vector<Network>> NetworksOf(const nlohmann::json& extra);

// Returns true if the peer address `ip` ("192.0.2.7", "::1", "[::1]", "::ffff:192.0.2.7")
// lies in `network`. An IPv4-mapped IPv6 peer (a dual-stack socket's view of an IPv4 client)
// matches IPv4 networks; an IPv4 peer matches IPv6 networks as its mapped form. An address
// that does not parse is in no network.
bool NetworkContains(const Network& network, const std::string& ip);

// Returns true if `networks` is empty or one of them contains `ip`.
bool NetworksAllow(const std::vector<Network>& networks, const std::string& ip);

}  // namespace reftarget::admin
