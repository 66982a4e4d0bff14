// netfault's command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fault-injection/netfault/address.h"
#include "fault-injection/netfault/rules.h"
#include "target/common/status.h"

namespace reftarget::netfault {

struct Options {
  HostPort listen;                      // --listen 127.0.0.1:PORT or [::1]:PORT (0: pick).
  HostPort target;                      // --target HOST:PORT.
  std::string control;                  // --control SOCKET.
  std::string log;                      // --log FILE ("" = stderr).
  uint64_t seed = kDefaultSeed;         // --seed N.
  uint64_t max_buffer = 1 << 20;        // --max-buffer SIZE, per direction.
  uint32_t connect_timeout_ms = 10000;  // --connect-timeout MS.
  uint64_t max_connections = 1024;      // --max-connections N.
  bool help = false;
};

// Parses argv (without the program name). Checks that --listen is a loopback address.
// Errors name the flag.
Result<Options> ParseOptions(const std::vector<std::string>& args);
// Returns the usage text.
std::string Usage();

}  // namespace reftarget::netfault
