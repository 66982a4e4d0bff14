// tpgN/luns create|delete, tpgN/acls create|delete and acls/WWN create|delete (mapped LUNs)
// (targetcli ui_target.py UILUNs, UINodeACLs, UINodeACL; rtslib LUN, NodeACL, MappedLUN).
#include <algorithm>

#include "target/admin/edit_internal.h"

namespace reftarget::admin::internal {
namespace {

using config::Lun;
using config::MappedLun;
using config::NodeAcl;
using config::Tpg;

constexpr ParamSpec kCreateLunParams[] = {
    {"storage_object", true}, {"lun", false}, {"add_mapped_luns", false}};
constexpr ParamSpec kDeleteLunParams[] = {{"lun", true}};
constexpr ParamSpec kCreateAclParams[] = {{"wwn", true}, {"add_mapped_luns", false}};
constexpr ParamSpec kDeleteAclParams[] = {{"wwn", true}};
constexpr ParamSpec kCreateMappedLunParams[] = {
    {"mapped_lun", true}, {"tpg_lun_or_backstore", true}, {"write_protect", false}};
constexpr ParamSpec kDeleteMappedLunParams[] = {{"mapped_lun", true}};

// targetcli's preference auto_add_mapped_luns defaults to true.
constexpr bool kDefaultAddMappedLuns = true;

// Resolves a storage object argument as targetcli's get_node() does: a path, relative to the
// command's path or absolute.
const config::StorageObject* FindStorageObjectArg(const EditContext& edit, const std::string& text,
                                                  std::string* shown) {
  auto path = NormalizePath(text, edit.command.path);
  *shown = path.ok() ? path.value() : text;
  return path.ok() ? edit.config.FindStorageObject(path.value()) : nullptr;
}

std::optional<uint64_t> FreeMappedLun(const NodeAcl& acl, uint64_t preferred) {
  if (acl.FindMappedLun(preferred) == nullptr) return preferred;
  for (uint64_t m = 0; m <= config::kMaxLunIndex; ++m) {
    if (acl.FindMappedLun(m) == nullptr) return m;
  }
  return std::nullopt;
}

// Adds TPG LUN `index` to `tpg` for `so_path`, and says so.
void AddTpgLun(EditContext& edit, Tpg& tpg, uint64_t index, const std::string& so_path) {
  Lun lun;
  lun.index = index;
  lun.storage_object = so_path;
  tpg.luns.push_back(std::move(lun));
  edit.Say("Created LUN " + std::to_string(index) + ".");
}

}  // namespace

Result<bool> BoolArg(const EditContext& edit, const BoundArgs& args, std::string_view name,
                     bool default_value) {
  const std::string* text = args.Get(name);
  if (text == nullptr) return default_value;
  auto value = ParseBool(*text);
  if (!value.ok()) return edit.Error(std::string(name) + ": " + value.error());
  return value;
}

std::optional<uint64_t> FreeLunIndex(const Tpg& tpg) {
  for (uint64_t index = 0; index <= config::kMaxLunIndex; ++index) {
    if (tpg.FindLun(index) == nullptr) return index;
  }
  return std::nullopt;
}

void UnmapTpgLun(EditContext& edit, Tpg& tpg, uint64_t index) {
  // rtslib LUN.delete(): the mapped LUNs that point at it go first.
  for (NodeAcl& acl : tpg.node_acls) {
    for (const MappedLun& m : acl.mapped_luns) {
      if (m.tpg_lun == index) {
        edit.Say("Deleted mapped LUN " + std::to_string(m.index) + " of node ACL " + acl.node_wwn +
                 ".");
      }
    }
    std::erase_if(acl.mapped_luns, [&](const MappedLun& m) { return m.tpg_lun == index; });
  }
}

Status CreateLun(EditContext& edit) {
  auto args = edit.Bind(kCreateLunParams);
  if (!args.ok()) return args.status();
  Tpg& tpg = edit.tpg();
  std::string so_path;
  const config::StorageObject* so =
      FindStorageObjectArg(edit, *args.value().Get("storage_object"), &so_path);
  if (so == nullptr) return edit.Error("storage object " + so_path + " does not exist");
  for (const Lun& lun : tpg.luns) {
    if (edit.config.FindStorageObject(lun.storage_object) == so) {
      // targetcli: "lun for storage object %s/%s already exists"; one store twice in a TPG
      // would be one device under two LUNs of one initiator, sharing reservations.
      return edit.Error("lun for storage object " + so->plugin + "/" + so->name +
                        " already exists: " + LunName(lun.index));
    }
  }
  const std::string* lun_text = args.value().Get("lun");
  uint64_t index = 0;
  if (lun_text != nullptr) {
    auto parsed = ParseLunNumber(*lun_text, "lun");
    if (!parsed.ok()) return edit.Error("lun: " + parsed.error());
    index = parsed.value();
    if (tpg.FindLun(index) != nullptr) {
      return edit.Error("lun: LUN " + std::to_string(index) + " already exists");
    }
  } else {
    std::optional<uint64_t> free = FreeLunIndex(tpg);
    if (!free) return edit.Error("no free LUN number left in this TPG");
    index = *free;
  }
  auto add_mapped = BoolArg(edit, args.value(), "add_mapped_luns", kDefaultAddMappedLuns);
  if (!add_mapped.ok()) return add_mapped.status();
  AddTpgLun(edit, tpg, index, so->path());
  if (!add_mapped.value()) return Status::Ok();
  for (NodeAcl& acl : tpg.node_acls) {
    // targetcli: the mapped LUN number is the requested LUN number (0 when none was given),
    // or the lowest free one in that ACL when it is taken.
    std::optional<uint64_t> mapped = FreeMappedLun(acl, lun_text != nullptr ? index : 0);
    if (!mapped) {
      edit.Say("Cannot map new lun " + std::to_string(index) + " into ACL " + acl.node_wwn);
      continue;
    }
    MappedLun m;
    m.index = *mapped;
    m.tpg_lun = index;
    acl.mapped_luns.push_back(std::move(m));
    edit.Say("Created LUN " + std::to_string(index) + "->" + std::to_string(*mapped) +
             " mapping in node ACL " + acl.node_wwn);
  }
  return Status::Ok();
}

Status DeleteLun(EditContext& edit) {
  auto args = edit.Bind(kDeleteLunParams);
  if (!args.ok()) return args.status();
  auto index = ParseLunNumber(*args.value().Get("lun"), "lun");
  if (!index.ok()) return edit.Error("lun: " + index.error());
  Tpg& tpg = edit.tpg();
  if (tpg.FindLun(index.value()) == nullptr) {
    return edit.Error("lun: LUN " + std::to_string(index.value()) + " does not exist");
  }
  UnmapTpgLun(edit, tpg, index.value());
  std::erase_if(tpg.luns, [&](const Lun& lun) { return lun.index == index.value(); });
  edit.Say("Deleted LUN " + std::to_string(index.value()) + ".");
  return Status::Ok();
}

Status CreateAcl(EditContext& edit) {
  auto args = edit.Bind(kCreateAclParams);
  if (!args.ok()) return args.status();
  auto wwn = IscsiName("wwn", *args.value().Get("wwn"));
  if (!wwn.ok()) return edit.Error(wwn.error());
  Tpg& tpg = edit.tpg();
  if (tpg.FindNodeAcl(wwn.value()) != nullptr) {
    return edit.Error("wwn: ACL for " + wwn.value() + " already exists");
  }
  auto add_mapped = BoolArg(edit, args.value(), "add_mapped_luns", kDefaultAddMappedLuns);
  if (!add_mapped.ok()) return add_mapped.status();
  NodeAcl acl;
  acl.node_wwn = wwn.value();
  edit.Say("Created Node ACL for " + acl.node_wwn);
  if (add_mapped.value()) {
    // targetcli: every TPG LUN, each at its own number.
    std::vector<uint64_t> indexes;
    for (const Lun& lun : tpg.luns) indexes.push_back(lun.index);
    std::sort(indexes.begin(), indexes.end());
    for (uint64_t index : indexes) {
      MappedLun m;
      m.index = index;
      m.tpg_lun = index;
      acl.mapped_luns.push_back(std::move(m));
      edit.Say("Created mapped LUN " + std::to_string(index) + ".");
    }
  }
  tpg.node_acls.push_back(std::move(acl));
  return Status::Ok();
}

Status DeleteAcl(EditContext& edit) {
  auto args = edit.Bind(kDeleteAclParams);
  if (!args.ok()) return args.status();
  const std::string& given = *args.value().Get("wwn");
  auto wwn = IscsiName("wwn", given);
  Tpg& tpg = edit.tpg();
  const NodeAcl* acl = tpg.FindNodeAcl(wwn.ok() ? wwn.value() : given);
  if (acl == nullptr) return edit.Error("wwn: no node ACL for " + Quote(given));
  std::string name = acl->node_wwn;
  std::erase_if(tpg.node_acls, [&](const NodeAcl& a) { return a.node_wwn == name; });
  edit.Say("Deleted Node ACL " + name + ".");
  return Status::Ok();
}

Status CreateMappedLun(EditContext& edit) {
  auto args = edit.Bind(kCreateMappedLunParams);
  if (!args.ok()) return args.status();
  auto mapped = ParseLunNumber(*args.value().Get("mapped_lun"), "mapped_lun");
  if (!mapped.ok()) return edit.Error("mapped_lun: " + mapped.error());
  if (edit.acl().FindMappedLun(mapped.value()) != nullptr) {
    return edit.Error("mapped_lun: mapped LUN " + std::to_string(mapped.value()) +
                      " already exists in this ACL");
  }
  auto write_protect = BoolArg(edit, args.value(), "write_protect", false);
  if (!write_protect.ok()) return write_protect.status();
  Tpg& tpg = edit.tpg();
  const std::string& target_text = *args.value().Get("tpg_lun_or_backstore");
  uint64_t tpg_lun = 0;
  if (target_text.find('/') == std::string::npos) {
    auto index = ParseLunNumber(target_text, "lun");
    if (!index.ok()) {
      return edit.Error("tpg_lun_or_backstore: " + index.error() + ", nor a storage object path");
    }
    if (tpg.FindLun(index.value()) == nullptr) {
      return edit.Error("tpg_lun_or_backstore: LUN " + std::to_string(index.value()) +
                        " does not exist in " + TpgPath(edit.target(), tpg));
    }
    tpg_lun = index.value();
  } else {
    std::string so_path;
    const config::StorageObject* so = FindStorageObjectArg(edit, target_text, &so_path);
    if (so == nullptr) {
      return edit.Error("tpg_lun_or_backstore: storage object " + so_path + " does not exist");
    }
    // targetcli: reuse the TPG LUN of that store, or create one at the lowest free number.
    const Lun* existing = nullptr;
    for (const Lun& lun : tpg.luns) {
      if (edit.config.FindStorageObject(lun.storage_object) == so) existing = &lun;
    }
    if (existing != nullptr) {
      tpg_lun = existing->index;
    } else {
      std::optional<uint64_t> free = FreeLunIndex(tpg);
      if (!free) return edit.Error("no free LUN number left in this TPG");
      tpg_lun = *free;
      AddTpgLun(edit, tpg, tpg_lun, so->path());
    }
  }
  NodeAcl& acl = edit.acl();
  for (const MappedLun& m : acl.mapped_luns) {
    if (m.tpg_lun == tpg_lun) {
      edit.Say("Warning: TPG LUN " + std::to_string(tpg_lun) +
               " already mapped to this "
               "NodeACL (as mapped LUN " +
               std::to_string(m.index) + ")");
      break;
    }
  }
  MappedLun m;
  m.index = mapped.value();
  m.tpg_lun = tpg_lun;
  m.write_protect = write_protect.value();
  acl.mapped_luns.push_back(std::move(m));
  edit.Say("Created Mapped LUN " + std::to_string(mapped.value()) + ".");
  return Status::Ok();
}

Status DeleteMappedLun(EditContext& edit) {
  auto args = edit.Bind(kDeleteMappedLunParams);
  if (!args.ok()) return args.status();
  auto mapped = ParseLunNumber(*args.value().Get("mapped_lun"), "mapped_lun");
  if (!mapped.ok()) return edit.Error("mapped_lun: " + mapped.error());
  NodeAcl& acl = edit.acl();
  if (acl.FindMappedLun(mapped.value()) == nullptr) {
    return edit.Error("mapped_lun: no mapped LUN " + std::to_string(mapped.value()) +
                      " in this ACL");
  }
  std::erase_if(acl.mapped_luns, [&](const MappedLun& m) { return m.index == mapped.value(); });
  edit.Say("Deleted Mapped LUN " + std::to_string(mapped.value()) + ".");
  return Status::Ok();
}

}  // namespace reftarget::admin::internal
