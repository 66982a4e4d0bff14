// Waiting for a background tool to become ready (a socket bound, a mount up), failing fast
// when it exits first: faultfs, netfault and reftarget's admin socket share it.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "harness/common/status.h"
#include "harness/process/child_process.h"

namespace harness::process {

// Polls `ready` until it returns true, `tool` (the process `process`) exits, or `limit`
// passes. The failure says "`tool` exited (...) before `waiting_for`" or "`tool` did not
// finish `waiting_for` within N ms", with the tail of its log `log`.
Status WaitUntilReady(const std::string& tool, BackgroundProcess& process,
                      const std::function<bool()>& ready, const std::string& waiting_for,
                      std::chrono::milliseconds limit, const std::filesystem::path& log);

// Returns "; its log ends:\n" and the last lines of a tool's log `log` ("" if empty), for
// a failure message.
std::string ToolLogTail(const std::filesystem::path& log);

}  // namespace harness::process
