// Each fault action through real sockets: the real netfault binary between a client and
// an echo server, checked from both ends.
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "fault-injection/netfault/integration_fixture.h"

namespace reftarget::netfault::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

TEST_F(NetfaultTest, DelayHoldsEachChunkAtLeastTheDelay) {
  netfault_.AddRule({{"dir", "up"}, {"action", "delay"}, {"delay_ms", 200}});
  Client client(netfault_.port());
  const auto start = Clock::now();
  ASSERT_EQ(Echo(&client, "ping"), "ping");
  EXPECT_GE(Clock::now() - start, milliseconds(200));
  EXPECT_NE(Log().find("fault rule=1 conn=1 dir=up offset=0 length=4 action=delay delay_ms=200"),
            std::string::npos)
      << Log();
}

TEST_F(NetfaultTest, RateLimitsThroughputRoughly) {
  netfault_.AddRule({{"dir", "up"}, {"action", "rate"}, {"rate", "200k"}});
  Client client(netfault_.port());
  const std::string data = RandomBytes(100 << 10, 3);
  const auto start = Clock::now();
  ASSERT_TRUE(Echo(&client, data) == data);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(elapsed, 0.4);  // (100k - 10k burst) / 200k per second = 0.45 s.
  EXPECT_LT(elapsed, 5.0);
}

TEST_F(NetfaultTest, SplitGivesTheReceiverManySmallReads) {
  netfault_.AddRule({{"dir", "down"}, {"action", "split"}, {"split", 100}, {"gap_ms", 5}});
  Client client(netfault_.port());
  const std::string data = RandomBytes(2000, 4);
  ASSERT_TRUE(client.SendAll(data));
  std::string got;
  std::vector<size_t> reads;
  while (got.size() < data.size()) {
    const std::string piece = client.ReadN(1, seconds(5));  // One recv() of up to 1 byte...
    if (piece.empty()) break;
    // ...then whatever else is already there, as one more read.
    std::string rest;
    if (client.WaitInput(milliseconds(0)) == Client::Wait::kData)
      rest = client.ReadN(data.size() - got.size() - 1, milliseconds(0));
    got += piece + rest;
    reads.push_back(piece.size() + rest.size());
  }
  EXPECT_TRUE(got == data);
  EXPECT_GE(reads.size(), 10u);  // 20 pieces sent 5 ms apart; unsplit it is one read.
  size_t small = 0;
  for (size_t n : reads) small += n <= 100;
  EXPECT_GE(small * 10, reads.size() * 8) << "most reads should see one piece";
}

TEST_F(NetfaultTest, SplitAtEveryByteKeepsDataIntact) {
  netfault_.AddRule({{"dir", "up"}, {"action", "split"}, {"split", 1}});
  Client client(netfault_.port());
  const std::string data = RandomBytes(64 << 10, 5);
  EXPECT_TRUE(Echo(&client, data) == data);
  EXPECT_GE(netfault_.Call({{"cmd", "list"}}).value()["rules"][0]["hits"], 1);
}

TEST_F(NetfaultTest, FlipChangesExactlyTheChosenByte) {
  netfault_.AddRule({{"dir", "up"}, {"action", "flip"}, {"at", 1000}, {"mask", 0x04}});
  Client client(netfault_.port());
  const std::string data = RandomBytes(64 << 10, 6);
  const std::string got = Echo(&client, data);
  ASSERT_EQ(got.size(), data.size());
  std::vector<size_t> differ;
  for (size_t i = 0; i < data.size(); ++i) {
    if (got[i] != data[i]) differ.push_back(i);
  }
  ASSERT_EQ(differ, std::vector<size_t>{1000});
  EXPECT_EQ(static_cast<uint8_t>(got[1000] ^ data[1000]), 0x04);
  EXPECT_NE(Log().find("dir=up offset=1000 length=1 action=flip mask=0x04"), std::string::npos)
      << Log();
}

TEST_F(NetfaultTest, BlackholeDropsDataAndKeepsTheConnectionOpen) {
  const uint64_t id = netfault_.AddRule({{"dir", "up"}, {"action", "blackhole"}});
  Client client(netfault_.port());
  ASSERT_TRUE(client.SendAll("lost"));
  EXPECT_EQ(client.WaitInput(milliseconds(400)), Client::Wait::kTimeout);  // No data, no EOF.
  EXPECT_EQ(echo_.Stats().at(0).received, 0u);
  const json conn = netfault_.Conn(1);
  ASSERT_FALSE(conn.is_null());
  EXPECT_EQ(conn["up"]["dropped"], 4);
  EXPECT_EQ(conn["state"], "open");
  ASSERT_TRUE(netfault_.Call({{"cmd", "clear"}, {"id", id}}).value()["ok"].get<bool>());
  EXPECT_EQ(Echo(&client, "back"), "back");
}

TEST_F(NetfaultTest, ResetAfterAnOffsetDeliversThePrefixThenRst) {
  netfault_.AddRule({{"dir", "up"}, {"action", "reset"}, {"after", 5}});
  Client client(netfault_.port());
  ASSERT_TRUE(client.SendAll("0123456789"));
  // The target gets exactly the five bytes before the trigger, then an RST.
  ASSERT_TRUE(echo_.WaitFor([](const auto& s) { return !s.empty() && s[0].closed; }, seconds(5)));
  EXPECT_EQ(echo_.Stats()[0].received, 5u);
  EXPECT_EQ(echo_.Stats()[0].error, ECONNRESET);
  // The initiator sees the reset too (possibly after the echo of the prefix).
  const std::string echoed = client.ReadN(5, milliseconds(200));
  EXPECT_EQ(echoed, std::string("01234").substr(0, echoed.size()));
  int error = 0;
  const Client::Wait end = client.WaitInput(seconds(5), &error);
  EXPECT_TRUE(end == Client::Wait::kError || end == Client::Wait::kEof);
  if (end == Client::Wait::kError) {
    EXPECT_EQ(error, ECONNRESET);
  }
  EXPECT_NE(Log().find("action=reset"), std::string::npos) << Log();
}

TEST_F(NetfaultTest, HalfCloseEndsOneDirectionAndKeepsTheOther) {
  echo_.SetReplyOnEof("bye");
  netfault_.AddRule({{"dir", "up"}, {"action", "half-close"}, {"after", 2}});
  Client client(netfault_.port());
  ASSERT_EQ(Echo(&client, "hi"), "hi");
  ASSERT_TRUE(client.SendAll("more"));  // Discarded: the target's side is shut.
  // The target reads EOF while its replies still reach the initiator.
  ASSERT_TRUE(echo_.WaitFor([](const auto& s) { return !s.empty() && s[0].eof; }, seconds(5)));
  EXPECT_EQ(echo_.Stats()[0].received, 2u);
  EXPECT_EQ(client.ReadN(3, seconds(5)), "bye");
  EXPECT_EQ(client.WaitInput(seconds(5)), Client::Wait::kEof);
}

TEST_F(NetfaultTest, StallHoldsUntilReleased) {
  const uint64_t id = netfault_.AddRule({{"dir", "down"}, {"action", "stall"}});
  Client client(netfault_.port());
  ASSERT_TRUE(client.SendAll("abc"));
  EXPECT_EQ(client.WaitInput(milliseconds(300)), Client::Wait::kTimeout);
  json list = netfault_.Call({{"cmd", "list"}}).value();
  EXPECT_EQ(list["rules"][0]["held"], 1);
  EXPECT_EQ(netfault_.Conn(1)["down"]["queued"], 3);
  json released = netfault_.Call({{"cmd", "release"}, {"id", id}}).value();
  EXPECT_EQ(released["released"], 1);
  EXPECT_EQ(client.ReadN(3, seconds(5)), "abc");
  // One stall per connection direction: later bytes flow.
  EXPECT_EQ(Echo(&client, "def"), "def");
  EXPECT_NE(Log().find("stall end rule=1 dir=down offset=0 reason=released"), std::string::npos)
      << Log();
}

TEST_F(NetfaultTest, ClearingAStallRuleReleasesIt) {
  netfault_.AddRule({{"dir", "up"}, {"action", "stall"}, {"after", 2}});
  Client client(netfault_.port());
  ASSERT_TRUE(client.SendAll("xyz"));
  EXPECT_EQ(client.ReadN(3, milliseconds(300)), "xy");
  EXPECT_EQ(netfault_.Call({{"cmd", "clear"}}).value()["cleared"], 1);
  EXPECT_EQ(client.ReadN(1, seconds(5)), "z");
}

}  // namespace
}  // namespace reftarget::netfault::testing
