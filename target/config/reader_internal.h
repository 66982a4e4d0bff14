// Pieces of the saveconfig.json reader shared by its source files. Internal to the layer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <vector>

#include "target/common/status.h"
#include "target/config/config_model.h"
#include "target/config/json_fields.h"

namespace reftarget::config::internal {

// A range check for one LIO attribute whose value we rely on.
struct AttributeRule {
  std::string_view name;
  uint64_t min;
  uint64_t max;
  bool power_of_two = false;
};

// Reads `key` (an object of LIO attributes, name -> integer, string or boolean) into *out;
// values of attributes named in `rules` must be integers in range.
Status ReadAttributes(ObjectFields& fields, std::string_view key,
                      std::span<const AttributeRule> rules, nlohmann::json* out);

// Spellings of one credential: the key rtslib writes first, then its aliases.
struct AuthKeys {
  std::string_view userid[2];
  std::string_view password[2];
  std::string_view mutual_userid[2];
  std::string_view mutual_password[2];
};
// TPGs and node ACLs: "chap_userid" (rtslib-fb) or "userid" (saveconfig.json(5)).
extern const AuthKeys kChapAuthKeys;
// fabric_modules[iscsi]: "discovery_userid" (rtslib-fb) or "userid" (saveconfig.json(5)).
extern const AuthKeys kDiscoveryAuthKeys;
// LIO's struct iscsi_node_auth holds 256-byte NUL-terminated strings.
inline constexpr size_t kMaxCredentialLength = 255;

// Reads the credentials of one object, accepting either spelling of each key; both
// spellings with different values are an error.
Status ReadAuth(ObjectFields& fields, const AuthKeys& keys, AuthCredentials* out);

// storage_objects: each entry validated and checked for duplicates.
Status ReadStorageObjects(std::string_view source, const nlohmann::json& array,
                          std::vector<StorageObject>* out);

// targets: each entry validated; LUNs must name one of `storage_objects`.
Status ReadTargets(std::string_view source, const nlohmann::json& array,
                   const std::vector<StorageObject>& storage_objects, std::vector<Target>* out);

}  // namespace reftarget::config::internal
