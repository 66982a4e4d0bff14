// targets[] of saveconfig.json (rtslib-fb target.py: Target, TPG, LUN, NetworkPortal,
// NodeACL and MappedLUN dump() / setup()).
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "target/config/iscsi_name.h"
#include "target/config/json_document.h"
#include "target/config/portal_address.h"
#include "target/config/reader_internal.h"

namespace reftarget::config::internal {
namespace {

using nlohmann::json;

// rtslib fabric.py fabric_modules: targets of these fabrics are kept, only iscsi is served.
constexpr std::string_view kKnownFabrics[] = {"iscsi", "loopback",   "qla2xxx",    "efct",
                                              "srpt",  "tcm_fc",     "usb_gadget", "vhost",
                                              "sbp",   "xen-pvscsi", "ibmvscsis"};

// iSCSI TPG attributes (include/target/iscsi/iscsi_target_core.h TA_*_MIN/MAX).
constexpr AttributeRule kTpgAttributeRules[] = {
    {"authentication", 0, 1},          {"generate_node_acls", 0, 1},
    {"demo_mode_write_protect", 0, 1}, {"prod_mode_write_protect", 0, 1},
    {"cache_dynamic_acls", 0, 1},      {"demo_mode_discovery", 0, 1},
    {"default_cmdsn_depth", 1, 512},   {"login_timeout", 5, 30},
    {"netif_timeout", 2, 15},          {"default_erl", 0, 2},
};

// iSCSI node ACL attributes (NA_*_MIN/MAX).
constexpr AttributeRule kAclAttributeRules[] = {
    {"dataout_timeout_retries", 1, 15},  {"nopin_timeout", 3, 60},
    {"nopin_response_timeout", 3, 60},   {"default_erl", 0, 2},
    {"random_datain_pdu_offsets", 0, 1}, {"random_datain_seq_offsets", 0, 1},
    {"random_r2t_offsets", 0, 1},
};

// One TPG's LUN table while its ACLs are read.
using LunIndexes = std::map<uint64_t, std::string>;  // index -> JSON pointer

Status RequireObject(std::string_view source, const json& v, const std::string& path) {
  if (v.is_object()) return Status::Ok();
  return ConfigError(source, path, "expected an object, got " + DescribeJson(v));
}

// Reads `name_key` as the name of a node of `fabric`: an iSCSI name for iscsi (normalized),
// otherwise any non-empty printable string (that fabric's own WWN format).
Status ReadNodeName(ObjectFields& f, std::string_view name_key, const std::string& fabric,
                    std::string* out) {
  CFG_RETURN_IF_ERROR(f.ReqString(name_key, out));
  if (fabric == "iscsi") {
    auto normalized = NormalizeIscsiName(*out);
    if (!normalized.ok()) {
      return f.ErrorAt(
          name_key, "invalid iSCSI name " + DescribeJson(json(*out)) + ": " + normalized.error());
    }
    *out = std::move(normalized).value();
    return Status::Ok();
  }
  if (out->empty()) return f.ErrorAt(name_key, "empty name");
  for (char c : *out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '/' || u <= 0x20 || u == 0x7f) {
      return f.ErrorAt(name_key, "name " + DescribeJson(json(*out)) +
                                     " contains '/', a space or a control character");
    }
  }
  return Status::Ok();
}

Status ReadLun(std::string_view source, const json& entry, const std::string& path,
               const std::vector<StorageObject>& storage_objects, Lun* lun) {
  CFG_RETURN_IF_ERROR(RequireObject(source, entry, path));
  ObjectFields f(source, entry, path);
  CFG_RETURN_IF_ERROR(f.ReqUint("index", 0, kMaxLunIndex, &lun->index));
  std::string ref;
  CFG_RETURN_IF_ERROR(f.ReqString("storage_object", &ref));
  // rtslib LUN.setup(): lun['storage_object'].split('/')[2:] must be [plugin, name].
  constexpr std::string_view kPrefix = "/backstores/";
  std::string_view rest = std::string_view(ref).substr(std::min(ref.size(), kPrefix.size()));
  size_t slash = rest.find('/');
  if (std::string_view(ref).substr(0, kPrefix.size()) != kPrefix || slash == 0 ||
      slash == std::string_view::npos || slash + 1 == rest.size() ||
      rest.find('/', slash + 1) != std::string_view::npos) {
    return f.ErrorAt("storage_object",
                     "expected \"/backstores/<plugin>/<name>\", got " + DescribeJson(json(ref)));
  }
  std::string canonical = std::string(kPrefix) +
                          std::string(CanonicalPlugin(rest.substr(0, slash))) + "/" +
                          std::string(rest.substr(slash + 1));
  bool found = std::any_of(storage_objects.begin(), storage_objects.end(),
                           [&](const StorageObject& so) { return so.path() == canonical; });
  if (!found) {
    return f.ErrorAt("storage_object", "refers to " + Printable(ref) + ", which is not defined");
  }
  lun->storage_object = std::move(canonical);
  lun->extra = f.Unused();
  return Status::Ok();
}

Status ReadPortal(std::string_view source, const json& entry, const std::string& path,
                  Portal* portal, PortalAddress* address) {
  CFG_RETURN_IF_ERROR(RequireObject(source, entry, path));
  ObjectFields f(source, entry, path);
  std::string ip;
  CFG_RETURN_IF_ERROR(f.ReqString("ip_address", &ip));
  auto parsed = ParsePortalAddress(ip);
  if (!parsed.ok()) {
    return f.ErrorAt("ip_address",
                     "invalid address " + DescribeJson(json(ip)) + ": " + parsed.error());
  }
  *address = std::move(parsed).value();
  portal->ip_address = address->text;
  std::optional<uint64_t> port;
  CFG_RETURN_IF_ERROR(f.OptUint("port", 1, 65535, &port));
  portal->port = static_cast<uint16_t>(port.value_or(3260));
  portal->extra = f.Unused();
  return Status::Ok();
}

Status ReadMappedLun(std::string_view source, const json& entry, const std::string& path,
                     const LunIndexes& tpg_luns, MappedLun* mlun) {
  CFG_RETURN_IF_ERROR(RequireObject(source, entry, path));
  ObjectFields f(source, entry, path);
  CFG_RETURN_IF_ERROR(f.ReqUint("index", 0, kMaxLunIndex, &mlun->index));
  CFG_RETURN_IF_ERROR(f.ReqUint("tpg_lun", 0, kMaxLunIndex, &mlun->tpg_lun));
  if (tpg_luns.find(mlun->tpg_lun) == tpg_luns.end()) {
    return f.ErrorAt("tpg_lun", "refers to LUN " + std::to_string(mlun->tpg_lun) +
                                    ", which is not defined in this TPG");
  }
  std::optional<bool> wp;
  CFG_RETURN_IF_ERROR(f.OptBool("write_protect", &wp));
  mlun->write_protect = wp.value_or(false);
  mlun->extra = f.Unused();
  return Status::Ok();
}

Status ReadNodeAcl(std::string_view source, const json& entry, const std::string& path,
                   const std::string& fabric, const LunIndexes& tpg_luns, NodeAcl* acl) {
  CFG_RETURN_IF_ERROR(RequireObject(source, entry, path));
  ObjectFields f(source, entry, path);
  CFG_RETURN_IF_ERROR(ReadNodeName(f, "node_wwn", fabric, &acl->node_wwn));
  CFG_RETURN_IF_ERROR(ReadAuth(f, kChapAuthKeys, &acl->auth));
  CFG_RETURN_IF_ERROR(ReadAttributes(f, "attributes", kAclAttributeRules, &acl->attributes));
  const json* mapped = nullptr;
  CFG_RETURN_IF_ERROR(f.OptArray("mapped_luns", &mapped));
  std::map<uint64_t, std::string> seen;
  for (size_t i = 0; mapped != nullptr && i < mapped->size(); ++i) {
    std::string mpath = JsonPointerAppend(f.PathOf("mapped_luns"), i);
    MappedLun mlun;
    CFG_RETURN_IF_ERROR(ReadMappedLun(source, (*mapped)[i], mpath, tpg_luns, &mlun));
    auto [it, inserted] = seen.emplace(mlun.index, mpath);
    if (!inserted) {
      return ConfigError(source, JsonPointerAppend(mpath, "index"),
                         "duplicate mapped LUN " + std::to_string(mlun.index) +
                             " (first defined at " + it->second + ")");
    }
    acl->mapped_luns.push_back(std::move(mlun));
  }
  acl->extra = f.Unused();
  return Status::Ok();
}

Status ReadParameters(ObjectFields& f, std::map<std::string, std::string>* out) {
  const json* params = nullptr;
  CFG_RETURN_IF_ERROR(f.OptObject("parameters", &params));
  if (params == nullptr) return Status::Ok();
  for (auto it = params->begin(); it != params->end(); ++it) {
    std::string path = JsonPointerAppend(f.PathOf("parameters"), it.key());
    const json& v = it.value();
    // rtslib writes the configfs text ("8192"); a hand-written integer means the same.
    if (v.is_number_unsigned()) {
      (*out)[it.key()] = std::to_string(v.get<uint64_t>());
      continue;
    }
    auto s = ReadString(v, f.source(), path);
    if (!s.ok()) {
      return ConfigError(f.source(), path, "expected a string, got " + DescribeJson(v));
    }
    (*out)[it.key()] = std::move(s).value();
  }
  return Status::Ok();
}

Status ReadTpg(std::string_view source, const json& entry, const std::string& path,
               const std::string& fabric, const std::vector<StorageObject>& storage_objects,
               Tpg* tpg, std::optional<uint64_t>* tag) {
  CFG_RETURN_IF_ERROR(RequireObject(source, entry, path));
  ObjectFields f(source, entry, path);
  // The iSCSI TPGT is 16 bits (RFC 7143 §13.9; kernel kstrtou16); targetcli starts at tpg1
  // and rtslib never assigns 0.
  CFG_RETURN_IF_ERROR(f.OptUint("tag", 1, 65535, tag));
  std::optional<bool> enable;
  CFG_RETURN_IF_ERROR(f.OptBool("enable", &enable));
  tpg->enable = enable.value_or(true);
  CFG_RETURN_IF_ERROR(ReadAuth(f, kChapAuthKeys, &tpg->auth));
  CFG_RETURN_IF_ERROR(ReadAttributes(f, "attributes", kTpgAttributeRules, &tpg->attributes));
  CFG_RETURN_IF_ERROR(ReadParameters(f, &tpg->parameters));

  const json* luns = nullptr;
  CFG_RETURN_IF_ERROR(f.OptArray("luns", &luns));
  LunIndexes lun_indexes;
  for (size_t i = 0; luns != nullptr && i < luns->size(); ++i) {
    std::string lpath = JsonPointerAppend(f.PathOf("luns"), i);
    Lun lun;
    CFG_RETURN_IF_ERROR(ReadLun(source, (*luns)[i], lpath, storage_objects, &lun));
    auto [it, inserted] = lun_indexes.emplace(lun.index, lpath);
    if (!inserted) {
      return ConfigError(source, JsonPointerAppend(lpath, "index"),
                         "duplicate LUN index " + std::to_string(lun.index) +
                             " (first defined at " + it->second + ")");
    }
    tpg->luns.push_back(std::move(lun));
  }

  const json* portals = nullptr;
  CFG_RETURN_IF_ERROR(f.OptArray("portals", &portals));
  std::vector<std::pair<PortalAddress, std::string>> seen_portals;
  for (size_t i = 0; portals != nullptr && i < portals->size(); ++i) {
    std::string ppath = JsonPointerAppend(f.PathOf("portals"), i);
    Portal portal;
    PortalAddress address;
    CFG_RETURN_IF_ERROR(ReadPortal(source, (*portals)[i], ppath, &portal, &address));
    for (size_t j = 0; j < seen_portals.size(); ++j) {
      if (seen_portals[j].first.SameAddress(address) && tpg->portals[j].port == portal.port) {
        return ConfigError(source, ppath,
                           "duplicate portal " + portal.ip_address + ":" +
                               std::to_string(portal.port) + " (first defined at " +
                               seen_portals[j].second + ")");
      }
    }
    seen_portals.emplace_back(std::move(address), ppath);
    tpg->portals.push_back(std::move(portal));
  }

  const json* acls = nullptr;
  CFG_RETURN_IF_ERROR(f.OptArray("node_acls", &acls));
  std::map<std::string, std::string> seen_acls;
  for (size_t i = 0; acls != nullptr && i < acls->size(); ++i) {
    std::string apath = JsonPointerAppend(f.PathOf("node_acls"), i);
    NodeAcl acl;
    CFG_RETURN_IF_ERROR(ReadNodeAcl(source, (*acls)[i], apath, fabric, lun_indexes, &acl));
    auto [it, inserted] = seen_acls.emplace(acl.node_wwn, apath);
    if (!inserted) {
      return ConfigError(source, JsonPointerAppend(apath, "node_wwn"),
                         "duplicate node ACL " + Printable(acl.node_wwn) + " (first defined at " +
                             it->second + ")");
    }
    tpg->node_acls.push_back(std::move(acl));
  }
  tpg->extra = f.Unused();
  return Status::Ok();
}

Status ReadTarget(std::string_view source, const json& entry, const std::string& path,
                  const std::vector<StorageObject>& storage_objects, Target* target) {
  CFG_RETURN_IF_ERROR(RequireObject(source, entry, path));
  ObjectFields f(source, entry, path);
  bool has_fabric = false;
  CFG_RETURN_IF_ERROR(f.OptString("fabric", &target->fabric, &has_fabric));
  if (!has_fabric) target->fabric = "iscsi";
  if (std::find(std::begin(kKnownFabrics), std::end(kKnownFabrics), target->fabric) ==
      std::end(kKnownFabrics)) {
    return f.ErrorAt("fabric", "unknown fabric " + DescribeJson(json(target->fabric)));
  }
  CFG_RETURN_IF_ERROR(ReadNodeName(f, "wwn", target->fabric, &target->wwn));

  const json* tpgs = nullptr;
  CFG_RETURN_IF_ERROR(f.OptArray("tpgs", &tpgs));
  std::map<uint64_t, std::string> tags;  // tag -> JSON pointer
  std::vector<size_t> untagged;
  for (size_t i = 0; tpgs != nullptr && i < tpgs->size(); ++i) {
    std::string gpath = JsonPointerAppend(f.PathOf("tpgs"), i);
    Tpg tpg;
    std::optional<uint64_t> tag;
    CFG_RETURN_IF_ERROR(
        ReadTpg(source, (*tpgs)[i], gpath, target->fabric, storage_objects, &tpg, &tag));
    if (tag) {
      auto [it, inserted] = tags.emplace(*tag, gpath);
      if (!inserted) {
        return ConfigError(
            source, JsonPointerAppend(gpath, "tag"),
            "duplicate TPG tag " + std::to_string(*tag) + " (first defined at " + it->second + ")");
      }
      tpg.tag = static_cast<uint16_t>(*tag);
    } else {
      untagged.push_back(i);
    }
    target->tpgs.push_back(std::move(tpg));
  }
  // rtslib TPG(): a TPG saved without a tag gets the lowest free tag above 0.
  uint64_t next = 1;
  for (size_t i : untagged) {
    while (tags.count(next) != 0) ++next;
    if (next > 65535) return f.ErrorAt("tpgs", "no free TPG tag left");
    tags.emplace(next, JsonPointerAppend(f.PathOf("tpgs"), i));
    target->tpgs[i].tag = static_cast<uint16_t>(next);
  }
  target->extra = f.Unused();
  return Status::Ok();
}

}  // namespace

Status ReadTargets(std::string_view source, const json& array,
                   const std::vector<StorageObject>& storage_objects, std::vector<Target>* out) {
  std::map<std::string, std::string> seen;  // fabric + " " + wwn -> JSON pointer
  for (size_t i = 0; i < array.size(); ++i) {
    std::string path = JsonPointerAppend("/targets", i);
    Target target;
    CFG_RETURN_IF_ERROR(ReadTarget(source, array[i], path, storage_objects, &target));
    auto [it, inserted] = seen.emplace(target.fabric + " " + target.wwn, path);
    if (!inserted) {
      return ConfigError(
          source, JsonPointerAppend(path, "wwn"),
          "duplicate target " + Printable(target.wwn) + " (first defined at " + it->second + ")");
    }
    out->push_back(std::move(target));
  }
  return Status::Ok();
}

}  // namespace reftarget::config::internal
