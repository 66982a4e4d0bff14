// RAMDISK (LIO's rd_mcp): a LUN in process memory, allocated lazily in 1 MiB chunks so that
// a large LUN costs only what has been written.
//
// Synchronous: every operation completes inline — `done` runs on the caller's thread before
// Read/Write/Flush/Unmap return. Memory never stalls, so no worker threads are needed, and
// callers already handle inline completion (Backstore's IoCompletion contract).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "target/backstore/backstore.h"
#include "target/common/status.h"

namespace reftarget::backstore {

class RamdiskBackstore : public Backstore {
 public:
  // Chunk granularity of allocation and of Unmap's freeing; a multiple of every block size.
  static constexpr uint64_t kChunkSize = uint64_t{1} << 20;
  // Lock shards: chunk i is guarded by shard i % kShards, so I/O to different chunks rarely
  // contends and no lock covers the whole disk.
  static constexpr size_t kShards = 64;
  // Largest accepted size: the chunk table costs 8 bytes per MiB of capacity.
  static constexpr uint64_t kMaxSize = uint64_t{16} << 40;

  // Makes a zero-filled ramdisk of spec.size bytes (rounded down to spec.block_size).
  // Returns an error naming the store if the size is 0 or above kMaxSize. (spec.nullio is
  // handled by OpenBackstore with a NullBackstore.)
  static Result<std::unique_ptr<RamdiskBackstore>> Open(const BackstoreSpec& spec);

  uint64_t size_bytes() const override { return size_.load(std::memory_order_acquire); }
  // write_back is always false: there is no cache in front of memory, so Flush has nothing
  // to do (LIO's rd_mcp reports WCE=0 too).
  Capabilities capabilities() const override { return caps_; }
  std::string kind() const override { return "ramdisk"; }
  bool Supports(IoType type) const override;
  void Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) override;
  void Write(uint64_t offset, std::span<const uint8_t> buf, bool fua, IoCompletion done) override;
  void Flush(IoCompletion done) override;
  // Frees every chunk the range covers whole and zeroes the partial ones.
  void Unmap(uint64_t offset, uint64_t length, IoCompletion done) override;
  // Returns true if every chunk the range touches is unallocated.
  bool IsDeallocated(uint64_t offset, uint64_t length) const override;
  // Disabling the (nonexistent) cache succeeds; enabling it is an error.
  Status SetWriteBack(bool enabled) override;
  // Grows the chunk table while every shard is held exclusively (no I/O is in a chunk then).
  Status Resize(uint64_t new_size) override;

  // Returns the bytes of memory allocated for written chunks.
  uint64_t allocated_bytes() const { return allocated_chunks_.load() * kChunkSize; }

  // Only Open() can make a Key; the constructor is public for std::make_unique.
  class Key {
    Key() = default;
    friend class RamdiskBackstore;
  };
  RamdiskBackstore(Key, std::string label, uint64_t size, Capabilities caps);

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  using Chunk = std::unique_ptr<uint8_t, FreeDeleter>;

  std::shared_mutex& ShardOf(uint64_t chunk) const { return shards_[chunk % kShards]; }

  const std::string label_;
  std::atomic<uint64_t> size_;
  const Capabilities caps_;
  std::vector<Chunk> chunks_;  // chunks_[i] guarded by ShardOf(i); null = all zeroes
  mutable std::shared_mutex shards_[kShards];
  std::atomic<uint64_t> allocated_chunks_{0};
};

}  // namespace reftarget::backstore
