// Shared pieces of the edit handlers (edit_*.cc). Internal to the admin library.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "target/admin/command_args.h"
#include "target/admin/config_edit.h"
#include "target/admin/node_path.h"

namespace reftarget::admin::internal {

// One edit in progress: the working copy and the lines of its message.
struct EditContext {
  const Command& command;
  const NodeRef& node;
  const EditEnvironment& environment;
  config::Config config;
  std::vector<std::string> messages;

  // Returns "PATH: VERB: detail".
  Status Error(std::string_view detail) const { return CommandError(command, detail); }
  // Binds the command's arguments; errors carry the "PATH: VERB: " prefix.
  Result<BoundArgs> Bind(std::span<const ParamSpec> params) const {
    auto args = BindArgs(command, params);
    if (!args.ok()) return Error(args.error());
    return args;
  }
  // The model objects the node names. REQUIRES: the node is of (or below) that kind.
  config::Target& target() { return config.targets[node.target]; }
  config::Tpg& tpg() { return target().tpgs[node.tpg]; }
  config::NodeAcl& acl() { return tpg().node_acls[node.acl]; }
  config::StorageObject& storage_object() { return config.storage_objects[node.storage_object]; }
  void Say(std::string line) { messages.push_back(std::move(line)); }
};

using EditHandler = Status (*)(EditContext&);

// edit_backstores.cc
Status CreateStorageObject(EditContext& edit);
Status DeleteStorageObject(EditContext& edit);
Status ResizeStorageObject(EditContext& edit);
Status ClearConfig(EditContext& edit);

// edit_targets.cc
Status CreateTarget(EditContext& edit);
Status DeleteTarget(EditContext& edit);
Status CreateTpg(EditContext& edit);
Status DeleteTpg(EditContext& edit);
Status EnableTpg(EditContext& edit);
Status DisableTpg(EditContext& edit);
Status CreatePortal(EditContext& edit);
Status DeletePortal(EditContext& edit);

// edit_acls.cc
Status CreateLun(EditContext& edit);
Status DeleteLun(EditContext& edit);
Status CreateAcl(EditContext& edit);
Status DeleteAcl(EditContext& edit);
Status CreateMappedLun(EditContext& edit);
Status DeleteMappedLun(EditContext& edit);

// edit_settings.cc
Status SetGroup(EditContext& edit);
// Returns the `set`/`get` groups of a node kind ("attribute", "auth", ...), sorted.
std::vector<std::string_view> GroupsOf(NodeKind kind);
// Returns the "k=v" lines of `group` at `node` (all keys when `keys` is empty).
Result<std::vector<std::string>> GroupValues(const config::Config& config, const NodeRef& node,
                                             std::string_view group,
                                             const std::vector<std::string>& keys);

// Helpers shared by the handlers.
// Returns the lowest LUN index >= 0 not used in `tpg`, or nullopt if all are.
std::optional<uint64_t> FreeLunIndex(const config::Tpg& tpg);
// Returns the boolean argument `name`, or `default_value` when it was not given.
Result<bool> BoolArg(const EditContext& edit, const BoundArgs& args, std::string_view name,
                     bool default_value);
// Returns `name` normalized as an iSCSI name, or an error naming `field`.
Result<std::string> IscsiName(std::string_view field, std::string_view name);
// Removes every mapped LUN of `tpg`'s ACLs that points at TPG LUN `index`; says so.
void UnmapTpgLun(EditContext& edit, config::Tpg& tpg, uint64_t index);

}  // namespace reftarget::admin::internal
