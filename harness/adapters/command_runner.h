// Running an external admin tool (losetup, targetcli, scstadmin) from an adapter: through an
// injectable runner so that tests can see (and refuse) every command without running
// anything, with a time limit, and with secrets redacted from every message.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "harness/process/child_process.h"

namespace harness::adapters {

// Runs one external command.
using CommandRunner = std::function<process::RunResult(const std::vector<std::string>& argv,
                                                       const process::RunOptions& options)>;

// Returns a runner that calls process::Run.
CommandRunner DefaultCommandRunner();

// Returns `argv` as one line for messages, each secret in `secrets` replaced by "***" and
// arguments with blanks single-quoted.
std::string DescribeCommand(const std::vector<std::string>& argv,
                            const std::vector<std::string>& secrets);

// Returns `text` with every occurrence of every non-empty secret replaced by "***".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

// Runs `argv` with `limit`. Returns the failure as "`CMD` failed (exit 1): OUTPUT", secrets
// redacted from both the command and its output; on success returns the output.
Result<std::string> RunTool(const CommandRunner& runner, const std::vector<std::string>& argv,
                            std::chrono::milliseconds limit,
                            const std::vector<std::string>& secrets);

// Returns `s` without leading blanks and newlines and trailing blanks, CRs and newlines.
std::string TrimOutput(std::string s);

}  // namespace harness::adapters
