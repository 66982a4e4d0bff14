// One request to a fault tool's control socket (faultfs, netfault: one JSON object per line
// each way, "ok": true or "ok": false with "error").
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/common/status.h"

namespace harness::faults {

// Sends `request` to `tool`'s socket `socket_path` and returns the reply object, or the
// failure naming the tool and the request's "cmd" (a transport error, a reply that is not
// JSON, or the tool's own "error").
Result<nlohmann::json> ControlRequest(const std::string& tool, const std::string& socket_path,
                                      const nlohmann::json& request,
                                      std::chrono::milliseconds limit);

// Sends {"cmd": "add"} with `rule`'s fields to `tool` and returns the new rule's id.
Result<int> ControlAddRule(const std::string& tool, const std::string& socket_path,
                           const nlohmann::json& rule, std::chrono::milliseconds limit);

}  // namespace harness::faults
