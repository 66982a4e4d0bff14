// One request to a fault tool's control socket (faultfs, netfault: one JSON object per line
// each way, "ok": true or "ok": false with "error").
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/common/status.h"
#include "harness/process/child_process.h"

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

// Polls `ready` until it returns true, `tool` (the process `process`) exits, or `limit`
// passes. The failure says "`tool` exited (...) before `waiting_for`" or "`tool` did not
// finish `waiting_for` within N ms", with the tail of its log `log`.
Status WaitUntilReady(const std::string& tool, process::BackgroundProcess& process,
                      const std::function<bool()>& ready, const std::string& waiting_for,
                      std::chrono::milliseconds limit, const std::filesystem::path& log);

// Returns "; its log ends:\n" and the last lines of a tool's log `log` ("" if empty), for
// a failure message.
std::string ToolLogTail(const std::filesystem::path& log);

}  // namespace harness::faults
