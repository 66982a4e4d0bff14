// /backstores/KIND create|delete, /backstores/KIND/NAME resize, and / clearconfig
// (targetcli ui_backstore.py; rtslib tcm.py constructors).
#include <algorithm>

#include "target/admin/edit_internal.h"
#include "target/admin/size_text.h"

namespace reftarget::admin::internal {
namespace {

using config::StorageObject;

// The reader's limits (storage_object_reader.cc), checked here with messages that name the
// argument: a configfs directory name, PATH_MAX, LIO's vpd_unit_serial store.
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxDevLength = 4095;
constexpr size_t kMaxUnitSerialLength = 252;
// The smallest logical block LIO offers; a store must hold at least one.
constexpr uint64_t kMinBlockSize = 512;

constexpr ParamSpec kFileioParams[] = {{"name", true},    {"file_or_dev", true},
                                       {"size", false},   {"write_back", false},
                                       {"sparse", false}, {"wwn", false}};
constexpr ParamSpec kBlockParams[] = {
    {"name", true}, {"dev", true}, {"readonly", false}, {"wwn", false}, {"write_back", false}};
constexpr ParamSpec kRamdiskParams[] = {
    {"name", true}, {"size", true}, {"nullio", false}, {"wwn", false}};
constexpr ParamSpec kDeleteParams[] = {{"name", true}, {"force", false}};
constexpr ParamSpec kResizeParams[] = {{"size", true}};
constexpr ParamSpec kClearParams[] = {{"confirm", false}};

Status CheckName(const EditContext& edit, const std::string& name) {
  if (name.empty()) return edit.Error("name: empty");
  if (name.size() > kMaxNameLength) {
    return edit.Error("name: " + std::to_string(name.size()) + " bytes long; at most " +
                      std::to_string(kMaxNameLength));
  }
  // rtslib StorageObject: a LUN names it in a path, so no '/' and no blanks; "." and ".."
  // could not be reached by a path.
  if (name.find('/') != std::string::npos || name.find(' ') != std::string::npos || name == "." ||
      name == "..") {
    return edit.Error("name: " + Quote(name) +
                      " is not a storage object name (no '/', no "
                      "spaces, not . or ..)");
  }
  return Status::Ok();
}

Status CheckDev(const EditContext& edit, std::string_view field, const std::string& dev) {
  // The daemon's working directory is not the caller's; a relative path would name
  // another file.
  if (dev.empty() || dev.front() != '/') {
    return edit.Error(std::string(field) + ": " + Quote(dev) + " is not an absolute path");
  }
  if (dev.size() > kMaxDevLength) {
    return edit.Error(std::string(field) + ": " + std::to_string(dev.size()) +
                      " bytes long; at most " + std::to_string(kMaxDevLength));
  }
  // targetcli: "storage object for %s already exists"; two stores on one file would
  // corrupt each other.
  for (const StorageObject& so : edit.config.storage_objects) {
    if (!so.dev.empty() && so.dev == dev) {
      return edit.Error(std::string(field) + ": storage object for " + dev +
                        " already exists: " + so.path());
    }
  }
  return Status::Ok();
}

Status CheckUnitSerial(const EditContext& edit, const std::string& wwn) {
  if (wwn.size() > kMaxUnitSerialLength) {
    return edit.Error("wwn: " + std::to_string(wwn.size()) + " bytes long; LIO allows at most " +
                      std::to_string(kMaxUnitSerialLength));
  }
  for (char c : wwn) {
    unsigned char u = static_cast<unsigned char>(c);
    // SPC-4 §7.8.16: the unit serial number is ASCII data (0x20..0x7e).
    if (u < 0x20 || u > 0x7e) {
      return edit.Error("wwn: " + Quote(wwn) + " has a byte outside printable ASCII");
    }
  }
  return Status::Ok();
}

Result<uint64_t> SizeArg(const EditContext& edit, const std::string& text, uint64_t minimum) {
  auto size = ParseSize(text);
  if (!size.ok()) return edit.Error("size: " + size.error());
  if (size.value() < minimum) {
    return edit.Error("size: " + Quote(text) + " is smaller than one " + std::to_string(minimum) +
                      "-byte block");
  }
  return size;
}

// Fills the plugin's own fields of `so` from the arguments.
Status FillFileio(EditContext& edit, const BoundArgs& args, StorageObject* so) {
  so->dev = *args.Get("file_or_dev");
  if (Status s = CheckDev(edit, "file_or_dev", so->dev); !s.ok()) return s;
  if (const std::string* size = args.Get("size")) {
    auto bytes = SizeArg(edit, *size, kMinBlockSize);
    if (!bytes.ok()) return bytes.status();
    so->size = bytes.value();
  }
  auto write_back = BoolArg(edit, args, "write_back", true);
  if (!write_back.ok()) return write_back.status();
  so->write_back = write_back.value();
  auto sparse = BoolArg(edit, args, "sparse", true);
  if (!sparse.ok()) return sparse.status();
  if (!sparse.value()) {
    // The fileio backstore creates a missing file with ftruncate(); it never writes zeroes.
    return edit.Error(
        "sparse: reftarget creates backing files sparse; preallocate the file "
        "first (fallocate -l SIZE FILE) and create the store over it");
  }
  edit.Say(so->size != 0 ? "Created fileio " + so->name + " with size " + std::to_string(so->size)
                         : "Created fileio " + so->name + " with the size of " + so->dev +
                               " (the file must exist)");
  return Status::Ok();
}

Status FillBlock(EditContext& edit, const BoundArgs& args, StorageObject* so) {
  so->dev = *args.Get("dev");
  if (Status s = CheckDev(edit, "dev", so->dev); !s.ok()) return s;
  auto readonly = BoolArg(edit, args, "readonly", false);
  if (!readonly.ok()) return readonly.status();
  so->readonly = readonly.value();
  // Our extension: LIO's iblock has no write_back argument (it is the device's own cache);
  // reftarget's block store can run buffered and then needs SYNCHRONIZE CACHE honoured.
  if (args.Has("write_back")) {
    auto write_back = BoolArg(edit, args, "write_back", false);
    if (!write_back.ok()) return write_back.status();
    so->write_back = write_back.value();
  }
  edit.Say("Created block storage object " + so->name + " using " + so->dev + ".");
  return Status::Ok();
}

Status FillRamdisk(EditContext& edit, const BoundArgs& args, StorageObject* so) {
  const std::string& size_text = *args.Get("size");
  auto bytes = SizeArg(edit, size_text, kMinBlockSize);
  if (!bytes.ok()) return bytes.status();
  so->size = bytes.value();
  auto nullio = BoolArg(edit, args, "nullio", false);
  if (!nullio.ok()) return nullio.status();
  so->nullio = nullio.value();
  edit.Say("Created ramdisk " + so->name + " with size " + size_text + ".");
  return Status::Ok();
}

// Removes TPG LUN `index` of `tpg` and the mapped LUNs that point at it.
void RemoveLun(EditContext& edit, config::Target& target, config::Tpg& tpg, uint64_t index) {
  UnmapTpgLun(edit, tpg, index);
  std::erase_if(tpg.luns, [&](const config::Lun& lun) { return lun.index == index; });
  edit.Say("Deleted LUN " + std::to_string(index) + " of " + TpgPath(target, tpg) + ".");
}

}  // namespace

Status CreateStorageObject(EditContext& edit) {
  const std::string& plugin = edit.node.plugin;
  std::span<const ParamSpec> params = kRamdiskParams;
  if (plugin == "fileio") params = kFileioParams;
  if (plugin == "block") params = kBlockParams;
  auto args = edit.Bind(params);
  if (!args.ok()) return args.status();
  StorageObject so;
  so.plugin = plugin;
  so.name = *args.value().Get("name");
  if (Status s = CheckName(edit, so.name); !s.ok()) return s;
  if (edit.config.FindStorageObject(so.path()) != nullptr) {
    return edit.Error("name: storage object " + so.path() + " already exists");
  }
  if (const std::string* wwn = args.value().Get("wwn")) {
    if (Status s = CheckUnitSerial(edit, *wwn); !s.ok()) return s;
    so.wwn = *wwn;
  }
  Status filled = plugin == "fileio"  ? FillFileio(edit, args.value(), &so)
                  : plugin == "block" ? FillBlock(edit, args.value(), &so)
                                      : FillRamdisk(edit, args.value(), &so);
  if (!filled.ok()) return filled;
  edit.config.storage_objects.push_back(std::move(so));
  return Status::Ok();
}

Status DeleteStorageObject(EditContext& edit) {
  auto args = edit.Bind(kDeleteParams);
  if (!args.ok()) return args.status();
  const std::string& name = *args.value().Get("name");
  std::string path = "/backstores/" + edit.node.plugin + "/" + name;
  const StorageObject* so = edit.config.FindStorageObject(path);
  if (so == nullptr) return edit.Error("name: no storage object named " + Quote(name));
  auto force = BoolArg(edit, args.value(), "force", false);
  if (!force.ok()) return force.status();
  std::vector<std::string> users = LunsUsing(edit.config, path);
  if (!users.empty() && !force.value()) {
    // targetcli deletes the LUNs silently; a storage admin deleting a mapped store by
    // mistake loses a live disk, so we ask for it explicitly (tgt refuses too).
    std::string list;
    for (const std::string& u : users) list += (list.empty() ? "" : ", ") + u;
    return edit.Error("storage object " + path + " is mapped as " + list + "; delete " +
                      (users.size() == 1 ? "that LUN" : "those LUNs") +
                      " first, or pass force=true");
  }
  for (config::Target& target : edit.config.targets) {
    for (config::Tpg& tpg : target.tpgs) {
      std::vector<uint64_t> indexes;
      for (const config::Lun& lun : tpg.luns) {
        if (edit.config.FindStorageObject(lun.storage_object) == so) indexes.push_back(lun.index);
      }
      for (uint64_t index : indexes) RemoveLun(edit, target, tpg, index);
    }
  }
  std::erase_if(edit.config.storage_objects,
                [&](const StorageObject& candidate) { return candidate.path() == path; });
  edit.Say("Deleted storage object " + name + ".");
  return Status::Ok();
}

Status ResizeStorageObject(EditContext& edit) {
  auto args = edit.Bind(kResizeParams);
  if (!args.ok()) return args.status();
  StorageObject& so = edit.storage_object();
  if (so.plugin == "block") {
    return edit.Error(
        "a block storage object has the size of its device; grow the device "
        "(for a loop device: losetup -c) and the LUN follows");
  }
  const std::string& text = *args.value().Get("size");
  auto size = SizeArg(edit, text, static_cast<uint64_t>(so.block_size()));
  if (!size.ok()) return size.status();
  uint64_t old_size = so.size;
  uint64_t new_size = size.value();
  std::string what = so.plugin + " " + so.name;
  if (old_size == new_size) {
    edit.Say(what + " is already " + std::to_string(new_size) + " bytes; nothing to do.");
    return Status::Ok();
  }
  so.size = new_size;
  std::string to = std::to_string(new_size) + " bytes (" + FormatSize(new_size) + ")";
  if (old_size == 0) {
    edit.Say("Resized " + what + " from the size of " + so.dev + " to " + to +
             "; if the file is larger, blocks past the new end are no longer reachable.");
  } else if (new_size < old_size) {
    edit.Say("Shrunk " + what + " from " + std::to_string(old_size) + " bytes (" +
             FormatSize(old_size) + ") to " + to +
             ": data past the new end is no longer "
             "reachable.");
  } else {
    edit.Say("Resized " + what + " from " + std::to_string(old_size) + " bytes (" +
             FormatSize(old_size) + ") to " + to + ".");
  }
  // SBC-3: a device server whose capacity changes reports CAPACITY DATA HAS CHANGED
  // (06h/2Ah/09h) to every I_T nexus; the daemon raises it when it applies this Config.
  edit.Say("Initiators get a CAPACITY DATA HAS CHANGED unit attention.");
  return Status::Ok();
}

Status ClearConfig(EditContext& edit) {
  auto args = edit.Bind(kClearParams);
  if (!args.ok()) return args.status();
  auto confirm = BoolArg(edit, args.value(), "confirm", false);
  if (!confirm.ok()) return confirm.status();
  if (!confirm.value()) {
    return edit.Error("as a precaution, confirm=true needs to be set");
  }
  // rtslib RTSRoot.clear_existing(): every target of every fabric and every storage
  // object; discovery authentication is a fabric module setting and stays.
  edit.config.targets.clear();
  edit.config.storage_objects.clear();
  edit.Say("All configuration cleared");
  return Status::Ok();
}

}  // namespace reftarget::admin::internal
