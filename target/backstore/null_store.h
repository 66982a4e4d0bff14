// NULL store: a capacity and nothing behind it — reads return zeroes, writes are discarded.
// Used for protocol tests (no storage cost or latency) and for ramdisk with nullio=true
// (LIO's rd_nullio), in which case kind() is "ramdisk".
//
// Synchronous: every operation completes inline, before the call returns.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "target/backstore/backstore.h"
#include "target/common/status.h"

namespace reftarget::backstore {

class NullBackstore : public Backstore {
 public:
  // Makes a null store of spec.size bytes (rounded down to spec.block_size) whose kind() is
  // `kind`. Returns an error naming the store if the size is 0.
  static Result<std::unique_ptr<NullBackstore>> Open(const BackstoreSpec& spec,
                                                     std::string kind = "null");

  uint64_t size_bytes() const override { return size_; }
  Capabilities capabilities() const override { return caps_; }
  std::string kind() const override { return kind_; }
  bool Supports(IoType type) const override;
  void Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) override;
  void Write(uint64_t offset, std::span<const uint8_t> buf, bool fua, IoCompletion done) override;
  void Flush(IoCompletion done) override;
  void Unmap(uint64_t offset, uint64_t length, IoCompletion done) override;
  // Returns true on a thin store: every block reads as zeroes and holds nothing.
  bool IsDeallocated(uint64_t offset, uint64_t length) const override;
  // Disabling the (nonexistent) cache succeeds; enabling it is an error.
  Status SetWriteBack(bool enabled) override;

  // Only Open() can make a Key; the constructor is public for std::make_unique.
  class Key {
    Key() = default;
    friend class NullBackstore;
  };
  NullBackstore(Key, std::string kind, std::string label, uint64_t size, Capabilities caps)
      : kind_(std::move(kind)), label_(std::move(label)), size_(size), caps_(caps) {}

 private:
  const std::string kind_;
  const std::string label_;
  const uint64_t size_;
  const Capabilities caps_;
};

}  // namespace reftarget::backstore
