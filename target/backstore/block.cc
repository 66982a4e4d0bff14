#include "target/backstore/block.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

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

int OpenDevice(const std::string& path, bool read_only) {
  return ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_DIRECT | O_EXCL | O_CLOEXEC);
}

}  // namespace

Result<std::unique_ptr<BlockBackstore>> BlockBackstore::Open(const BackstoreSpec& spec) {
  if (spec.dev.empty()) {
    return Status::Error(StoreLabel(spec) + ": dev is empty: a block device path is required");
  }
  struct stat st;
  if (::stat(spec.dev.c_str(), &st) != 0) return OpenError(spec, "stat", errno);
  if (!S_ISBLK(st.st_mode)) {
    return SpecError(spec, "not a block device (the fileio plugin serves regular files)");
  }

  bool read_only = spec.read_only;
  ScopedFd fd(OpenDevice(spec.dev, read_only));
  if (!fd.valid() && !read_only && (errno == EROFS || errno == EACCES)) {
    // A write-protected device (BLKROSET, losetup -r) refuses a read-write open. Serve it
    // read-only rather than not at all, as the initiator will see WP in MODE SENSE.
    int first = errno;
    fd = ScopedFd(OpenDevice(spec.dev, true));
    int ro = 0;
    if (fd.valid() && ::ioctl(fd.get(), BLKROGET, &ro) == 0 && ro != 0) {
      read_only = true;
      RT_LOG(kWarn, "backstore") << StoreLabel(spec) << ": " << spec.dev
                                 << " is write-protected; serving it read-only";
    } else {
      fd.Reset();
      errno = first;
    }
  }
  if (!fd.valid()) {
    int err = errno;
    return OpenError(spec, err == EBUSY ? "open (mounted or in use)" : "open", err);
  }
  if (::fstat(fd.get(), &st) != 0) return OpenError(spec, "fstat", errno);
  if (!S_ISBLK(st.st_mode)) return SpecError(spec, "changed type while being opened");

  uint64_t dev_size = 0;
  if (::ioctl(fd.get(), BLKGETSIZE64, &dev_size) != 0) {
    return OpenError(spec, "ioctl BLKGETSIZE64", errno);
  }
  int lbs = 0;
  if (::ioctl(fd.get(), BLKSSZGET, &lbs) != 0) return OpenError(spec, "ioctl BLKSSZGET", errno);
  if (lbs < 512 || (lbs & (lbs - 1)) != 0) {
    return SpecError(spec, "device reports logical block size " + std::to_string(lbs));
  }
  if (spec.block_size % static_cast<uint32_t>(lbs) != 0) {
    return SpecError(spec, "block_size " + std::to_string(spec.block_size) +
                               " is smaller than the device's logical block size " +
                               std::to_string(lbs) + "; set block_size=" + std::to_string(lbs));
  }
  int ro = 0;
  if (::ioctl(fd.get(), BLKROGET, &ro) != 0) return OpenError(spec, "ioctl BLKROGET", errno);
  if (ro != 0) read_only = true;
  if (spec.size > dev_size) {
    return SpecError(spec, "size " + std::to_string(spec.size) + " is larger than the " +
                               std::to_string(dev_size) + "-byte device");
  }
  uint64_t size = spec.size != 0 ? spec.size : dev_size;
  size -= size % spec.block_size;
  if (size == 0) {
    return SpecError(
        spec, "capacity is less than one " + std::to_string(spec.block_size) + "-byte block");
  }

  Params params;
  params.label = StoreLabel(spec);
  params.path = spec.dev;
  params.fd = std::move(fd);
  params.size = size;
  params.caps.block_size = spec.block_size;
  params.caps.read_only = read_only;
  params.caps.thin = spec.thin;
  // O_DIRECT bypasses the page cache but not the device's own cache, so write-back stays
  // meaningful: Flush sends a cache flush (fdatasync), FUA and write-through use RWF_DSYNC,
  // which the block layer turns into REQ_FUA.
  params.caps.write_back = spec.write_back;
  params.workers = spec.workers;
  params.alignment = static_cast<uint32_t>(lbs);
  RT_LOG(kInfo, "backstore") << params.label << ": opened " << spec.dev << " size " << size
                             << " block_size " << spec.block_size << " (device " << lbs
                             << ") write_back " << (spec.write_back ? "on" : "off")
                             << (spec.thin ? " thin" : "") << (read_only ? " read-only" : "");
  return std::make_unique<BlockBackstore>(Key(), std::move(params), static_cast<uint32_t>(lbs));
}

int BlockBackstore::DoUnmap(uint64_t offset, uint64_t length) {
  if (punch_ok_.load(std::memory_order_relaxed)) {
    int err = 0;
    do {
      err = ::fallocate(fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        static_cast<off_t>(offset), static_cast<off_t>(length)) == 0
                ? 0
                : errno;
    } while (err == EINTR);
    if (err == 0) return 0;
    if (err != EOPNOTSUPP) return err;
    punch_ok_.store(false, std::memory_order_relaxed);
    RT_LOG(kWarn, "backstore") << label() << ": " << path()
                               << ": no WRITE ZEROES support; UNMAP falls back to BLKZEROOUT";
  }
  uint64_t range[2] = {offset, length};
  for (;;) {
    if (::ioctl(fd(), BLKZEROOUT, range) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

}  // namespace reftarget::backstore
