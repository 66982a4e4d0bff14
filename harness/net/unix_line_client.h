// One request-reply exchange over a Unix stream socket whose protocol is one line each way
// (faultfs's and netfault's control sockets, reftarget's admin socket).
#pragma once

#include <chrono>
#include <string>

#include "harness/common/status.h"

namespace harness::net {

// Connects to `socket_path`, sends `line` (a newline is added), and returns the first line
// of the reply without its newline. The whole exchange is bounded by `limit`. Errors name
// the socket and the step. Replies longer than `max_bytes` fail.
Result<std::string> UnixLineCall(const std::string& socket_path, const std::string& line,
                                 std::chrono::milliseconds limit,
                                 size_t max_bytes = size_t{4} << 20);

}  // namespace harness::net
