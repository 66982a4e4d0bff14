#include "target/admin/admin_requests.h"

#include <unistd.h>

#include <iomanip>
#include <sstream>

#include "target/admin/command_line.h"
#include "target/admin/config_edit.h"
#include "target/admin/config_store.h"
#include "target/admin/tree_view.h"
#include "target/config/saveconfig_reader.h"
#include "target/config/saveconfig_writer.h"

namespace reftarget::admin {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kDescribeTimeout{2000};

json Refuse(const std::string& error) { return json{{"ok", false}, {"error", error}}; }

json Applied(const ApplyReport& report, const std::string& message) {
  json steps = json::array();
  for (const auto& s : report.steps) steps.push_back(s);
  return json{{"ok", true},
              {"message", message},
              {"steps", steps},
              {"sessions_updated", report.sessions_updated},
              {"sessions_ended", report.sessions_ended},
              {"unit_attentions", report.nexus_unit_attentions},
              {"drained_commands", report.drained_commands},
              {"drain_timed_out", report.drain_timed_out}};
}

json Output(const std::string& text) { return json{{"ok", true}, {"output", text}}; }

std::string IsidText(const std::array<uint8_t, 6>& isid) {
  std::ostringstream s;
  for (uint8_t b : isid) s << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(b);
  return s.str();
}

json ConfigDocument(const config::Config& config) {
  return json::parse(config::SerializeConfig(config));
}

json ApplyConfig(AdminContext& ctx, const config::Config& next, const std::string& message) {
  auto report = ctx.live->Apply(next);
  if (!report.ok()) return Refuse(report.error());
  return Applied(report.value(), message);
}

json Save(AdminContext& ctx, const std::string& path_arg) {
  const std::string path = path_arg.empty() ? ctx.config_path : path_arg;
  if (path.empty()) return Refuse("saveconfig: no file given and reftarget was started without --config");
  Status s = SaveWithBackup(ctx.live->config(), path);
  if (!s.ok()) return Refuse("saveconfig: " + s.message());
  return json{{"ok", true}, {"message", "Configuration saved to " + path}};
}

json Restore(AdminContext& ctx, const std::string& path, bool clear_existing) {
  if (path.empty()) return Refuse("restoreconfig: a file is required");
  auto loaded = config::LoadConfigFile(path);
  if (!loaded.ok()) return Refuse("restoreconfig: " + loaded.error());
  const config::Config running = ctx.live->config();
  if (!clear_existing && !(running.storage_objects.empty() && running.targets.empty())) {
    return Refuse("restoreconfig " + path +
                  ": the running configuration is not empty; pass clear_existing=true to replace it");
  }
  return ApplyConfig(ctx, loaded.value(),
                     "Configuration restored from " + path + " (" +
                         std::to_string(loaded.value().targets.size()) + " target(s), " +
                         std::to_string(loaded.value().storage_objects.size()) +
                         " storage object(s))");
}

bool Truthy(const std::string& v) { return v == "true" || v == "1" || v == "yes" || v == "True"; }

std::string Named(const Command& c, const std::string& key, size_t positional_index) {
  if (auto it = c.named.find(key); it != c.named.end()) return it->second;
  return positional_index < c.positional.size() ? c.positional[positional_index] : "";
}

// Reads {"words":[...],"cwd":"/"} (cwd optional) as a Command.
Result<Command> CommandOf(const json& request, const std::string& what) {
  if (!request.is_object() || !request.contains("words") || !request["words"].is_array()) {
    return Status::Error(what + ": \"words\" must be an array of strings");
  }
  std::vector<std::string> words;
  for (const auto& w : request["words"]) {
    if (!w.is_string()) return Status::Error(what + ": every element of \"words\" must be a string");
    words.push_back(w.get<std::string>());
  }
  std::string cwd = "/";
  if (request.contains("cwd")) {
    if (!request["cwd"].is_string()) return Status::Error(what + ": \"cwd\" must be a string");
    cwd = request["cwd"].get<std::string>();
  }
  return ParseCommand(words, cwd);
}

// Several edits applied as one change: each to the result of the one before, then one
// commit, so that either all take effect or none does (targetcli has no such thing; a
// script that creates a backstore and its LUN leaves half of it behind when the second
// command fails).
json RunBatch(AdminContext& ctx, const json& request) {
  if (!request.contains("commands") || !request["commands"].is_array() || request["commands"].empty()) {
    return Refuse("batch: \"commands\" must be a non-empty array of {\"words\": [...]}");
  }
  config::Config next = ctx.live->config();
  std::string message;
  size_t index = 0;
  for (const auto& item : request["commands"]) {
    const std::string what = "batch: command " + std::to_string(++index);
    auto cmd = CommandOf(item, what);
    if (!cmd.ok()) return Refuse(cmd.error());
    if (!IsEdit(cmd.value())) {
      return Refuse(what + " (" + cmd.value().path + " " + cmd.value().verb +
                    "): only configuration changes can be batched");
    }
    auto edited = ApplyEdit(next, cmd.value());
    if (!edited.ok()) return Refuse(what + ": " + edited.error() + "; nothing was changed");
    next = std::move(edited.value().config);
    if (!message.empty()) message += "\n";
    message += edited.value().message;
  }
  return ApplyConfig(ctx, next, message);
}

json RunCommand(AdminContext& ctx, const json& request) {
  auto parsed = CommandOf(request, "command");
  if (!parsed.ok()) return Refuse(parsed.error());
  const Command& cmd = parsed.value();

  if (cmd.verb == "ls") {
    int depth = -1;
    if (auto it = cmd.named.find("depth"); it != cmd.named.end()) {
      try {
        depth = std::stoi(it->second);
      } catch (...) {
        return Refuse(cmd.path + ": ls: depth: '" + it->second + "' is not a number");
      }
    }
    std::string path = cmd.path;
    if (!cmd.positional.empty()) {
      auto sub = NormalizePath(cmd.positional[0], cmd.path);
      if (!sub.ok()) return Refuse(sub.error());
      path = sub.value();
    }
    auto tree = RenderTree(ctx.live->config(), path, depth);
    if (!tree.ok()) return Refuse(tree.error());
    return Output(tree.value());
  }
  if (cmd.verb == "get") {
    auto values = GetValues(ctx.live->config(), cmd);
    if (!values.ok()) return Refuse(values.error());
    return Output(values.value());
  }
  if (cmd.verb == "sessions") {
    const bool detail = !cmd.positional.empty() && cmd.positional[0] == "detail";
    return Output(SessionsText(ctx.live->Sessions(kDescribeTimeout), detail));
  }
  if (cmd.verb == "saveconfig") return Save(ctx, Named(cmd, "savefile", 0));
  if (cmd.verb == "restoreconfig") {
    return Restore(ctx, Named(cmd, "savefile", 0), Truthy(Named(cmd, "clear_existing", 1)));
  }
  // Everything else, clearconfig included, is an edit; ApplyEdit names an unknown verb and
  // lists the ones available at the path.
  auto edited = ApplyEdit(ctx.live->config(), cmd);
  if (!edited.ok()) return Refuse(edited.error());
  return ApplyConfig(ctx, edited.value().config, edited.value().message);
}

}  // namespace

json SessionsJson(const std::vector<iscsi::SessionInfo>& sessions) {
  json out = json::array();
  for (const auto& s : sessions) {
    json luns = json::array();
    for (const auto& [lun, c] : s.luns) {
      luns.push_back(json{{"lun", lun},
                          {"commands", c.commands},
                          {"read_bytes", c.read_bytes},
                          {"write_bytes", c.write_bytes},
                          {"errors", c.errors},
                          {"latency_mean_us", c.commands ? c.latency_total_us / c.commands : 0},
                          {"latency_max_us", c.latency_max_us}});
    }
    out.push_back(json{{"initiator", s.initiator_name},
                       {"alias", s.initiator_alias},
                       {"target", s.target_name},
                       {"tpg", s.tpg_tag},
                       {"isid", IsidText(s.isid)},
                       {"tsih", s.tsih},
                       {"cid", s.cid},
                       {"type", s.discovery ? "discovery" : "normal"},
                       {"initiator_address", s.peer.ToString()},
                       {"portal", s.local.ToString()},
                       {"commands_in_progress", s.commands_in_progress},
                       {"parameters", s.negotiated},
                       {"luns", luns}});
  }
  return out;
}

std::string SessionsText(const std::vector<iscsi::SessionInfo>& sessions, bool detail) {
  if (sessions.empty()) return "(no open sessions)\n";
  std::ostringstream out;
  for (const auto& s : sessions) {
    out << "alias: " << (s.initiator_alias.empty() ? "-" : s.initiator_alias) << "\tsid: " << s.tsih
        << " type: " << (s.discovery ? "Discovery" : "Normal") << " session-state: LOGGED_IN\n";
    out << "  name: " << s.initiator_name << "\n";
    out << "    target: " << (s.target_name.empty() ? "-" : s.target_name) << " tpg" << s.tpg_tag
        << "  isid: " << IsidText(s.isid) << "\n";
    out << "    address: " << s.peer.ToString() << " (TCP)  cid: " << s.cid
        << " connection-state: LOGGED_IN  portal: " << s.local.ToString() << "\n";
    if (!detail) continue;
    out << "    parameters:\n";
    for (const auto& [k, v] : s.negotiated) out << "      " << k << "=" << v << "\n";
    out << "    luns:";
    if (s.luns.empty()) out << " none";
    out << "\n";
    for (const auto& [lun, c] : s.luns) {
      out << "      lun" << lun << ": commands " << c.commands << ", read " << c.read_bytes
          << " B, written " << c.write_bytes << " B, errors " << c.errors << ", latency mean "
          << (c.commands ? c.latency_total_us / c.commands : 0) << " us max " << c.latency_max_us
          << " us\n";
    }
  }
  return out.str();
}

json HandleRequest(const json& request, AdminContext& ctx) {
  try {
    if (!request.is_object() || !request.contains("op") || !request["op"].is_string()) {
      return Refuse("request: expected a JSON object with a string \"op\"");
    }
    const std::string op = request["op"].get<std::string>();
    if (op == "command") return RunCommand(ctx, request);
    if (op == "batch") return RunBatch(ctx, request);
    if (op == "config") return json{{"ok", true}, {"config", ConfigDocument(ctx.live->config())}};
    if (op == "apply") {
      if (!request.contains("config")) return Refuse("apply: \"config\" is required");
      auto parsed = config::ParseConfig(request["config"].dump(), "apply: config");
      if (!parsed.ok()) return Refuse(parsed.error());
      return ApplyConfig(ctx, parsed.value(), "Configuration applied");
    }
    if (op == "sessions") {
      return json{{"ok", true}, {"sessions", SessionsJson(ctx.live->Sessions(kDescribeTimeout))}};
    }
    if (op == "save") {
      return Save(ctx, request.value("path", std::string()));
    }
    if (op == "restore") {
      return Restore(ctx, request.value("path", std::string()), request.value("clear_existing", true));
    }
    if (op == "status") {
      json portals = json::array();
      for (const auto& e : ctx.live->ListeningOn()) portals.push_back(e.ToString());
      const config::Config c = ctx.live->config();
      return json{{"ok", true},
                  {"pid", ::getpid()},
                  {"portals", portals},
                  {"targets", c.targets.size()},
                  {"storage_objects", c.storage_objects.size()},
                  {"config_path", ctx.config_path}};
    }
    return Refuse("request: unknown op \"" + op +
                  "\" (known: command, batch, config, apply, sessions, save, restore, status)");
  } catch (const std::exception& e) {
    return Refuse(std::string("request: ") + e.what());
  }
}

}  // namespace reftarget::admin
