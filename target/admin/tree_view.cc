#include "target/admin/tree_view.h"

#include <algorithm>
#include <vector>

#include "target/admin/command_line.h"
#include "target/admin/node_path.h"
#include "target/admin/size_text.h"

namespace reftarget::admin {
namespace {

using config::Config;

// One node as the tree shows it. `healthy` is configshell's is_healthy: an empty summary
// reads "OK" when true, "ERROR" when false, "..." when unknown.
struct TreeNode {
  std::string name;
  std::string summary;
  std::optional<bool> healthy;
  std::vector<TreeNode> children;
};

// configshell's sorting_keys(): (text before a trailing number, the number), then the name.
struct SortKey {
  std::string prefix;
  uint64_t number = 0;
  std::string name;
  bool operator<(const SortKey& o) const {
    if (prefix != o.prefix) return prefix < o.prefix;
    if (number != o.number) return number < o.number;
    return name < o.name;
  }
};

SortKey KeyOf(const std::string& name) {
  size_t digits = name.size();
  while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9') --digits;
  SortKey key{name.substr(0, digits), 0, name};
  // Python's int() is unbounded; 19 digits always fit in 64 bits.
  std::string number = name.substr(digits);
  if (!number.empty() && number.size() <= 19) key.number = std::stoull(number);
  return key;
}

void SortChildren(TreeNode* node) {
  std::sort(node->children.begin(), node->children.end(),
            [](const TreeNode& a, const TreeNode& b) { return KeyOf(a.name) < KeyOf(b.name); });
  for (TreeNode& child : node->children) SortChildren(&child);
}

bool IsExported(const Config& config, const config::StorageObject& so) {
  return !LunsUsing(config, so.path()).empty();
}

std::string SizeText(const config::StorageObject& so, const TreeOptions& options) {
  if (options.capacity) {
    if (std::optional<uint64_t> live = options.capacity(so)) return FormatSize(*live);
  }
  if (so.size != 0) return FormatSize(so.size);
  return so.plugin == "block" ? "size of device" : "size of file";
}

// ui_backstore.py: UIFileioStorageObject / UIBlockStorageObject / UIRamdiskStorageObject.
TreeNode StorageObjectNode(const Config& config, const config::StorageObject& so,
                           const TreeOptions& options) {
  std::string status = IsExported(config, so) ? "activated" : "deactivated";
  std::string summary;
  if (so.plugin == "ramdisk") {
    summary = std::string(so.nullio ? "nullio " : "") + "(" + SizeText(so, options) + ") " + status;
  } else {
    // The runtime's defaults: fileio write-back, block write-through (as LIO).
    bool write_back = so.write_back.value_or(so.plugin == "fileio");
    std::string wb = write_back ? "write-back" : "write-thru";
    std::string ro = so.plugin == "block" && so.readonly ? "ro " : "";
    summary = so.dev + " (" + SizeText(so, options) + ") " + ro + wb + " " + status;
  }
  return TreeNode{so.name, summary, true, {}};
}

TreeNode BackstoresNode(const Config& config, const TreeOptions& options) {
  TreeNode node{"backstores", "", std::nullopt, {}};
  for (std::string_view plugin : kPlugins) {
    TreeNode kind{std::string(plugin), "", std::nullopt, {}};
    for (const config::StorageObject& so : config.storage_objects) {
      if (config::CanonicalPlugin(so.plugin) == plugin) {
        kind.children.push_back(StorageObjectNode(config, so, options));
      }
    }
    kind.summary = "Storage Objects: " + std::to_string(kind.children.size());
    node.children.push_back(std::move(kind));
  }
  return node;
}

bool Mutual(const config::AuthCredentials& auth) {
  return !auth.mutual_userid.empty() && !auth.mutual_password.empty();
}

// ui_target.py UITPG.summary().
TreeNode TpgSummary(const config::Tpg& tpg) {
  TreeNode node{TpgName(tpg.tag), "", std::nullopt, {}};
  if (!tpg.enable) {
    node.summary = "disabled";
    node.healthy = false;
    return node;
  }
  std::vector<std::string> parts;
  bool gen_acls = tpg.generate_node_acls() != 0;
  parts.push_back(gen_acls ? "gen-acls" : "no-gen-acls");
  if (tpg.authentication() == 0) {
    parts.push_back("no-auth");
    if (gen_acls) node.healthy = true;
  } else if (!gen_acls) {
    parts.push_back("auth per-acl");
  } else {
    parts.push_back("tpg-auth");
    node.healthy = !tpg.auth.userid.empty() && !tpg.auth.password.empty();
    parts.push_back(Mutual(tpg.auth) ? "mutual auth" : "1-way auth");
  }
  for (size_t i = 0; i < parts.size(); ++i) node.summary += (i > 0 ? ", " : "") + parts[i];
  return node;
}

TreeNode LunNode(const Config& config, const config::Lun& lun) {
  TreeNode node{LunName(lun.index), "", true, {}};
  const config::StorageObject* so = config.FindStorageObject(lun.storage_object);
  if (so == nullptr) {
    node.summary = "BROKEN STORAGE LINK";
    node.healthy = false;
    return node;
  }
  node.summary = so->plugin + "/" + so->name;
  if (!so->dev.empty()) node.summary += " (" + so->dev + ")";
  std::string group = "default_tg_pt_gp";
  if (lun.extra.is_object()) {
    auto it = lun.extra.find("alua_tg_pt_gp_name");
    if (it != lun.extra.end() && it->is_string()) group = it->get<std::string>();
  }
  node.summary += " (" + group + ")";
  return node;
}

TreeNode MappedLunNode(const Config& config, const config::Tpg& tpg, const config::MappedLun& m) {
  TreeNode node{MappedLunName(m.index), "", true, {}};
  const config::Lun* lun = tpg.FindLun(m.tpg_lun);
  const config::StorageObject* so =
      lun != nullptr ? config.FindStorageObject(lun->storage_object) : nullptr;
  if (so == nullptr) {
    node.summary = "BROKEN LUN LINK";
    node.healthy = false;
    return node;
  }
  node.summary = LunName(lun->index) + " " + so->plugin + "/" + so->name + " (" +
                 (m.write_protect ? "ro" : "rw") + ")";
  return node;
}

// ui_target.py UINodeACL.summary().
TreeNode AclNode(const Config& config, const config::Tpg& tpg, const config::NodeAcl& acl) {
  TreeNode node{acl.node_wwn, "", std::nullopt, {}};
  std::vector<std::string> parts;
  if (tpg.authentication() != 0) {
    if (tpg.generate_node_acls() != 0) {
      parts.push_back("auth via tpg");
    } else {
      node.healthy = !acl.auth.userid.empty() && !acl.auth.password.empty();
      parts.push_back(Mutual(acl.auth) ? "mutual auth" : "1-way auth");
    }
  }
  parts.push_back("Mapped LUNs: " + std::to_string(acl.mapped_luns.size()));
  for (size_t i = 0; i < parts.size(); ++i) node.summary += (i > 0 ? ", " : "") + parts[i];
  for (const config::MappedLun& m : acl.mapped_luns) {
    node.children.push_back(MappedLunNode(config, tpg, m));
  }
  return node;
}

TreeNode PortalNode(const config::Portal& portal) {
  TreeNode node{PortalName(portal), "", true, {}};
  // UIPortal.summary(): iSER or offload when enabled, else just healthy ("OK").
  auto flag = [&](const char* key) {
    if (!portal.extra.is_object()) return false;
    auto it = portal.extra.find(key);
    return it != portal.extra.end() && it->is_boolean() && it->get<bool>();
  };
  if (flag("iser")) node.summary = "iser";
  if (flag("offload")) node.summary = "offload";
  return node;
}

TreeNode TpgNode(const Config& config, const config::Tpg& tpg) {
  TreeNode node = TpgSummary(tpg);
  TreeNode acls{"acls", "ACLs: " + std::to_string(tpg.node_acls.size()), std::nullopt, {}};
  for (const config::NodeAcl& acl : tpg.node_acls)
    acls.children.push_back(AclNode(config, tpg, acl));
  TreeNode luns{"luns", "LUNs: " + std::to_string(tpg.luns.size()), std::nullopt, {}};
  for (const config::Lun& lun : tpg.luns) luns.children.push_back(LunNode(config, lun));
  TreeNode portals{"portals", "Portals: " + std::to_string(tpg.portals.size()), std::nullopt, {}};
  for (const config::Portal& p : tpg.portals) portals.children.push_back(PortalNode(p));
  node.children = {std::move(acls), std::move(luns), std::move(portals)};
  return node;
}

TreeNode TargetNode(const Config& config, const config::Target& target) {
  TreeNode node{target.wwn, "TPGs: " + std::to_string(target.tpgs.size()), std::nullopt, {}};
  for (const config::Tpg& tpg : target.tpgs) node.children.push_back(TpgNode(config, tpg));
  return node;
}

// ui_target.py UIFabricModule.summary().
TreeNode IscsiNode(const Config& config) {
  TreeNode node{"iscsi", "", std::nullopt, {}};
  const config::DiscoveryAuth& da = config.discovery_auth;
  std::string prefix;
  if (da.enable) {
    node.healthy = !da.auth.userid.empty() && !da.auth.password.empty();
    prefix = Mutual(da.auth) ? "mutual disc auth, " : "1-way disc auth, ";
  }
  for (const config::Target& target : config.targets) {
    if (target.fabric == "iscsi") node.children.push_back(TargetNode(config, target));
  }
  node.summary = prefix + "Targets: " + std::to_string(node.children.size());
  return node;
}

// Builds the node `ref` names with everything below it.
TreeNode Build(const Config& config, const NodeRef& ref, const TreeOptions& options) {
  switch (ref.kind) {
    case NodeKind::kRoot: {
      TreeNode root{"/", "", std::nullopt, {}};
      root.children.push_back(BackstoresNode(config, options));
      root.children.push_back(IscsiNode(config));
      return root;
    }
    case NodeKind::kBackstores:
      return BackstoresNode(config, options);
    case NodeKind::kBackstoreKind: {
      TreeNode all = BackstoresNode(config, options);
      for (TreeNode& kind : all.children) {
        if (kind.name == ref.plugin) return kind;
      }
      return all;
    }
    case NodeKind::kStorageObject:
      return StorageObjectNode(config, config.storage_objects[ref.storage_object], options);
    case NodeKind::kIscsi:
      return IscsiNode(config);
    default:
      break;
  }
  const config::Target& target = config.targets[ref.target];
  if (ref.kind == NodeKind::kTarget) return TargetNode(config, target);
  const config::Tpg& tpg = target.tpgs[ref.tpg];
  TreeNode tpg_node = TpgNode(config, tpg);
  switch (ref.kind) {
    case NodeKind::kTpg:
      return tpg_node;
    case NodeKind::kAcls:
      return tpg_node.children[0];
    case NodeKind::kLuns:
      return tpg_node.children[1];
    case NodeKind::kPortals:
      return tpg_node.children[2];
    case NodeKind::kLun:
      return LunNode(config, tpg.luns[ref.lun]);
    case NodeKind::kPortal:
      return PortalNode(tpg.portals[ref.portal]);
    case NodeKind::kAcl:
      return AclNode(config, tpg, tpg.node_acls[ref.acl]);
    case NodeKind::kMappedLun: {
      const config::NodeAcl& acl = tpg.node_acls[ref.acl];
      return MappedLunNode(config, tpg, acl.mapped_luns[ref.mapped_lun]);
    }
    default:
      return tpg_node;
  }
}

// Python's len() of a str: code points, not bytes.
size_t DisplayLength(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

// configshell _render_tree(): margin holds, per ancestor level, whether a '|' continues.
void Draw(const TreeNode& node, std::vector<bool>* margin, int depth, size_t width,
          std::string* out) {
  std::string line;
  for (size_t i = 0; i + 1 < margin->size(); ++i) line += (*margin)[i] ? "| " : "  ";
  line += "o- ";
  std::string description = node.summary;
  if (description.empty()) {
    description = !node.healthy ? "..." : *node.healthy ? "OK" : "ERROR";
  }
  size_t used = DisplayLength(line) + DisplayLength(node.name) + DisplayLength(description) + 3;
  size_t pad = width > used + 1 ? width - 1 - used : 0;
  line += node.name + " " + std::string(pad, '.') + " [" + description + "]";
  *out += line;
  *out += '\n';
  if (depth == 0) return;
  int child_depth = depth < 0 ? depth : depth - 1;
  for (size_t i = 0; i < node.children.size(); ++i) {
    margin->push_back(i + 1 < node.children.size());
    Draw(node.children[i], margin, child_depth, width, out);
    margin->pop_back();
  }
}

}  // namespace

Result<std::string> RenderTree(const Config& config, const std::string& path, int depth) {
  TreeOptions options;
  options.depth = depth;
  return RenderTree(config, path, options);
}

Result<std::string> RenderTree(const Config& config, const std::string& path,
                               const TreeOptions& options) {
  auto normalized = NormalizePath(path, "/");
  if (!normalized.ok()) return normalized.status();
  auto ref = ResolvePath(config, normalized.value());
  if (!ref.ok()) return ref.status();
  TreeNode root = Build(config, ref.value(), options);
  SortChildren(&root);
  std::string out;
  std::vector<bool> margin = {false};
  Draw(root, &margin, options.depth <= 0 ? -1 : options.depth, options.width, &out);
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace reftarget::admin
