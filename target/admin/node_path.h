// targetcli's tree of paths over the config model:
//   /backstores/{block,fileio,ramdisk}/NAME
//   /iscsi/WWN/tpgN/{luns/lunN, portals/IP:PORT, acls/WWN/mapped_lunN}
// ResolvePath() turns a normalized path into a NodeRef: the kind of node and the indexes of
// the model objects it names. Names are matched the way the objects are stored (iSCSI names
// after normalization, portals by address), so "/iscsi/IQN.2003-01.ORG.X:T" finds the
// target stored as "iqn.2003-01.org.x:t".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"
#include "target/config/config_model.h"

namespace reftarget::admin {

enum class NodeKind {
  kRoot,           // /
  kBackstores,     // /backstores
  kBackstoreKind,  // /backstores/fileio
  kStorageObject,  // /backstores/fileio/disk0
  kIscsi,          // /iscsi
  kTarget,         // /iscsi/WWN
  kTpg,            // /iscsi/WWN/tpg1
  kLuns,           // .../tpg1/luns
  kLun,            // .../tpg1/luns/lun0
  kAcls,           // .../tpg1/acls
  kAcl,            // .../tpg1/acls/WWN
  kMappedLun,      // .../tpg1/acls/WWN/mapped_lun0
  kPortals,        // .../tpg1/portals
  kPortal,         // .../tpg1/portals/IP:PORT
};

// Where a path points. Indexes are into the vectors of the Config it was resolved against
// and are meaningful only for the kinds that name them.
struct NodeRef {
  NodeKind kind = NodeKind::kRoot;
  std::string path;    // canonical: the stored names ("/iscsi/iqn.../tpg1")
  std::string plugin;  // kBackstoreKind, kStorageObject
  size_t storage_object = 0;
  size_t target = 0;
  size_t tpg = 0;
  size_t lun = 0;
  size_t acl = 0;
  size_t mapped_lun = 0;
  size_t portal = 0;
};

// The storage plugins reftarget serves, as /backstores lists them.
inline constexpr std::string_view kPlugins[] = {"block", "fileio", "ramdisk"};

// Resolves `normalized_path` (see NormalizePath()). Errors name the path and what is missing
// with what exists instead:
//   no such path /iscsi/iqn.x: /iscsi has no target 'iqn.x' (it has: iqn.a, iqn.b)
Result<NodeRef> ResolvePath(const config::Config& config, std::string_view normalized_path);

// Returns a short name of the kind for messages: "storage object", "TPG", "node ACL", ...
std::string_view KindName(NodeKind kind);

// Node names as targetcli shows them.
std::string TpgName(uint16_t tag);                     // "tpg1"
std::string LunName(uint64_t index);                   // "lun0"
std::string MappedLunName(uint64_t index);             // "mapped_lun0"
std::string PortalName(const config::Portal& portal);  // "127.0.0.1:3260", "[::1]:3260"

// Paths of model objects.
std::string TargetPath(const config::Target& target);                       // /iscsi/WWN
std::string TpgPath(const config::Target& target, const config::Tpg& tpg);  // .../tpgN
std::string LunPath(const config::Target& target, const config::Tpg& tpg, uint64_t index);

// Returns the paths of every TPG LUN (of any fabric) that exports `storage_object_path`.
std::vector<std::string> LunsUsing(const config::Config& config,
                                   std::string_view storage_object_path);

// Parses a LUN number written "N" or "lunN" (targetcli accepts both), 0..kMaxLunIndex.
// `prefix` is "lun" or "mapped_lun". On failure the message quotes `text`.
Result<uint64_t> ParseLunNumber(std::string_view text, std::string_view prefix);

}  // namespace reftarget::admin
