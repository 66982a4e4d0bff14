// TCP helpers for the harness and its suites: a port that is free on loopback, a connect
// with a time limit, and a wait until a portal accepts connections. Hosts are numeric
// literals only ("127.0.0.1", "::1" or "[::1]"): the harness reaches loopback portals and
// never resolves names (ENVIRONMENT.md).
#pragma once

#include <chrono>
#include <string>

#include "harness/common/status.h"

namespace harness::net {

// Returns a TCP port on `host` that was free a moment ago (bind to port 0, read, close).
Result<int> PickFreePort(const std::string& host = "127.0.0.1");

// Connects to host:port within `limit`. Returns the connected blocking socket, TCP_NODELAY
// set, which the caller closes; the failure names host:port.
Result<int> ConnectTcp(const std::string& host, int port, std::chrono::milliseconds limit);

// Returns true once host:port accepts a TCP connection, trying at least once and until
// `limit` passes; false at once if `host` is not a numeric address.
bool WaitForTcpPort(const std::string& host, int port, std::chrono::milliseconds limit);

}  // namespace harness::net
