#include "target/backstore/fd_io.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

namespace reftarget::backstore {

void ScopedFd::Reset() {
  if (fd_ >= 0) {
    // Linux closes the fd even when close() reports EINTR, so never retry it.
    ::close(fd_);
    fd_ = -1;
  }
}

int PreadFull(int fd, std::span<uint8_t> buf, uint64_t offset) {
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n =
        ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;  // EOF inside the LUN's capacity
    done += static_cast<size_t>(n);
  }
  return 0;
}

int PwriteFull(int fd, std::span<const uint8_t> buf, uint64_t offset, bool dsync,
               std::atomic<bool>* rwf_dsync_ok) {
  const bool use_rwf = dsync && rwf_dsync_ok->load(std::memory_order_relaxed);
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n;
    if (use_rwf) {
      iovec iov{const_cast<uint8_t*>(buf.data() + done), buf.size() - done};
      n = ::pwritev2(fd, &iov, 1, static_cast<off_t>(offset + done), RWF_DSYNC);
      if (n < 0 && (errno == EOPNOTSUPP || errno == ENOSYS) && done == 0) {
        // Kernel or file system without per-write flags: fall back to pwrite+fdatasync
        // for this and every later write of the store.
        rwf_dsync_ok->store(false, std::memory_order_relaxed);
        return PwriteFull(fd, buf, offset, dsync, rwf_dsync_ok);
      }
    } else {
      n = ::pwrite(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<size_t>(n);
  }
  if (dsync && !use_rwf) return FdatasyncRetry(fd);
  return 0;
}

int FdatasyncRetry(int fd) {
  for (;;) {
    if (::fdatasync(fd) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

}  // namespace reftarget::backstore
