// Runs the real netfault binary in front of an echo server on loopback ports chosen at run
// time: pass-through, connection selection, the control CLI, and shutdown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "fault-injection/netfault/integration_fixture.h"

namespace reftarget::netfault::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_F(NetfaultTest, PassThroughKeepsSeveralMiBIntact) {
  Client client(netfault_.port());
  ASSERT_TRUE(client.ok());
  const std::string data = RandomBytes(4 << 20, 1);
  ASSERT_TRUE(Echo(&client, data) == data);
  const json conn = netfault_.Conn(1);
  ASSERT_FALSE(conn.is_null());
  EXPECT_EQ(conn["up"]["read"], data.size());
  EXPECT_EQ(conn["up"]["sent"], data.size());
  EXPECT_EQ(conn["down"]["sent"], data.size());
  EXPECT_EQ(conn["up"]["dropped"], 0);
  EXPECT_NE(Log().find("conn 1 open client=127.0.0.1:"), std::string::npos) << Log();
}

TEST_F(NetfaultTest, ManyConnectionsAtOnceEachGetTheirOwnUpstream) {
  constexpr int kConns = 8;
  std::vector<std::thread> threads;
  std::vector<int> intact(kConns, 0);
  for (int i = 0; i < kConns; ++i) {
    threads.emplace_back([&, i] {
      Client client(netfault_.port());
      const std::string data = RandomBytes(512 << 10, 100 + i);
      intact[i] = client.ok() && Echo(&client, data) == data;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kConns; ++i) EXPECT_TRUE(intact[i]) << "connection " << i;
  EXPECT_EQ(echo_.Stats().size(), static_cast<size_t>(kConns));
  EXPECT_EQ(netfault_.Call({{"cmd", "ping"}}).value()["accepted"], kConns);
}

TEST_F(NetfaultTest, RuleOnConnectionTwoLeavesConnectionOneUntouched) {
  Client one(netfault_.port());
  Client two(netfault_.port());
  ASSERT_TRUE(netfault_.WaitAccepted(2, seconds(5)));
  // Up only: over the echo path a "both" flip would restore the byte on the way back.
  netfault_.AddRule({{"dir", "up"}, {"action", "flip"}, {"conn", 2}, {"at", 10}, {"mask", 0xff}});
  netfault_.AddRule({{"action", "delay"}, {"conn", 2}, {"delay_ms", 300}});
  const std::string data = RandomBytes(64 << 10, 2);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(Echo(&one, data) == data);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(300));
  const std::string changed = Echo(&two, data);
  ASSERT_EQ(changed.size(), data.size());
  EXPECT_EQ(static_cast<uint8_t>(changed[10] ^ data[10]), 0xff);
  EXPECT_TRUE(changed.substr(11) == data.substr(11));
  const json list = netfault_.Call({{"cmd", "list"}}).value();
  EXPECT_EQ(list["rules"][0]["hits"], 1);
}

TEST_F(NetfaultTest, NthSelectsTheNextConnectionAccepted) {
  Client first(netfault_.port());
  ASSERT_TRUE(netfault_.WaitAccepted(1, seconds(5)));
  netfault_.AddRule({{"action", "blackhole"}, {"nth", 1}});
  Client second(netfault_.port());
  EXPECT_EQ(Echo(&first, "still here"), "still here");
  ASSERT_TRUE(second.SendAll("gone"));
  EXPECT_EQ(second.WaitInput(milliseconds(300)), Client::Wait::kTimeout);
  EXPECT_EQ(netfault_.Call({{"cmd", "list"}}).value()["rules"][0]["bound_conn"], 2);
}

TEST_F(NetfaultTest, KillConnResetsOnlyThatConnection) {
  Client one(netfault_.port());
  Client two(netfault_.port());
  ASSERT_TRUE(netfault_.WaitAccepted(2, seconds(5)));
  json reply = netfault_.Call({{"cmd", "kill-conn"}, {"id", 1}}).value();
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  int error = 0;
  EXPECT_EQ(one.WaitInput(seconds(5), &error), Client::Wait::kError);
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_EQ(Echo(&two, "alive"), "alive");
  EXPECT_TRUE(netfault_.Conn(1).is_null());
  EXPECT_FALSE(netfault_.Call({{"cmd", "kill-conn"}, {"id", 1}}).value()["ok"].get<bool>());
  EXPECT_NE(Log().find("conn 1 reset reason=\"kill-conn\""), std::string::npos) << Log();
}

TEST_F(NetfaultTest, CtlCommandLineAddsListsAndShowsConnections) {
  const ProcessResult added = RunProcess(
      {NETFAULT_CTL_BINARY, "--control", dir_.sock(), "add", "up", "delay", "10", "count", "2"},
      seconds(10));
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find("added rule 1"), std::string::npos) << added.output;
  Client client(netfault_.port());
  EXPECT_EQ(Echo(&client, "x"), "x");
  // "netfault ctl" is the same client.
  const ProcessResult list =
      RunProcess({NETFAULT_BINARY, "ctl", "--control", dir_.sock(), "list"}, seconds(10));
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("1: up delay delay_ms=10 count=2 hits=1"), std::string::npos)
      << list.output;
  const ProcessResult conns =
      RunProcess({NETFAULT_CTL_BINARY, "--control", dir_.sock(), "conns"}, seconds(10));
  EXPECT_NE(conns.output.find("1: client=127.0.0.1:"), std::string::npos) << conns.output;
  const ProcessResult refused =
      RunProcess({NETFAULT_CTL_BINARY, "--control", dir_.sock(), "kill-conn", "99"}, seconds(10));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("no live connection with id 99"), std::string::npos);
}

TEST_F(NetfaultTest, RefusesToListenOffLoopback) {
  const ProcessResult run = RunProcess({NETFAULT_BINARY, "--listen", "0.0.0.0:0", "--target",
                                        "127.0.0.1:1", "--control", dir_.sock() + ".2"},
                                       seconds(10));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("not a loopback address"), std::string::npos) << run.output;
}

TEST_F(NetfaultTest, UnreachableTargetResetsTheClient) {
  // A port nobody listens on: bind one, then close it.
  Fd probe(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(probe.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(getsockname(probe.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  probe.Reset();
  TempDir other_dir;
  NetfaultProcess other(other_dir);
  Status started = other.Start(ntohs(addr.sin_port));
  ASSERT_TRUE(started.ok()) << started.message();
  Client client(other.port());
  ASSERT_TRUE(client.ok());
  int error = 0;
  EXPECT_EQ(client.WaitInput(seconds(5), &error), Client::Wait::kError);
  EXPECT_EQ(error, ECONNRESET);
  EXPECT_NE(ReadFile(other_dir.log()).find("connect to target failed: Connection refused"),
            std::string::npos)
      << ReadFile(other_dir.log());
}

TEST_F(NetfaultTest, SigtermClosesEverythingAndRemovesTheSocket) {
  Client client(netfault_.port());
  ASSERT_EQ(Echo(&client, "before"), "before");
  ASSERT_EQ(access(dir_.sock().c_str(), F_OK), 0);
  netfault_.Signal(SIGTERM);
  const std::optional<int> status = netfault_.WaitExit(seconds(5));
  ASSERT_TRUE(status.has_value()) << "netfault did not exit within 5 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  EXPECT_NE(access(dir_.sock().c_str(), F_OK), 0) << "control socket left behind";
  const Client::Wait end = client.WaitInput(seconds(5));
  EXPECT_TRUE(end == Client::Wait::kEof || end == Client::Wait::kError);
  EXPECT_NE(Log().find("signal 15: shutting down"), std::string::npos) << Log();
  EXPECT_NE(Log().find("conn 1 closed reason=\"shutdown\""), std::string::npos) << Log();
}

}  // namespace
}  // namespace reftarget::netfault::testing
