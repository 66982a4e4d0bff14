// netfault-ctl's command line: words in, one control request out, and the reply as text.
// Kept apart from main() so that tests can check the parsing without a proxy.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "target/common/status.h"

namespace reftarget::netfault {

// The parsed command line.
struct CtlInvocation {
  std::string control;  // --control SOCKET (or $NETFAULT_CONTROL).
  bool json = false;    // --json: print the raw reply.
  int timeout_ms = 10000;
  nlohmann::json request;
};

// Parses argv (without the program name). Errors name the bad argument.
Result<CtlInvocation> ParseCtlArgs(const std::vector<std::string>& args);
// Returns the usage text.
std::string CtlUsage();
// Renders a successful reply to `request` for a person to read.
std::string FormatReply(const nlohmann::json& request, const nlohmann::json& reply);
// Runs netfault-ctl: parse, call, print. Returns 0 on success, 1 if netfault refused the
// request, 2 on a usage or connection error.
int CtlMain(const std::vector<std::string>& args);

}  // namespace reftarget::netfault
