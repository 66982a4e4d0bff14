// A client for the faultfs control socket, used by faultfs-ctl and by tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "target/common/status.h"

namespace reftarget::faultfs {

// Connects to `socket_path`, sends `request` as one line, and returns the reply object.
// Every step is bounded by `timeout_ms` in total. Errors name the socket and the step.
Result<nlohmann::json> ControlCall(const std::string& socket_path, const nlohmann::json& request,
                                   int timeout_ms = 10000);

}  // namespace reftarget::faultfs
