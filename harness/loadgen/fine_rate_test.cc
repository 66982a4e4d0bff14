#include "harness/loadgen/fine_rate.h"

#include <gtest/gtest.h>

namespace harness::loadgen {
namespace {

TEST(FineRateTest, FineBinsProratedOverDisjointSpans) {
  // 50 ms bins: 100 completions each, except bins 4..5 (0.20..0.30 s) where LUN A stalled.
  std::vector<uint32_t> fine(20, 100);
  fine[4] = 0;
  fine[5] = 0;
  // Whole bins 0..3: 400 completions in 0.2 s.
  Rate r = RateOver(fine, 0.05, {{0, 0.2}});
  EXPECT_DOUBLE_EQ(r.seconds, 0.2);
  EXPECT_NEAR(r.iops, 2000, 1e-6);
  // Half of bin 3 (50) + the stalled bins + half of bin 6 (50): 100 in 0.1 s.
  r = RateOver(fine, 0.05, {{0.175, 0.325}});
  EXPECT_NEAR(r.iops, 100 / 0.15, 1e-6);
  // Two spans add up: 0.1 s of 200 and 0.05 s of 0.
  r = RateOver(fine, 0.05, {{0.1, 0.2}, {0.2, 0.25}});
  EXPECT_NEAR(r.seconds, 0.15, 1e-12);
  EXPECT_NEAR(r.iops, 200 / 0.15, 1e-6);
  // Past the last completion the LUN completed nothing: zero, not left out (200 in 0.2 s).
  r = RateOver(fine, 0.05, {{0.9, 1.1}});
  EXPECT_NEAR(r.iops, 200 / 0.2, 1e-6);
  // An empty or reversed span adds no time.
  EXPECT_DOUBLE_EQ(RateOver(fine, 0.05, {{0.5, 0.5}, {0.6, 0.4}}).seconds, 0);
}

}  // namespace
}  // namespace harness::loadgen
