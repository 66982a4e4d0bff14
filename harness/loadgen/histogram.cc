#include "harness/loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace harness::loadgen {
namespace {

constexpr uint64_t kExact = uint64_t{1} << LatencyHistogram::kSubBucketBits;  // 128
constexpr uint64_t kHalf = kExact / 2;                                        // 64

}  // namespace

size_t LatencyHistogram::IndexOf(uint64_t value) {
  if (value < kExact) return static_cast<size_t>(value);
  const int exp = std::bit_width(value) - kSubBucketBits;  // >= 1
  return static_cast<size_t>(exp * kHalf + (value >> exp));
}

uint64_t LatencyHistogram::LowestIn(size_t index) {
  if (index < kExact) return index;
  const uint64_t exp = index / kHalf - 1;
  const uint64_t sub = index % kHalf + kHalf;
  return sub << exp;
}

uint64_t LatencyHistogram::HighestIn(size_t index) {
  if (index < kExact) return index;
  const uint64_t exp = index / kHalf - 1;
  return LowestIn(index) + ((uint64_t{1} << exp) - 1);
}

void LatencyHistogram::Record(uint64_t value) {
  const size_t i = IndexOf(value);
  if (i >= counts_.size()) counts_.resize(i + 1, 0);
  ++counts_[i];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void LatencyHistogram::Clear() { *this = LatencyHistogram(); }

uint64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // Nearest rank: the ceil(p% * n)-th smallest value, at least the first.
  // (The epsilon keeps 99.9% of 1000 values at rank 999 despite rounding.)
  auto rank =
      static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_) - 1e-9));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(HighestIn(i), max_);
  }
  return max_;
}

}  // namespace harness::loadgen
