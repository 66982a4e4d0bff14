// File-descriptor plumbing shared by the FILEIO and BLOCK stores: an owning fd and
// pread/pwrite loops that finish short transfers and retry EINTR.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

namespace reftarget::backstore {

// Owns one file descriptor; closes it on destruction. Move-only.
class ScopedFd {
 public:
  ScopedFd() = default;
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() { Reset(); }
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.Release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Returns the fd and gives up ownership.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the fd (if any).
  void Reset();

 private:
  int fd_ = -1;
};

// Reads exactly buf.size() bytes at `offset`. Returns 0 or an errno. Short reads are
// continued and EINTR retried; end of file before the buffer is full (the backing file was
// truncated under a live LUN) is EIO, never silently zero-filled.
int PreadFull(int fd, std::span<uint8_t> buf, uint64_t offset);

// Writes exactly buf.size() bytes at `offset`. Returns 0 or an errno. With `dsync` the
// bytes are durable on return: pwritev2(RWF_DSYNC) where the kernel supports it, else
// pwrite followed by fdatasync (`rwf_dsync_ok` caches which, shared per store). A write
// that makes no progress is EIO rather than a retry loop.
int PwriteFull(int fd, std::span<const uint8_t> buf, uint64_t offset, bool dsync,
               std::atomic<bool>* rwf_dsync_ok);

// fdatasync(fd), retrying EINTR. Returns 0 or an errno.
int FdatasyncRetry(int fd);

}  // namespace reftarget::backstore
