// Test helper: runs an external program (xmllint, chromium) with a time limit and captures
// its output, through harness_process (Boost.Process, never system()); the child gets its own
// process group so that a time-out kills every process it started.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "reports/status.h"

namespace harness::reports::testing {

struct ProgramResult {
  int exit_code = -1;  // -1 if killed by a signal or the time limit
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (an absolute path) with `argv`, stdin from /dev/null; kills its process
// group after `limit`. Fails only if the program cannot be started.
Result<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds limit);

// Returns the absolute path of the first executable `name` on $PATH, "" if none.
std::string FindOnPath(const std::string& name);

}  // namespace harness::reports::testing
