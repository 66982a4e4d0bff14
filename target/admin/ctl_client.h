// The client side of the admin socket, for reftarget-ctl and tests: one request line out,
// one answer line back.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "target/common/status.h"

namespace reftarget::admin {

// Where reftarget-ctl looks without --socket (the systemd unit's path).
inline constexpr const char* kDefaultAdminSocket = "/run/reftarget/admin.sock";

// Sends `request` to the reftarget serving `socket_path` and returns its answer. Errors
// (no such socket, nobody listening, no answer within `timeout`) name the path.
Result<nlohmann::json> SendRequest(const std::string& socket_path, const nlohmann::json& request,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace reftarget::admin
