#include "fault-injection/netfault/rule_engine.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace reftarget::netfault {
namespace {

const TimePoint kNow = TimePoint{} + std::chrono::hours(1);

std::string Pattern(size_t n, size_t start = 0) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((start + i) * 7 + 3);
  return out;
}

// Returns the bytes of the plan's data steps, in order.
std::string DataOf(const Plan& plan) {
  std::string out;
  for (const Step& step : plan.steps) {
    if (step.kind == Step::Kind::kData) out += step.data;
  }
  return out;
}

uint64_t AddRule(RuleEngine* engine, RuleSpec spec, uint64_t accepted = 0) {
  Result<uint64_t> id = engine->Add(spec, accepted);
  EXPECT_TRUE(id.ok()) << id.error();
  return id.ok() ? id.value() : 0;
}

RuleSpec Spec(Action action, DirSelector dir = DirSelector::kBoth) {
  RuleSpec spec;
  spec.action = action;
  spec.dir = dir;
  spec.delay_ms = 100;
  spec.rate = 1000;
  spec.split = 100;
  return spec;
}

TEST(RuleEngine, PassesBytesThroughWithoutRules) {
  RuleEngine engine;
  StreamState stream(1, Direction::kUp);
  Plan plan = engine.Process(&stream, Pattern(1000), kNow);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].data, Pattern(1000));
  EXPECT_EQ(plan.steps[0].not_before, TimePoint{});
  EXPECT_TRUE(plan.faults.empty());
  EXPECT_EQ(stream.offset, 1000u);
}

TEST(RuleEngine, DirectionAndConnectionSelectRules) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kDelay, DirSelector::kUp);
  spec.conn = 2;
  AddRule(&engine, spec);
  StreamState up1(1, Direction::kUp), up2(2, Direction::kUp), down2(2, Direction::kDown);
  EXPECT_TRUE(engine.Process(&up1, "abc", kNow).faults.empty());
  EXPECT_TRUE(engine.Process(&down2, "abc", kNow).faults.empty());
  Plan hit = engine.Process(&up2, "abc", kNow);
  ASSERT_EQ(hit.faults.size(), 1u);
  EXPECT_EQ(hit.faults[0].conn_id, 2u);
  EXPECT_EQ(hit.steps[0].not_before, kNow + std::chrono::milliseconds(100));
  // "both" covers both directions.
  AddRule(&engine, Spec(Action::kDelay));
  EXPECT_EQ(engine.Process(&down2, "abc", kNow).faults.size(), 1u);
}

TEST(RuleEngine, NthBindsTheNthConnectionAcceptedAfterTheRule) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kBlackhole);
  spec.nth = 2;
  AddRule(&engine, spec, /*accepted=*/5);
  ASSERT_EQ(engine.List()[0].bound_conn, 7u);
  StreamState six(6, Direction::kUp), seven(7, Direction::kUp);
  EXPECT_EQ(DataOf(engine.Process(&six, "x", kNow)), "x");
  EXPECT_EQ(DataOf(engine.Process(&seven, "x", kNow)), "");
}

TEST(RuleEngine, AfterActsFromExactlyThatByte) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kReset, DirSelector::kUp);
  spec.after = 1000;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  Plan first = engine.Process(&stream, Pattern(600), kNow);
  EXPECT_EQ(DataOf(first), Pattern(600));
  EXPECT_TRUE(first.faults.empty());
  Plan second = engine.Process(&stream, Pattern(600, 600), kNow);
  ASSERT_EQ(second.steps.size(), 2u);
  EXPECT_EQ(second.steps[0].data, Pattern(400, 600));  // Bytes 600..999 still pass.
  EXPECT_EQ(second.steps[1].kind, Step::Kind::kReset);
  EXPECT_EQ(second.steps[1].offset, 1000u);
  EXPECT_EQ(second.dropped, 200u);
  ASSERT_EQ(second.faults.size(), 1u);
  EXPECT_EQ(second.faults[0].offset, 1000u);
  EXPECT_EQ(second.faults[0].action, Action::kReset);
  // The stream has ended: later bytes are discarded.
  Plan third = engine.Process(&stream, "more", kNow);
  EXPECT_TRUE(third.steps.empty());
  EXPECT_EQ(third.dropped, 4u);
}

TEST(RuleEngine, DelayAfterOffsetLeavesEarlierBytesAlone) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kDelay);
  spec.after = 100;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kDown);
  Plan plan = engine.Process(&stream, Pattern(300), kNow);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].data.size(), 100u);
  EXPECT_EQ(plan.steps[0].not_before, TimePoint{});
  EXPECT_EQ(plan.steps[1].data.size(), 200u);
  EXPECT_EQ(plan.steps[1].offset, 100u);
  EXPECT_EQ(plan.steps[1].not_before, kNow + std::chrono::milliseconds(100));
  EXPECT_EQ(DataOf(plan), Pattern(300));
}

TEST(RuleEngine, DelaysOfSeveralRulesAddUp) {
  RuleEngine engine;
  AddRule(&engine, Spec(Action::kDelay));
  RuleSpec more = Spec(Action::kDelay);
  more.delay_ms = 50;
  AddRule(&engine, more);
  StreamState stream(1, Direction::kUp);
  Plan plan = engine.Process(&stream, "abc", kNow);
  EXPECT_EQ(plan.steps[0].not_before, kNow + std::chrono::milliseconds(150));
  EXPECT_EQ(plan.faults.size(), 2u);
}

TEST(RuleEngine, CountLimitsFirings) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kDelay);
  spec.count = 2;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  EXPECT_EQ(engine.Process(&stream, "a", kNow).faults.size(), 1u);
  EXPECT_EQ(engine.Process(&stream, "b", kNow).faults.size(), 1u);
  Plan third = engine.Process(&stream, "c", kNow);
  EXPECT_TRUE(third.faults.empty());
  EXPECT_EQ(third.steps[0].not_before, TimePoint{});
  EXPECT_EQ(engine.List()[0].hits, 2u);
  EXPECT_TRUE(engine.List()[0].Exhausted());
}

// Returns which of `chunks` chunks a delay rule with probability p delayed.
std::vector<bool> DelayedChunks(uint64_t engine_seed, std::optional<uint64_t> rule_seed,
                                int chunks) {
  RuleEngine engine(engine_seed);
  RuleSpec spec = Spec(Action::kDelay);
  spec.probability = 0.3;
  spec.seed = rule_seed;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  std::vector<bool> out;
  for (int i = 0; i < chunks; ++i)
    out.push_back(!engine.Process(&stream, "x", kNow).faults.empty());
  return out;
}

TEST(RuleEngine, ProbabilityDrawsAreReproducibleFromTheSeed) {
  const std::vector<bool> a = DelayedChunks(42, std::nullopt, 400);
  EXPECT_EQ(a, DelayedChunks(42, std::nullopt, 400));
  EXPECT_NE(a, DelayedChunks(43, std::nullopt, 400));
  // A rule's own seed overrides the engine's.
  EXPECT_EQ(DelayedChunks(1, 7, 400), DelayedChunks(2, 7, 400));
  const auto fired = std::count(a.begin(), a.end(), true);
  EXPECT_GT(fired, 400 * 0.2);
  EXPECT_LT(fired, 400 * 0.4);
}

// Feeds `data` in chunks of the given sizes through a per-byte flip rule.
std::string FlipInChunks(const std::string& data, const std::vector<size_t>& sizes) {
  RuleEngine engine(99);
  RuleSpec spec = Spec(Action::kFlip, DirSelector::kUp);
  spec.probability = 0.01;
  spec.mask = 0x10;
  AddRule(&engine, spec);
  StreamState stream(3, Direction::kUp);
  std::string out;
  size_t pos = 0;
  for (size_t i = 0; pos < data.size(); ++i) {
    const size_t n = std::min(sizes[i % sizes.size()], data.size() - pos);
    out += DataOf(engine.Process(&stream, data.substr(pos, n), kNow));
    pos += n;
  }
  return out;
}

TEST(RuleEngine, PerByteFlipsDoNotDependOnChunking) {
  const std::string data = Pattern(64 * 1024);
  const std::string whole = FlipInChunks(data, {data.size()});
  EXPECT_EQ(whole, FlipInChunks(data, {1, 7, 1500, 3, 4096}));
  size_t flipped = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    if (whole[i] != data[i]) {
      ++flipped;
      EXPECT_EQ(static_cast<uint8_t>(whole[i] ^ data[i]), 0x10) << "byte " << i;
    }
  }
  EXPECT_GT(flipped, 400u);  // About 655 expected.
  EXPECT_LT(flipped, 950u);
}

TEST(RuleEngine, FlipAtChangesExactlyThatByte) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kFlip);
  spec.at = 5000;
  spec.mask = 0x80;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kDown);
  Plan first = engine.Process(&stream, Pattern(4096), kNow);
  Plan second = engine.Process(&stream, Pattern(4096, 4096), kNow);
  const std::string out = DataOf(first) + DataOf(second);
  const std::string want = Pattern(8192);
  for (size_t i = 0; i < want.size(); ++i) {
    if (i == 5000) {
      EXPECT_EQ(static_cast<uint8_t>(out[i] ^ want[i]), 0x80);
    } else {
      ASSERT_EQ(out[i], want[i]) << "byte " << i;
    }
  }
  ASSERT_EQ(second.faults.size(), 1u);
  EXPECT_EQ(second.faults[0].offset, 5000u);
  EXPECT_EQ(second.faults[0].length, 1u);
}

TEST(RuleEngine, FlipWithoutAtFlipsFromAfterUpToCount) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kFlip);
  spec.after = 10;
  spec.count = 3;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  const std::string out = DataOf(engine.Process(&stream, Pattern(100), kNow));
  const std::string want = Pattern(100);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(out[i] != want[i], i >= 10 && i < 13) << "byte " << i;
  }
}

TEST(RuleEngine, BlackholeDropsEverythingAndKeepsTheStreamOpen) {
  RuleEngine engine;
  const uint64_t id = AddRule(&engine, Spec(Action::kBlackhole));
  StreamState stream(1, Direction::kUp);
  Plan first = engine.Process(&stream, Pattern(100), kNow);
  Plan second = engine.Process(&stream, Pattern(50), kNow);
  EXPECT_TRUE(first.steps.empty());
  EXPECT_EQ(first.dropped + second.dropped, 150u);
  EXPECT_EQ(first.faults.size() + second.faults.size(), 1u);  // Logged once per stream.
  EXPECT_EQ(engine.List()[0].hits, 2u);
  EXPECT_EQ(stream.end, StreamState::End::kOpen);
  ASSERT_TRUE(engine.Clear(id));
  EXPECT_EQ(DataOf(engine.Process(&stream, "back", kNow)), "back");
}

TEST(RuleEngine, DropRemovesBytesAcrossChunks) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kDrop);
  spec.after = 100;
  spec.drop_bytes = 1500;
  spec.count = 1;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  Plan first = engine.Process(&stream, Pattern(1000), kNow);
  Plan second = engine.Process(&stream, Pattern(1000, 1000), kNow);
  EXPECT_EQ(DataOf(first), Pattern(100));
  EXPECT_EQ(DataOf(second), Pattern(400, 1600));
  EXPECT_EQ(first.dropped + second.dropped, 1500u);
}

TEST(RuleEngine, DropWithoutBytesDropsTheRestOfTheChunk) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kDrop);
  spec.after = 10;
  spec.count = 1;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  EXPECT_EQ(DataOf(engine.Process(&stream, Pattern(50), kNow)), Pattern(10));
  EXPECT_EQ(DataOf(engine.Process(&stream, Pattern(50, 50), kNow)), Pattern(50, 50));
}

TEST(RuleEngine, ClearingADropRuleStopsItsPendingDrop) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kDrop);
  spec.drop_bytes = 1000;
  const uint64_t id = AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  EXPECT_EQ(DataOf(engine.Process(&stream, Pattern(10), kNow)), "");
  engine.Clear(id);
  EXPECT_EQ(DataOf(engine.Process(&stream, "ok", kNow)), "ok");
}

TEST(RuleEngine, HalfCloseEndsTheStreamAfterTheTrigger) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kHalfClose, DirSelector::kDown);
  spec.after = 10;
  AddRule(&engine, spec);
  StreamState stream(1, Direction::kDown);
  Plan plan = engine.Process(&stream, Pattern(30), kNow);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].data, Pattern(10));
  EXPECT_EQ(plan.steps[1].kind, Step::Kind::kHalfClose);
  EXPECT_EQ(stream.end, StreamState::End::kHalfClosed);
  EXPECT_EQ(engine.Process(&stream, "x", kNow).dropped, 1u);
}

TEST(RuleEngine, StallHoldsOncePerStream) {
  RuleEngine engine;
  RuleSpec spec = Spec(Action::kStall);
  spec.after = 48;  // E.g. let one iSCSI basic header segment through.
  const uint64_t id = AddRule(&engine, spec);
  StreamState stream(1, Direction::kUp);
  Plan plan = engine.Process(&stream, Pattern(100), kNow);
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[0].data, Pattern(48));
  EXPECT_EQ(plan.steps[1].kind, Step::Kind::kStall);
  EXPECT_EQ(plan.steps[1].rule_id, id);
  EXPECT_EQ(plan.steps[1].offset, 48u);
  EXPECT_EQ(plan.steps[2].data, Pattern(52, 48));
  Plan later = engine.Process(&stream, "x", kNow);
  ASSERT_EQ(later.steps.size(), 1u);
  EXPECT_EQ(later.steps[0].kind, Step::Kind::kData);
  // Another connection stalls on its own.
  StreamState other(2, Direction::kUp);
  EXPECT_EQ(engine.Process(&other, Pattern(100), kNow).steps.size(), 3u);
}

TEST(RuleEngine, SplitAndRateAnnotateTheData) {
  RuleEngine engine;
  RuleSpec split = Spec(Action::kSplit);
  split.gap_ms = 5;
  AddRule(&engine, split);
  RuleSpec finer = Spec(Action::kSplit);
  finer.split = 7;
  AddRule(&engine, finer);
  AddRule(&engine, Spec(Action::kRate));
  StreamState stream(1, Direction::kUp);
  Plan plan = engine.Process(&stream, Pattern(1000), kNow);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].max_send, 7u);
  EXPECT_EQ(plan.steps[0].gap_ms, 5u);
  EXPECT_EQ(plan.steps[0].rate, 1000u);
  EXPECT_EQ(plan.steps[0].data, Pattern(1000));
}

TEST(RuleEngine, ResetStillFiresWhenAnEarlierRuleDiscardedTheBytes) {
  RuleEngine engine;
  AddRule(&engine, Spec(Action::kBlackhole));
  RuleSpec reset = Spec(Action::kReset);
  reset.after = 500;
  AddRule(&engine, reset);
  StreamState stream(1, Direction::kUp);
  Plan plan = engine.Process(&stream, Pattern(1000), kNow);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].kind, Step::Kind::kReset);
  EXPECT_EQ(plan.steps[0].offset, 500u);
  EXPECT_EQ(plan.dropped, 1000u);
}

TEST(RuleEngine, ValidationNamesTheField) {
  RuleEngine engine;
  RuleSpec delay = Spec(Action::kDelay);
  delay.delay_ms = 0;
  Result<uint64_t> bad = engine.Add(delay);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("delay_ms"), std::string::npos);
  RuleSpec both = Spec(Action::kReset);
  both.conn = 1;
  both.nth = 1;
  ASSERT_FALSE(engine.Add(both).ok());
  EXPECT_NE(engine.Add(both).error().find("nth"), std::string::npos);
  RuleSpec p = Spec(Action::kReset);
  p.probability = 1.5;
  EXPECT_NE(engine.Add(p).error().find("probability"), std::string::npos);
  EXPECT_TRUE(engine.List().empty());
}

}  // namespace
}  // namespace reftarget::netfault
