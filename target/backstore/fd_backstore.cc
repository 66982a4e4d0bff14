#include "target/backstore/fd_backstore.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <functional>
#include <memory>
#include <utility>

#include "target/common/logging.h"

namespace reftarget::backstore {

FdBackstore::FdBackstore(Params params)
    : label_(std::move(params.label)),
      path_(std::move(params.path)),
      fd_(std::move(params.fd)),
      size_(params.size),
      caps_(params.caps),
      alignment_(params.alignment),
      write_back_(params.caps.write_back),
      error_log_(label_),
      pool_(label_, params.workers) {}

FdBackstore::~FdBackstore() {
  // The pool must drain before fd_ closes: a queued pread on a closed (or reused) fd number
  // would read some other file.
  pool_.Shutdown();
}

Status FdBackstore::Resize(uint64_t new_size) {
  const uint64_t old_size = size_bytes();
  struct stat st{};
  if (::fstat(fd_.get(), &st) != 0) return Status::Error(label_ + ": fstat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::Error(label_ + ": " + path_ + " is a device; its size is the device's");
  }
  if (new_size % caps_.block_size != 0) {
    return Status::Error(label_ + ": size " + std::to_string(new_size) +
                         " is not a multiple of the block size " + std::to_string(caps_.block_size));
  }
  if (new_size < old_size) {
    return Status::Error(label_ + ": shrinking from " + std::to_string(old_size) + " to " +
                         std::to_string(new_size) + " bytes would cut off written data; refused");
  }
  if (static_cast<uint64_t>(st.st_size) < new_size &&
      ::ftruncate(fd_.get(), static_cast<off_t>(new_size)) != 0) {
    return Status::Error(label_ + ": ftruncate " + path_ + " to " + std::to_string(new_size) +
                         ": " + std::strerror(errno));
  }
  size_.store(new_size, std::memory_order_release);
  RT_LOG(kInfo, "backstore") << label_ << ": resized from " << old_size << " to " << new_size << " bytes";
  return Status::Ok();
}

Capabilities FdBackstore::capabilities() const {
  Capabilities caps = caps_;
  caps.write_back = write_back_.load();
  return caps;
}

bool FdBackstore::Supports(IoType type) const {
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

bool FdBackstore::Aligned(const void* addr, uint64_t offset, uint64_t length) const {
  if (alignment_ == 0) return true;
  return reinterpret_cast<uintptr_t>(addr) % alignment_ == 0 && offset % alignment_ == 0 &&
         length % alignment_ == 0;
}

void FdBackstore::Queue(IoType type, uint64_t offset, uint64_t length, IoCompletion done,
                        std::function<int()> op) {
  // `done` is shared between the task and the refusal path: Submit drops the task when it
  // refuses it, so the completion must live outside it to run exactly once.
  auto shared_done = std::make_shared<IoCompletion>(std::move(done));
  bool queued = pool_.Submit([this, type, offset, length, shared_done, op = std::move(op)] {
    int err = op();
    if (err != 0) error_log_.Report(type, offset, length, err);
    (*shared_done)(IoResult{err});
  });
  if (!queued) (*shared_done)(IoResult{ESHUTDOWN});
}

void FdBackstore::Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) {
  if (!RangeWithin(offset, buf.size(), size_bytes()) || !Aligned(buf.data(), offset, buf.size())) {
    done(IoResult{EINVAL});
    return;
  }
  Queue(IoType::kRead, offset, buf.size(), std::move(done), [this, offset, buf] {
    reads_.fetch_add(1, std::memory_order_relaxed);
    return PreadFull(fd_.get(), buf, offset);
  });
}

void FdBackstore::Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
                        IoCompletion done) {
  if (caps_.read_only) {
    done(IoResult{EROFS});
    return;
  }
  if (!RangeWithin(offset, buf.size(), size_bytes()) || !Aligned(buf.data(), offset, buf.size())) {
    done(IoResult{EINVAL});
    return;
  }
  // SBC-3 §5.35: FUA=1 means the data is on the medium before GOOD; with the write cache
  // off (WCE=0) every write behaves so. The mode is sampled at submission, so a write
  // accepted under WCE=0 is durable even if WCE flips while it waits in the queue.
  const bool dsync = fua || !write_back_.load();
  Queue(IoType::kWrite, offset, buf.size(), std::move(done), [this, offset, buf, dsync] {
    writes_.fetch_add(1, std::memory_order_relaxed);
    int err = PwriteFull(fd_.get(), buf, offset, dsync, &rwf_dsync_ok_);
    if (dsync) {
      sync_writes_.fetch_add(1, std::memory_order_relaxed);
      if (!rwf_dsync_ok_.load(std::memory_order_relaxed)) {
        fallback_syncs_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    // A durable write that fails with EIO may have consumed a write-back error that
    // belonged to other, earlier writes (the kernel reports it once per open file), so
    // later flushes must fail too.
    if (dsync && err == EIO) {
      int expected = 0;
      sticky_flush_error_.compare_exchange_strong(expected, EIO);
    }
    return err;
  });
}

int FdBackstore::DoFlush() {
  flushes_.fetch_add(1, std::memory_order_relaxed);
  int sticky = sticky_flush_error_.load();
  if (sticky != 0) return sticky;
  int err = injected_sync_error_.exchange(0);
  if (err == 0) err = FdatasyncRetry(fd_.get());
  if (err != 0) {
    int expected = 0;
    if (sticky_flush_error_.compare_exchange_strong(expected, err)) {
      RT_LOG(kError, "backstore") << label_ << ": " << path_ << ": fdatasync: " << ErrnoText(err)
                                  << "; acknowledged writes may be lost, every later flush "
                                     "will fail until the store is reopened";
    }
  }
  return err;
}

void FdBackstore::Flush(IoCompletion done) {
  Queue(IoType::kFlush, 0, 0, std::move(done), [this] { return DoFlush(); });
}

void FdBackstore::Unmap(uint64_t offset, uint64_t length, IoCompletion done) {
  if (!Supports(IoType::kUnmap)) {
    done(IoResult{caps_.read_only ? EROFS : EOPNOTSUPP});
    return;
  }
  if (!RangeWithin(offset, length, size_bytes()) || !Aligned(nullptr, offset, length)) {
    done(IoResult{EINVAL});
    return;
  }
  Queue(IoType::kUnmap, offset, length, std::move(done), [this, offset, length] {
    unmaps_.fetch_add(1, std::memory_order_relaxed);
    return length == 0 ? 0 : DoUnmap(offset, length);
  });
}

Status FdBackstore::SetWriteBack(bool enabled) {
  bool was = write_back_.exchange(enabled);
  if (was && !enabled) {
    pool_.Submit([this] { DoFlush(); });
  }
  RT_LOG(kInfo, "backstore") << label_ << ": write_back " << (was ? "on" : "off") << " -> "
                             << (enabled ? "on" : "off");
  return Status::Ok();
}

FdBackstore::Counters FdBackstore::counters() const {
  Counters c;
  c.reads = reads_.load();
  c.writes = writes_.load();
  c.sync_writes = sync_writes_.load();
  c.fallback_syncs = fallback_syncs_.load();
  c.flushes = flushes_.load();
  c.unmaps = unmaps_.load();
  c.errors = error_log_.count();
  return c;
}

}  // namespace reftarget::backstore
