#include "target/backstore/faulty_backstore.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "target/backstore/fileio.h"
#include "target/backstore/ramdisk.h"
#include "target/backstore/test_util.h"

namespace reftarget::backstore {
namespace {

using namespace std::chrono_literals;
using testing::FillPattern;
using testing::FlushSync;
using testing::Pending;
using testing::ReadSync;
using testing::TempDir;
using testing::UnmapSync;
using testing::WriteSync;

constexpr uint64_t kMiB = 1 << 20;

std::unique_ptr<Backstore> Ramdisk(uint64_t size = 4 * kMiB) {
  BackstoreSpec spec;
  spec.plugin = "ramdisk";
  spec.name = "rd0";
  spec.size = size;
  spec.thin = true;
  auto r = RamdiskBackstore::Open(spec);
  EXPECT_TRUE(r.ok()) << r.error();
  return std::move(r).value();
}

FaultRule Rule(IoType op, FaultAction action, uint64_t offset = 0, uint64_t length = UINT64_MAX) {
  FaultRule rule;
  rule.op = op;
  rule.action = action;
  rule.offset = offset;
  rule.length = length;
  return rule;
}

uint64_t MustAdd(FaultyBackstore& store, const FaultRule& rule) {
  auto r = store.AddRule(rule);
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? r.value() : 0;
}

TEST(FaultyBackstoreTest, PassesThroughWithoutRules) {
  FaultyBackstore store(Ramdisk());
  EXPECT_EQ(store.kind(), "ramdisk");
  EXPECT_EQ(store.size_bytes(), 4 * kMiB);
  EXPECT_TRUE(store.Supports(IoType::kUnmap));
  std::vector<uint8_t> out(4096), in(4096);
  FillPattern(out, 1);
  ASSERT_TRUE(WriteSync(store, 8192, out).ok());
  ASSERT_TRUE(ReadSync(store, 8192, in).ok());
  EXPECT_EQ(in, out);
  EXPECT_TRUE(FlushSync(store).ok());
  EXPECT_TRUE(UnmapSync(store, 0, kMiB).ok());
  EXPECT_TRUE(store.IsDeallocated(0, kMiB));
}

TEST(FaultyBackstoreTest, ReadEioOnlyInsideTheRange) {
  FaultyBackstore store(Ramdisk());
  uint64_t id = MustAdd(store, Rule(IoType::kRead, FaultAction::kFail, 64 * 1024, 4096));
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(ReadSync(store, 64 * 1024, buf).error, EIO);
  EXPECT_EQ(ReadSync(store, 64 * 1024 - 2048, buf).error, EIO);  // overlaps the start
  EXPECT_TRUE(ReadSync(store, 64 * 1024 - 4096, buf).ok());      // ends where it begins
  EXPECT_TRUE(ReadSync(store, 64 * 1024 + 4096, buf).ok());
  EXPECT_TRUE(WriteSync(store, 64 * 1024, buf).ok()) << "a read rule leaves writes alone";
  EXPECT_EQ(store.fired(id), 2u);
}

TEST(FaultyBackstoreTest, WriteEnospc) {
  FaultyBackstore store(Ramdisk());
  FaultRule rule = Rule(IoType::kWrite, FaultAction::kFail);
  rule.error = ENOSPC;
  MustAdd(store, rule);
  std::vector<uint8_t> buf(4096, 1);
  EXPECT_EQ(WriteSync(store, 0, buf).error, ENOSPC);
  EXPECT_TRUE(ReadSync(store, 0, buf).ok());
  EXPECT_EQ(buf, std::vector<uint8_t>(4096, 0)) << "a failed write must not reach the store";
}

TEST(FaultyBackstoreTest, FlushAndUnmapFail) {
  FaultyBackstore store(Ramdisk());
  MustAdd(store, Rule(IoType::kFlush, FaultAction::kFail));
  FaultRule unmap = Rule(IoType::kUnmap, FaultAction::kFail);
  unmap.error = EOPNOTSUPP;
  MustAdd(store, unmap);
  EXPECT_EQ(FlushSync(store).error, EIO);
  EXPECT_EQ(FlushSync(store).error, EIO);
  EXPECT_EQ(UnmapSync(store, 0, 4096).error, EOPNOTSUPP);
}

TEST(FaultyBackstoreTest, CountLimitsFiringsThenRuleGoesAway) {
  FaultyBackstore store(Ramdisk());
  FaultRule rule = Rule(IoType::kRead, FaultAction::kFail);
  rule.count = 2;
  uint64_t id = MustAdd(store, rule);
  std::vector<uint8_t> buf(512);
  EXPECT_EQ(ReadSync(store, 0, buf).error, EIO);
  EXPECT_EQ(ReadSync(store, 0, buf).error, EIO);
  EXPECT_TRUE(ReadSync(store, 0, buf).ok());
  EXPECT_EQ(store.fired(id), 2u);
  EXPECT_FALSE(store.RemoveRule(id)) << "spent rules are removed";
}

TEST(FaultyBackstoreTest, FirstMatchingRuleDecides) {
  FaultyBackstore store(Ramdisk());
  FaultRule first = Rule(IoType::kRead, FaultAction::kFail, 0, 4096);
  first.error = ENOSPC;
  uint64_t a = MustAdd(store, first);
  uint64_t b = MustAdd(store, Rule(IoType::kRead, FaultAction::kFail));
  std::vector<uint8_t> buf(512);
  EXPECT_EQ(ReadSync(store, 0, buf).error, ENOSPC);
  EXPECT_EQ(ReadSync(store, 8192, buf).error, EIO);
  EXPECT_TRUE(store.RemoveRule(a));
  EXPECT_EQ(ReadSync(store, 0, buf).error, EIO);
  store.ClearRules();
  EXPECT_TRUE(ReadSync(store, 0, buf).ok());
  EXPECT_EQ(store.fired(a), 1u);
  EXPECT_EQ(store.fired(b), 2u);
}

TEST(FaultyBackstoreTest, ProbabilityIsSeededAndBounded) {
  FaultyBackstore never(Ramdisk());
  FaultRule rule = Rule(IoType::kRead, FaultAction::kFail);
  rule.probability = 0.0;
  uint64_t id = MustAdd(never, rule);
  std::vector<uint8_t> buf(512);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(ReadSync(never, 0, buf).ok());
  EXPECT_EQ(never.fired(id), 0u);

  auto count_failures = [&](uint64_t seed) {
    FaultyBackstore store(Ramdisk(), seed);
    FaultRule half = Rule(IoType::kRead, FaultAction::kFail);
    half.probability = 0.5;
    MustAdd(store, half);
    int failures = 0;
    for (int i = 0; i < 1000; ++i) failures += ReadSync(store, 0, buf).ok() ? 0 : 1;
    return failures;
  };
  int a = count_failures(42);
  EXPECT_EQ(a, count_failures(42)) << "same seed, same faults";
  EXPECT_GT(a, 350);
  EXPECT_LT(a, 650);
}

TEST(FaultyBackstoreTest, CorruptFlipsOneByteOnRead) {
  FaultyBackstore store(Ramdisk());
  std::vector<uint8_t> data(4096);
  FillPattern(data, 3);
  ASSERT_TRUE(WriteSync(store, 0, data).ok());
  FaultRule rule = Rule(IoType::kRead, FaultAction::kCorrupt, 1000, 8);
  rule.corrupt_xor = 0x01;
  rule.count = 1;
  MustAdd(store, rule);
  std::vector<uint8_t> got(4096);
  ASSERT_TRUE(ReadSync(store, 512, got).ok());
  std::vector<uint8_t> expect(4096, 0);  // [512, 4096) is data, [4096, 4608) never written
  std::copy(data.begin() + 512, data.end(), expect.begin());
  expect[1000 - 512] ^= 0x01;
  EXPECT_EQ(got, expect);
  // Only the returned data is corrupt, not the store.
  ASSERT_TRUE(ReadSync(store, 0, got).ok());
  EXPECT_EQ(got, data);
}

TEST(FaultyBackstoreTest, DelayDefersTheOperation) {
  FaultyBackstore store(Ramdisk());
  FaultRule rule = Rule(IoType::kWrite, FaultAction::kDelay);
  rule.delay_ms = 100;
  MustAdd(store, rule);
  std::vector<uint8_t> buf(4096, 8);
  auto start = std::chrono::steady_clock::now();
  Pending p;
  store.Write(0, buf, false, p.Callback());
  auto r = p.Wait(5s);
  ASSERT_TRUE(r.has_value()) << "a delayed write must complete";
  EXPECT_TRUE(r->ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  std::vector<uint8_t> got(4096);
  ASSERT_TRUE(ReadSync(store, 0, got).ok());
  EXPECT_EQ(got, buf);
}

TEST(FaultyBackstoreTest, HangHoldsUntilReleasedWithoutBlockingTheCaller) {
  FaultyBackstore store(Ramdisk());
  MustAdd(store, Rule(IoType::kRead, FaultAction::kHang));
  std::vector<uint8_t> data(4096, 0x33);
  ASSERT_TRUE(WriteSync(store, 0, data).ok());
  std::vector<uint8_t> bufs[3] = {std::vector<uint8_t>(4096), std::vector<uint8_t>(4096),
                                  std::vector<uint8_t>(4096)};
  Pending p[3];
  for (int i = 0; i < 3; ++i) store.Read(0, bufs[i], p[i].Callback());  // returns at once
  EXPECT_EQ(store.hung(), 3u);
  for (Pending& x : p) EXPECT_FALSE(x.done());
  // Writes are not affected by a read hang.
  EXPECT_TRUE(WriteSync(store, 8192, data).ok());

  store.ClearRules();
  EXPECT_EQ(store.hung(), 3u) << "clearing rules does not release held operations";
  EXPECT_EQ(store.ReleaseHung(), 3u);
  for (int i = 0; i < 3; ++i) {
    auto r = p[i].Wait(5s);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->ok());
    EXPECT_EQ(bufs[i], data);
  }
  EXPECT_EQ(store.hung(), 0u);
}

TEST(FaultyBackstoreTest, DestructionReleasesHungOperationsOnce) {
  std::vector<uint8_t> buf(4096);
  Pending hung, delayed;
  {
    FaultyBackstore store(Ramdisk());
    MustAdd(store, Rule(IoType::kRead, FaultAction::kHang));
    FaultRule slow = Rule(IoType::kFlush, FaultAction::kDelay);
    slow.delay_ms = FaultyBackstore::kMaxDelayMs;
    MustAdd(store, slow);
    store.Read(0, buf, hung.Callback());
    store.Flush(delayed.Callback());
    EXPECT_FALSE(hung.done());
    EXPECT_FALSE(delayed.done());
  }
  EXPECT_EQ(hung.calls(), 1);
  EXPECT_EQ(delayed.calls(), 1);
}

TEST(FaultyBackstoreTest, RulesAreValidated) {
  FaultyBackstore store(Ramdisk());
  FaultRule bad = Rule(IoType::kRead, FaultAction::kFail);
  bad.error = 0;
  auto r = store.AddRule(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("error 0"), std::string::npos) << r.error();

  bad = Rule(IoType::kWrite, FaultAction::kCorrupt);
  EXPECT_FALSE(store.AddRule(bad).ok());
  bad = Rule(IoType::kRead, FaultAction::kFail);
  bad.count = 0;
  EXPECT_NE(store.AddRule(bad).error().find("count 0"), std::string::npos);
  bad = Rule(IoType::kRead, FaultAction::kFail);
  bad.probability = 1.5;
  EXPECT_NE(store.AddRule(bad).error().find("probability"), std::string::npos);
  bad = Rule(IoType::kRead, FaultAction::kDelay);
  bad.delay_ms = FaultyBackstore::kMaxDelayMs + 1;
  EXPECT_NE(store.AddRule(bad).error().find("delay_ms"), std::string::npos);
}

TEST(FaultyBackstoreTest, RulesChangeSafelyUnderConcurrentIo) {
  FaultyBackstore store(Ramdisk());
  std::atomic<bool> stop{false};
  std::atomic<int> bad_errors{0};
  std::vector<std::thread> io;
  for (int t = 0; t < 4; ++t) {
    io.emplace_back([&, t] {
      std::vector<uint8_t> buf(4096);
      while (!stop.load()) {
        IoResult r = ReadSync(store, static_cast<uint64_t>(t) * 4096, buf);
        if (!r.ok() && r.error != EIO) bad_errors++;
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    auto id = store.AddRule(Rule(IoType::kRead, FaultAction::kFail));
    ASSERT_TRUE(id.ok());
    if (i % 2 == 0) {
      store.RemoveRule(id.value());
    } else {
      store.ClearRules();
    }
  }
  stop = true;
  for (std::thread& t : io) t.join();
  EXPECT_EQ(bad_errors.load(), 0);
}

// DESIGN.md isolation: a LUN whose backstore hangs must not delay another LUN's I/O.
TEST(FaultyBackstoreTest, HungStoreDoesNotDelayAnotherStore) {
  TempDir dir;
  auto open = [&](const std::string& name) -> std::unique_ptr<Backstore> {
    BackstoreSpec spec;
    spec.plugin = "fileio";
    spec.name = name;
    spec.dev = dir.File(name + ".img");
    spec.size = 16 * kMiB;
    spec.workers = 2;
    auto r = FileioBackstore::Open(spec);
    EXPECT_TRUE(r.ok()) << r.error();
    return std::move(r).value();
  };
  FaultyBackstore stalled(open("a"));
  for (IoType op : {IoType::kRead, IoType::kWrite, IoType::kFlush}) {
    MustAdd(stalled, Rule(op, FaultAction::kHang));
  }
  std::unique_ptr<Backstore> healthy = open("b");

  std::vector<uint8_t> a_buf(4096);
  std::vector<Pending> a_ops(32);
  for (size_t i = 0; i < a_ops.size(); ++i) {
    if (i % 3 == 0) stalled.Read(i * 4096, a_buf, a_ops[i].Callback());
    if (i % 3 == 1) stalled.Write(i * 4096, a_buf, false, a_ops[i].Callback());
    if (i % 3 == 2) stalled.Flush(a_ops[i].Callback());
  }
  EXPECT_EQ(stalled.hung(), 32u);

  std::vector<uint8_t> out(4096), in(4096);
  for (int i = 0; i < 50; ++i) {
    FillPattern(out, static_cast<uint64_t>(i));
    Pending w;
    healthy->Write(static_cast<uint64_t>(i) * 4096, out, true, w.Callback());
    auto wr = w.Wait(5s);
    ASSERT_TRUE(wr.has_value()) << "store b stalled behind store a at write " << i;
    ASSERT_TRUE(wr->ok());
    ASSERT_TRUE(ReadSync(*healthy, static_cast<uint64_t>(i) * 4096, in).ok());
    ASSERT_EQ(in, out);
  }
  for (Pending& p : a_ops) EXPECT_FALSE(p.done());
  EXPECT_EQ(stalled.ReleaseHung(), 32u);
  for (Pending& p : a_ops) {
    auto r = p.Wait(5s);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->ok());
  }
}

}  // namespace
}  // namespace reftarget::backstore
