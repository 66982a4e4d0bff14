#include "reports/testing/run_program.h"

#include "harness/process/child_process.h"

namespace harness::reports::testing {

Result<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds limit) {
  process::RunOptions options;
  options.limit = limit;
  options.separate_stderr = true;
  process::RunResult r = process::Run(argv, options);
  if (!r.started) return Status::Error(r.Describe());
  ProgramResult out;
  out.timed_out = r.timed_out;
  out.exit_code = r.timed_out || r.signal != 0 ? -1 : r.exit_code;
  out.out = std::move(r.output);
  out.err = std::move(r.error_output);
  return out;
}

std::string FindOnPath(const std::string& name) { return process::FindProgram(name); }

}  // namespace harness::reports::testing
