#include "target/config/saveconfig_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "target/config/json_document.h"
#include "target/config/json_fields.h"
#include "target/config/reader_internal.h"

namespace reftarget::config {

using nlohmann::json;

namespace internal {

const AuthKeys kChapAuthKeys = {{"chap_userid", "userid"},
                                {"chap_password", "password"},
                                {"chap_mutual_userid", "mutual_userid"},
                                {"chap_mutual_password", "mutual_password"}};
const AuthKeys kDiscoveryAuthKeys = {{"discovery_userid", "userid"},
                                     {"discovery_password", "password"},
                                     {"discovery_mutual_userid", "mutual_userid"},
                                     {"discovery_mutual_password", "mutual_password"}};

namespace {

Status ReadCredential(ObjectFields& fields, const std::string_view (&keys)[2], std::string* out) {
  std::string first;
  std::string second;
  bool has_first = false;
  bool has_second = false;
  CFG_RETURN_IF_ERROR(fields.OptString(keys[0], &first, &has_first));
  CFG_RETURN_IF_ERROR(fields.OptString(keys[1], &second, &has_second));
  if (has_first && has_second && first != second) {
    return fields.Error("\"" + std::string(keys[0]) + "\" and \"" + std::string(keys[1]) +
                        "\" are two spellings of one credential and disagree");
  }
  const std::string& value = has_first ? first : second;
  std::string_view key = has_first ? keys[0] : keys[1];
  if (value.size() > kMaxCredentialLength) {
    return fields.ErrorAt(key, std::to_string(value.size()) + " bytes long; LIO allows at most " +
                                   std::to_string(kMaxCredentialLength));
  }
  if (has_first || has_second) *out = value;
  return Status::Ok();
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

Status ReadAuth(ObjectFields& fields, const AuthKeys& keys, AuthCredentials* out) {
  CFG_RETURN_IF_ERROR(ReadCredential(fields, keys.userid, &out->userid));
  CFG_RETURN_IF_ERROR(ReadCredential(fields, keys.password, &out->password));
  CFG_RETURN_IF_ERROR(ReadCredential(fields, keys.mutual_userid, &out->mutual_userid));
  CFG_RETURN_IF_ERROR(ReadCredential(fields, keys.mutual_password, &out->mutual_password));
  return Status::Ok();
}

Status ReadAttributes(ObjectFields& fields, std::string_view key,
                      std::span<const AttributeRule> rules, json* out) {
  const json* attrs = nullptr;
  CFG_RETURN_IF_ERROR(fields.OptObject(key, &attrs));
  *out = json::object();
  if (attrs == nullptr) return Status::Ok();
  std::string base = fields.PathOf(key);
  for (auto it = attrs->begin(); it != attrs->end(); ++it) {
    std::string path = JsonPointerAppend(base, it.key());
    const json& v = it.value();
    // rtslib writes integers (older versions configfs strings); set_attribute() writes
    // str(value) to configfs, so arrays, objects and fractions mean nothing there.
    if (!(v.is_number_integer() || v.is_string() || v.is_boolean())) {
      return ConfigError(fields.source(), path,
                         "expected an integer or a string, got " + DescribeJson(v));
    }
    // configfs takes "1"/"0", not Python's str(True): keep booleans as the integers LIO means.
    json value = v.is_boolean() ? json(v.get<bool>() ? 1 : 0) : v;
    for (const AttributeRule& rule : rules) {
      if (rule.name != it.key()) continue;
      auto n = ReadUint(value, fields.source(), path, rule.min, rule.max);
      if (!n.ok()) return n.status();
      if (rule.power_of_two && !IsPowerOfTwo(n.value())) {
        return ConfigError(fields.source(), path,
                           "value " + std::to_string(n.value()) + " is not a power of two");
      }
    }
    (*out)[it.key()] = std::move(value);
  }
  return Status::Ok();
}

}  // namespace internal

namespace {

Status ReadFabricModules(std::string_view source, const json& array, Config* config) {
  bool seen_iscsi = false;
  std::string iscsi_path;
  for (size_t i = 0; i < array.size(); ++i) {
    std::string path = JsonPointerAppend("/fabric_modules", i);
    const json& entry = array[i];
    if (!entry.is_object()) {
      return ConfigError(source, path, "expected an object, got " + DescribeJson(entry));
    }
    ObjectFields f(source, entry, path);
    std::string name;
    CFG_RETURN_IF_ERROR(f.ReqString("name", &name));
    if (name != "iscsi") {
      // Another fabric's settings: not ours to interpret; kept for the file we write.
      config->fabric_modules_extra.push_back(entry);
      continue;
    }
    if (seen_iscsi) {
      return f.ErrorAt("name",
                       "duplicate fabric module \"iscsi\" (first defined at " + iscsi_path + ")");
    }
    seen_iscsi = true;
    iscsi_path = path;
    std::optional<bool> enable;
    CFG_RETURN_IF_ERROR(f.OptBool("discovery_enable_auth", &enable));
    config->discovery_auth.enable = enable.value_or(false);
    CFG_RETURN_IF_ERROR(
        internal::ReadAuth(f, internal::kDiscoveryAuthKeys, &config->discovery_auth.auth));
    config->discovery_auth.extra = f.Unused();
  }
  return Status::Ok();
}

void ListExtra(const json& extra, const std::string& path, std::vector<std::string>* out) {
  if (!extra.is_object()) return;
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    out->push_back(JsonPointerAppend(path, it.key()));
  }
}

}  // namespace

Result<Config> ParseConfig(std::string_view json_text, std::string_view source_name) {
  auto doc = ParseJsonDocument(json_text, source_name);
  if (!doc.ok()) return doc.status();
  const json& root = doc.value();
  if (!root.is_object()) {
    return ConfigError(source_name, "", "expected an object, got " + DescribeJson(root));
  }
  Config config;
  ObjectFields f(source_name, root, "");
  const json* storage_objects = nullptr;
  const json* fabric_modules = nullptr;
  const json* targets = nullptr;
  CFG_RETURN_IF_ERROR(f.OptArray("storage_objects", &storage_objects));
  CFG_RETURN_IF_ERROR(f.OptArray("fabric_modules", &fabric_modules));
  CFG_RETURN_IF_ERROR(f.OptArray("targets", &targets));
  if (storage_objects != nullptr) {
    CFG_RETURN_IF_ERROR(
        internal::ReadStorageObjects(source_name, *storage_objects, &config.storage_objects));
  }
  if (fabric_modules != nullptr) {
    CFG_RETURN_IF_ERROR(ReadFabricModules(source_name, *fabric_modules, &config));
  }
  if (targets != nullptr) {
    CFG_RETURN_IF_ERROR(
        internal::ReadTargets(source_name, *targets, config.storage_objects, &config.targets));
  }
  config.extra = f.Unused();
  return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Error(path + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(path + ": not a regular file");
  }
  std::string text;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::Error(path + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxConfigFileSize) {
      ::close(fd);
      return Status::Error(path + ": larger than " + std::to_string(kMaxConfigFileSize >> 20) +
                           " MiB; not a saveconfig.json");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return ParseConfig(text, path);
}

std::vector<std::string> UnknownKeys(const Config& config) {
  std::vector<std::string> out;
  for (size_t i = 0; i < config.storage_objects.size(); ++i) {
    ListExtra(config.storage_objects[i].extra, JsonPointerAppend("/storage_objects", i), &out);
  }
  // The writer puts the iscsi entry first, then the others in their order.
  size_t fm = 0;
  const DiscoveryAuth& da = config.discovery_auth;
  if (da.enable || !da.auth.empty() || (da.extra.is_object() && !da.extra.empty())) {
    ListExtra(da.extra, JsonPointerAppend("/fabric_modules", fm++), &out);
  }
  if (config.fabric_modules_extra.is_array()) {
    for (size_t i = 0; i < config.fabric_modules_extra.size(); ++i) {
      out.push_back(JsonPointerAppend("/fabric_modules", fm++));
    }
  }
  for (size_t t = 0; t < config.targets.size(); ++t) {
    const Target& target = config.targets[t];
    std::string tpath = JsonPointerAppend("/targets", t);
    if (target.fabric != "iscsi") {
      out.push_back(tpath);  // reftarget serves iSCSI only
      continue;
    }
    ListExtra(target.extra, tpath, &out);
    for (size_t g = 0; g < target.tpgs.size(); ++g) {
      const Tpg& tpg = target.tpgs[g];
      std::string gpath = JsonPointerAppend(JsonPointerAppend(tpath, "tpgs"), g);
      ListExtra(tpg.extra, gpath, &out);
      for (size_t i = 0; i < tpg.luns.size(); ++i) {
        ListExtra(tpg.luns[i].extra, JsonPointerAppend(JsonPointerAppend(gpath, "luns"), i), &out);
      }
      for (size_t i = 0; i < tpg.portals.size(); ++i) {
        ListExtra(tpg.portals[i].extra, JsonPointerAppend(JsonPointerAppend(gpath, "portals"), i),
                  &out);
      }
      for (size_t a = 0; a < tpg.node_acls.size(); ++a) {
        const NodeAcl& acl = tpg.node_acls[a];
        std::string apath = JsonPointerAppend(JsonPointerAppend(gpath, "node_acls"), a);
        ListExtra(acl.extra, apath, &out);
        for (size_t m = 0; m < acl.mapped_luns.size(); ++m) {
          ListExtra(acl.mapped_luns[m].extra,
                    JsonPointerAppend(JsonPointerAppend(apath, "mapped_luns"), m), &out);
        }
      }
    }
  }
  ListExtra(config.extra, "", &out);
  return out;
}

}  // namespace reftarget::config
