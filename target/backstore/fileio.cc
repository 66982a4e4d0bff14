#include "target/backstore/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "target/backstore/store_util.h"
#include "target/common/logging.h"

namespace reftarget::backstore {
namespace {

Status OpenError(const BackstoreSpec& spec, const std::string& what, int err) {
  return Status::Error(StoreLabel(spec) + ": " + spec.dev + ": " + what + ": " + ErrnoText(err));
}

Status SpecError(const BackstoreSpec& spec, const std::string& what) {
  return Status::Error(StoreLabel(spec) + ": " + spec.dev + ": " + what);
}

}  // namespace

int WriteZeroes(int fd, uint64_t offset, uint64_t length) {
  constexpr uint64_t kZeroChunk = 1 << 20;
  std::vector<uint8_t> zeroes(std::min(length, kZeroChunk), 0);
  std::atomic<bool> unused_rwf{false};
  while (length > 0) {
    uint64_t n = std::min<uint64_t>(length, zeroes.size());
    int err = PwriteFull(fd, {zeroes.data(), n}, offset, /*dsync=*/false, &unused_rwf);
    if (err != 0) return err;
    offset += n;
    length -= n;
  }
  return 0;
}

Result<std::unique_ptr<FileioBackstore>> FileioBackstore::Open(const BackstoreSpec& spec) {
  if (spec.dev.empty()) {
    return Status::Error(StoreLabel(spec) + ": dev is empty: a file path is required");
  }
  struct stat st;
  bool exists = ::stat(spec.dev.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return OpenError(spec, "stat", errno);
  if (exists && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return SpecError(spec, "not a regular file or block device");
  }
  if (!exists && spec.read_only) {
    return SpecError(spec, "does not exist, and a read-only store cannot create it");
  }
  if (!exists && spec.size == 0) {
    return SpecError(spec, "does not exist and no size was given to create it");
  }
  const bool is_block = exists && S_ISBLK(st.st_mode);

  int flags = (spec.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  if (!exists) flags |= O_CREAT;
  // O_EXCL on a block device (without O_CREAT) claims it: the open fails with EBUSY while
  // the device is mounted or held by another exclusive user.
  if (is_block) flags |= O_EXCL;
  ScopedFd fd(::open(spec.dev.c_str(), flags, 0600));
  if (!fd.valid()) {
    int err = errno;
    return OpenError(spec, err == EBUSY ? "open (mounted or in use)" : "open", err);
  }
  // A file this call created is removed again if the open fails later on, so a rejected
  // spec leaves nothing behind.
  struct RemoveOnFailure {
    const std::string* path;
    ~RemoveOnFailure() {
      if (path != nullptr) ::unlink(path->c_str());
    }
  } remove_on_failure{exists ? nullptr : &spec.dev};
  if (::fstat(fd.get(), &st) != 0) return OpenError(spec, "fstat", errno);
  if (S_ISBLK(st.st_mode) != is_block || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
    return SpecError(spec, "changed type while being opened");
  }

  uint64_t size = 0;
  if (is_block) {
    uint64_t dev_size = 0;
    if (::ioctl(fd.get(), BLKGETSIZE64, &dev_size) != 0) {
      return OpenError(spec, "ioctl BLKGETSIZE64", errno);
    }
    if (spec.size > dev_size) {
      return SpecError(spec, "size " + std::to_string(spec.size) + " is larger than the " +
                                 std::to_string(dev_size) + "-byte device");
    }
    size = spec.size != 0 ? spec.size : dev_size;
  } else {
    // Advisory lock: a second store (in this process or another reftarget) on the same
    // file would corrupt it. flock locks belong to the open file description, so this
    // also catches two stores in one daemon.
    if (::flock(fd.get(), (spec.read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return SpecError(spec, "locked by another store or process (flock)");
      }
      RT_LOG(kWarn, "backstore") << StoreLabel(spec) << ": " << spec.dev
                                 << ": flock: " << ErrnoText(errno) << "; continuing unlocked";
    }
    uint64_t file_size = static_cast<uint64_t>(st.st_size);
    if (spec.size > file_size) {
      if (spec.read_only) {
        return SpecError(spec, "file is " + std::to_string(file_size) +
                                   " bytes, smaller than size " + std::to_string(spec.size) +
                                   ", and the store is read-only");
      }
      // Sparse extension, as LIO leaves it: blocks are allocated when written.
      if (::ftruncate(fd.get(), static_cast<off_t>(spec.size)) != 0) {
        return OpenError(spec, "ftruncate to " + std::to_string(spec.size), errno);
      }
    }
    size = spec.size != 0 ? spec.size : file_size;
  }
  size -= size % spec.block_size;
  if (size == 0) {
    return SpecError(
        spec, "capacity is less than one " + std::to_string(spec.block_size) + "-byte block");
  }

  remove_on_failure.path = nullptr;  // success from here on
  Params params;
  params.label = StoreLabel(spec);
  params.path = spec.dev;
  params.fd = std::move(fd);
  params.size = size;
  params.caps.block_size = spec.block_size;
  params.caps.read_only = spec.read_only;
  params.caps.thin = spec.thin;
  params.caps.write_back = spec.write_back;
  params.workers = spec.workers;
  RT_LOG(kInfo, "backstore") << params.label << ": opened " << spec.dev
                             << (is_block ? " (block device, buffered)" : "") << " size " << size
                             << " block_size " << spec.block_size << " write_back "
                             << (spec.write_back ? "on" : "off") << (spec.thin ? " thin" : "")
                             << (spec.read_only ? " read-only" : "");
  return std::make_unique<FileioBackstore>(Key(), std::move(params), is_block);
}

int FileioBackstore::DoUnmap(uint64_t offset, uint64_t length) {
  if (punch_ok_.load(std::memory_order_relaxed)) {
    int err = 0;
    do {
      err = ::fallocate(fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        static_cast<off_t>(offset), static_cast<off_t>(length)) == 0
                ? 0
                : errno;
    } while (err == EINTR);
    if (err == 0) return 0;
    // A file system without hole punching says EOPNOTSUPP; a block device refuses ranges
    // finer than its own logical block with EINVAL. Either way zeroes keep the contract.
    if (err == EOPNOTSUPP) {
      punch_ok_.store(false, std::memory_order_relaxed);
      RT_LOG(kWarn, "backstore") << label() << ": " << path()
                                 << ": hole punching not supported; UNMAP writes zeroes";
    } else if (!(on_block_device_ && err == EINVAL)) {
      return err;
    }
  }
  return WriteZeroes(fd(), offset, length);
}

bool FileioBackstore::IsDeallocated(uint64_t offset, uint64_t length) const {
  if (on_block_device_ || length == 0) return false;
  // lseek moves the shared file offset, which no I/O here uses (all pread/pwrite).
  off_t data = ::lseek(fd(), static_cast<off_t>(offset), SEEK_DATA);
  if (data < 0) return errno == ENXIO;  // no data at or after offset
  return static_cast<uint64_t>(data) >= offset + length;
}

}  // namespace reftarget::backstore
