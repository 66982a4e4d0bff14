#include "target/iscsi/session/target_registry.h"

#include <cctype>

namespace reftarget::iscsi {
namespace {

bool IsWildcard(const std::string& ip) { return ip == "0.0.0.0" || ip == "::" || ip.empty(); }

}  // namespace

bool TpgRuntime::ServesPortal(const net::Endpoint& local) const {
  for (const auto& p : portals) {
    if (p.port != local.port) continue;
    // A wildcard portal serves every address of its family; "::" with V6ONLY is v6 only,
    // but LIO treats [::] as serving both, so do the same.
    if (IsWildcard(p.ip) || p.ip == local.ip) return true;
    // An IPv4 client reaching an IPv4-mapped socket appears as ::ffff:a.b.c.d.
    if (local.ip == "::ffff:" + p.ip) return true;
  }
  return false;
}

const AclRuntime* TpgRuntime::FindAcl(const std::string& initiator) const {
  // RFC 3720 §3.2.6.1: iSCSI names are case-insensitive (stringprep folds them to lower case).
  auto it = acls.find(initiator);
  if (it != acls.end()) return &it->second;
  for (const auto& [name, acl] : acls) {
    if (name.size() != initiator.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(name[i])) ==
             std::tolower(static_cast<unsigned char>(initiator[i]));
    }
    if (same) return &acl;
  }
  return nullptr;
}

std::shared_ptr<const TpgRuntime> TargetSnapshot::FindTpg(const std::string& target_name,
                                                          const net::Endpoint& local) const {
  for (const auto& tpg : tpgs) {
    if (tpg->enabled && tpg->target_name == target_name && tpg->ServesPortal(local)) return tpg;
  }
  return nullptr;
}

bool TargetSnapshot::HasTarget(const std::string& target_name) const {
  for (const auto& tpg : tpgs) {
    if (tpg->target_name == target_name) return true;
  }
  return false;
}

}  // namespace reftarget::iscsi
