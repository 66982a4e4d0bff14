// The netfault control protocol's commands: one JSON request object in, one JSON reply
// object out. Runs on the proxy's loop thread (the Mailbox hands requests over).
//
// Requests carry "cmd": ping | add | list | clear | release | conns | kill-conn.
//   add:        the rule fields of rule_json.h, flat in the request.
//   clear:      "id": N, or "id": "all" / no id for every rule.
//   release:    optional "id": N (default every rule).
//   kill-conn:  "id": connection id.
// Replies carry "ok": true plus the command's fields, or "ok": false and "error".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/netfault/proxy.h"

namespace reftarget::netfault {

class ControlHandler {
 public:
  // `proxy` and `log` must outlive the handler; `log` may be null.
  ControlHandler(Proxy* proxy, faultfs::FaultLog* log) : proxy_(proxy), log_(log) {}

  // Returns the reply to `request`. Never throws.
  nlohmann::json Handle(const nlohmann::json& request);
  // Parses one request line and returns the reply line (without '\n'). Never throws.
  std::string HandleLine(const std::string& line);

 private:
  nlohmann::json Add(const nlohmann::json& request);
  nlohmann::json List();
  nlohmann::json Clear(const nlohmann::json& request);
  nlohmann::json Release(const nlohmann::json& request);
  nlohmann::json Conns();
  nlohmann::json KillConn(const nlohmann::json& request);
  void Log(const std::string& text);

  Proxy* proxy_;
  faultfs::FaultLog* log_;
};

}  // namespace reftarget::netfault
