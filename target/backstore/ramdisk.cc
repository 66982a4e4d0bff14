#include "target/backstore/ramdisk.h"

#include <array>

#include <errno.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>

#include "target/backstore/store_util.h"
#include "target/common/logging.h"

namespace reftarget::backstore {

Result<std::unique_ptr<RamdiskBackstore>> RamdiskBackstore::Open(const BackstoreSpec& spec) {
  const std::string label = StoreLabel(spec);
  if (spec.size > kMaxSize) {
    return Status::Error(label + ": size " + std::to_string(spec.size) + ": larger than the " +
                         std::to_string(kMaxSize) + "-byte ramdisk limit");
  }
  uint64_t size = spec.size - spec.size % spec.block_size;
  if (size == 0) {
    return Status::Error(label + ": size " + std::to_string(spec.size) +
                         ": a ramdisk needs at least one " + std::to_string(spec.block_size) +
                         "-byte block");
  }
  Capabilities caps;
  caps.block_size = spec.block_size;
  caps.read_only = spec.read_only;
  caps.thin = spec.thin;
  caps.write_back = false;
  RT_LOG(kInfo, "backstore") << label << ": ramdisk size " << size << " block_size "
                             << spec.block_size << (spec.thin ? " thin" : "");
  return std::make_unique<RamdiskBackstore>(Key(), label, size, caps);
}

RamdiskBackstore::RamdiskBackstore(Key, std::string label, uint64_t size, Capabilities caps)
    : label_(std::move(label)),
      size_(size),
      caps_(caps),
      chunks_((size + kChunkSize - 1) / kChunkSize) {}

Status RamdiskBackstore::Resize(uint64_t new_size) {
  const uint64_t old_size = size_bytes();
  if (new_size % caps_.block_size != 0 || new_size > kMaxSize) {
    return Status::Error(label_ + ": size " + std::to_string(new_size) +
                         " must be a multiple of the block size and at most " + std::to_string(kMaxSize));
  }
  if (new_size < old_size) {
    return Status::Error(label_ + ": shrinking from " + std::to_string(old_size) + " to " +
                         std::to_string(new_size) + " bytes would cut off written data; refused");
  }
  std::array<std::unique_lock<std::shared_mutex>, kShards> locks;
  for (size_t i = 0; i < kShards; ++i) locks[i] = std::unique_lock<std::shared_mutex>(shards_[i]);
  chunks_.resize((new_size + kChunkSize - 1) / kChunkSize);
  size_.store(new_size, std::memory_order_release);
  RT_LOG(kInfo, "backstore") << label_ << ": resized from " << old_size << " to " << new_size << " bytes";
  return Status::Ok();
}

bool RamdiskBackstore::Supports(IoType type) const {
  switch (type) {
    case IoType::kRead:
    case IoType::kFlush:
      return true;
    case IoType::kWrite:
      return !caps_.read_only;
    case IoType::kUnmap:
      return caps_.thin && !caps_.read_only;
  }
  return false;
}

void RamdiskBackstore::Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) {
  if (!RangeWithin(offset, buf.size(), size_bytes())) {
    done(IoResult{EINVAL});
    return;
  }
  size_t pos = 0;
  while (pos < buf.size()) {
    uint64_t at = offset + pos;
    uint64_t index = at / kChunkSize;
    uint64_t within = at % kChunkSize;
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size() - pos, kChunkSize - within));
    {
      std::shared_lock<std::shared_mutex> lock(ShardOf(index));
      const Chunk& chunk = chunks_[index];
      if (chunk) {
        std::memcpy(buf.data() + pos, chunk.get() + within, n);
      } else {
        std::memset(buf.data() + pos, 0, n);
      }
    }
    pos += n;
  }
  done(IoResult{});
}

void RamdiskBackstore::Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
                             IoCompletion done) {
  (void)fua;  // memory is the medium: every write is as durable as it will ever be
  if (caps_.read_only) {
    done(IoResult{EROFS});
    return;
  }
  if (!RangeWithin(offset, buf.size(), size_bytes())) {
    done(IoResult{EINVAL});
    return;
  }
  size_t pos = 0;
  while (pos < buf.size()) {
    uint64_t at = offset + pos;
    uint64_t index = at / kChunkSize;
    uint64_t within = at % kChunkSize;
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size() - pos, kChunkSize - within));
    {
      std::unique_lock<std::shared_mutex> lock(ShardOf(index));
      Chunk& chunk = chunks_[index];
      if (!chunk) {
        // calloc: zero-filled, and glibc skips the memset for fresh mmap-backed memory.
        chunk.reset(static_cast<uint8_t*>(std::calloc(1, kChunkSize)));
        if (!chunk) {
          lock.unlock();
          RT_LOG(kWarn, "backstore")
              << label_ << ": out of memory allocating a chunk at offset " << index * kChunkSize;
          // Earlier chunks of this write may have landed; SCSI allows a failed WRITE to
          // leave the range indeterminate.
          done(IoResult{ENOMEM});
          return;
        }
        allocated_chunks_.fetch_add(1, std::memory_order_relaxed);
      }
      std::memcpy(chunk.get() + within, buf.data() + pos, n);
    }
    pos += n;
  }
  done(IoResult{});
}

void RamdiskBackstore::Flush(IoCompletion done) { done(IoResult{}); }

void RamdiskBackstore::Unmap(uint64_t offset, uint64_t length, IoCompletion done) {
  if (!Supports(IoType::kUnmap)) {
    done(IoResult{caps_.read_only ? EROFS : EOPNOTSUPP});
    return;
  }
  if (!RangeWithin(offset, length, size_bytes())) {
    done(IoResult{EINVAL});
    return;
  }
  uint64_t pos = 0;
  while (pos < length) {
    uint64_t at = offset + pos;
    uint64_t index = at / kChunkSize;
    uint64_t within = at % kChunkSize;
    uint64_t n = std::min<uint64_t>(length - pos, kChunkSize - within);
    // The last chunk may extend past size_: covering up to size_ counts as whole.
    uint64_t chunk_end = std::min<uint64_t>(kChunkSize, size_bytes() - index * kChunkSize);
    Chunk released;  // freed after the lock is dropped
    {
      std::unique_lock<std::shared_mutex> lock(ShardOf(index));
      Chunk& chunk = chunks_[index];
      if (chunk) {
        if (within == 0 && n >= chunk_end) {
          released = std::move(chunk);
          allocated_chunks_.fetch_sub(1, std::memory_order_relaxed);
        } else {
          std::memset(chunk.get() + within, 0, static_cast<size_t>(n));
        }
      }
    }
    pos += n;
  }
  done(IoResult{});
}

bool RamdiskBackstore::IsDeallocated(uint64_t offset, uint64_t length) const {
  if (length == 0 || !RangeWithin(offset, length, size_bytes())) return false;
  uint64_t first = offset / kChunkSize;
  uint64_t last = (offset + length - 1) / kChunkSize;
  for (uint64_t i = first; i <= last; ++i) {
    std::shared_lock<std::shared_mutex> lock(ShardOf(i));
    if (chunks_[i]) return false;
  }
  return true;
}

Status RamdiskBackstore::SetWriteBack(bool enabled) {
  if (!enabled) return Status::Ok();
  return Status::Error(label_ + ": write_back: a ramdisk has no volatile cache to enable");
}

}  // namespace reftarget::backstore
