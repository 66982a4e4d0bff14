// The admin protocol: one JSON object per line in, one per line out, over the Unix socket
// (admin_socket.h). Every answer has "ok"; a refusal has "error" naming the object and why,
// and changes nothing.
//   {"op":"command","words":["/iscsi/IQN/tpg1/luns","create","/backstores/ramdisk/r0"],"cwd":"/"}
//       a targetcli command line: edits answer {"ok":true,"message":...,"steps":[...]};
//       ls, get, sessions, saveconfig, restoreconfig, clearconfig answer with "output"
//   {"op":"batch","commands":[{"words":[...]},...]}
//       several edits applied as one change: all of them or none
//   {"op":"config"}                 {"ok":true,"config":<saveconfig.json document>}
//   {"op":"apply","config":{...}}   makes a whole saveconfig.json document the running one
//   {"op":"sessions"}               {"ok":true,"sessions":[...]} with per-LUN counters
//   {"op":"save","path":P?}         saveconfig (default path: the one reftarget started with)
//   {"op":"restore","path":P}       restoreconfig: the file replaces the running configuration
//   {"op":"status"}                 pid, portals, counts
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "target/admin/live_target.h"

namespace reftarget::admin {

struct AdminContext {
  LiveTarget* live = nullptr;
  std::string config_path;  // saveconfig's default file
};

// Answers one request. Never throws.
nlohmann::json HandleRequest(const nlohmann::json& request, AdminContext& context);

// Returns the sessions as the JSON the "sessions" op answers.
nlohmann::json SessionsJson(const std::vector<iscsi::SessionInfo>& sessions);
// Returns the sessions as text, like targetcli's `sessions` (detail: parameters and LUN counters).
std::string SessionsText(const std::vector<iscsi::SessionInfo>& sessions, bool detail);

}  // namespace reftarget::admin
