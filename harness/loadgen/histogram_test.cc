#include "harness/loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace harness::loadgen {
namespace {

// The nearest-rank percentile of sorted `v`.
uint64_t Reference(const std::vector<uint64_t>& v, double p) {
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()) - 1e-9));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

TEST(HistogramTest, BucketsCoverEveryValueWithinOneSixtyFourth) {
  std::mt19937_64 rng(1);
  std::vector<uint64_t> values = {0, 1, 127, 128, 129, 255, 256, 1000, 1u << 20, UINT64_MAX};
  for (int i = 0; i < 10000; ++i) values.push_back(rng() >> (rng() % 64));
  for (uint64_t v : values) {
    const size_t i = LatencyHistogram::IndexOf(v);
    const uint64_t lo = LatencyHistogram::LowestIn(i);
    const uint64_t hi = LatencyHistogram::HighestIn(i);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LE(hi - lo, v / 64) << v;
    if (i > 0) {
      ASSERT_EQ(LatencyHistogram::HighestIn(i - 1) + 1, lo) << "gap below bucket " << i;
    }
  }
}

TEST(HistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 100; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(50), 49u);
  EXPECT_EQ(h.ValueAtPercentile(99), 98u);
  EXPECT_EQ(h.ValueAtPercentile(100), 99u);
  EXPECT_EQ(h.ValueAtPercentile(0), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 99u);
  EXPECT_DOUBLE_EQ(h.mean(), 49.5);
}

TEST(HistogramTest, PercentilesMatchASortedReference) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 rng(seed);
    // Latency-like: log-normal around 200 us with a tail, in nanoseconds.
    std::lognormal_distribution<double> dist(std::log(200000.0), 1.0);
    std::vector<uint64_t> values;
    LatencyHistogram h;
    const int n = 1000 + static_cast<int>(seed) * 3337;
    for (int i = 0; i < n; ++i) {
      const auto v = static_cast<uint64_t>(dist(rng));
      values.push_back(v);
      h.Record(v);
    }
    std::sort(values.begin(), values.end());
    EXPECT_EQ(h.count(), values.size());
    EXPECT_EQ(h.max(), values.back());
    EXPECT_EQ(h.min(), values.front());
    for (double p : {0.0, 1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
      const uint64_t ref = Reference(values, p);
      const uint64_t got = h.ValueAtPercentile(p);
      // Exactly the top of the reference value's bucket (clamped to the maximum)...
      EXPECT_EQ(got, std::min(LatencyHistogram::HighestIn(LatencyHistogram::IndexOf(ref)), h.max()))
          << "p" << p << " seed " << seed;
      // ... which is within 1/64 of it.
      EXPECT_GE(got, ref);
      EXPECT_LE(got - ref, ref / 64) << "p" << p;
    }
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(9);
  LatencyHistogram a, b, all;
  for (int i = 0; i < 5000; ++i) {
    const uint64_t v = rng() % 10000000;
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p));
}

TEST(HistogramTest, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.ValueAtPercentile(99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  h.Record(5);
  h.Clear();
  EXPECT_EQ(h.count(), 0u);
}

}  // namespace
}  // namespace harness::loadgen
