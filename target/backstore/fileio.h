// FILEIO: a LUN backed by a regular file (or, as LIO allows, a block device) through the
// page cache, like LIO's target_core_file and tgt's bs_rdwr.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "target/backstore/backstore.h"
#include "target/backstore/fd_backstore.h"
#include "target/common/status.h"

namespace reftarget::backstore {

class FileioBackstore : public FdBackstore {
 public:
  // Opens spec.dev. A regular file is created (sparse, mode 0600) when missing and
  // spec.size is given, extended (sparse) when shorter than spec.size, and its own size
  // is used when spec.size is 0; the capacity is rounded down to spec.block_size. The file
  // is locked (flock) so that two stores cannot export it at once. A block device path is
  // opened exclusively with buffered I/O. Errors read "fileio/NAME: PATH: what: why".
  static Result<std::unique_ptr<FileioBackstore>> Open(const BackstoreSpec& spec);

  std::string kind() const override { return "fileio"; }
  // Returns true if [offset, offset+length) is a hole in the file (SEEK_DATA finds no data
  // in it). Always false on a block device, which cannot tell.
  bool IsDeallocated(uint64_t offset, uint64_t length) const override;

  // Returns true if the store sits on a block device rather than a regular file.
  bool on_block_device() const { return on_block_device_; }

 protected:
  // Punches a hole (fallocate PUNCH_HOLE|KEEP_SIZE, as LIO's fd_execute_unmap); where the
  // file system cannot, writes zeroes so that the "reads return zeroes" contract holds.
  int DoUnmap(uint64_t offset, uint64_t length) override;

 public:
  // Only Open() can make a Key; the constructor is public for std::make_unique.
  class Key {
    Key() = default;
    friend class FileioBackstore;
  };
  FileioBackstore(Key, Params params, bool on_block_device)
      : FdBackstore(std::move(params)), on_block_device_(on_block_device) {}

 private:
  const bool on_block_device_;
  std::atomic<bool> punch_ok_{true};
};

// Writes zeroes over [offset, offset+length) of `fd`. Returns 0 or an errno.
int WriteZeroes(int fd, uint64_t offset, uint64_t length);

}  // namespace reftarget::backstore
