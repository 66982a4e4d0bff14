#include "target/config/config_model.h"

#include <charconv>
#include <limits>

namespace reftarget::config {
namespace {

// Reads an attribute the way rtslib writes them: a JSON integer, or a decimal string
// (older rtslib kept configfs text). Returns nullopt for anything else.
std::optional<int64_t> AttributeValue(const nlohmann::json& attributes, std::string_view name) {
  if (!attributes.is_object()) return std::nullopt;
  auto it = attributes.find(std::string(name));
  if (it == attributes.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_boolean()) return it->get<bool>() ? 1 : 0;
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
  }
  return std::nullopt;
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string_view CanonicalPlugin(std::string_view plugin) {
  if (plugin == "rd_mcp") return "ramdisk";
  if (plugin == "iblock") return "block";
  return plugin;
}

std::string StorageObject::path() const {
  std::string out = "/backstores/";
  out += plugin;
  out += '/';
  out += name;
  return out;
}

int64_t StorageObject::attribute_int(std::string_view name, int64_t default_value) const {
  return AttributeValue(attributes, name).value_or(default_value);
}

std::string Portal::unbracketed_address() const {
  if (ip_address.size() >= 2 && ip_address.front() == '[' && ip_address.back() == ']') {
    return ip_address.substr(1, ip_address.size() - 2);
  }
  return ip_address;
}

const MappedLun* NodeAcl::FindMappedLun(uint64_t index) const {
  for (const MappedLun& m : mapped_luns) {
    if (m.index == index) return &m;
  }
  return nullptr;
}

int64_t NodeAcl::attribute_int(std::string_view name, int64_t default_value) const {
  return AttributeValue(attributes, name).value_or(default_value);
}

int Tpg::attribute_int(std::string_view name, int default_value) const {
  std::optional<int64_t> v = AttributeValue(attributes, name);
  if (!v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    return default_value;
  }
  return static_cast<int>(*v);
}

const Lun* Tpg::FindLun(uint64_t index) const {
  for (const Lun& lun : luns) {
    if (lun.index == index) return &lun;
  }
  return nullptr;
}

const NodeAcl* Tpg::FindNodeAcl(std::string_view node_wwn) const {
  std::string wanted = Lowercase(node_wwn);
  for (const NodeAcl& acl : node_acls) {
    if (acl.node_wwn == wanted) return &acl;
  }
  return nullptr;
}

const StorageObject* Config::FindStorageObject(std::string_view path) const {
  constexpr std::string_view kPrefix = "/backstores/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  std::string_view rest = path.substr(kPrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return nullptr;
  std::string_view plugin = CanonicalPlugin(rest.substr(0, slash));
  std::string_view name = rest.substr(slash + 1);
  for (const StorageObject& so : storage_objects) {
    if (CanonicalPlugin(so.plugin) == plugin && so.name == name) return &so;
  }
  return nullptr;
}

const Target* Config::FindTarget(std::string_view wwn, std::string_view fabric) const {
  std::string wanted = Lowercase(wwn);
  for (const Target& t : targets) {
    if (t.fabric == fabric && Lowercase(t.wwn) == wanted) return &t;
  }
  return nullptr;
}

}  // namespace reftarget::config
