// FaultfsDaemon: a faultfs process (fault-injection/faultfs) the harness runs over a source
// directory, so that a target's backing files (and loop devices over them) meet real EIO,
// ENOSPC, latency, hangs and power cuts, set and cleared through its control socket while
// the target runs. Stopping it releases every hang first, so no thread of the target stays
// stuck in the kernel, and removes the mount even if the daemon was killed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/common/status.h"
#include "harness/process/child_process.h"

namespace harness::faults {

struct FaultfsOptions {
  std::filesystem::path binary;   // empty: FindFaultfs()
  std::filesystem::path source;   // the directory passed through (created if missing)
  std::filesystem::path mount;    // where it is mounted (created if missing)
  std::filesystem::path control;  // its control socket; at most 107 bytes
  std::filesystem::path log;      // its output and fault log
  std::chrono::milliseconds start_limit{10'000};
  std::chrono::milliseconds call_limit{10'000};  // per control request
};

// Returns faultfs's path ($FAULTFS_BIN, the build tree beside the harness, PATH) or "".
std::filesystem::path FindFaultfs();
// Returns "" if faultfs can run here, else why not (no binary, no usable /dev/fuse, not root).
std::string WhyFaultfsUnavailable();
// Returns true if `path` is a mount point in /proc/self/mountinfo.
bool IsMountPoint(const std::filesystem::path& path);

class FaultfsDaemon {
 public:
  // Starts faultfs and waits until the mount and its control socket answer. The failure
  // names the step and quotes the log's tail.
  static Result<std::unique_ptr<FaultfsDaemon>> Start(FaultfsOptions options);
  // Only Start makes one.
  class Key {
    friend class FaultfsDaemon;
    Key() = default;
  };
  FaultfsDaemon(Key, FaultfsOptions options) : options_(std::move(options)) {}
  ~FaultfsDaemon();
  FaultfsDaemon(const FaultfsDaemon&) = delete;
  FaultfsDaemon& operator=(const FaultfsDaemon&) = delete;

  // Sends one control request (README "Control socket"); returns the reply or the error it
  // gave, naming the command.
  Result<nlohmann::json> Call(const nlohmann::json& request);
  // Adds a rule (fields as faultfs-ctl add takes them: file, op, offset, length, errno,
  // delay_ms, hang, corrupt, short, count, probability); returns its id.
  Result<int> AddRule(const nlohmann::json& rule);
  // Removes every rule (hung requests continue).
  Status ClearRules();
  // Wakes every hung request; returns how many.
  Result<uint64_t> ReleaseHangs();
  // Drops what was written to `file` (relative to the mount) since its last fsync.
  Result<nlohmann::json> PowerCut(const std::string& file);
  // SIGKILLs the daemon: files under the mount then fail with ENOTCONN (a dead disk driver).
  Status Kill();
  // Releases hangs, stops the daemon and removes the mount. Idempotent.
  Status Stop();

  bool alive();
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  const std::filesystem::path& mount() const { return options_.mount; }
  const std::filesystem::path& source() const { return options_.source; }
  // Returns the mount's path for `file` (relative).
  std::filesystem::path PathOf(const std::string& file) const { return options_.mount / file; }

 private:
  // Lazily unmounts what a dead daemon left behind.
  void Unmount();

  FaultfsOptions options_;
  std::unique_ptr<process::BackgroundProcess> process_;
};

}  // namespace harness::faults
