// Test support for faultfs_integration_test: a temporary tree, the faultfs daemon as a
// child process in an RAII guard that always unmounts, and bounded child processes.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "target/common/status.h"

namespace reftarget::faultfs::testing {

// A fresh directory under /tmp with src/ and mnt/; removed (without crossing into a mount
// that is still there) when destroyed.
class TempTree {
 public:
  TempTree();
  ~TempTree();
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  std::string root() const { return root_; }
  std::string src() const { return root_ + "/src"; }
  std::string mnt() const { return root_ + "/mnt"; }
  std::string sock() const { return root_ + "/ctl.sock"; }
  std::string log() const { return root_ + "/faults.log"; }
  std::string daemon_output() const { return root_ + "/daemon.out"; }

 private:
  std::string root_;
};

// Returns true if `path` is a mount point (or a dead FUSE mount).
bool IsMountPoint(const std::string& path);
// Returns the file's contents ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// Result of a child process run to completion.
struct ProcessResult {
  bool timed_out = false;
  int exit_code = -1;  // -1 if killed by a signal.
  std::string output;  // stdout and stderr together.
};
// Runs argv[0] with posix_spawn (no shell) and waits at most `timeout`; kills it after.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// The faultfs daemon as a child. The destructor stops it (SIGTERM, then SIGKILL) and makes
// sure the mount is gone (umount2 MNT_DETACH as root, else fusermount3 -u -z).
class FaultFsDaemon {
 public:
  FaultFsDaemon(std::string binary, const TempTree& tree);
  ~FaultFsDaemon();
  FaultFsDaemon(const FaultFsDaemon&) = delete;
  FaultFsDaemon& operator=(const FaultFsDaemon&) = delete;

  // Spawns faultfs with `extra` arguments and waits (bounded) for the mount and the socket.
  Status Start(const std::vector<std::string>& extra = {});
  // Sends `request` over the control socket; returns the reply or the failure.
  Result<nlohmann::json> Call(const nlohmann::json& request);
  // Adds a rule; returns its id, or 0 (and records a test failure) if the daemon refused.
  uint64_t AddRule(const nlohmann::json& rule);
  // Sends `sig` to the daemon.
  void Signal(int sig);
  // Waits up to `timeout` for the daemon to exit; returns its wait status or nullopt.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);
  // Kills the daemon at once (aborting the FUSE connection, which fails pending I/O).
  void Kill();
  // Stops the daemon and removes the mount. Idempotent.
  void Stop();
  pid_t pid() const { return pid_; }

 private:
  void EnsureUnmounted();

  const std::string binary_;
  const TempTree& tree_;
  pid_t pid_ = -1;
  std::mutex mu_;
};

// Runs `io` on a thread and reports its result with bounded waits. If it has not finished
// when destroyed, the daemon is killed first so that the blocked system call returns.
class BackgroundIo {
 public:
  BackgroundIo(FaultFsDaemon* daemon, std::function<ssize_t()> io);
  ~BackgroundIo();
  BackgroundIo(const BackgroundIo&) = delete;
  BackgroundIo& operator=(const BackgroundIo&) = delete;
  // Returns true once `io` has returned, waiting at most `timeout`.
  bool WaitDone(std::chrono::milliseconds timeout);
  // REQUIRES: WaitDone() returned true.
  ssize_t result() const { return state_->result; }
  int error() const { return state_->error; }

 private:
  // Shared with the thread, so that a thread detached as a last resort never touches freed
  // memory.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    ssize_t result = 0;
    int error = 0;
  };
  FaultFsDaemon* daemon_;
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace reftarget::faultfs::testing
