// Builds LIO saveconfig.json documents (rtslib-fb's schema, as saveconfig.json(5) and
// targetcli write them) for the target under test. Keys use rtslib's spellings:
// storage_objects[].plugin/dev/size/write_back, tpgs[].attributes/parameters/luns/portals/
// node_acls, and chap_userid/chap_password/chap_mutual_userid/chap_mutual_password on a
// node ACL.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace itest {

struct StorageObjectSpec {
  std::string name;                                      // e.g. "disk0"
  std::string plugin;                                    // "fileio", "block" or "ramdisk"
  std::string dev;                                       // file or device path (fileio, block)
  uint64_t size = 0;                                     // bytes (fileio, ramdisk)
  bool write_back = false;                               // fileio, block
  bool readonly = false;                                 // block
  nlohmann::json attributes = nlohmann::json::object();  // e.g. {"emulate_tpu": 1}

  // Returns "/backstores/<plugin>/<name>", the path a LUN uses to name this object.
  std::string Path() const { return "/backstores/" + plugin + "/" + name; }
};

struct MappedLunSpec {
  int index = 0;    // LUN number the initiator sees
  int tpg_lun = 0;  // TPG LUN it maps to
  bool write_protect = false;
};

struct NodeAclSpec {
  std::string node_wwn;  // initiator IQN
  std::string chap_userid;
  std::string chap_password;
  std::string chap_mutual_userid;
  std::string chap_mutual_password;
  std::vector<MappedLunSpec> mapped_luns;
};

struct TargetSpec {
  std::string iqn = "iqn.2003-01.org.reftarget.itest:target0";
  int tag = 1;
  std::vector<StorageObjectSpec> storage_objects;
  std::map<int, std::string> luns;  // LUN index -> storage object name
  bool authentication = false;
  bool generate_node_acls = true;                 // demo mode: any initiator may log in
  std::map<std::string, std::string> parameters;  // e.g. {"HeaderDigest", "CRC32C"}
  std::vector<NodeAclSpec> node_acls;
};

// Returns the saveconfig.json document for `spec` with one portal at ip:port.
// REQUIRES: every LUN names a storage object in spec.storage_objects.
nlohmann::json BuildSaveconfig(const TargetSpec& spec, const std::string& ip, int port);

}  // namespace itest
