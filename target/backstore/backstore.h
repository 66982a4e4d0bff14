// Backstore: the storage a logical unit moves bytes to and from. Backstores only move
// bytes; CDB decoding and range checks live in target/scsi.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "target/common/status.h"

namespace reftarget::backstore {

enum class IoType { kRead, kWrite, kFlush, kUnmap };

// The outcome of one backstore operation: 0 or a positive errno (EIO, ENOSPC, ...).
struct IoResult {
  int error = 0;
  bool ok() const { return error == 0; }
};

// Called exactly once per submitted operation, on a backstore worker thread (or inline for
// synchronous stores such as ramdisk). Must not block.
using IoCompletion = std::function<void(IoResult)>;

struct Capabilities {
  uint32_t block_size = 512;  // 512 or 4096
  bool read_only = false;
  bool thin = false;           // Unmap deallocates; reads of unmapped blocks return zeroes
  bool write_back = false;     // a volatile write cache exists: Flush makes writes durable
};

class Backstore {
 public:
  virtual ~Backstore() = default;

  // Returns the capacity in bytes (a multiple of block_size).
  virtual uint64_t size_bytes() const = 0;
  // Returns what this store can do and how it caches.
  virtual Capabilities capabilities() const = 0;
  // Returns "fileio", "block", "ramdisk" or "null".
  virtual std::string kind() const = 0;
  // Returns true if the store can execute `type`.
  virtual bool Supports(IoType type) const = 0;

  // Reads buf.size() bytes at `offset` into `buf`. REQUIRES: the range is within the store;
  // `buf` stays valid until `done` runs.
  virtual void Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) = 0;
  // Writes `buf` at `offset`; with `fua`, the data is durable before `done` reports success.
  virtual void Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
                     IoCompletion done) = 0;
  // Makes every write that completed before this call durable.
  virtual void Flush(IoCompletion done) = 0;
  // Deallocates [offset, offset+length); later reads return zeroes. REQUIRES: Supports(kUnmap).
  virtual void Unmap(uint64_t offset, uint64_t length, IoCompletion done) = 0;
  // Returns true if the block at `offset` is known to be deallocated (for GET LBA STATUS).
  // Stores that cannot tell return false (mapped).
  virtual bool IsDeallocated(uint64_t offset, uint64_t length) const {
    (void)offset;
    (void)length;
    return false;
  }
  // Switches the volatile write cache on or off (MODE SELECT caching page WCE). Returns an
  // error if the store cannot change it.
  virtual Status SetWriteBack(bool enabled) = 0;
  // Grows the store to `new_size` bytes (a multiple of the block size) while I/O runs.
  // Shrinking is refused: it would cut off data an initiator wrote and may still read.
  virtual Status Resize(uint64_t new_size) {
    (void)new_size;
    return Status::Error(kind() + " storage cannot be resized");
  }
};

// How to open a store; filled from saveconfig.json's storage_objects.
struct BackstoreSpec {
  std::string plugin;       // "fileio", "block", "ramdisk" ("rd_mcp" is an alias), "null"
  std::string name;
  std::string dev;          // file or device path (fileio, block)
  uint64_t size = 0;        // bytes; fileio creates/extends the file to it, ramdisk allocates it
  uint32_t block_size = 512;
  bool write_back = true;   // fileio/block: page cache (true) or durable before completion
  bool read_only = false;
  bool thin = false;        // emulate_tpu: advertise and honour UNMAP
  bool nullio = false;      // ramdisk: discard writes, read zeroes
  unsigned workers = 4;     // I/O threads for this store (its stalls stay its own)
};

// Opens the store `spec` describes. Errors name the store and the device and say why.
Result<std::unique_ptr<Backstore>> OpenBackstore(const BackstoreSpec& spec);

}  // namespace reftarget::backstore
