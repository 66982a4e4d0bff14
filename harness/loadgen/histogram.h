// LatencyHistogram: an HDR-style log-linear histogram (Gil Tene's HdrHistogram layout) of
// non-negative integer values, here nanoseconds. Values below 2^kSubBucketBits are exact;
// above, each power-of-two range is split into 2^(kSubBucketBits - 1) equal buckets, so a
// reported value is within 1/64 (1.6%) of the true one. Recording is O(1)
// with no allocation after the first value of a new magnitude; merging adds counts.
// Not thread-safe: one owner, or the caller's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace harness::loadgen {

class LatencyHistogram {
 public:
  // 2^7 exact values, then 64 buckets per power of two.
  static constexpr int kSubBucketBits = 7;

  // Adds one value.
  void Record(uint64_t value);
  // Adds every value recorded in `other`.
  void Merge(const LatencyHistogram& other);
  // Forgets every value.
  void Clear();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }  // exact
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // Returns the smallest recorded value v such that at least `percentile` percent of the
  // values are <= v (nearest-rank, as HdrHistogram's getValueAtPercentile), reported as
  // the highest value of v's bucket clamped to max(). 0 for an empty histogram.
  // REQUIRES: 0 <= percentile <= 100.
  uint64_t ValueAtPercentile(double percentile) const;

  // Returns the bucket index of `value` and the lowest / highest value of bucket `index`
  // (exposed for tests).
  static size_t IndexOf(uint64_t value);
  static uint64_t LowestIn(size_t index);
  static uint64_t HighestIn(size_t index);

 private:
  std::vector<uint64_t> counts_;  // grows to the highest index recorded
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;  // ns: overflows after 584 years of summed latency
};

}  // namespace harness::loadgen
