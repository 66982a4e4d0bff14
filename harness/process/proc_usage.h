// What a process holds, read from /proc: open file descriptors, resident memory and threads.
// The hotplug suite compares a target's figures before and after LUN churn (TEST-PLAN T44:
// "fd count back to baseline", "RSS growth"), so a leak per added LUN shows as growth.
#pragma once

#include <cstdint>
#include <string_view>

#include "harness/common/status.h"

namespace harness::process {

struct ProcessUsage {
  int64_t open_fds = 0;    // entries of /proc/PID/fd
  uint64_t rss_bytes = 0;  // VmRSS of /proc/PID/status
  int64_t threads = 0;     // Threads of /proc/PID/status
};

// Parses the text of /proc/PID/status into rss_bytes and threads (open_fds stays 0).
// Returns the failure naming the missing or malformed field ("VmRSS: not a number").
Result<ProcessUsage> ParseProcStatus(std::string_view status_text);

// Reads /proc/`pid`/status and counts /proc/`pid`/fd. Returns the failure naming the file
// (the process is gone, or another user's process without the right to read its fds).
Result<ProcessUsage> ReadProcessUsage(int pid);

}  // namespace harness::process
