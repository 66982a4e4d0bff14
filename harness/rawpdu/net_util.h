// Loopback socket helpers. Tests listen and connect on 127.0.0.1 only.
#pragma once

#include <chrono>
#include <string>

namespace harness::rawpdu {

// Returns a TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read, close),
// or -1 with `*error` set.
int PickFreePort(std::string* error);

// Connects to host:port within `timeout`. Returns the blocking socket fd, or -1 with
// `*error` set.
int ConnectTcp(const std::string& host, int port, std::chrono::milliseconds timeout,
               std::string* error);

// Returns true once host:port accepts a TCP connection, trying until `timeout` passes.
bool WaitForTcpPort(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace harness::rawpdu
