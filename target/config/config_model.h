// The configuration object model: rtslib's tree (Target -> Tpg -> {Portal, Lun, NodeAcl ->
// MappedLun}, StorageObject beside it), as LIO's saveconfig.json stores it (rtslib-fb
// root.py / tcm.py / target.py dump(); saveconfig.json(5)). Plain values: the reader fills
// them, the writer writes them, the daemon builds its runtime from them.
//
// Every key of the file that this model does not name is kept in the `extra` object of the
// node it appeared in and written back unchanged, so a file saved by targetcli loads and
// saves back equivalently.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reftarget::config {

// CHAP credentials. In the file: "chap_userid", "chap_password", "chap_mutual_userid",
// "chap_mutual_password" inside a TPG or node ACL (what rtslib-fb writes); the spellings
// "userid", "password", "mutual_userid", "mutual_password" of saveconfig.json(5) are read too.
struct AuthCredentials {
  std::string userid;
  std::string password;
  std::string mutual_userid;
  std::string mutual_password;

  // Returns true if no credential is set.
  bool empty() const {
    return userid.empty() && password.empty() && mutual_userid.empty() && mutual_password.empty();
  }
  bool operator==(const AuthCredentials&) const = default;
};

// A backstore. `plugin` is "fileio", "block" or "ramdisk"; the reader maps LIO's older plugin
// names "rd_mcp" and "iblock" to "ramdisk" and "block" (rtslib's so_mapping) so that LUN
// references compare equal and the file we write restores in a current LIO.
struct StorageObject {
  std::string plugin;
  std::string name;
  std::string dev;                 // fileio, block: path of the backing file or device
  std::string wwn;                 // T10 unit serial (VPD page 0x80); "" lets the target pick
  uint64_t size = 0;               // bytes; fileio: 0 means "the file's size"; ramdisk: > 0
  std::optional<bool> write_back;  // fileio, block; unset means the backend's default
  bool readonly = false;           // block
  bool nullio = false;             // ramdisk: no backing pages, reads return zeroes
  nlohmann::json attributes = nlohmann::json::object();  // LIO device attributes, by name
  nlohmann::json extra = nlohmann::json::object();       // keys we do not model (alua_tpgs, aio)

  // Returns "/backstores/PLUGIN/NAME", the form a Lun refers to it by.
  std::string path() const;
  // Returns attributes[name] as an integer (number or decimal string), or `default_value`.
  int64_t attribute_int(std::string_view name, int64_t default_value) const;
  // The logical block size: attribute block_size, default 512.
  uint32_t block_size() const { return static_cast<uint32_t>(attribute_int("block_size", 512)); }
  bool operator==(const StorageObject&) const = default;
};

struct Lun {
  uint64_t index = 0;          // 0..kMaxLunIndex, unique in its TPG
  std::string storage_object;  // "/backstores/PLUGIN/NAME", always a defined StorageObject
  nlohmann::json extra = nlohmann::json::object();  // alias, alua_tg_pt_gp_name, ...
  bool operator==(const Lun&) const = default;
};

struct Portal {
  // As LIO writes it: an IPv4 dotted quad, or an IPv6 address in brackets ("[::1]"); the
  // reader adds the brackets when the file has none, because LIO's configfs needs them.
  std::string ip_address;
  uint16_t port = 3260;
  nlohmann::json extra = nlohmann::json::object();  // iser, offload, ...

  // Returns ip_address without IPv6 brackets, the form inet_pton()/bind() take.
  std::string unbracketed_address() const;
  bool operator==(const Portal&) const = default;
};

struct MappedLun {
  uint64_t index = 0;    // the LUN number the initiator sees
  uint64_t tpg_lun = 0;  // the index of a Lun in the same TPG
  bool write_protect = false;
  nlohmann::json extra = nlohmann::json::object();  // alias, tag, ...
  bool operator==(const MappedLun&) const = default;
};

struct NodeAcl {
  std::string node_wwn;  // initiator name, normalized (lowercase)
  AuthCredentials auth;
  std::vector<MappedLun> mapped_luns;
  nlohmann::json attributes = nlohmann::json::object();  // dataout_timeout, nopin_timeout, ...
  nlohmann::json extra = nlohmann::json::object();       // tag, tcq_depth, ...

  // Returns the mapped LUN with `index`, or nullptr.
  const MappedLun* FindMappedLun(uint64_t index) const;
  // Returns attributes[name] as an integer (number or decimal string), or `default_value`.
  int64_t attribute_int(std::string_view name, int64_t default_value) const;
  bool operator==(const NodeAcl&) const = default;
};

// LIO's iSCSI TPG attribute defaults (include/target/iscsi/iscsi_target_core.h, TA_*),
// except authentication: the kernel default is 1, but targetcli sets 0 on every TPG it
// creates, so a file that leaves it out means what targetcli users expect.
inline constexpr int kDefaultAuthentication = 0;
inline constexpr int kDefaultGenerateNodeAcls = 0;
inline constexpr int kDefaultDemoModeWriteProtect = 1;
inline constexpr int kDefaultCacheDynamicAcls = 0;
inline constexpr int kDefaultCmdsnDepth = 64;
inline constexpr int kDefaultLoginTimeout = 15;
inline constexpr int kDefaultNetifTimeout = 2;

struct Tpg {
  uint16_t tag = 1;  // 1..65535
  bool enable = true;
  AuthCredentials auth;
  nlohmann::json attributes = nlohmann::json::object();  // LIO TPG attributes, by name
  std::map<std::string, std::string> parameters;         // iSCSI keys: "MaxBurstLength" -> "262144"
  std::vector<Lun> luns;
  std::vector<Portal> portals;
  std::vector<NodeAcl> node_acls;
  nlohmann::json extra = nlohmann::json::object();

  // Returns attributes[name] as an int (number or decimal string), or `default_value`.
  int attribute_int(std::string_view name, int default_value) const;
  int authentication() const { return attribute_int("authentication", kDefaultAuthentication); }
  int generate_node_acls() const {
    return attribute_int("generate_node_acls", kDefaultGenerateNodeAcls);
  }
  int demo_mode_write_protect() const {
    return attribute_int("demo_mode_write_protect", kDefaultDemoModeWriteProtect);
  }
  int cache_dynamic_acls() const {
    return attribute_int("cache_dynamic_acls", kDefaultCacheDynamicAcls);
  }
  int default_cmdsn_depth() const {
    return attribute_int("default_cmdsn_depth", kDefaultCmdsnDepth);
  }
  int login_timeout() const { return attribute_int("login_timeout", kDefaultLoginTimeout); }
  int netif_timeout() const { return attribute_int("netif_timeout", kDefaultNetifTimeout); }

  // Returns the LUN with `index`, or nullptr.
  const Lun* FindLun(uint64_t index) const;
  // Returns the ACL of `node_wwn` (compared after normalization to lowercase), or nullptr.
  const NodeAcl* FindNodeAcl(std::string_view node_wwn) const;
  bool operator==(const Tpg&) const = default;
};

struct Target {
  std::string wwn;               // iSCSI name (iqn./eui./naa.), normalized (lowercase)
  std::string fabric = "iscsi";  // other LIO fabrics are kept but not served
  std::vector<Tpg> tpgs;
  nlohmann::json extra = nlohmann::json::object();
  bool operator==(const Target&) const = default;
};

// fabric_modules[name=iscsi]: discovery_enable_auth and discovery_{userid,password,
// mutual_userid,mutual_password} (rtslib fabric.py dump()).
struct DiscoveryAuth {
  bool enable = false;
  AuthCredentials auth;
  nlohmann::json extra = nlohmann::json::object();  // other keys of the iscsi entry
  bool operator==(const DiscoveryAuth&) const = default;
};

struct Config {
  std::vector<StorageObject> storage_objects;
  std::vector<Target> targets;
  DiscoveryAuth discovery_auth;
  // fabric_modules entries other than "iscsi", kept verbatim (an array).
  nlohmann::json fabric_modules_extra = nlohmann::json::array();
  nlohmann::json extra = nlohmann::json::object();  // top-level keys we do not model

  // Returns the storage object "/backstores/PLUGIN/NAME" (older plugin names accepted), or
  // nullptr.
  const StorageObject* FindStorageObject(std::string_view path) const;
  // Returns the target of `fabric` named `wwn` (compared after lowercasing), or nullptr.
  const Target* FindTarget(std::string_view wwn, std::string_view fabric = "iscsi") const;
  bool operator==(const Config&) const = default;
};

// LIO's limits. rtslib-fb LUN.MAX_TARGET_LUN: TPG LUN indexes are 0..65535 (the kernel's
// TRANSPORT_MAX_LUNS_PER_TPG); we hold mapped LUNs to the same range.
inline constexpr uint64_t kMaxLunIndex = 65535;

// Returns the current name of an LIO plugin ("rd_mcp" -> "ramdisk", "iblock" -> "block"),
// or `plugin` unchanged.
std::string_view CanonicalPlugin(std::string_view plugin);

}  // namespace reftarget::config
