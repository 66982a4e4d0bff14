// Durability tracking for simulated power loss (leveldb's FaultInjectionTestEnv, extended
// from "append-only, drop past the synced length" to in-place overwrites).
//
// Per file (keyed by device and inode, so renames keep their state) it keeps:
//   - synced_size: the size at the last fsync (or when the file was first seen);
//   - unsynced: the extents written since the last fsync;
//   - a shadow: the synced bytes that unsynced writes, hole punches and truncations have
//     replaced, saved before the first such change of each byte in a sync epoch.
// PowerCut writes the shadow back and truncates to synced_size: the file then holds what a
// disk that lost its volatile cache would hold.
//
// Memory cost: the shadow holds at most one copy of each synced byte changed since the
// file's last fsync, plus about 100 bytes per extent; new bytes past synced_size cost only
// an extent. Past `shadow_limit_bytes` (all files together) a file is marked overflowed,
// its shadow is dropped, and PowerCut refuses it until its next fsync.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fault-injection/faultfs/extent_set.h"
#include "target/common/status.h"

namespace reftarget::faultfs {

struct UnsyncedReport {
  bool tracked = false;  // False if no change was seen since the file was first used.
  uint64_t size = 0;     // Current size.
  uint64_t synced_size = 0;
  std::vector<Extent> unsynced;
  uint64_t unsynced_bytes = 0;
  uint64_t shadow_bytes = 0;
  std::string broken;  // Why PowerCut is refused (shadow limit, read error); "" if not.
};

struct PowerCutReport {
  uint64_t restored_bytes = 0;  // Synced bytes written back from the shadow.
  uint64_t restored_extents = 0;
  uint64_t dropped_bytes = 0;  // Unsynced bytes that the power cut lost.
  uint64_t size_before = 0;
  uint64_t size_after = 0;
};

// Thread-safe. Every mutating call runs the caller's I/O under the file's lock so that the
// shadow capture and the change are atomic with respect to other writers of that file.
class DurabilityTracker {
 public:
  explicit DurabilityTracker(uint64_t shadow_limit_bytes);
  DurabilityTracker(const DurabilityTracker&) = delete;
  DurabilityTracker& operator=(const DurabilityTracker&) = delete;

  // Saves the synced bytes in [offset, offset + length) of `fd`, then runs `write`, which
  // returns bytes written or -errno. `durable` (O_SYNC/O_DSYNC) makes the written bytes
  // synced at once. Returns what `write` returned.
  ssize_t Write(int fd, uint64_t offset, uint64_t length, bool durable,
                const std::function<ssize_t()>& write);
  // Like Write for a change that zeroes [offset, offset + length) in place (punch hole).
  int Zero(int fd, uint64_t offset, uint64_t length, const std::function<int()>& zero);
  // Saves the synced bytes past `new_size`, then runs `truncate` (0 or -errno).
  int Truncate(int fd, uint64_t new_size, const std::function<int()>& truncate);
  // Runs `sync` (0 or -errno); on success everything written so far is synced.
  int Sync(int fd, const std::function<int()>& sync);
  // Drops the state of `fd`'s file (a new file reusing an inode, or the last link gone).
  void Forget(int fd);
  void ForgetKey(dev_t dev, ino_t ino);

  // Returns the durability state of `fd`'s file.
  Result<UnsyncedReport> Unsynced(int fd);
  // Reverts `fd`'s file to its synced contents, fsyncs it, and clears its state.
  Result<PowerCutReport> PowerCut(int fd);
  // Returns the shadow bytes held for all files.
  uint64_t shadow_bytes() const { return shadow_bytes_.load(); }

 private:
  struct FileState {
    std::mutex mu;
    uint64_t synced_size = 0;
    ExtentSet unsynced;
    ExtentSet shadow_cover;
    std::map<uint64_t, std::string> shadow;  // offset -> saved synced bytes; disjoint.
    std::string broken;  // Set when the shadow is incomplete; cleared by the next fsync.
  };
  struct Key {
    dev_t dev;
    ino_t ino;
    bool operator<(const Key& o) const { return dev != o.dev ? dev < o.dev : ino < o.ino; }
  };

  // Returns the state of `fd`'s file, creating it (synced_size = current size) if needed.
  Result<std::shared_ptr<FileState>> StateFor(int fd, bool create);
  // Saves the synced bytes of [offset, end) not yet saved. REQUIRES: state->mu held.
  void Capture(int fd, FileState* state, uint64_t offset, uint64_t end);
  // Removes [offset, end) from the shadow. REQUIRES: state->mu held.
  void EraseShadow(FileState* state, uint64_t offset, uint64_t end);
  // Frees the whole shadow of `state`. REQUIRES: state->mu held.
  void DropShadow(FileState* state);

  const uint64_t shadow_limit_bytes_;
  std::atomic<uint64_t> shadow_bytes_{0};
  std::mutex mu_;
  std::map<Key, std::shared_ptr<FileState>> files_;
};

}  // namespace reftarget::faultfs
