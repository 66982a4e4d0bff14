// Backing storage an adapter creates for a LUN: sparse files and loop devices over them,
// removed when the owner dies (loop devices detached first).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/common/status.h"

namespace harness::adapters {

class BackingFiles {
 public:
  // Creates nothing yet; files go under `dir` (created if missing).
  explicit BackingFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~BackingFiles();
  BackingFiles(const BackingFiles&) = delete;
  BackingFiles& operator=(const BackingFiles&) = delete;

  // Creates (or truncates) the sparse file `dir/name` of `size` bytes; returns its path.
  Result<std::filesystem::path> SparseFile(const std::string& name, uint64_t size);
  // Attaches a loop device over `file` (losetup, needs root); returns "/dev/loopN".
  // `direct_io` asks the loop driver for O_DIRECT on the file.
  Result<std::filesystem::path> LoopDevice(const std::filesystem::path& file, bool direct_io);
  // Detaches every loop device and removes every file created so far.
  void Release();
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::filesystem::path> files_;
  std::vector<std::filesystem::path> loops_;
};

// Returns a TCP port on `host` that was free a moment ago (bind to port 0, then close).
Result<int> PickFreePort(const std::string& host = "127.0.0.1");
// Waits until `host:port` accepts TCP connections, or `limit` passes. Returns true if it did.
bool WaitForPort(const std::string& host, int port, std::chrono::milliseconds limit);

}  // namespace harness::adapters
