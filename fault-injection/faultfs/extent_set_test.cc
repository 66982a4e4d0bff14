#include "fault-injection/faultfs/extent_set.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace reftarget::faultfs {
namespace {

using Extents = std::vector<Extent>;

TEST(ExtentSet, AddMergesOverlappingAndTouching) {
  ExtentSet set;
  set.Add(0, 10);
  set.Add(20, 10);
  EXPECT_EQ(set.Extents(), (Extents{{0, 10}, {20, 10}}));
  set.Add(10, 10);  // Touches both.
  EXPECT_EQ(set.Extents(), (Extents{{0, 30}}));
  set.Add(5, 100);
  EXPECT_EQ(set.Extents(), (Extents{{0, 105}}));
  set.Add(200, 0);
  EXPECT_EQ(set.TotalBytes(), 105u);
}

TEST(ExtentSet, RemoveSplits) {
  ExtentSet set;
  set.Add(0, 100);
  set.Remove(10, 20);
  EXPECT_EQ(set.Extents(), (Extents{{0, 10}, {30, 70}}));
  set.Remove(0, 10);
  EXPECT_EQ(set.Extents(), (Extents{{30, 70}}));
  set.Remove(90, 1000);
  EXPECT_EQ(set.Extents(), (Extents{{30, 60}}));
  set.TruncateAt(50);
  EXPECT_EQ(set.Extents(), (Extents{{30, 20}}));
  set.TruncateAt(0);
  EXPECT_TRUE(set.empty());
}

TEST(ExtentSet, Gaps) {
  ExtentSet set;
  set.Add(10, 10);
  set.Add(30, 10);
  EXPECT_EQ(set.Gaps(0, 50), (Extents{{0, 10}, {20, 10}, {40, 10}}));
  EXPECT_EQ(set.Gaps(12, 5), Extents{});
  EXPECT_EQ(set.Gaps(15, 20), (Extents{{20, 10}}));
  EXPECT_EQ(set.Gaps(100, 5), (Extents{{100, 5}}));
}

TEST(ExtentSet, HugeRangesDoNotOverflow) {
  ExtentSet set;
  set.Add(UINT64_MAX - 10, 100);
  EXPECT_EQ(set.Extents(), (Extents{{UINT64_MAX - 10, 10}}));
  set.TruncateAt(UINT64_MAX - 5);
  EXPECT_EQ(set.TotalBytes(), 5u);
}

// Checks the set against a bitmap under random operations.
TEST(ExtentSet, MatchesBitmapModel) {
  std::mt19937 rng(1);
  ExtentSet set;
  std::vector<bool> model(512, false);
  for (int step = 0; step < 5000; ++step) {
    const uint64_t offset = rng() % 500;
    const uint64_t length = rng() % 12;
    if (rng() % 3 == 0) {
      set.Remove(offset, length);
      for (uint64_t i = offset; i < offset + length; ++i) model[i] = false;
    } else {
      set.Add(offset, length);
      for (uint64_t i = offset; i < offset + length; ++i) model[i] = true;
    }
    Extents expected;
    for (uint64_t i = 0; i < model.size(); ++i) {
      if (!model[i]) continue;
      if (!expected.empty() && expected.back().offset + expected.back().length == i) {
        ++expected.back().length;
      } else {
        expected.push_back({i, 1});
      }
    }
    ASSERT_EQ(set.Extents(), expected) << "step " << step;
  }
}

}  // namespace
}  // namespace reftarget::faultfs
