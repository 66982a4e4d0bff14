// A set of byte ranges kept as disjoint, merged, half-open intervals.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace reftarget::faultfs {

struct Extent {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool operator==(const Extent&) const = default;
};

// Not thread-safe; the owner locks.
class ExtentSet {
 public:
  // Adds [offset, offset + length); merges with touching or overlapping extents.
  void Add(uint64_t offset, uint64_t length);
  // Removes [offset, offset + length), splitting extents as needed.
  void Remove(uint64_t offset, uint64_t length);
  // Removes everything at or after `size`.
  void TruncateAt(uint64_t size);
  // Returns the parts of [offset, offset + length) that the set does not cover, in order.
  std::vector<Extent> Gaps(uint64_t offset, uint64_t length) const;
  // Returns the extents in offset order.
  std::vector<Extent> Extents() const;
  uint64_t TotalBytes() const;
  bool empty() const { return ranges_.empty(); }
  void Clear() { ranges_.clear(); }

 private:
  std::map<uint64_t, uint64_t> ranges_;  // start -> end (exclusive).
};

}  // namespace reftarget::faultfs
