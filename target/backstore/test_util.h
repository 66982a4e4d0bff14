// Test helpers for the backstore tests: temporary directories, waiting for completions,
// running a command without a shell, and loop devices that always get detached.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "target/backstore/backstore.h"
#include "target/common/status.h"

namespace reftarget::backstore::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Returns path()/name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Collects one completion; safe to outlive (the callback keeps the state alive).
class Pending {
 public:
  Pending();
  // Returns the completion to hand to the store. Call once.
  IoCompletion Callback();
  // Waits up to `timeout` for the completion; returns it, or nullopt on timeout.
  std::optional<IoResult> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Returns true if the completion has run.
  bool done() const;
  // Returns how many times the completion ran (must end up 1).
  int calls() const;

 private:
  struct State {
    mutable std::mutex mu;
    std::condition_variable cv;
    int calls = 0;
    IoResult result;
  };
  std::shared_ptr<State> state_;
};

// Synchronous wrappers: submit, wait up to 10 s, return the result (ETIMEDOUT on timeout).
IoResult ReadSync(Backstore& store, uint64_t offset, std::span<uint8_t> buf);
IoResult WriteSync(Backstore& store, uint64_t offset, std::span<const uint8_t> buf,
                   bool fua = false);
IoResult FlushSync(Backstore& store);
IoResult UnmapSync(Backstore& store, uint64_t offset, uint64_t length);

// Fills `buf` with a pattern that depends on `seed` and on each byte's position.
void FillPattern(std::span<uint8_t> buf, uint64_t seed);

// Runs argv[0] (looked up in PATH) with posix_spawn, no shell. Returns its stdout, or an
// error naming the command and its exit status.
Result<std::string> RunCommand(const std::vector<std::string>& argv);

// A loop device over a file, detached ("losetup -d") on destruction even if a test fails.
class LoopDevice {
 public:
  // Returns a reason to skip loop-device tests ("" if they can run).
  static std::string SkipReason();
  // Attaches `file` with "losetup -f --show [extra_args...] FILE".
  static Result<std::unique_ptr<LoopDevice>> Attach(const std::string& file,
                                                    const std::vector<std::string>& extra_args);
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  const std::string& path() const { return path_; }

  explicit LoopDevice(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

}  // namespace reftarget::backstore::testing
