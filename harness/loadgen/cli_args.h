// The command line of `iscsi-loadgen`, parsed into a LoadConfig (kept apart from main.cc
// so that it is unit-tested). Every error names the option it is about.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "harness/loadgen/config.h"

namespace harness::loadgen {

struct CliOptions {
  LoadConfig config;
  std::string json_path;            // --json: write the RunResult JSON here ("-": stdout)
  std::string verify_journal_path;  // --verify-journal: read back a journal instead of a run
  uint64_t max_errors = 0;          // --max-errors: I/O errors tolerated before exit 1
  bool quiet = false;
  bool help = false;
};

// Parses `args` (without the program name). --opt VALUE and --opt=VALUE both work.
Result<CliOptions> ParseCommandLine(const std::vector<std::string>& args);

// Returns the --help text.
std::string Usage();

}  // namespace harness::loadgen
