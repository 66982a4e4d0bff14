#include "fault-injection/faultfs/extent_set.h"

#include <algorithm>

namespace reftarget::faultfs {
namespace {

// Clamps offset + length to 2^64 - 1 so that a range running to "the end" never wraps.
uint64_t EndOf(uint64_t offset, uint64_t length) {
  return length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
}

}  // namespace

void ExtentSet::Add(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  uint64_t start = offset;
  uint64_t end = EndOf(offset, length);
  // The first extent that could touch [start, end) is the one before the first start > start.
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= start) it = prev;
  }
  while (it != ranges_.end() && it->first <= end) {
    start = std::min(start, it->first);
    end = std::max(end, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(start, end);
}

void ExtentSet::Remove(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  const uint64_t start = offset;
  const uint64_t end = EndOf(offset, length);
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second > start) it = prev;
  }
  while (it != ranges_.end() && it->first < end) {
    const uint64_t r_start = it->first;
    const uint64_t r_end = it->second;
    it = ranges_.erase(it);
    if (r_start < start) ranges_.emplace(r_start, start);
    if (r_end > end) {
      ranges_.emplace(end, r_end);
      break;
    }
  }
}

void ExtentSet::TruncateAt(uint64_t size) { Remove(size, UINT64_MAX - size); }

std::vector<Extent> ExtentSet::Gaps(uint64_t offset, uint64_t length) const {
  std::vector<Extent> gaps;
  if (length == 0) return gaps;
  const uint64_t end = EndOf(offset, length);
  uint64_t cursor = offset;
  auto it = ranges_.upper_bound(offset);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second > offset) it = prev;
  }
  for (; it != ranges_.end() && it->first < end && cursor < end; ++it) {
    if (it->first > cursor) gaps.push_back({cursor, it->first - cursor});
    cursor = std::max(cursor, it->second);
  }
  if (cursor < end) gaps.push_back({cursor, end - cursor});
  return gaps;
}

std::vector<Extent> ExtentSet::Extents() const {
  std::vector<Extent> out;
  out.reserve(ranges_.size());
  for (const auto& [start, end] : ranges_) out.push_back({start, end - start});
  return out;
}

uint64_t ExtentSet::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& [start, end] : ranges_) total += end - start;
  return total;
}

}  // namespace reftarget::faultfs
