// CPU time from /proc: a process's (every thread's user and system time, /proc/PID/stat
// fields 14 and 15) and the whole machine's (the "cpu" line of /proc/stat). The performance
// suite divides the difference over a run by the I/Os it completed: CPU per I/O is what
// decides throughput when initiator and target share two cores.
#pragma once

#include <string_view>

#include "harness/common/status.h"

namespace harness::process {

struct ProcessCpu {
  double user_s = 0;
  double system_s = 0;
  double total_s() const { return user_s + system_s; }
};

struct MachineCpu {
  double busy_s = 0;  // user + nice + system + irq + softirq + steal, all CPUs
  double idle_s = 0;  // idle + iowait, all CPUs
};

// Parses the text of /proc/PID/stat with `ticks_per_s` clock ticks per second. The command
// name (field 2) may hold blanks and parentheses, so fields are counted after its last ')'.
Result<ProcessCpu> ParseProcPidStat(std::string_view text, long ticks_per_s);
// Parses the "cpu" line of /proc/stat.
Result<MachineCpu> ParseProcStat(std::string_view text, long ticks_per_s);

// Reads /proc/`pid`/stat; the failure names the file (the process is gone).
Result<ProcessCpu> ReadProcessCpu(int pid);
// Reads /proc/stat.
Result<MachineCpu> ReadMachineCpu();

}  // namespace harness::process
