// Running external programs with time limits (DESIGN.md: every external process has one),
// through Boost.Process. Output goes to files rather than pipes, so a chatty child never
// blocks on a full pipe and a killed one leaves its log behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/common/status.h"

namespace harness::process {

struct RunOptions {
  std::chrono::milliseconds limit{60'000};  // killed (with its process group) after this
  std::filesystem::path working_dir;         // empty: the current directory
  std::map<std::string, std::string> env;    // added to (or replacing in) the environment
  // Where stdout and stderr (merged) go; empty: a temporary file, read back and removed.
  std::filesystem::path output_file;
  size_t max_output_bytes = 16u << 20;  // how much of the output `Run` returns
  // Keep stderr apart (in RunResult::error_output) instead of merging it into `output`.
  bool separate_stderr = false;
};

struct RunResult {
  bool started = false;     // false: the program could not be started (see error)
  bool timed_out = false;   // killed at the limit
  bool interrupted = false; // killed because the harness was interrupted
  int exit_code = -1;       // valid when exited
  int signal = 0;           // the terminating signal, 0 if it exited
  std::string output;       // stdout, with stderr merged unless separate_stderr
  std::string error_output; // stderr when separate_stderr
  std::string error;        // why it did not start
  std::chrono::milliseconds duration{0};
  bool exited_ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // Returns "exit 0", "exit 3", "signal 9", "timed out after 60 s" or "not started: ...".
  std::string Describe() const;
};

// Asks every Run in progress to kill its child's process group and return at once, and every
// later Run to refuse to start (SIGINT/SIGTERM of the harness). Async-signal-safe.
void InterruptAll();
// Returns true once InterruptAll() was called.
bool Interrupted();

// Runs argv[0] (a path, or a name searched in PATH) with argv[1..] to completion or until
// the limit, whichever comes first. Never throws.
RunResult Run(const std::vector<std::string>& argv, const RunOptions& options);

// A long-running child (a target daemon, tgtd, faultfs) owned by the harness: stopped with
// SIGTERM, then SIGKILL after a grace period, when the object dies.
class BackgroundProcess {
 public:
  // Starts argv with stdout/stderr appended to `log_file`. Returns the failure if the
  // program cannot be started.
  static Result<std::unique_ptr<BackgroundProcess>> Start(
      const std::vector<std::string>& argv, const std::filesystem::path& log_file,
      const std::map<std::string, std::string>& env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const;
  // Returns true while the child has not exited (reaps it if it has).
  bool Alive();
  // Sends `sig` to the child (SIGSTOP/SIGCONT/SIGKILL for process faults).
  Status Signal(int sig);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns how it ended, as RunResult::Describe
  // words. Idempotent.
  std::string Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Waits up to `limit` for the child to exit by itself; returns true if it did.
  bool WaitForExit(std::chrono::milliseconds limit);
  // Returns "running", "exit N" or "signal N".
  std::string DescribeState();
  const std::filesystem::path& log_file() const { return log_file_; }

 private:
  struct Impl;
  explicit BackgroundProcess(std::unique_ptr<Impl> impl, std::filesystem::path log_file);
  std::unique_ptr<Impl> impl_;
  std::filesystem::path log_file_;
};

// Returns the last `max_bytes` bytes of a file, prefixed with "[... N bytes cut ...]" when
// it was longer ("" if it cannot be read): the captured output of a tool.
std::string TailBytesOfFile(const std::filesystem::path& path, size_t max_bytes);

// Returns the last `max_lines` lines of a text file ("" if it cannot be read).
std::string TailOfFile(const std::filesystem::path& path, size_t max_lines);

// True if process `pid` exists and has not exited. kill(pid, 0) alone also succeeds for a
// child that has exited but was not reaped yet (a zombie); this reads /proc to tell.
bool ProcessRunning(int pid);

// Returns the absolute path of `name` found in PATH (or `name` itself if it contains a
// slash and exists), or "" if not found.
std::string FindProgram(const std::string& name);

}  // namespace harness::process
