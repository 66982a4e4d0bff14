#include "fault-injection/faultfs/rules.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <thread>

#include "fault-injection/faultfs/names.h"

namespace reftarget::faultfs {
namespace {

using namespace std::chrono_literals;

RuleSpec ErrorRule(std::string file, Op op, uint64_t offset, std::optional<uint64_t> length,
                   int error = EIO) {
  RuleSpec spec;
  spec.file = std::move(file);
  spec.op = op;
  spec.offset = offset;
  spec.length = length;
  spec.action = Action::kError;
  spec.error = error;
  return spec;
}

Request Read(std::string_view file, uint64_t offset, uint64_t length) {
  return Request{file, Op::kRead, true, offset, length};
}

TEST(RangesOverlap, HalfOpenIntervals) {
  EXPECT_TRUE(RangesOverlap(0, 10, 5, 10));
  EXPECT_TRUE(RangesOverlap(5, 10, 0, 10));
  EXPECT_FALSE(RangesOverlap(0, 10, 10, 5));  // Touching, not overlapping.
  EXPECT_FALSE(RangesOverlap(10, 5, 0, 10));
  EXPECT_TRUE(RangesOverlap(9, 1, 0, 10));
  EXPECT_TRUE(RangesOverlap(0, 100, 40, 1));  // Rule inside request.
  EXPECT_TRUE(RangesOverlap(40, 1, 0, 100));  // Request inside rule.
}

TEST(RangesOverlap, UnboundedAndZeroLength) {
  EXPECT_TRUE(RangesOverlap(UINT64_MAX - 5, 5, 0, std::nullopt));
  EXPECT_FALSE(RangesOverlap(0, 4096, 4096, std::nullopt));
  EXPECT_TRUE(RangesOverlap(4096, 1, 4096, std::nullopt));
  EXPECT_TRUE(RangesOverlap(5, 0, 0, 10));
  EXPECT_FALSE(RangesOverlap(10, 0, 0, 10));
  EXPECT_TRUE(RangesOverlap(UINT64_MAX - 1, 1, UINT64_MAX - 10, 10));  // No overflow.
}

TEST(RuleEngine, ErrorOnlyInsideRange) {
  RuleEngine engine;
  ASSERT_TRUE(engine.Add(ErrorRule("disk.img", Op::kRead, 4096, 4096)).ok());
  EXPECT_TRUE(engine.Evaluate(Read("disk.img", 0, 4096)).empty());
  EXPECT_TRUE(engine.Evaluate(Read("disk.img", 8192, 4096)).empty());
  Verdict hit = engine.Evaluate(Read("disk.img", 6000, 10));
  ASSERT_TRUE(hit.terminal);
  EXPECT_EQ(hit.terminal->action, Action::kError);
  EXPECT_EQ(hit.terminal->error, EIO);
  EXPECT_TRUE(engine.Evaluate(Read("disk.img", 0, 8192)).terminal);  // Straddles the start.
}

TEST(RuleEngine, MatchesFileAndOp) {
  RuleEngine engine;
  ASSERT_TRUE(engine.Add(ErrorRule("a.img", Op::kWrite, 0, std::nullopt, ENOSPC)).ok());
  EXPECT_TRUE(engine.Evaluate(Read("a.img", 0, 512)).empty());
  EXPECT_TRUE(engine.Evaluate(Request{"b.img", Op::kWrite, true, 0, 512}).empty());
  Verdict v = engine.Evaluate(Request{"a.img", Op::kWrite, true, 1 << 30, 512});
  ASSERT_TRUE(v.terminal);
  EXPECT_EQ(v.terminal->error, ENOSPC);
}

TEST(RuleEngine, WildcardsAndGlobs) {
  RuleEngine engine;
  ASSERT_TRUE(engine.Add(ErrorRule("*", Op::kAny, 0, std::nullopt)).ok());
  EXPECT_TRUE(engine.Evaluate(Read("dir/sub/x", 0, 1)).terminal);
  EXPECT_TRUE(engine.Evaluate(Request{"y", Op::kOpen, false, 0, 0}).terminal);
  EXPECT_TRUE(engine.Evaluate(Request{"y", Op::kFsync, false, 0, 0}).terminal);
  RuleEngine globs;
  ASSERT_TRUE(globs.Add(ErrorRule("lun*.img", Op::kRead, 0, std::nullopt)).ok());
  EXPECT_TRUE(globs.Evaluate(Read("lun3.img", 0, 1)).terminal);
  EXPECT_TRUE(globs.Evaluate(Read("disk.img", 0, 1)).empty());
}

TEST(RuleEngine, RangelessOpsIgnoreTheRange) {
  RuleEngine engine;
  ASSERT_TRUE(engine.Add(ErrorRule("f", Op::kFsync, 1 << 20, 4096)).ok());
  EXPECT_TRUE(engine.Evaluate(Request{"f", Op::kFsync, false, 0, 0}).terminal);
}

TEST(RuleEngine, CountLimitsHits) {
  RuleEngine engine;
  RuleSpec spec = ErrorRule("*", Op::kRead, 0, std::nullopt);
  spec.count = 2;
  Result<uint64_t> id = engine.Add(spec);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(engine.Evaluate(Read("f", 0, 1)).terminal);
  EXPECT_TRUE(engine.Evaluate(Read("f", 0, 1)).terminal);
  EXPECT_TRUE(engine.Evaluate(Read("f", 0, 1)).empty());
  std::vector<RuleState> rules = engine.List();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].hits, 2u);
  EXPECT_TRUE(rules[0].Exhausted());
}

TEST(RuleEngine, NonMatchingRequestsDoNotUseTheCount) {
  RuleEngine engine;
  RuleSpec spec = ErrorRule("f", Op::kRead, 0, 512);
  spec.count = 1;
  ASSERT_TRUE(engine.Add(spec).ok());
  EXPECT_TRUE(engine.Evaluate(Read("f", 4096, 512)).empty());
  EXPECT_TRUE(engine.Evaluate(Read("g", 0, 512)).empty());
  EXPECT_TRUE(engine.Evaluate(Read("f", 0, 512)).terminal);
}

TEST(RuleEngine, ProbabilityIsSeededAndReproducible) {
  auto run = [](uint64_t seed) {
    RuleEngine engine;
    RuleSpec spec = ErrorRule("*", Op::kRead, 0, std::nullopt);
    spec.probability = 0.3;
    spec.seed = seed;
    EXPECT_TRUE(engine.Add(spec).ok());
    std::vector<bool> fired;
    for (int i = 0; i < 1000; ++i)
      fired.push_back(engine.Evaluate(Read("f", 0, 1)).terminal.has_value());
    return fired;
  };
  const std::vector<bool> a = run(42);
  EXPECT_EQ(a, run(42));
  EXPECT_NE(a, run(43));
  const auto hits = std::count(a.begin(), a.end(), true);
  EXPECT_GT(hits, 230);  // 300 expected; binomial sd ~14.5.
  EXPECT_LT(hits, 370);
}

TEST(RuleEngine, EngineSeedDrivesRulesWithoutSeed) {
  auto run = [](uint64_t engine_seed) {
    RuleEngine engine(engine_seed);
    RuleSpec spec = ErrorRule("*", Op::kRead, 0, std::nullopt);
    spec.probability = 0.5;
    EXPECT_TRUE(engine.Add(spec).ok());
    std::vector<bool> fired;
    for (int i = 0; i < 200; ++i)
      fired.push_back(engine.Evaluate(Read("f", 0, 1)).terminal.has_value());
    return fired;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(RuleEngine, ProbabilityZeroAndOne) {
  RuleEngine engine;
  RuleSpec never = ErrorRule("*", Op::kRead, 0, std::nullopt);
  never.probability = 0.0;
  ASSERT_TRUE(engine.Add(never).ok());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(engine.Evaluate(Read("f", 0, 1)).empty());
  EXPECT_EQ(engine.List()[0].skipped, 100u);
  EXPECT_EQ(engine.List()[0].hits, 0u);
}

TEST(RuleEngine, FirstTerminalWinsAndWaitsAccumulate) {
  RuleEngine engine;
  RuleSpec delay;
  delay.action = Action::kDelay;
  delay.delay_ms = 5;
  ASSERT_TRUE(engine.Add(delay).ok());
  ASSERT_TRUE(engine.Add(ErrorRule("*", Op::kRead, 0, std::nullopt, EIO)).ok());
  ASSERT_TRUE(engine.Add(ErrorRule("*", Op::kRead, 0, std::nullopt, ENOSPC)).ok());
  RuleSpec hang;
  hang.action = Action::kHang;
  ASSERT_TRUE(engine.Add(hang).ok());
  Verdict v = engine.Evaluate(Read("f", 0, 1));
  ASSERT_TRUE(v.terminal);
  EXPECT_EQ(v.terminal->error, EIO);
  ASSERT_EQ(v.waits.size(), 2u);
  EXPECT_EQ(v.waits[0].action, Action::kDelay);
  EXPECT_EQ(v.waits[1].action, Action::kHang);
  std::vector<RuleState> rules = engine.List();
  EXPECT_EQ(rules[1].hits, 1u);
  EXPECT_EQ(rules[2].hits, 0u);  // Shadowed by the first error: not counted.
}

TEST(RuleEngine, CorruptAndShortNeedARange) {
  RuleEngine engine;
  RuleSpec corrupt;
  corrupt.action = Action::kCorrupt;
  ASSERT_TRUE(engine.Add(corrupt).ok());
  EXPECT_TRUE(engine.Evaluate(Request{"f", Op::kFsync, false, 0, 0}).empty());
  EXPECT_TRUE(engine.Evaluate(Read("f", 0, 1)).terminal);
}

TEST(RuleEngine, ClearAndIds) {
  RuleEngine engine;
  Result<uint64_t> a = engine.Add(ErrorRule("*", Op::kRead, 0, std::nullopt));
  Result<uint64_t> b = engine.Add(ErrorRule("*", Op::kWrite, 0, std::nullopt));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value(), 1u);
  EXPECT_EQ(b.value(), 2u);
  EXPECT_TRUE(engine.Clear(1));
  EXPECT_FALSE(engine.Clear(1));
  EXPECT_TRUE(engine.Evaluate(Read("f", 0, 1)).empty());
  EXPECT_EQ(engine.ClearAll(), 1u);
  Result<uint64_t> c = engine.Add(ErrorRule("*", Op::kRead, 0, std::nullopt));
  EXPECT_EQ(c.value(), 3u);  // Ids are never reused.
}

TEST(RuleEngine, AddRejectsInvalidRules) {
  RuleEngine engine;
  RuleSpec zero_length = ErrorRule("f", Op::kRead, 0, 0);
  EXPECT_FALSE(engine.Add(zero_length).ok());
  RuleSpec absolute = ErrorRule("/f", Op::kRead, 0, std::nullopt);
  EXPECT_FALSE(engine.Add(absolute).ok());
  RuleSpec bad_probability = ErrorRule("f", Op::kRead, 0, std::nullopt);
  bad_probability.probability = 1.5;
  EXPECT_FALSE(engine.Add(bad_probability).ok());
  RuleSpec overflow = ErrorRule("f", Op::kRead, UINT64_MAX - 1, 10);
  EXPECT_FALSE(engine.Add(overflow).ok());
  RuleSpec no_errno = ErrorRule("f", Op::kRead, 0, std::nullopt, 0);
  EXPECT_FALSE(engine.Add(no_errno).ok());
  RuleSpec short_fsync;
  short_fsync.action = Action::kShort;
  short_fsync.op = Op::kFsync;
  EXPECT_FALSE(engine.Add(short_fsync).ok());
  EXPECT_TRUE(engine.List().empty());
}

TEST(RuleEngine, HangWaitsForRelease) {
  RuleEngine engine;
  RuleSpec hang;
  hang.action = Action::kHang;
  Result<uint64_t> id = engine.Add(hang);
  ASSERT_TRUE(id.ok());
  auto waiter = std::async(std::launch::async, [&] { return engine.WaitHang(id.value()); });
  EXPECT_EQ(waiter.wait_for(100ms), std::future_status::timeout);
  for (int i = 0; i < 200 && engine.HangingCount() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(engine.HangingCount(), 1u);
  EXPECT_EQ(engine.Release(std::nullopt), 1u);
  ASSERT_EQ(waiter.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(waiter.get(), HangEnd::kReleased);
  EXPECT_EQ(engine.HangingCount(), 0u);
}

TEST(RuleEngine, HangEndsWhenRuleClearedOrShutdown) {
  RuleEngine engine;
  RuleSpec hang;
  hang.action = Action::kHang;
  Result<uint64_t> id = engine.Add(hang);
  ASSERT_TRUE(id.ok());
  auto cleared = std::async(std::launch::async, [&] { return engine.WaitHang(id.value()); });
  for (int i = 0; i < 200 && engine.HangingCount() == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(engine.Clear(id.value()));
  ASSERT_EQ(cleared.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(cleared.get(), HangEnd::kRuleCleared);

  Result<uint64_t> id2 = engine.Add(hang);
  auto shut = std::async(std::launch::async, [&] { return engine.WaitHang(id2.value()); });
  for (int i = 0; i < 200 && engine.HangingCount() == 0; ++i) std::this_thread::sleep_for(5ms);
  engine.Shutdown();
  ASSERT_EQ(shut.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(shut.get(), HangEnd::kShutdown);
  EXPECT_EQ(engine.WaitHang(id2.value()), HangEnd::kShutdown);  // Later hangs return at once.
  EXPECT_FALSE(engine.Sleep(10000));                            // So do delays.
}

TEST(RuleEngine, ReleaseOneRuleLeavesOthersHanging) {
  RuleEngine engine;
  RuleSpec hang;
  hang.action = Action::kHang;
  const uint64_t a = engine.Add(hang).value();
  const uint64_t b = engine.Add(hang).value();
  auto wa = std::async(std::launch::async, [&] { return engine.WaitHang(a); });
  auto wb = std::async(std::launch::async, [&] { return engine.WaitHang(b); });
  for (int i = 0; i < 200 && engine.HangingCount() < 2; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(engine.Release(a), 1u);
  ASSERT_EQ(wa.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(wb.wait_for(50ms), std::future_status::timeout);
  engine.Release(std::nullopt);
  ASSERT_EQ(wb.wait_for(5s), std::future_status::ready);
}

TEST(ShortLength, StopsAtRangeOrHalves) {
  Fault fault;
  fault.action = Action::kShort;
  fault.range_offset = 4096;
  EXPECT_EQ(ShortLength(0, 8192, fault), 4096u);
  EXPECT_EQ(ShortLength(4096, 8192, fault), 4096u);
  EXPECT_EQ(ShortLength(4096, 1500, fault), 512u);   // 750 rounded down to 512s.
  EXPECT_EQ(ShortLength(4096, 1000, fault), 500u);   // Too small to round.
  EXPECT_EQ(ShortLength(4096, 3000, fault), 1024u);  // 1500 rounded down to 512s.
  EXPECT_EQ(ShortLength(0, 100, fault), 100u);       // Never more than asked.
}

TEST(ApplyCorruption, OnlyBytesInRange) {
  Fault fault;
  fault.action = Action::kCorrupt;
  fault.range_offset = 10;
  fault.range_length = 4;
  fault.corrupt_xor = 0x01;
  std::string data(20, '\x10');
  EXPECT_EQ(ApplyCorruption(5, data.data(), data.size(), fault), 4u);
  for (size_t i = 0; i < data.size(); ++i) {
    const bool in_range = i + 5 >= 10 && i + 5 < 14;
    EXPECT_EQ(data[i], in_range ? '\x11' : '\x10') << i;
  }
  EXPECT_EQ(ApplyCorruption(100, data.data(), data.size(), fault), 0u);
}

TEST(Names, ErrnoRoundTrip) {
  EXPECT_EQ(ParseErrno("EIO").value(), EIO);
  EXPECT_EQ(ParseErrno("enospc").value(), ENOSPC);
  EXPECT_EQ(ParseErrno("30").value(), 30);
  EXPECT_FALSE(ParseErrno("EWHAT").ok());
  EXPECT_FALSE(ParseErrno("0").ok());
  EXPECT_FALSE(ParseErrno("5x").ok());
  EXPECT_EQ(ErrnoName(EROFS), "EROFS");
  EXPECT_EQ(ErrnoName(4000), "4000");
}

TEST(Names, Sizes) {
  EXPECT_EQ(ParseSize("4096").value(), 4096u);
  EXPECT_EQ(ParseSize("4k").value(), 4096u);
  EXPECT_EQ(ParseSize("1M").value(), 1u << 20);
  EXPECT_EQ(ParseSize("2GiB").value(), 2ull << 30);
  EXPECT_EQ(ParseSize("0x1000").value(), 4096u);
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("1Q").ok());
  EXPECT_FALSE(ParseSize("-1").ok());
  EXPECT_FALSE(ParseSize("99999999999T").ok());
  EXPECT_FALSE(ParseSize("1Mx").ok());
}

TEST(Names, OpsAndActions) {
  for (Op op : {Op::kRead, Op::kWrite, Op::kFsync, Op::kOpen, Op::kAny})
    EXPECT_EQ(ParseOp(OpName(op)).value(), op);
  for (Action a :
       {Action::kError, Action::kDelay, Action::kHang, Action::kCorrupt, Action::kShort}) {
    EXPECT_EQ(ParseAction(ActionName(a)).value(), a);
  }
  EXPECT_FALSE(ParseOp("trim").ok());
}

}  // namespace
}  // namespace reftarget::faultfs
