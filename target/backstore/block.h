// BLOCK: a LUN backed by a block device with O_DIRECT, like LIO's iblock and tgt's bs_aio:
// no page cache between the initiator and the device.
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

class BlockBackstore : public FdBackstore {
 public:
  // Opens spec.dev, which must be a block device, exclusively (O_EXCL: fails while mounted)
  // with O_DIRECT. Capacity is BLKGETSIZE64 (or spec.size if smaller), rounded down to
  // spec.block_size, which must be a multiple of the device's logical block size
  // (BLKSSZGET): O_DIRECT cannot move less than one device block. The store is read-only if
  // spec.read_only or the device is (BLKROGET). Errors read "block/NAME: PATH: what: why".
  static Result<std::unique_ptr<BlockBackstore>> Open(const BackstoreSpec& spec);

  std::string kind() const override { return "block"; }

  // Returns the device's logical block size (BLKSSZGET): the O_DIRECT alignment that Read
  // and Write require of buffer addresses, offsets and lengths (else EINVAL).
  uint32_t logical_block_size() const { return logical_block_size_; }

  // Only Open() can make a Key; the constructor is public for std::make_unique.
  class Key {
    Key() = default;
    friend class BlockBackstore;
  };
  BlockBackstore(Key, Params params, uint32_t logical_block_size)
      : FdBackstore(std::move(params)), logical_block_size_(logical_block_size) {}

 protected:
  // Zeroes the range, deallocating where the device can: fallocate(PUNCH_HOLE) on a block
  // device is WRITE ZEROES with unmap allowed, which (unlike BLKDISCARD) guarantees that
  // the range reads back as zeroes, as Capabilities::thin promises (LBPRZ). A device
  // without WRITE ZEROES falls back to BLKZEROOUT, which writes zeroes.
  int DoUnmap(uint64_t offset, uint64_t length) override;

 private:
  const uint32_t logical_block_size_;
  std::atomic<bool> punch_ok_{true};
};

}  // namespace reftarget::backstore
