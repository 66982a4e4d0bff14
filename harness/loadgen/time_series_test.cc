#include "harness/loadgen/time_series.h"

#include <gtest/gtest.h>

namespace harness::loadgen {
namespace {

TEST(TimeSeriesTest, OnePointPerSecondWithZerosForIdleSeconds) {
  LunSeries s;
  s.AddIo(0.1, IoOp::kRead, 4096, 100000);
  s.AddIo(0.2, IoOp::kWrite, 8192, 300000);
  s.AddIo(2.5, IoOp::kRead, 4096, 200000);  // nothing in second 1: a stalled LUN
  s.AddEvent(2.6, Event::kUnitAttention);
  s.Finish(3.0);
  ASSERT_EQ(s.points().size(), 3u);
  const SeriesPoint& p0 = s.points()[0];
  EXPECT_EQ(p0.t, 0);
  EXPECT_EQ(p0.counters.reads, 1u);
  EXPECT_EQ(p0.counters.writes, 1u);
  EXPECT_EQ(p0.counters.write_bytes, 8192u);
  EXPECT_DOUBLE_EQ(p0.seconds, 1.0);
  EXPECT_NEAR(p0.read_latency.p50_us, 100.0, 100.0 / 64);
  EXPECT_NEAR(p0.write_latency.max_us, 300.0, 1e-9);
  EXPECT_EQ(s.points()[1].counters.reads, 0u);
  EXPECT_EQ(s.points()[1].read_latency.count, 0u);
  EXPECT_EQ(s.points()[2].counters.unit_attentions, 1u);
  EXPECT_EQ(s.totals().reads, 2u);
  EXPECT_EQ(s.totals().unit_attentions, 1u);
  EXPECT_EQ(s.read_histogram().count(), 2u);
}

TEST(TimeSeriesTest, DrainAfterTheEndFoldsIntoTheLastPoint) {
  LunSeries s(/*max_points=*/3);
  s.AddIo(2.9, IoOp::kRead, 512, 1000);
  s.AddIo(3.05, IoOp::kRead, 512, 1000);  // completed while draining
  s.Finish(3.05);
  ASSERT_EQ(s.points().size(), 3u);
  EXPECT_EQ(s.points()[2].counters.reads, 2u);
  EXPECT_NEAR(s.points()[2].seconds, 1.05, 1e-9);
}

TEST(TimeSeriesTest, LateRecordStillCounts) {
  LunSeries s;
  s.AddIo(0.5, IoOp::kRead, 512, 1000);
  s.AddIo(2.5, IoOp::kRead, 512, 1000);   // closes second 0
  s.AddIo(0.9, IoOp::kWrite, 512, 1000);  // a thread that was descheduled
  s.AddEvent(0.9, Event::kTimeout);
  s.Finish(3.0);
  EXPECT_EQ(s.points()[0].counters.writes, 1u);
  EXPECT_EQ(s.points()[0].counters.errors(), 1u);
  EXPECT_EQ(s.totals().writes, 1u);
  EXPECT_EQ(s.write_histogram().count(), 1u);
}

TEST(TimeSeriesTest, FineBinsCountCompletionsPerFiftyMilliseconds) {
  LunSeries s;
  s.AddIo(0.01, IoOp::kRead, 512, 1000);
  s.AddIo(0.049, IoOp::kWrite, 512, 1000);
  s.AddIo(0.051, IoOp::kRead, 512, 1000);
  s.AddIo(0.26, IoOp::kRead, 512, 1000);   // bins 2..4 hold nothing: zeros, not gaps
  s.AddEvent(0.3, Event::kUnitAttention);  // an event is not a completion
  s.Finish(1.0);
  EXPECT_EQ(s.fine_completions(), (std::vector<uint32_t>{2, 1, 0, 0, 0, 1}));
}

TEST(TimeSeriesTest, ShortRunHasOnePoint) {
  LunSeries s;
  s.Finish(0.2);
  ASSERT_EQ(s.points().size(), 1u);
  EXPECT_NEAR(s.points()[0].seconds, 0.2, 1e-9);
}

}  // namespace
}  // namespace harness::loadgen
