#include "harness/loadgen/block_map.h"

#include <gtest/gtest.h>

namespace harness::loadgen {
namespace {

BlockExpectation ExpectOne(const BlockMap& map, const ReadSnapshot& s, size_t i = 0) {
  return map.Complete(s)[i];
}

TEST(BlockMapTest, Contains) {
  BlockMap map(100, 50);
  EXPECT_TRUE(map.Contains(100, 50));
  EXPECT_TRUE(map.Contains(149, 1));
  EXPECT_FALSE(map.Contains(99, 1));
  EXPECT_FALSE(map.Contains(149, 2));
  EXPECT_FALSE(map.Contains(100, 51));
  EXPECT_FALSE(map.Contains(UINT64_MAX, 2));
}

TEST(BlockMapTest, NeverWrittenExpectsZeros) {
  BlockMap map(0, 8);
  const BlockExpectation e = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_EQ(e.lo, 0u);
  EXPECT_FALSE(e.Accepts(1));
}

TEST(BlockMapTest, AcknowledgedWriteIsTheOnlyAcceptedGeneration) {
  BlockMap map(0, 8);
  const uint64_t g1 = map.BeginWrite(2, 2).value();
  map.EndWrite(2, 2, g1, true);
  const uint64_t g2 = map.BeginWrite(2, 1).value();
  map.EndWrite(2, 1, g2, true);
  EXPECT_GT(g2, g1);
  const auto e = map.Complete(map.BeginRead(2, 2));
  EXPECT_TRUE(e[0].Accepts(g2));
  EXPECT_FALSE(e[0].Accepts(g1));  // stale
  EXPECT_TRUE(e[1].Accepts(g1));
  EXPECT_FALSE(e[1].Accepts(g2));  // g2 never touched LBA 3
  EXPECT_EQ(map.Get(2).acked, g2);
  EXPECT_EQ(map.WrittenBlocks(), 2u);
}

TEST(BlockMapTest, ReadDuringAWriteAcceptsOldOrNew) {
  BlockMap map(0, 8);
  const uint64_t g1 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g1, true);
  const uint64_t g2 = map.BeginWrite(0, 1).value();  // in flight
  const ReadSnapshot s = map.BeginRead(0, 1);
  map.EndWrite(0, 1, g2, true);
  const BlockExpectation e = ExpectOne(map, s);
  EXPECT_TRUE(e.Accepts(g1));
  EXPECT_TRUE(e.Accepts(g2));
  // A read submitted after the acknowledgement accepts only the new one.
  const BlockExpectation later = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_FALSE(later.Accepts(g1));
  EXPECT_TRUE(later.Accepts(g2));
}

TEST(BlockMapTest, WriteIssuedWhileTheReadIsInFlightIsAccepted) {
  BlockMap map(0, 8);
  const uint64_t g1 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g1, true);
  const ReadSnapshot s = map.BeginRead(0, 1);
  const uint64_t g2 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g2, true);
  const uint64_t g3 = map.BeginWrite(0, 1).value();  // still in flight at completion
  const BlockExpectation e = ExpectOne(map, s);
  EXPECT_TRUE(e.Accepts(g1));
  EXPECT_TRUE(e.Accepts(g2));
  EXPECT_TRUE(e.Accepts(g3));
  EXPECT_FALSE(e.Accepts(g3 + 1));
  map.EndWrite(0, 1, g3, true);
}

TEST(BlockMapTest, OverlappingWritesAreRefusedWhileOneIsInFlight) {
  BlockMap map(0, 16);
  const uint64_t g = map.BeginWrite(4, 4).value();
  EXPECT_FALSE(map.BeginWrite(4, 4).has_value());
  EXPECT_FALSE(map.BeginWrite(7, 2).has_value());  // partial overlap
  EXPECT_FALSE(map.BeginWrite(0, 5).has_value());
  EXPECT_TRUE(map.Get(5).write_in_flight);
  const uint64_t other = map.BeginWrite(8, 4).value();  // adjacent: fine
  EXPECT_EQ(map.counter(), other);
  map.EndWrite(4, 4, g, true);
  EXPECT_FALSE(map.Get(5).write_in_flight);
  EXPECT_TRUE(map.BeginWrite(4, 4).has_value());
}

TEST(BlockMapTest, FailedWriteLeavesEitherGenerationUntilANewerOneIsAcknowledged) {
  BlockMap map(0, 8);
  const uint64_t g1 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g1, true);
  const uint64_t g2 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g2, false);  // e.g. a timeout: it may or may not have landed
  BlockExpectation e = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_TRUE(e.Accepts(g1));
  EXPECT_TRUE(e.Accepts(g2));
  const uint64_t g3 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g3, true);
  e = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_FALSE(e.Accepts(g1));
  EXPECT_FALSE(e.Accepts(g2));  // a late landing of the failed write would be corruption
  EXPECT_TRUE(e.Accepts(g3));
}

TEST(BlockMapTest, ForgetAcceptsZerosOrAnyEarlierGenerationUntilTheNextWrite) {
  BlockMap map(0, 8);
  const uint64_t g1 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g1, true);
  const uint64_t g2 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g2, true);
  map.Forget();  // e.g. the backing file was truncated under the LUN
  BlockExpectation e = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_EQ(e.lo, 0u) << "zeros (a hole) are accepted";
  EXPECT_TRUE(e.Accepts(g1));
  EXPECT_TRUE(e.Accepts(g2));
  EXPECT_FALSE(e.Accepts(g2 + 1)) << "never written";
  const uint64_t g3 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g3, true);
  e = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_TRUE(e.Accepts(g3));
  EXPECT_FALSE(e.Accepts(g2)) << "a new acknowledged write is checked exactly again";
}

TEST(BlockMapTest, FailedFirstWriteStillAllowsZeros) {
  BlockMap map(0, 8);
  const uint64_t g1 = map.BeginWrite(0, 1).value();
  map.EndWrite(0, 1, g1, false);
  const BlockExpectation e = ExpectOne(map, map.BeginRead(0, 1));
  EXPECT_EQ(e.lo, 0u);  // zeros still fine
  EXPECT_TRUE(e.Accepts(g1));
}

}  // namespace
}  // namespace harness::loadgen
