// storage_objects[] of saveconfig.json (rtslib-fb tcm.py: *StorageObject.dump() and the
// constructors root.py restore() calls with each entry's keys).
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "target/config/json_document.h"
#include "target/config/reader_internal.h"

namespace reftarget::config::internal {
namespace {

using nlohmann::json;

// LIO's vpd_unit_serial store refuses strlen >= INQUIRY_VPD_SERIAL_LEN (254) and rtslib
// writes the serial followed by "\n".
constexpr size_t kMaxUnitSerialLength = 252;
// StorageObject sizes become off_t file sizes.
constexpr uint64_t kMaxSize = INT64_MAX;
constexpr size_t kMaxNameLength = 255;  // one configfs directory name
constexpr size_t kMaxDevLength = 4095;  // PATH_MAX less the NUL

// Device attributes whose values reftarget acts on; the rest pass through unchecked.
constexpr AttributeRule kDeviceAttributeRules[] = {
    {"block_size", 512, 4096, /*power_of_two=*/true},
    {"emulate_write_cache", 0, 1},
    {"emulate_fua_write", 0, 1},
    {"emulate_tpu", 0, 1},
    {"emulate_tpws", 0, 1},
    {"emulate_caw", 0, 1},
    {"emulate_3pc", 0, 1},
    {"is_nonrot", 0, 1},
};

// Which optional keys each plugin's rtslib constructor takes; a key another plugin uses is
// refused (LIO's restore would fail with a TypeError on it).
struct PluginKeys {
  bool dev;
  bool size;
  bool write_back;
  bool readonly;
  bool nullio;
};
PluginKeys KeysOf(std::string_view plugin) {
  if (plugin == "fileio") return {true, true, true, false, false};
  if (plugin == "block") return {true, false, true, true, false};
  return {false, true, false, false, true};  // ramdisk
}

Status CheckName(ObjectFields& f, const std::string& name) {
  if (name.empty()) return f.ErrorAt("name", "empty storage object name");
  if (name.size() > kMaxNameLength) {
    return f.ErrorAt("name", "storage object name is " + std::to_string(name.size()) +
                                 " bytes long; at most " + std::to_string(kMaxNameLength));
  }
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    // rtslib StorageObject.__init__: no '/', spaces, tabs or newlines; LUNs name it in a path.
    if (c == '/' || c == ' ' || u < 0x20 || u == 0x7f) {
      std::string shown = c == '/' ? "'/'" : c == ' ' ? "a space" : "a control character";
      return f.ErrorAt("name",
                       "storage object name " + DescribeJson(json(name)) + " contains " + shown);
    }
  }
  return Status::Ok();
}

Status CheckUnitSerial(ObjectFields& f, const std::string& wwn) {
  if (wwn.size() > kMaxUnitSerialLength) {
    return f.ErrorAt("wwn", "unit serial is " + std::to_string(wwn.size()) +
                                " bytes long; LIO allows at most " +
                                std::to_string(kMaxUnitSerialLength));
  }
  for (char c : wwn) {
    unsigned char u = static_cast<unsigned char>(c);
    // SPC-4 §7.8.16: the product serial number is ASCII data (0x20..0x7e).
    if (u < 0x20 || u > 0x7e) {
      return f.ErrorAt(
          "wwn", "unit serial " + DescribeJson(json(wwn)) + " has a byte outside printable ASCII");
    }
  }
  return Status::Ok();
}

Status ReadOne(std::string_view source, const json& entry, const std::string& path,
               StorageObject* so) {
  if (!entry.is_object()) {
    return ConfigError(source, path, "expected an object, got " + DescribeJson(entry));
  }
  ObjectFields f(source, entry, path);
  std::string plugin;
  CFG_RETURN_IF_ERROR(f.ReqString("plugin", &plugin));
  if (plugin == "pscsi" || plugin == "user") {
    return f.ErrorAt("plugin", "plugin \"" + plugin +
                                   "\" is not supported by reftarget (fileio, block, ramdisk)");
  }
  std::string_view canonical = CanonicalPlugin(plugin);
  if (canonical != "fileio" && canonical != "block" && canonical != "ramdisk") {
    return f.ErrorAt("plugin", "unknown plugin " + DescribeJson(json(plugin)) +
                                   " (expected fileio, block, ramdisk or rd_mcp)");
  }
  so->plugin = std::string(canonical);
  CFG_RETURN_IF_ERROR(f.ReqString("name", &so->name));
  CFG_RETURN_IF_ERROR(CheckName(f, so->name));

  PluginKeys keys = KeysOf(so->plugin);
  for (auto [key, allowed] : {std::pair<std::string_view, bool>{"dev", keys.dev},
                              {"size", keys.size},
                              {"write_back", keys.write_back},
                              {"readonly", keys.readonly},
                              {"nullio", keys.nullio}}) {
    if (!allowed && entry.contains(key)) {
      return f.ErrorAt(key, "does not apply to plugin " + so->plugin);
    }
  }
  std::string why = "plugin " + so->plugin;
  if (keys.dev) {
    CFG_RETURN_IF_ERROR(f.ReqString("dev", &so->dev, why));
    if (so->dev.empty() || so->dev.front() != '/') {
      return f.ErrorAt("dev", DescribeJson(json(so->dev)) + " is not an absolute path");
    }
    if (so->dev.size() > kMaxDevLength) {
      return f.ErrorAt("dev", "path longer than " + std::to_string(kMaxDevLength) + " bytes");
    }
  }
  if (so->plugin == "ramdisk") {
    CFG_RETURN_IF_ERROR(f.ReqUint("size", 1, kMaxSize, &so->size, why));
  } else if (keys.size) {
    std::optional<uint64_t> size;
    CFG_RETURN_IF_ERROR(f.OptUint("size", 1, kMaxSize, &size));
    so->size = size.value_or(0);
  }
  if (keys.write_back) CFG_RETURN_IF_ERROR(f.OptBool("write_back", &so->write_back));
  std::optional<bool> flag;
  if (keys.readonly) {
    CFG_RETURN_IF_ERROR(f.OptBool("readonly", &flag));
    so->readonly = flag.value_or(false);
  }
  if (keys.nullio) {
    flag.reset();
    CFG_RETURN_IF_ERROR(f.OptBool("nullio", &flag));
    so->nullio = flag.value_or(false);
  }
  CFG_RETURN_IF_ERROR(f.OptString("wwn", &so->wwn));
  CFG_RETURN_IF_ERROR(CheckUnitSerial(f, so->wwn));
  CFG_RETURN_IF_ERROR(ReadAttributes(f, "attributes", kDeviceAttributeRules, &so->attributes));
  so->extra = f.Unused();
  return Status::Ok();
}

}  // namespace

Status ReadStorageObjects(std::string_view source, const json& array,
                          std::vector<StorageObject>* out) {
  std::map<std::string, std::string> first_seen;  // path() -> JSON pointer
  for (size_t i = 0; i < array.size(); ++i) {
    std::string path = JsonPointerAppend("/storage_objects", i);
    StorageObject so;
    CFG_RETURN_IF_ERROR(ReadOne(source, array[i], path, &so));
    auto [it, inserted] = first_seen.emplace(so.path(), path);
    if (!inserted) {
      return ConfigError(
          source, JsonPointerAppend(path, "name"),
          "duplicate storage object " + so.path() + " (first defined at " + it->second + ")");
    }
    out->push_back(std::move(so));
  }
  return Status::Ok();
}

}  // namespace reftarget::config::internal
