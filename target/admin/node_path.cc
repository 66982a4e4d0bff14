#include "target/admin/node_path.h"

#include <algorithm>

#include "target/admin/command_line.h"
#include "target/config/iscsi_name.h"
#include "target/config/portal_address.h"

namespace reftarget::admin {
namespace {

using config::Config;

constexpr size_t kMaxListed = 12;

// "it has: a, b, c" (at most kMaxListed names), or "it is empty".
std::string Listing(std::vector<std::string> names) {
  if (names.empty()) return "it is empty";
  std::sort(names.begin(), names.end());
  std::string out = "it has: ";
  for (size_t i = 0; i < names.size() && i < kMaxListed; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kMaxListed) {
    out += " and " + std::to_string(names.size() - kMaxListed) + " more";
  }
  return out;
}

Status NoSuchPath(std::string_view path, const std::string& parent, std::string_view what,
                  std::string_view name, std::vector<std::string> existing) {
  return Status::Error("no such path " + std::string(path) + ": " + parent + " has no " +
                       std::string(what) + " " + Quote(name) + " (" + Listing(std::move(existing)) +
                       ")");
}

// iSCSI names compare after rtslib's normalization (lowercase; eui./naa. lose separators).
std::string NormalizedName(std::string_view name) {
  auto normalized = config::NormalizeIscsiName(name);
  if (normalized.ok()) return normalized.value();
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// Matches "IP:PORT" (IPv6 in brackets) against a portal by address, so that "[::0001]:3260"
// finds "[::1]:3260".
bool PortalMatches(const config::Portal& portal, std::string_view name) {
  size_t colon = name.rfind(':');
  if (colon == std::string_view::npos) return false;
  auto port = ParseLunNumber(name.substr(colon + 1), "");
  if (!port.ok() || port.value() != portal.port) return false;
  auto want = config::ParsePortalAddress(name.substr(0, colon));
  auto have = config::ParsePortalAddress(portal.ip_address);
  return want.ok() && have.ok() && want.value().SameAddress(have.value());
}

}  // namespace

std::string_view KindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kRoot:
      return "root node";
    case NodeKind::kBackstores:
      return "backstore list";
    case NodeKind::kBackstoreKind:
      return "backstore";
    case NodeKind::kStorageObject:
      return "storage object";
    case NodeKind::kIscsi:
      return "iSCSI fabric";
    case NodeKind::kTarget:
      return "target";
    case NodeKind::kTpg:
      return "TPG";
    case NodeKind::kLuns:
      return "LUN list";
    case NodeKind::kLun:
      return "LUN";
    case NodeKind::kAcls:
      return "ACL list";
    case NodeKind::kAcl:
      return "node ACL";
    case NodeKind::kMappedLun:
      return "mapped LUN";
    case NodeKind::kPortals:
      return "portal list";
    case NodeKind::kPortal:
      return "portal";
  }
  return "node";
}

std::string TpgName(uint16_t tag) { return "tpg" + std::to_string(tag); }
std::string LunName(uint64_t index) { return "lun" + std::to_string(index); }
std::string MappedLunName(uint64_t index) { return "mapped_lun" + std::to_string(index); }
std::string PortalName(const config::Portal& portal) {
  return portal.ip_address + ":" + std::to_string(portal.port);
}

std::string TargetPath(const config::Target& target) {
  // Targets of other fabrics live under their own fabric node, as in targetcli.
  return "/" + target.fabric + "/" + target.wwn;
}
std::string TpgPath(const config::Target& target, const config::Tpg& tpg) {
  return TargetPath(target) + "/" + TpgName(tpg.tag);
}
std::string LunPath(const config::Target& target, const config::Tpg& tpg, uint64_t index) {
  return TpgPath(target, tpg) + "/luns/" + LunName(index);
}

std::vector<std::string> LunsUsing(const Config& config, std::string_view storage_object_path) {
  std::vector<std::string> out;
  const config::StorageObject* so = config.FindStorageObject(storage_object_path);
  if (so == nullptr) return out;
  for (const config::Target& target : config.targets) {
    for (const config::Tpg& tpg : target.tpgs) {
      for (const config::Lun& lun : tpg.luns) {
        if (config.FindStorageObject(lun.storage_object) == so) {
          out.push_back(LunPath(target, tpg, lun.index));
        }
      }
    }
  }
  return out;
}

Result<uint64_t> ParseLunNumber(std::string_view text, std::string_view prefix) {
  std::string_view digits = text;
  if (!prefix.empty() && digits.substr(0, prefix.size()) == prefix) {
    digits.remove_prefix(prefix.size());
  }
  bool ok = !digits.empty() && digits.size() <= 5;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || value > config::kMaxLunIndex) {
    std::string form = prefix.empty() ? "a number" : "N or " + std::string(prefix) + "N";
    return Status::Error(Quote(text) + " is not " + form + " with N from 0 to " +
                         std::to_string(config::kMaxLunIndex));
  }
  return value;
}

Result<NodeRef> ResolvePath(const Config& config, std::string_view normalized_path) {
  std::vector<std::string> parts = PathComponents(normalized_path);
  NodeRef ref;
  ref.path = "/";
  auto descend = [&](NodeKind kind, const std::string& name) {
    ref.kind = kind;
    ref.path = (ref.path == "/" ? "" : ref.path) + "/" + name;
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const std::string parent = ref.path;
    switch (ref.kind) {
      case NodeKind::kRoot:
        if (part == "backstores") {
          descend(NodeKind::kBackstores, part);
        } else if (part == "iscsi") {
          descend(NodeKind::kIscsi, part);
        } else {
          return NoSuchPath(normalized_path, parent, "node", part, {"backstores", "iscsi"});
        }
        break;
      case NodeKind::kBackstores: {
        auto it = std::find(std::begin(kPlugins), std::end(kPlugins), part);
        if (it == std::end(kPlugins)) {
          return NoSuchPath(normalized_path, parent, "backstore", part,
                            {std::begin(kPlugins), std::end(kPlugins)});
        }
        ref.plugin = part;
        descend(NodeKind::kBackstoreKind, part);
        break;
      }
      case NodeKind::kBackstoreKind: {
        std::vector<std::string> names;
        bool found = false;
        for (size_t s = 0; s < config.storage_objects.size(); ++s) {
          const config::StorageObject& so = config.storage_objects[s];
          if (config::CanonicalPlugin(so.plugin) != ref.plugin) continue;
          names.push_back(so.name);
          if (so.name == part) {
            ref.storage_object = s;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "storage object", part, names);
        descend(NodeKind::kStorageObject, part);
        break;
      }
      case NodeKind::kIscsi: {
        std::string wanted = NormalizedName(part);
        std::vector<std::string> names;
        bool found = false;
        for (size_t t = 0; t < config.targets.size(); ++t) {
          const config::Target& target = config.targets[t];
          if (target.fabric != "iscsi") continue;
          names.push_back(target.wwn);
          if (target.wwn == wanted) {
            ref.target = t;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "target", part, names);
        descend(NodeKind::kTarget, config.targets[ref.target].wwn);
        break;
      }
      case NodeKind::kTarget: {
        const config::Target& target = config.targets[ref.target];
        std::vector<std::string> names;
        bool found = false;
        for (size_t g = 0; g < target.tpgs.size(); ++g) {
          names.push_back(TpgName(target.tpgs[g].tag));
          if (names.back() == part) {
            ref.tpg = g;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "TPG", part, names);
        descend(NodeKind::kTpg, part);
        break;
      }
      case NodeKind::kTpg:
        if (part == "luns") {
          descend(NodeKind::kLuns, part);
        } else if (part == "acls") {
          descend(NodeKind::kAcls, part);
        } else if (part == "portals") {
          descend(NodeKind::kPortals, part);
        } else {
          return NoSuchPath(normalized_path, parent, "node", part, {"acls", "luns", "portals"});
        }
        break;
      case NodeKind::kLuns: {
        const config::Tpg& tpg = config.targets[ref.target].tpgs[ref.tpg];
        std::vector<std::string> names;
        bool found = false;
        for (size_t l = 0; l < tpg.luns.size(); ++l) {
          names.push_back(LunName(tpg.luns[l].index));
          if (names.back() == part) {
            ref.lun = l;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "LUN", part, names);
        descend(NodeKind::kLun, part);
        break;
      }
      case NodeKind::kAcls: {
        const config::Tpg& tpg = config.targets[ref.target].tpgs[ref.tpg];
        std::string wanted = NormalizedName(part);
        std::vector<std::string> names;
        bool found = false;
        for (size_t a = 0; a < tpg.node_acls.size(); ++a) {
          names.push_back(tpg.node_acls[a].node_wwn);
          if (tpg.node_acls[a].node_wwn == wanted) {
            ref.acl = a;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "node ACL", part, names);
        descend(NodeKind::kAcl, tpg.node_acls[ref.acl].node_wwn);
        break;
      }
      case NodeKind::kAcl: {
        const config::NodeAcl& acl = config.targets[ref.target].tpgs[ref.tpg].node_acls[ref.acl];
        std::vector<std::string> names;
        bool found = false;
        for (size_t m = 0; m < acl.mapped_luns.size(); ++m) {
          names.push_back(MappedLunName(acl.mapped_luns[m].index));
          if (names.back() == part) {
            ref.mapped_lun = m;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "mapped LUN", part, names);
        descend(NodeKind::kMappedLun, part);
        break;
      }
      case NodeKind::kPortals: {
        const config::Tpg& tpg = config.targets[ref.target].tpgs[ref.tpg];
        std::vector<std::string> names;
        bool found = false;
        for (size_t p = 0; p < tpg.portals.size(); ++p) {
          names.push_back(PortalName(tpg.portals[p]));
          if (!found && PortalMatches(tpg.portals[p], part)) {
            ref.portal = p;
            found = true;
          }
        }
        if (!found) return NoSuchPath(normalized_path, parent, "portal", part, names);
        descend(NodeKind::kPortal, PortalName(tpg.portals[ref.portal]));
        break;
      }
      case NodeKind::kStorageObject:
      case NodeKind::kLun:
      case NodeKind::kMappedLun:
      case NodeKind::kPortal:
        return NoSuchPath(normalized_path, parent, "node", part, {});
    }
  }
  return ref;
}

}  // namespace reftarget::admin
