// The dispatch of edits by path and verb, the final validation of every edit, `get` and the
// list of commands per path.
#include "target/admin/config_edit.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include "target/admin/edit_internal.h"
#include "target/config/saveconfig_reader.h"
#include "target/config/saveconfig_writer.h"

namespace reftarget::admin {
namespace {

using internal::EditContext;
using internal::EditHandler;

struct VerbEntry {
  NodeKind kind;
  std::string_view verb;
  EditHandler handler;
};

// Which configuration command each kind of node answers (targetcli's ui_command_* methods).
constexpr VerbEntry kEdits[] = {
    {NodeKind::kRoot, "clearconfig", internal::ClearConfig},
    {NodeKind::kBackstoreKind, "create", internal::CreateStorageObject},
    {NodeKind::kBackstoreKind, "delete", internal::DeleteStorageObject},
    {NodeKind::kStorageObject, "resize", internal::ResizeStorageObject},
    {NodeKind::kStorageObject, "set", internal::SetGroup},
    {NodeKind::kIscsi, "create", internal::CreateTarget},
    {NodeKind::kIscsi, "delete", internal::DeleteTarget},
    {NodeKind::kIscsi, "set", internal::SetGroup},
    {NodeKind::kTarget, "create", internal::CreateTpg},
    {NodeKind::kTarget, "delete", internal::DeleteTpg},
    {NodeKind::kTpg, "disable", internal::DisableTpg},
    {NodeKind::kTpg, "enable", internal::EnableTpg},
    {NodeKind::kTpg, "set", internal::SetGroup},
    {NodeKind::kLuns, "create", internal::CreateLun},
    {NodeKind::kLuns, "delete", internal::DeleteLun},
    {NodeKind::kPortals, "create", internal::CreatePortal},
    {NodeKind::kPortals, "delete", internal::DeletePortal},
    {NodeKind::kAcls, "create", internal::CreateAcl},
    {NodeKind::kAcls, "delete", internal::DeleteAcl},
    {NodeKind::kAcl, "create", internal::CreateMappedLun},
    {NodeKind::kAcl, "delete", internal::DeleteMappedLun},
    {NodeKind::kAcl, "set", internal::SetGroup},
};

constexpr std::string_view kEditVerbs[] = {"clearconfig", "create", "delete", "disable",
                                           "enable",      "resize", "set"};
// Commands of the shell itself, answered at every path by whoever runs the shell.
constexpr std::string_view kShellVerbs[] = {"cd", "exit", "help", "ls", "pwd"};
// Commands of the root node that read or save the whole configuration.
constexpr std::string_view kRootVerbs[] = {"saveconfig", "sessions"};

// The source name the final validation gives the reader; stripped from its messages.
constexpr std::string_view kValidationSource = "<edit>";

std::vector<std::string> VerbsOf(NodeKind kind) {
  std::set<std::string> verbs(std::begin(kShellVerbs), std::end(kShellVerbs));
  for (const VerbEntry& e : kEdits) {
    if (e.kind == kind) verbs.emplace(e.verb);
  }
  if (!internal::GroupsOf(kind).empty()) verbs.emplace("get");
  if (kind == NodeKind::kRoot) verbs.insert(std::begin(kRootVerbs), std::end(kRootVerbs));
  return {verbs.begin(), verbs.end()};
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

// Undoes RFC 6901 escaping of one pointer token.
std::string DecodeToken(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

// Returns the index `token` names if it is below `size`.
std::optional<size_t> IndexToken(const std::vector<std::string>& tokens, size_t i, size_t size) {
  if (i >= tokens.size() || tokens[i].empty() || tokens[i].size() > 9) return std::nullopt;
  size_t value = 0;
  for (char c : tokens[i]) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  if (value >= size) return std::nullopt;
  return value;
}

// Turns a JSON pointer of the written file back into the targetcli path of the node it lies
// in, plus the field: "/targets/0/tpgs/0/attributes/login_timeout" ->
// "/iscsi/iqn.x/tpg1: attributes/login_timeout".
std::string DescribePointer(const config::Config& config, std::string_view pointer) {
  std::vector<std::string> tokens;
  for (const std::string& t : PathComponents(pointer)) tokens.push_back(DecodeToken(t));
  std::string where;
  size_t i = 0;
  if (!tokens.empty() && tokens[0] == "storage_objects") {
    if (auto s = IndexToken(tokens, 1, config.storage_objects.size())) {
      where = config.storage_objects[*s].path();
      i = 2;
    }
  } else if (!tokens.empty() && tokens[0] == "fabric_modules") {
    where = "/iscsi (discovery_auth)";
    i = std::min<size_t>(2, tokens.size());
  } else if (!tokens.empty() && tokens[0] == "targets") {
    if (auto t = IndexToken(tokens, 1, config.targets.size())) {
      const config::Target& target = config.targets[*t];
      where = TargetPath(target);
      i = 2;
      std::optional<size_t> g;
      if (i < tokens.size() && tokens[i] == "tpgs" &&
          (g = IndexToken(tokens, i + 1, target.tpgs.size()))) {
        const config::Tpg& tpg = target.tpgs[*g];
        where = TpgPath(target, tpg);
        i += 2;
        std::optional<size_t> n;
        if (i < tokens.size() && tokens[i] == "luns" &&
            (n = IndexToken(tokens, i + 1, tpg.luns.size()))) {
          where += "/luns/" + LunName(tpg.luns[*n].index);
          i += 2;
        } else if (i < tokens.size() && tokens[i] == "portals" &&
                   (n = IndexToken(tokens, i + 1, tpg.portals.size()))) {
          where += "/portals/" + PortalName(tpg.portals[*n]);
          i += 2;
        } else if (i < tokens.size() && tokens[i] == "node_acls" &&
                   (n = IndexToken(tokens, i + 1, tpg.node_acls.size()))) {
          const config::NodeAcl& acl = tpg.node_acls[*n];
          where += "/acls/" + acl.node_wwn;
          i += 2;
          std::optional<size_t> m;
          if (i < tokens.size() && tokens[i] == "mapped_luns" &&
              (m = IndexToken(tokens, i + 1, acl.mapped_luns.size()))) {
            where += "/" + MappedLunName(acl.mapped_luns[*m].index);
            i += 2;
          }
        }
      }
    }
  }
  if (where.empty()) return std::string(pointer);
  std::string field;
  for (; i < tokens.size(); ++i) field += (field.empty() ? "" : "/") + tokens[i];
  return field.empty() ? where : where + ": " + field;
}

// Writes `edited` as saveconfig.json and reads it back: the Config returned is exactly what
// the daemon would load from the file saved after this edit.
Result<config::Config> Revalidate(const config::Config& edited, const Command& command) {
  auto parsed = config::ParseConfig(config::SerializeConfig(edited), kValidationSource);
  if (parsed.ok()) return parsed;
  std::string message = parsed.error();
  std::string prefix = std::string(kValidationSource) + ": ";
  if (message.rfind(prefix, 0) == 0) {
    message.erase(0, prefix.size());
    size_t colon = message.find(": ");
    if (colon != std::string::npos && !message.empty() && message.front() == '/') {
      message =
          DescribePointer(edited, message.substr(0, colon)) + ": " + message.substr(colon + 2);
    }
  }
  return CommandError(command, "the result would not be a valid configuration: " + message);
}

}  // namespace

EditEnvironment SystemEditEnvironment() {
  EditEnvironment env;
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') env.hostname = host;
  struct utsname names;
  if (::uname(&names) == 0) env.machine = names.machine;
  auto device = std::make_shared<std::random_device>();
  env.random = [device] {
    return (static_cast<uint64_t>((*device)()) << 32) | static_cast<uint64_t>((*device)());
  };
  return env;
}

bool IsEdit(const Command& command) {
  if (std::find(std::begin(kEditVerbs), std::end(kEditVerbs), command.verb) ==
      std::end(kEditVerbs)) {
    return false;
  }
  // configshell's "global" group holds the shell's own preferences, not the target's.
  return !(command.verb == "set" && !command.positional.empty() &&
           command.positional[0] == "global");
}

Result<EditResult> ApplyEdit(const config::Config& current, const Command& command) {
  return ApplyEdit(current, command, SystemEditEnvironment());
}

Result<EditResult> ApplyEdit(const config::Config& current, const Command& command,
                             const EditEnvironment& environment) {
  auto node = ResolvePath(current, command.path);
  if (!node.ok()) return node.status();
  EditHandler handler = nullptr;
  for (const VerbEntry& e : kEdits) {
    if (e.kind == node.value().kind && e.verb == command.verb) handler = e.handler;
  }
  std::vector<std::string> verbs = VerbsOf(node.value().kind);
  if (handler == nullptr || !IsEdit(command)) {
    bool known =
        std::find(verbs.begin(), verbs.end(), command.verb) != verbs.end() || command.verb == "set";
    if (!IsEdit(command) && known) {
      return CommandError(command, "does not change the configuration; the shell answers it");
    }
    return CommandError(command, "unknown command at this " +
                                     std::string(KindName(node.value().kind)) +
                                     " (commands here: " + Join(verbs, ", ") + ")");
  }
  EditContext edit{command, node.value(), environment, current, {}};
  if (Status s = handler(edit); !s.ok()) return s;
  auto validated = Revalidate(edit.config, command);
  if (!validated.ok()) return validated.status();
  return EditResult{std::move(validated).value(), Join(edit.messages, "\n")};
}

Result<std::string> GetValues(const config::Config& config, const Command& command) {
  auto node = ResolvePath(config, command.path);
  if (!node.ok()) return node.status();
  if (!command.named.empty()) {
    return CommandError(
        command, "takes [GROUP [KEY...]], not key=value ('" + command.named.begin()->first + "=')");
  }
  std::vector<std::string_view> groups = internal::GroupsOf(node.value().kind);
  std::string group_list;
  for (std::string_view g : groups) group_list += (group_list.empty() ? "" : ", ") + std::string(g);
  if (groups.empty()) {
    return CommandError(
        command, "a " + std::string(KindName(node.value().kind)) + " has no configuration groups");
  }
  if (command.positional.empty()) {
    std::vector<std::string> sections;
    for (std::string_view g : groups) {
      auto lines = internal::GroupValues(config, node.value(), g, {});
      if (!lines.ok()) return CommandError(command, lines.error());
      std::string heading(g);
      for (char& c : heading) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
      heading += " CONFIG GROUP";
      std::vector<std::string> section = {heading, std::string(heading.size(), '=')};
      section.insert(section.end(), lines.value().begin(), lines.value().end());
      sections.push_back(Join(section, "\n"));
    }
    return Join(sections, "\n\n");
  }
  const std::string& group = command.positional[0];
  if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
    return CommandError(command,
                        "unknown group " + Quote(group) + " (groups here: " + group_list + ")");
  }
  std::vector<std::string> keys(command.positional.begin() + 1, command.positional.end());
  auto lines = internal::GroupValues(config, node.value(), group, keys);
  if (!lines.ok()) return CommandError(command, lines.error());
  return Join(lines.value(), "\n");
}

Result<std::vector<std::string>> AvailableVerbs(const config::Config& config,
                                                const std::string& path) {
  auto node = ResolvePath(config, path);
  if (!node.ok()) return node.status();
  return VerbsOf(node.value().kind);
}

}  // namespace reftarget::admin
