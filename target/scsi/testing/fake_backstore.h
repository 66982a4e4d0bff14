// FakeBackstore (tests only): an in-memory Backstore whose operations can fail with a chosen
// errno (per operation type, for a count or forever, optionally only in a byte range), run
// inline or complete later on a separate thread, or be held until released. It records every
// operation so tests can check what the SCSI layer asked of the store (FUA, flush, unmap).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "target/backstore/backstore.h"

namespace reftarget::scsi::testing {

struct IoRecord {
  backstore::IoType type;
  uint64_t offset = 0;
  uint64_t length = 0;
  bool fua = false;
};

class FakeBackstore : public backstore::Backstore {
 public:
  struct Options {
    uint64_t size = uint64_t{16} << 20;
    uint32_t block_size = 512;
    bool thin = false;
    bool write_back = false;
    bool read_only = false;
    bool can_enable_write_back = true;  // SetWriteBack(true) succeeds
  };

  explicit FakeBackstore(Options options);
  ~FakeBackstore() override;

  uint64_t size_bytes() const override;
  backstore::Capabilities capabilities() const override;
  std::string kind() const override { return "fileio"; }
  bool Supports(backstore::IoType type) const override;
  void Read(uint64_t offset, std::span<uint8_t> buf, backstore::IoCompletion done) override;
  void Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
             backstore::IoCompletion done) override;
  void Flush(backstore::IoCompletion done) override;
  void Unmap(uint64_t offset, uint64_t length, backstore::IoCompletion done) override;
  bool IsDeallocated(uint64_t offset, uint64_t length) const override;
  Status SetWriteBack(bool enabled) override;

  // Makes the next `count` operations of `type` (overlapping [offset, offset+length) when
  // they have a range) fail with `error`; count -1 means forever.
  void InjectError(backstore::IoType type, int error, int count = -1, uint64_t offset = 0,
                   uint64_t length = std::numeric_limits<uint64_t>::max());
  void ClearErrors();
  // Completes operations on a separate thread after `delay` instead of inline.
  void SetAsync(bool async, std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  // While held, completions are queued until ReleaseHeld().
  void SetHold(bool hold);
  // Completes every held operation; returns how many.
  size_t ReleaseHeld();
  // Returns the number of operations held now.
  size_t HeldCount() const;
  // Changes the capacity (the contents are kept or zero-extended; unlike the real stores,
  // shrinking is allowed, for capacity tests).
  Status Resize(uint64_t size) override;
  // Reports `size` from size_bytes() without allocating it (capacity-field tests only; I/O
  // beyond the real contents fails with EINVAL). 0 restores the real size.
  void OverrideReportedSize(uint64_t size);

  // Direct access to the contents, bypassing the I/O path.
  std::vector<uint8_t> Peek(uint64_t offset, uint64_t length) const;
  void Poke(uint64_t offset, std::span<const uint8_t> data);
  std::vector<IoRecord> Records() const;
  void ClearRecords();
  size_t Count(backstore::IoType type) const;

 private:
  struct Fault {
    backstore::IoType type;
    int error;
    int count;
    uint64_t offset;
    uint64_t length;
  };
  // Returns the errno to fail with, or 0. REQUIRES: mu_ held.
  int TakeFault(backstore::IoType type, uint64_t offset, uint64_t length);
  // Runs `work` (which performs the operation and returns its errno) then `done`, inline or
  // on the worker, per the current mode.
  void Complete(std::function<int()> work, backstore::IoCompletion done);
  void WorkerLoop();

  const uint32_t block_size_;
  const bool thin_;
  const bool read_only_;
  const bool can_enable_write_back_;

  mutable std::mutex mu_;
  std::vector<uint8_t> data_;      // guarded by mu_
  std::vector<bool> deallocated_;  // per block; guarded by mu_
  bool write_back_;                // guarded by mu_
  uint64_t reported_size_ = 0;     // guarded by mu_
  std::vector<Fault> faults_;      // guarded by mu_
  std::vector<IoRecord> records_;  // guarded by mu_
  bool async_ = false;
  std::chrono::milliseconds delay_{0};
  bool hold_ = false;
  std::vector<std::function<void()>> held_;

  std::mutex qmu_;
  std::condition_variable qcv_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> queue_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace reftarget::scsi::testing
