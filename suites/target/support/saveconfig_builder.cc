#include "suites/target/support/saveconfig_builder.h"

namespace itest {
namespace {

nlohmann::json StorageObjectJson(const StorageObjectSpec& so) {
  nlohmann::json j;
  j["name"] = so.name;
  j["plugin"] = so.plugin;
  j["attributes"] = so.attributes;
  if (so.plugin == "fileio") {
    j["dev"] = so.dev;
    j["size"] = so.size;
    j["write_back"] = so.write_back;
  } else if (so.plugin == "block") {
    j["dev"] = so.dev;
    j["readonly"] = so.readonly;
    j["write_back"] = so.write_back;
  } else if (so.plugin == "ramdisk") {
    j["size"] = so.size;
  }
  return j;
}

const StorageObjectSpec* FindObject(const TargetSpec& spec, const std::string& name) {
  for (const auto& so : spec.storage_objects) {
    if (so.name == name) return &so;
  }
  return nullptr;
}

}  // namespace

nlohmann::json BuildSaveconfig(const TargetSpec& spec, const std::string& ip, int port) {
  nlohmann::json doc;
  doc["fabric_modules"] = nlohmann::json::array();
  doc["storage_objects"] = nlohmann::json::array();
  for (const auto& so : spec.storage_objects)
    doc["storage_objects"].push_back(StorageObjectJson(so));

  nlohmann::json tpg;
  tpg["tag"] = spec.tag;
  tpg["enable"] = true;
  tpg["attributes"] = {
      {"authentication", spec.authentication ? 1 : 0},
      {"generate_node_acls", spec.generate_node_acls ? 1 : 0},
      {"demo_mode_write_protect", 0},
      {"cache_dynamic_acls", spec.generate_node_acls ? 1 : 0},
  };
  tpg["parameters"] = nlohmann::json::object();
  for (const auto& [k, v] : spec.parameters) tpg["parameters"][k] = v;
  tpg["luns"] = nlohmann::json::array();
  for (const auto& [index, so_name] : spec.luns) {
    const StorageObjectSpec* so = FindObject(spec, so_name);
    std::string path = so != nullptr ? so->Path() : "/backstores/fileio/" + so_name;
    tpg["luns"].push_back({{"index", index}, {"storage_object", path}});
  }
  tpg["portals"] = nlohmann::json::array({{{"ip_address", ip}, {"port", port}}});
  tpg["node_acls"] = nlohmann::json::array();
  for (const auto& acl : spec.node_acls) {
    nlohmann::json a;
    a["node_wwn"] = acl.node_wwn;
    if (!acl.chap_userid.empty()) a["chap_userid"] = acl.chap_userid;
    if (!acl.chap_password.empty()) a["chap_password"] = acl.chap_password;
    if (!acl.chap_mutual_userid.empty()) a["chap_mutual_userid"] = acl.chap_mutual_userid;
    if (!acl.chap_mutual_password.empty()) a["chap_mutual_password"] = acl.chap_mutual_password;
    a["mapped_luns"] = nlohmann::json::array();
    for (const auto& m : acl.mapped_luns) {
      a["mapped_luns"].push_back(
          {{"index", m.index}, {"tpg_lun", m.tpg_lun}, {"write_protect", m.write_protect}});
    }
    tpg["node_acls"].push_back(a);
  }

  nlohmann::json target;
  target["wwn"] = spec.iqn;
  target["fabric"] = "iscsi";
  target["tpgs"] = nlohmann::json::array({tpg});
  doc["targets"] = nlohmann::json::array({target});
  return doc;
}

}  // namespace itest
