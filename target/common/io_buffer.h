// IoBuffer: a heap buffer aligned for O_DIRECT that moves but never copies implicitly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>

namespace reftarget {

class IoBuffer {
 public:
  // O_DIRECT on 4096-byte logical block devices needs 4096-byte alignment.
  static constexpr size_t kAlignment = 4096;

  IoBuffer() = default;
  // Returns a buffer of `size` bytes, zero-filled when `zeroed`. Throws std::bad_alloc.
  explicit IoBuffer(size_t size, bool zeroed = false) : size_(size) {
    if (size == 0) return;
    size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, rounded);
    if (p == nullptr) throw std::bad_alloc();
    data_.reset(static_cast<uint8_t*>(p));
    if (zeroed) std::memset(p, 0, rounded);
  }
  IoBuffer(IoBuffer&&) noexcept = default;
  IoBuffer& operator=(IoBuffer&&) noexcept = default;

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<uint8_t> span() { return {data_.get(), size_}; }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }
  // Shrinks the visible size; the allocation stays. REQUIRES: n <= size().
  void Truncate(size_t n) {
    if (n < size_) size_ = n;
  }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> data_;
  size_t size_ = 0;
};

}  // namespace reftarget
