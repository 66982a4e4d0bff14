// Runs external programs (iscsi-test-cu, fio, losetup, faultfs) with a hard time limit.
// The harness judges from outside, so every tool runs as its own process; none is ever
// started through a shell (no system()).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace itest {

struct ProcessResult {
  int exit_code = -1;   // exit status when the process exited normally, else -1
  int term_signal = 0;  // signal that ended it, else 0
  bool timed_out = false;
  bool spawn_failed = false;
  std::string out;  // captured stdout
  std::string err;  // captured stderr (or the spawn error)
  std::chrono::milliseconds elapsed{0};

  // Returns true when the process exited by itself with status 0.
  bool Ok() const { return !timed_out && !spawn_failed && term_signal == 0 && exit_code == 0; }
  // Returns "exit 1", "signal 9", "timed out after 30000 ms" or "spawn failed: ...".
  std::string Describe() const;
};

// Runs argv[0] (looked up in PATH) with `argv`, capturing stdout and stderr. The child runs
// in its own process group; when `timeout` passes, the whole group gets SIGKILL.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// Starts argv in a new process group with stdin from /dev/null, stdout and stderr appended
// to `log_path` (or /dev/null if empty). Returns the pid, or -1 with `*error` set.
pid_t SpawnBackground(const std::vector<std::string>& argv, const std::string& log_path,
                      std::string* error);

// Sends SIGTERM to `pid`, waits up to `grace`, then SIGKILLs its process group and reaps it.
// Returns the wait status (as from waitpid), or -1 if the pid could not be reaped.
int TerminateAndReap(pid_t pid, std::chrono::milliseconds grace);

// Returns true while `pid` (a child of this process) has not exited; reaps it if it has,
// storing the wait status in `*status` when not null.
bool ChildAlive(pid_t pid, int* status);

}  // namespace itest
