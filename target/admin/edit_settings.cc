// `set GROUP k=v...` and `get [GROUP [KEY...]]`: attribute, parameter, auth, restriction
// and discovery_auth (targetcli ui_node.py ui_command_set/get; rtslib set_attribute,
// set_parameter, chap_* and discovery_* properties).
#include <algorithm>
#include <map>

#include "target/admin/edit_internal.h"
#include "target/admin/initiator_networks.h"
#include "target/admin/settings_tables.h"

namespace reftarget::admin::internal {
namespace {

using nlohmann::json;

// LIO's struct iscsi_node_auth holds 256-byte NUL-terminated strings.
constexpr size_t kMaxCredentialLength = 255;
// RFC 7143 §9.2.1: a CHAP secret of fewer than 96 random bits (12 bytes) needs IPsec; the
// Microsoft initiator refuses secrets outside 12..16 characters.
constexpr size_t kMinSafeSecretLength = 12;
constexpr std::string_view kAuthKeys[] = {"mutual_password", "mutual_userid", "password", "userid"};

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::span<const AttributeSpec> AttributeTable(NodeKind kind) {
  if (kind == NodeKind::kStorageObject) return StorageObjectAttributes();
  if (kind == NodeKind::kTpg) return TpgAttributes();
  return AclAttributes();
}

std::string JsonText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "1" : "0";
  return value.dump();
}

// The write cache LIO reports for a store whose emulate_write_cache is not set.
int64_t WriteCacheDefault(const config::StorageObject& so) {
  if (so.plugin == "fileio") return so.write_back.value_or(true) ? 1 : 0;
  if (so.plugin == "block") return so.write_back.value_or(false) ? 1 : 0;
  return 0;
}

Status SetAttributes(EditContext& edit) {
  NodeKind kind = edit.node.kind;
  std::span<const AttributeSpec> table = AttributeTable(kind);
  json& attributes = kind == NodeKind::kStorageObject ? edit.storage_object().attributes
                     : kind == NodeKind::kTpg         ? edit.tpg().attributes
                                                      : edit.acl().attributes;
  if (!attributes.is_object()) attributes = json::object();
  for (const auto& [key, text] : edit.command.named) {
    const AttributeSpec* spec = FindAttribute(table, key);
    if (spec == nullptr) {
      return edit.Error("attribute: unknown attribute '" + key +
                        "' (valid: " + AttributeNames(table, true) + ")");
    }
    auto value = CheckAttributeValue(*spec, text);
    if (!value.ok()) return edit.Error("attribute: " + key + ": " + value.error());
    if (kind == NodeKind::kStorageObject && key == "block_size") {
      // target_core_configfs.c block_size_store(): refused while export_count != 0; the
      // initiators would see every LBA move.
      std::vector<std::string> users = LunsUsing(edit.config, edit.storage_object().path());
      if (!users.empty() && value.value() != edit.storage_object().block_size()) {
        return edit.Error(
            "attribute: block_size cannot change while the storage object is "
            "exported (as " +
            users.front() + "); LIO refuses it too");
      }
    }
    attributes[key] = value.value();
    if (kind == NodeKind::kStorageObject && key == "emulate_write_cache" &&
        edit.storage_object().plugin != "ramdisk") {
      // One switch, two spellings: rtslib's write_back is emulate_write_cache; keep them equal
      // so that the file means the same to LIO and to reftarget.
      edit.storage_object().write_back = value.value() != 0;
    }
    edit.Say("Parameter " + key + " is now '" + std::to_string(value.value()) + "'.");
  }
  return Status::Ok();
}

Status SetParameters(EditContext& edit) {
  config::Tpg& tpg = edit.tpg();
  for (const auto& [key, text] : edit.command.named) {
    const ParameterSpec* spec = FindParameter(key);
    if (spec == nullptr) {
      return edit.Error("parameter: unknown parameter '" + key + "' (valid: " + ParameterNames() +
                        ")");
    }
    auto value = CheckParameterValue(*spec, text);
    if (!value.ok()) return edit.Error("parameter: " + key + ": " + value.error());
    tpg.parameters[key] = value.value();
    edit.Say("Parameter " + key + " is now '" + value.value() + "'.");
  }
  auto effective = [&](std::string_view name) {
    auto it = tpg.parameters.find(std::string(name));
    std::string text =
        it != tpg.parameters.end() ? it->second : std::string(FindParameter(name)->default_value);
    auto n = ParseDecimal(text, 0, UINT64_MAX);
    return n.ok() ? n.value() : 0;
  };
  uint64_t first = effective("FirstBurstLength");
  uint64_t max = effective("MaxBurstLength");
  if (first > max) {
    // RFC 7143 §13.14: FirstBurstLength MUST NOT exceed MaxBurstLength.
    return edit.Error("parameter: FirstBurstLength " + std::to_string(first) +
                      " exceeds MaxBurstLength " + std::to_string(max) + " (RFC 7143 §13.14)");
  }
  return Status::Ok();
}

// Applies userid/password/mutual_userid/mutual_password from the command to `auth`.
Status SetCredentials(EditContext& edit, std::string_view group, config::AuthCredentials* auth,
                      bool allow_enable, bool* enable) {
  for (const auto& [key, text] : edit.command.named) {
    if (allow_enable && key == "enable") {
      auto value = ParseBool(text);
      if (!value.ok()) return edit.Error(std::string(group) + ": enable: " + value.error());
      *enable = value.value();
      edit.Say("Parameter enable is now '" + std::string(*enable ? "1" : "0") + "'.");
      continue;
    }
    std::string* field = key == "userid"            ? &auth->userid
                         : key == "password"        ? &auth->password
                         : key == "mutual_userid"   ? &auth->mutual_userid
                         : key == "mutual_password" ? &auth->mutual_password
                                                    : nullptr;
    if (field == nullptr) {
      std::string valid = allow_enable ? "enable, " : "";
      return edit.Error(std::string(group) + ": unknown parameter '" + key + "' (valid: " + valid +
                        JoinNames(kAuthKeys) + ")");
    }
    if (text.size() > kMaxCredentialLength) {
      return edit.Error(std::string(group) + ": " + key + ": " + std::to_string(text.size()) +
                        " bytes long; LIO allows at most " + std::to_string(kMaxCredentialLength));
    }
    *field = text;
    bool secret = key.find("password") != std::string::npos;
    if (text.empty()) {
      edit.Say("Parameter " + key + " is now empty.");
    } else if (secret) {
      edit.Say("Parameter " + key + " is now set.");
      if (text.size() < kMinSafeSecretLength) {
        edit.Say("Warning: " + key + " is " + std::to_string(text.size()) +
                 " bytes; RFC 7143 §9.2.1 wants at least 12 random bytes without IPsec, and "
                 "Microsoft's initiator refuses CHAP secrets shorter than 12 characters.");
      }
    } else {
      edit.Say("Parameter " + key + " is now '" + text + "'.");
    }
  }
  if (!auth->password.empty() && auth->password == auth->mutual_password) {
    // RFC 7143 §9.2.1: one secret must not serve both directions (login refuses it).
    return edit.Error(std::string(group) +
                      ": mutual_password equals password; RFC 7143 "
                      "§9.2.1 forbids one secret for both directions");
  }
  return Status::Ok();
}

Status SetRestriction(EditContext& edit) {
  json& extra = edit.node.kind == NodeKind::kTpg ? edit.tpg().extra : edit.acl().extra;
  if (!extra.is_object()) extra = json::object();
  for (const auto& [key, text] : edit.command.named) {
    if (key != kInitiatorNetworksKey) {
      return edit.Error("restriction: unknown parameter '" + key +
                        "' (valid: " + std::string(kInitiatorNetworksKey) + ")");
    }
    json list = json::array();
    std::vector<Network> seen;
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      std::string item =
          text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) {
        auto network = ParseNetwork(item);
        if (!network.ok()) return edit.Error("restriction: " + key + ": " + network.error());
        if (std::find(seen.begin(), seen.end(), network.value()) == seen.end()) {
          seen.push_back(network.value());
          list.push_back(network.value().ToString());
        }
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (list.size() > kMaxInitiatorNetworks) {
      return edit.Error("restriction: " + key + ": " + std::to_string(list.size()) +
                        " networks; at most " + std::to_string(kMaxInitiatorNetworks));
    }
    if (list.empty()) {
      extra.erase(std::string(kInitiatorNetworksKey));
      edit.Say("Parameter " + key + " is now empty (logins from any address).");
    } else {
      std::string shown;
      for (const json& n : list) shown += (shown.empty() ? "" : ",") + n.get<std::string>();
      extra[std::string(kInitiatorNetworksKey)] = std::move(list);
      edit.Say("Parameter " + key + " is now '" + shown + "'.");
    }
  }
  return Status::Ok();
}

// Returns "k=v" for every key asked (all when `keys` is empty) from `values`, an ordered map
// of every key the group has; unknown keys are an error listing the valid ones.
Result<std::vector<std::string>> Select(std::string_view group,
                                        const std::map<std::string, std::string>& values,
                                        const std::vector<std::string>& keys) {
  std::vector<std::string> lines;
  if (keys.empty()) {
    for (const auto& [k, v] : values) lines.push_back(k + "=" + v);
    return lines;
  }
  for (const std::string& key : keys) {
    auto it = values.find(key);
    if (it == values.end()) {
      std::string valid;
      for (const auto& [k, v] : values) valid += (valid.empty() ? "" : ", ") + k;
      return Status::Error(std::string(group) + ": unknown key " + Quote(key) +
                           " (valid: " + valid + ")");
    }
    lines.push_back(it->first + "=" + it->second);
  }
  return lines;
}

void PutCredentials(const config::AuthCredentials& auth,
                    std::map<std::string, std::string>* values) {
  (*values)["userid"] = auth.userid;
  (*values)["password"] = auth.password;
  (*values)["mutual_userid"] = auth.mutual_userid;
  (*values)["mutual_password"] = auth.mutual_password;
}

}  // namespace

std::vector<std::string_view> GroupsOf(NodeKind kind) {
  switch (kind) {
    case NodeKind::kStorageObject:
      return {"attribute"};
    case NodeKind::kIscsi:
      return {"discovery_auth"};
    case NodeKind::kTpg:
      return {"attribute", "auth", "parameter", "restriction"};
    case NodeKind::kAcl:
      return {"attribute", "auth", "restriction"};
    default:
      return {};
  }
}

Status SetGroup(EditContext& edit) {
  std::vector<std::string_view> groups = GroupsOf(edit.node.kind);
  std::string usage = " (usage: set GROUP key=value...; groups here: " + JoinNames(groups) + ")";
  if (edit.command.positional.empty()) return edit.Error("missing GROUP" + usage);
  const std::string& group = edit.command.positional[0];
  if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
    return edit.Error("unknown group " + Quote(group) + usage);
  }
  if (edit.command.positional.size() > 1) {
    return edit.Error(group + ": " + Quote(edit.command.positional[1]) + " is not key=value" +
                      usage);
  }
  if (edit.command.named.empty()) return edit.Error(group + ": nothing to set" + usage);
  if (group == "attribute") return SetAttributes(edit);
  if (group == "parameter") return SetParameters(edit);
  if (group == "restriction") return SetRestriction(edit);
  if (group == "discovery_auth") {
    return SetCredentials(edit, group, &edit.config.discovery_auth.auth, true,
                          &edit.config.discovery_auth.enable);
  }
  bool unused = false;
  config::AuthCredentials* auth =
      edit.node.kind == NodeKind::kTpg ? &edit.tpg().auth : &edit.acl().auth;
  return SetCredentials(edit, group, auth, false, &unused);
}

Result<std::vector<std::string>> GroupValues(const config::Config& config, const NodeRef& node,
                                             std::string_view group,
                                             const std::vector<std::string>& keys) {
  std::map<std::string, std::string> values;
  const config::Tpg* tpg = nullptr;
  const config::NodeAcl* acl = nullptr;
  if (node.kind == NodeKind::kTpg || node.kind == NodeKind::kAcl) {
    tpg = &config.targets[node.target].tpgs[node.tpg];
    if (node.kind == NodeKind::kAcl) acl = &tpg->node_acls[node.acl];
  }
  if (group == "attribute") {
    const json* attributes = nullptr;
    const config::StorageObject* so = nullptr;
    if (node.kind == NodeKind::kStorageObject) {
      so = &config.storage_objects[node.storage_object];
      attributes = &so->attributes;
    } else {
      attributes = acl != nullptr ? &acl->attributes : &tpg->attributes;
    }
    for (const AttributeSpec& spec : AttributeTable(node.kind)) {
      if (spec.default_value != kNoDefault) {
        values[std::string(spec.name)] = std::to_string(spec.default_value);
      } else if (so != nullptr && spec.name == "emulate_write_cache") {
        values[std::string(spec.name)] = std::to_string(WriteCacheDefault(*so));
      } else if (!keys.empty()) {
        values[std::string(spec.name)] = "n/a";  // configshell's text for an unknown value
      }
    }
    if (attributes->is_object()) {
      for (auto it = attributes->begin(); it != attributes->end(); ++it) {
        values[it.key()] = JsonText(it.value());
      }
    }
  } else if (group == "parameter") {
    for (const ParameterSpec& spec : TpgParameters()) {
      values[std::string(spec.name)] = std::string(spec.default_value);
    }
    for (const auto& [k, v] : tpg->parameters) values[k] = v;
  } else if (group == "auth") {
    PutCredentials(acl != nullptr ? acl->auth : tpg->auth, &values);
  } else if (group == "discovery_auth") {
    PutCredentials(config.discovery_auth.auth, &values);
    values["enable"] = config.discovery_auth.enable ? "1" : "0";
  } else if (group == "restriction") {
    auto networks = NetworksOf(acl != nullptr ? acl->extra : tpg->extra);
    if (!networks.ok()) return Status::Error("restriction: " + networks.error());
    std::string shown;
    for (const Network& n : networks.value()) shown += (shown.empty() ? "" : ",") + n.ToString();
    values[std::string(kInitiatorNetworksKey)] = shown;
  } else {
    return Status::Error("unknown group " + Quote(group));
  }
  return Select(group, values, keys);
}

}  // namespace reftarget::admin::internal
