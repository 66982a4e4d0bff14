// `iscsi-harness run`: parses the command line, makes the adapter, runs the chosen suites,
// writes report.json (the source of truth) and its renderings, and returns the exit status
// of DESIGN.md's contract: 0 all passed, 1 a test failed or regressed, 2 the harness could
// not run.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"
#include "harness/runner/suite.h"

namespace harness::runner {

struct RunArgs {
  std::string target = "reference";  // adapter name or iscsi:// URL
  std::vector<std::string> suites;   // empty: every suite
  std::filesystem::path out = "iscsi-harness-out";
  Profile profile = Profile::kQuick;
  std::optional<std::filesystem::path> baseline;
  // Where history.jsonl is appended (and read for the progress estimate); default: the
  // folder that holds --out, so runs into sibling folders share one history.
  std::optional<std::filesystem::path> history;
  bool allow_data_loss = false;
  int shard_index = 0;  // 0-based
  int shard_count = 1;
  std::filesystem::path reftarget;  // --reftarget PATH (reference adapter)
  std::vector<std::string> command_line;
};

// Parses `run` options (argv after "run"). Errors name the option and the value.
Result<RunArgs> ParseRunArgs(const std::vector<std::string>& args);

// Returns the suites the harness knows, in run order.
std::vector<std::unique_ptr<Suite>> AllSuites();

// Makes the adapter named by `args.target`, working under `work_dir`.
Result<std::unique_ptr<adapters::TargetAdapter>> MakeAdapter(const RunArgs& args,
                                                             const std::filesystem::path& work_dir);

// Runs `iscsi-harness run`; returns the process exit status.
int RunCommand(const RunArgs& args);

}  // namespace harness::runner
