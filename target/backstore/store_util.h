// Small helpers shared by the backstore kinds: labels for messages, range checks, errno text
// and a rate-limited I/O error log.
//
// The errno values every store reports through IoResult, for the SCSI layer's sense table:
//   EINVAL      range outside the store; BLOCK also: not aligned to the device's block (O_DIRECT)
//   EROFS       Write or Unmap on a read-only store
//   EOPNOTSUPP  Unmap on a store that is not thin
//   ESHUTDOWN   the store is being destroyed and no longer accepts work
//   ENOMEM      ramdisk could not allocate a chunk
//   otherwise   the kernel's errno from pread/pwrite/fdatasync/fallocate (EIO, ENOSPC, EDQUOT,
//               ENOTCONN, ...) after EINTR retries; EIO also for end of file inside the LUN
//               (backing file truncated) and for every Flush after an fdatasync failed
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "target/backstore/backstore.h"

namespace reftarget::backstore {

// Returns "plugin/name" (e.g. "fileio/disk0"), the prefix of every message about a store.
std::string StoreLabel(const BackstoreSpec& spec);

// Returns the strerror text for `err` ("Permission denied"); thread-safe.
std::string ErrnoText(int err);

// Returns true if [offset, offset+length) lies within [0, size) without overflow.
inline bool RangeWithin(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// Returns the name of `type` for messages ("read", "write", "flush", "unmap").
const char* IoTypeName(IoType type);

// Logs I/O errors of one store at warning level: the first kBurst, then every kEvery-th, so a
// dead disk under QD32 cannot flood the log. Thread-safe.
class IoErrorLog {
 public:
  static constexpr uint64_t kBurst = 10;
  static constexpr uint64_t kEvery = 1000;

  explicit IoErrorLog(std::string label) : label_(std::move(label)) {}
  // Records one failed operation; logs it if the rate limit allows.
  void Report(IoType type, uint64_t offset, uint64_t length, int err);
  // Returns how many failures were recorded.
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::string label_;
  std::atomic<uint64_t> count_{0};
};

}  // namespace reftarget::backstore
