// Text forms of the netfault vocabulary, shared by the control protocol, the CLI and the
// fault log so that all three spell things alike. Sizes use faultfs::ParseSize.
#pragma once

#include <string>
#include <string_view>

#include "fault-injection/netfault/rules.h"
#include "target/common/status.h"

namespace reftarget::netfault {

// Parses "up|down|both".
Result<DirSelector> ParseDirSelector(std::string_view text);
const char* DirSelectorName(DirSelector selector);
// Returns "up" or "down".
const char* DirectionName(Direction dir);

// Parses "delay|rate|blackhole|drop|reset|half-close|flip|split|stall".
Result<Action> ParseAction(std::string_view text);
const char* ActionName(Action action);

// Returns the fault log line body (no timestamp):
//   fault rule=3 conn=2 dir=up offset=1048576 length=4096 action=delay delay_ms=200
std::string FaultLine(const FaultEvent& event);

}  // namespace reftarget::netfault
