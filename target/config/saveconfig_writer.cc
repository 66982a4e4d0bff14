#include "target/config/saveconfig_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "target/config/saveconfig_reader.h"

namespace reftarget::config {
namespace {

using nlohmann::json;

// Starts a node from its kept keys; the modelled keys written after them take precedence.
json Base(const json& extra) { return extra.is_object() ? extra : json::object(); }

void PutAuth(const AuthCredentials& auth, std::string_view prefix, json* out) {
  // rtslib writes a credential only when it is set.
  auto put = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) (*out)[std::string(prefix) + std::string(name)] = value;
  };
  put("userid", auth.userid);
  put("password", auth.password);
  put("mutual_userid", auth.mutual_userid);
  put("mutual_password", auth.mutual_password);
}

json StorageObjectJson(const StorageObject& so) {
  json d = Base(so.extra);
  d["name"] = so.name;
  d["plugin"] = std::string(CanonicalPlugin(so.plugin));
  // CFSNode.dump(): "attributes" only when there are some.
  if (so.attributes.is_object() && !so.attributes.empty()) d["attributes"] = so.attributes;
  std::string_view plugin = CanonicalPlugin(so.plugin);
  if (plugin == "fileio" || plugin == "block") {
    d["dev"] = so.dev;
    if (so.write_back.has_value()) d["write_back"] = *so.write_back;
  }
  if (plugin == "fileio" && so.size != 0) d["size"] = so.size;
  if (plugin == "block") d["readonly"] = so.readonly;
  if (plugin == "ramdisk") {
    d["size"] = so.size;
    if (so.nullio) d["nullio"] = true;  // RDMCPStorageObject.dump(): only when enabled
  }
  if (!so.wwn.empty()) d["wwn"] = so.wwn;
  return d;
}

json TpgJson(const Tpg& tpg) {
  json d = Base(tpg.extra);
  d["tag"] = tpg.tag;
  d["enable"] = tpg.enable;
  if (tpg.attributes.is_object() && !tpg.attributes.empty()) d["attributes"] = tpg.attributes;
  if (!tpg.parameters.empty()) {
    json params = json::object();
    for (const auto& [key, value] : tpg.parameters) params[key] = value;
    d["parameters"] = std::move(params);
  }
  json luns = json::array();
  for (const Lun& lun : tpg.luns) {
    json l = Base(lun.extra);
    l["index"] = lun.index;
    l["storage_object"] = lun.storage_object;
    luns.push_back(std::move(l));
  }
  d["luns"] = std::move(luns);
  json portals = json::array();
  for (const Portal& portal : tpg.portals) {
    json p = Base(portal.extra);
    p["ip_address"] = portal.ip_address;
    p["port"] = portal.port;
    portals.push_back(std::move(p));
  }
  d["portals"] = std::move(portals);
  json acls = json::array();
  for (const NodeAcl& acl : tpg.node_acls) {
    json a = Base(acl.extra);
    a["node_wwn"] = acl.node_wwn;
    if (acl.attributes.is_object() && !acl.attributes.empty()) a["attributes"] = acl.attributes;
    json mapped = json::array();
    for (const MappedLun& m : acl.mapped_luns) {
      json ml = Base(m.extra);
      ml["index"] = m.index;
      ml["tpg_lun"] = m.tpg_lun;
      ml["write_protect"] = m.write_protect;
      mapped.push_back(std::move(ml));
    }
    a["mapped_luns"] = std::move(mapped);
    PutAuth(acl.auth, "chap_", &a);
    acls.push_back(std::move(a));
  }
  d["node_acls"] = std::move(acls);
  PutAuth(tpg.auth, "chap_", &d);
  return d;
}

json ConfigJson(const Config& config) {
  json root = Base(config.extra);
  json sos = json::array();
  for (const StorageObject& so : config.storage_objects) sos.push_back(StorageObjectJson(so));
  root["storage_objects"] = std::move(sos);

  json fabric_modules = json::array();
  const DiscoveryAuth& da = config.discovery_auth;
  // rtslib writes the iscsi entry only while discovery auth is enabled; we also keep
  // credentials that are set but disabled, so that saving never loses them.
  if (da.enable || !da.auth.empty() || (da.extra.is_object() && !da.extra.empty())) {
    json fm = Base(da.extra);
    fm["name"] = "iscsi";
    fm["discovery_enable_auth"] = da.enable;
    PutAuth(da.auth, "discovery_", &fm);
    fabric_modules.push_back(std::move(fm));
  }
  if (config.fabric_modules_extra.is_array()) {
    for (const json& fm : config.fabric_modules_extra) fabric_modules.push_back(fm);
  }
  root["fabric_modules"] = std::move(fabric_modules);

  json targets = json::array();
  for (const Target& target : config.targets) {
    json t = Base(target.extra);
    t["wwn"] = target.wwn;
    t["fabric"] = target.fabric;
    json tpgs = json::array();
    for (const Tpg& tpg : target.tpgs) tpgs.push_back(TpgJson(tpg));
    t["tpgs"] = std::move(tpgs);
    targets.push_back(std::move(t));
  }
  root["targets"] = std::move(targets);
  return root;
}

Status WriteAll(int fd, std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Error(std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string SerializeConfig(const Config& config) {
  // nlohmann's object keys are sorted bytewise, as Python's sort_keys=True sorts ASCII keys;
  // ensure_ascii=true matches json.dumps' default \uXXXX escapes.
  std::string text = ConfigJson(config).dump(2, ' ', true, json::error_handler_t::replace);
  text += '\n';
  return text;
}

Status SaveConfigFile(const Config& config, const std::string& path) {
  std::string text = SerializeConfig(config);
  auto check = ParseConfig(text, path);
  if (!check.ok()) {
    return Status::Error("refusing to save an invalid configuration: " + check.error());
  }
  return WriteFileAtomically(path, text);
}

Status WriteFileAtomically(const std::string& path, std::string_view text) {
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> tmp_name(tmpl.begin(), tmpl.end());
  tmp_name.push_back('\0');
  int fd = ::mkostemp(tmp_name.data(), O_CLOEXEC);
  if (fd < 0) {
    return Status::Error(path + ": cannot create a temporary file: " + std::strerror(errno));
  }
  std::string tmp(tmp_name.data());
  auto fail = [&](const std::string& step, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return Status::Error(path + ": " + step + " " + tmp + ": " + std::strerror(err));
  };
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail("chmod", errno);
  Status written = WriteAll(fd, text);
  if (!written.ok()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::Error(path + ": write " + tmp + ": " + written.message());
  }
  if (::fsync(fd) != 0) return fail("fsync", errno);
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0) return fail("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename", errno);
  // The rename is durable only once the directory entry is.
  std::string dir = DirectoryOf(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Status::Error(path + ": open directory " + dir + ": " + std::strerror(errno));
  int sync_rc = ::fsync(dfd);
  int sync_err = errno;
  ::close(dfd);
  if (sync_rc != 0) {
    return Status::Error(path + ": fsync directory " + dir + ": " + std::strerror(sync_err));
  }
  return Status::Ok();
}

}  // namespace reftarget::config
