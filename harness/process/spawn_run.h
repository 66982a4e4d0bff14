// SpawnRun: process::Run's contract (time limit, process-group kill, interrupt, output
// captured to a file), but the child is started with posix_spawn, which glibc implements with
// clone(CLONE_VM | CLONE_VFORK): the harness's address space is neither copied nor
// write-protected. Boost.Process forks; a fork of the harness while its load generator runs
// write-protects every page the I/O threads touch, and on the 2-core test machine one
// process::Run every 100 ms cost a loopback QD8 load 25-30% of its IOPS, against 3% with
// posix_spawn (measured; suites/hotplug/README.md). Tools the harness runs while it measures
// I/O (tgtadm, reftarget-ctl during the hotplug suite) go through this.
#pragma once

#include <string>
#include <vector>

#include "harness/process/child_process.h"

namespace harness::process {

// Runs argv[0] (a path, or a name searched in PATH) with argv[1..] to completion or until
// options.limit, as Run() does (same RunResult, same options, stdin from /dev/null). Never
// throws.
RunResult SpawnRun(const std::vector<std::string>& argv, const RunOptions& options);

}  // namespace harness::process
