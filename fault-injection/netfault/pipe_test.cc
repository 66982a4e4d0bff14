// Each action's effect on a byte stream, computed without sockets: a Pipe driven by a
// virtual clock, with a "socket" that takes what send() is offered.
#include "fault-injection/netfault/pipe.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reftarget::netfault {
namespace {

using std::chrono::milliseconds;

const TimePoint kStart = TimePoint{} + std::chrono::hours(1);

std::string Pattern(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(i * 13 + 1);
  return out;
}

struct Send {
  TimePoint at;
  std::string bytes;
};

// Runs the writer from `*now` until the pipe is idle, held, or at a non-data step; the
// virtual clock jumps to each wait's end. A send takes at most `accept` bytes, as a full
// kernel buffer would.
std::vector<Send> Drain(Pipe* pipe, TimePoint* now, size_t accept = SIZE_MAX) {
  std::vector<Send> sends;
  for (int guard = 0; guard < 1000000; ++guard) {
    const Pipe::Next next = pipe->Peek(*now);
    if (next.kind == Pipe::Next::Kind::kWait) {
      EXPECT_GT(next.until, *now);
      *now = next.until;
      continue;
    }
    if (next.kind != Pipe::Next::Kind::kSend) break;
    const size_t n = std::min(next.length, accept);
    sends.push_back({*now, std::string(next.data, n)});
    pipe->Sent(n, *now);
  }
  return sends;
}

std::string Joined(const std::vector<Send>& sends) {
  std::string out;
  for (const Send& send : sends) out += send.bytes;
  return out;
}

uint64_t AddRule(RuleEngine* engine, Action action, void (*edit)(RuleSpec*) = nullptr) {
  RuleSpec spec;
  spec.action = action;
  if (edit != nullptr) edit(&spec);
  Result<uint64_t> id = engine->Add(spec);
  EXPECT_TRUE(id.ok()) << id.error();
  return id.ok() ? id.value() : 0;
}

TEST(Pipe, PassesDataThroughInOneSend) {
  RuleEngine engine;
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, Pattern(5000), now);
  EXPECT_EQ(pipe.queued_bytes(), 5000u);
  const std::vector<Send> sends = Drain(&pipe, &now);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].bytes, Pattern(5000));
  EXPECT_EQ(pipe.queued_bytes(), 0u);
  EXPECT_EQ(pipe.sent_bytes(), 5000u);
  EXPECT_TRUE(pipe.empty());
}

TEST(Pipe, PartialSendsKeepTheBytesInOrder) {
  RuleEngine engine;
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, Pattern(1000), now);
  pipe.Push(&engine, Pattern(10), now);
  EXPECT_EQ(Joined(Drain(&pipe, &now, 333)), Pattern(1000) + Pattern(10));
}

TEST(Pipe, DelayHoldsEachChunkAndKeepsOrder) {
  RuleEngine engine;
  const uint64_t id = AddRule(&engine, Action::kDelay, [](RuleSpec* s) { s->delay_ms = 100; });
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, "first", now);
  engine.Clear(id);
  pipe.Push(&engine, "second", now + milliseconds(10));  // Not delayed itself.
  const std::vector<Send> sends = Drain(&pipe, &now);
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].bytes, "first");
  EXPECT_EQ(sends[0].at, kStart + milliseconds(100));
  EXPECT_EQ(sends[1].bytes, "second");  // Waited behind the delayed chunk.
  EXPECT_GE(sends[1].at, sends[0].at);
}

TEST(Pipe, RateLimitsThroughputWithASmallBurst) {
  RuleEngine engine;
  AddRule(&engine, Action::kRate, [](RuleSpec* s) { s->rate = 1000; });
  Pipe pipe(1, Direction::kDown);
  TimePoint now = kStart;
  pipe.Push(&engine, Pattern(3000), now);
  const std::vector<Send> sends = Drain(&pipe, &now);
  EXPECT_EQ(Joined(sends), Pattern(3000));
  for (const Send& send : sends) EXPECT_LE(send.bytes.size(), 50u);  // 50 ms of burst.
  const double seconds = std::chrono::duration<double>(sends.back().at - kStart).count();
  EXPECT_GT(seconds, 2.9);  // (3000 - 50 burst) / 1000 bytes per second.
  EXPECT_LT(seconds, 3.0);
}

TEST(Pipe, SlowRateSendsSingleBytes) {
  RuleEngine engine;
  AddRule(&engine, Action::kRate, [](RuleSpec* s) { s->rate = 10; });  // T24's slowloris.
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, "abcde", now);
  const std::vector<Send> sends = Drain(&pipe, &now);
  ASSERT_EQ(sends.size(), 5u);
  for (size_t i = 1; i < sends.size(); ++i) {
    EXPECT_EQ(sends[i].bytes.size(), 1u);
    EXPECT_EQ(sends[i].at - sends[i - 1].at, milliseconds(100));
  }
}

TEST(Pipe, SplitSendsBoundedPiecesWithGaps) {
  RuleEngine engine;
  AddRule(&engine, Action::kSplit, [](RuleSpec* s) {
    s->split = 7;
    s->gap_ms = 3;
  });
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, Pattern(50), now);
  pipe.Push(&engine, Pattern(6), now);
  const std::vector<Send> sends = Drain(&pipe, &now);
  EXPECT_EQ(Joined(sends), Pattern(50) + Pattern(6));
  EXPECT_EQ(sends.size(), 9u);  // ceil(50 / 7) + 1.
  for (size_t i = 0; i < sends.size(); ++i) {
    EXPECT_LE(sends[i].bytes.size(), 7u);
    if (i > 0) {
      EXPECT_GE(sends[i].at - sends[i - 1].at, milliseconds(3));
    }
  }
}

TEST(Pipe, SplitOfOneByteGivesEveryBoundary) {
  RuleEngine engine;
  AddRule(&engine, Action::kSplit, [](RuleSpec* s) { s->split = 1; });  // T25.
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, Pattern(48), now);
  const std::vector<Send> sends = Drain(&pipe, &now);
  EXPECT_EQ(sends.size(), 48u);
  EXPECT_EQ(Joined(sends), Pattern(48));
  EXPECT_EQ(sends.back().at, kStart);  // No gap asked for: no waiting.
}

TEST(Pipe, StallHoldsUntilReleased) {
  RuleEngine engine;
  const uint64_t id = AddRule(&engine, Action::kStall, [](RuleSpec* s) { s->after = 4; });
  Pipe pipe(1, Direction::kDown);
  TimePoint now = kStart;
  pipe.Push(&engine, "0123456789", now);
  EXPECT_EQ(Joined(Drain(&pipe, &now)), "0123");
  EXPECT_EQ(pipe.Peek(now).kind, Pipe::Next::Kind::kHeld);
  EXPECT_EQ(pipe.Held(std::nullopt), 1u);
  EXPECT_EQ(pipe.Held(id + 1), 0u);
  pipe.Push(&engine, "ab", now);  // Queues behind the stall.
  EXPECT_TRUE(pipe.Release(id + 1).empty());
  const std::vector<Step> released = pipe.Release(id);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].offset, 4u);
  EXPECT_EQ(Joined(Drain(&pipe, &now)), "456789ab");
  EXPECT_EQ(pipe.Held(std::nullopt), 0u);
}

TEST(Pipe, ResetComesAfterTheBytesBeforeIt) {
  RuleEngine engine;
  AddRule(&engine, Action::kReset, [](RuleSpec* s) { s->after = 5; });
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, "0123456789", now);
  EXPECT_EQ(Joined(Drain(&pipe, &now)), "01234");
  const Pipe::Next next = pipe.Peek(now);
  ASSERT_EQ(next.kind, Pipe::Next::Kind::kStep);
  EXPECT_EQ(next.step->kind, Step::Kind::kReset);
  EXPECT_EQ(pipe.dropped_bytes(), 5u);
}

TEST(Pipe, EndOfStreamFollowsTheData) {
  RuleEngine engine;
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, "data", now);
  pipe.PushEnd(Step::Kind::kFin);
  EXPECT_EQ(Joined(Drain(&pipe, &now)), "data");
  const Pipe::Next next = pipe.Peek(now);
  ASSERT_EQ(next.kind, Pipe::Next::Kind::kStep);
  EXPECT_EQ(next.step->kind, Step::Kind::kFin);
  EXPECT_EQ(next.step->offset, 4u);
  pipe.Pop();
  EXPECT_EQ(pipe.Peek(now).kind, Pipe::Next::Kind::kIdle);
}

TEST(Pipe, DiscardAllCountsDroppedBytes) {
  RuleEngine engine;
  Pipe pipe(1, Direction::kUp);
  TimePoint now = kStart;
  pipe.Push(&engine, Pattern(100), now);
  pipe.Sent(30, now);
  EXPECT_EQ(pipe.DiscardAll(), 70u);
  EXPECT_EQ(pipe.dropped_bytes(), 70u);
  EXPECT_EQ(pipe.queued_bytes(), 0u);
  EXPECT_TRUE(pipe.empty());
}

}  // namespace
}  // namespace reftarget::netfault
