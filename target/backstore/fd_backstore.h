// FdBackstore: the part FILEIO and BLOCK share — one fd, one worker pool, pread/pwrite on
// the workers, FUA and write-through as per-write RWF_DSYNC, Flush as fdatasync, and a
// sticky flush error.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "target/backstore/backstore.h"
#include "target/backstore/fd_io.h"
#include "target/backstore/store_util.h"
#include "target/backstore/worker_pool.h"

namespace reftarget::backstore {

class FdBackstore : public Backstore {
 public:
  // What the store did, for tests and statistics. Each field is a running total.
  struct Counters {
    uint64_t reads = 0;
    uint64_t writes = 0;
    uint64_t sync_writes = 0;     // writes made durable before completion (FUA or WCE=0)
    uint64_t fallback_syncs = 0;  // of those, done as pwrite+fdatasync (no RWF_DSYNC)
    uint64_t flushes = 0;         // fdatasync calls for Flush and mode switches
    uint64_t unmaps = 0;
    uint64_t errors = 0;
  };

  // Completes every queued operation, waits for running ones, then closes the fd.
  // REQUIRES: not called from a completion callback of this store.
  ~FdBackstore() override;

  uint64_t size_bytes() const override { return size_.load(std::memory_order_acquire); }
  Capabilities capabilities() const override;
  bool Supports(IoType type) const override;
  void Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) override;
  void Write(uint64_t offset, std::span<const uint8_t> buf, bool fua, IoCompletion done) override;
  // Makes completed writes durable. Once an fdatasync has failed, every later Flush fails
  // with the same errno: Linux reports a lost write-back page to one fsync only, and a SYNC
  // CACHE that returns GOOD after data was lost would be a lie (the "fsyncgate" lesson).
  void Flush(IoCompletion done) override;
  void Unmap(uint64_t offset, uint64_t length, IoCompletion done) override;
  // Switches per-write durability. Turning write-back off also queues an fdatasync so that
  // writes acknowledged under write-back reach the medium without waiting for a SYNC CACHE;
  // its failure, if any, becomes the sticky flush error. Never blocks on the device.
  Status SetWriteBack(bool enabled) override;
  // A regular file grows (sparsely) with ftruncate; a block device's size is the device's.
  Status Resize(uint64_t new_size) override;

  // Returns the file or device path.
  const std::string& path() const { return path_; }
  // Returns a snapshot of the counters.
  Counters counters() const;
  // Returns the sticky flush error (0 if none).
  int sticky_flush_error() const { return sticky_flush_error_.load(); }
  // Forces the pwrite+fdatasync path for durable writes, as on a kernel without RWF_DSYNC.
  void DisableRwfDsyncForTesting() { rwf_dsync_ok_.store(false); }
  // Makes the next fdatasync report `err` (as after a lost write-back page) without calling
  // it, so tests can check the sticky flush error.
  void InjectSyncErrorForTesting(int err) { injected_sync_error_.store(err); }

 protected:
  struct Params {
    std::string label;  // "fileio/disk0"
    std::string path;
    ScopedFd fd;
    uint64_t size = 0;  // capacity, a multiple of caps.block_size
    Capabilities caps;
    unsigned workers = 4;
    uint32_t alignment = 0;  // O_DIRECT: buffer address, offset and length multiple; 0 = none
  };
  explicit FdBackstore(Params params);

  // Deallocates the range so that it reads back as zeroes. Runs on a worker thread.
  // Returns 0 or an errno.
  virtual int DoUnmap(uint64_t offset, uint64_t length) = 0;

  int fd() const { return fd_.get(); }
  const std::string& label() const { return label_; }

 private:
  // Queues `op` (returning an errno) on the pool and completes `done` with its result;
  // completes inline with ESHUTDOWN if the pool no longer accepts work.
  void Queue(IoType type, uint64_t offset, uint64_t length, IoCompletion done,
             std::function<int()> op);
  bool Aligned(const void* addr, uint64_t offset, uint64_t length) const;
  int DoFlush();

  const std::string label_;
  const std::string path_;
  ScopedFd fd_;
  std::atomic<uint64_t> size_;
  const Capabilities caps_;
  const uint32_t alignment_;
  std::atomic<bool> write_back_;
  std::atomic<bool> rwf_dsync_ok_{true};
  std::atomic<int> sticky_flush_error_{0};
  std::atomic<int> injected_sync_error_{0};
  IoErrorLog error_log_;

  std::atomic<uint64_t> reads_{0}, writes_{0}, sync_writes_{0}, fallback_syncs_{0}, flushes_{0},
      unmaps_{0};

  // Last member: destroyed (drained) first while everything above is still valid.
  WorkerPool pool_;
};

}  // namespace reftarget::backstore
