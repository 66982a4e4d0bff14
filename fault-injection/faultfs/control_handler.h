// The control protocol's commands: one JSON request object in, one JSON reply object out.
//
// Requests carry "cmd": ping | add | list | clear | release | stats | unsynced | powercut.
//   add:      the rule fields of rule_json.h, flat in the request.
//   clear:    "id": N, or "id": "all" / no id for every rule.
//   release:  optional "id": N (default every rule).
//   unsynced, powercut: "file": path relative to the mount.
// Replies carry "ok": true plus the command's fields, or "ok": false and "error".
#pragma once

#include <nlohmann/json.hpp>

#include "fault-injection/faultfs/durability_tracker.h"
#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/faultfs/rules.h"

namespace reftarget::faultfs {

class ControlHandler {
 public:
  // `source_dir_fd` is the mirrored directory, for unsynced/powercut; `tracker` and `log`
  // may be null (tracking off; no logging). All must outlive the handler.
  ControlHandler(RuleEngine* engine, DurabilityTracker* tracker, FaultLog* log, int source_dir_fd);

  // Returns the reply to `request`. Never throws.
  nlohmann::json Handle(const nlohmann::json& request);
  // Parses one request line and returns the reply line (without '\n'). Never throws.
  std::string HandleLine(const std::string& line);

 private:
  nlohmann::json Add(const nlohmann::json& request);
  nlohmann::json List();
  nlohmann::json Clear(const nlohmann::json& request);
  nlohmann::json Release(const nlohmann::json& request);
  nlohmann::json Stats();
  nlohmann::json Unsynced(const nlohmann::json& request);
  nlohmann::json PowerCut(const nlohmann::json& request);
  // Opens request["file"] in the source directory; returns the fd or a failure reply.
  Result<int> OpenFileField(const nlohmann::json& request, int flags);

  RuleEngine* engine_;
  DurabilityTracker* tracker_;
  FaultLog* log_;
  int source_dir_fd_;
};

// Returns {"ok": false, "error": message}.
nlohmann::json ErrorReply(const std::string& message);

}  // namespace reftarget::faultfs
