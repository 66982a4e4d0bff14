// netfault's and netfault-ctl's command lines.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "fault-injection/netfault/address.h"
#include "fault-injection/netfault/ctl_command.h"
#include "fault-injection/netfault/options.h"

namespace reftarget::netfault {
namespace {

using nlohmann::json;

std::vector<std::string> Base() {
  return {"--listen", "127.0.0.1:0", "--target", "127.0.0.1:3260", "--control", "/tmp/nf.sock"};
}

TEST(Options, ParsesARunLine) {
  std::vector<std::string> args = Base();
  for (const char* extra : {"--log", "/tmp/nf.log", "--seed", "7", "--max-buffer", "256k",
                            "--connect-timeout", "500", "--max-connections", "10"}) {
    args.push_back(extra);
  }
  Result<Options> opts = ParseOptions(args);
  ASSERT_TRUE(opts.ok()) << opts.error();
  EXPECT_EQ(opts.value().listen.host, "127.0.0.1");
  EXPECT_EQ(opts.value().listen.port, 0);
  EXPECT_EQ(opts.value().target.port, 3260);
  EXPECT_EQ(opts.value().control, "/tmp/nf.sock");
  EXPECT_EQ(opts.value().log, "/tmp/nf.log");
  EXPECT_EQ(opts.value().seed, 7u);
  EXPECT_EQ(opts.value().max_buffer, 256u * 1024);
  EXPECT_EQ(opts.value().connect_timeout_ms, 500u);
  EXPECT_EQ(opts.value().max_connections, 10u);
}

TEST(Options, AcceptsOnlyLoopbackListenAddresses) {
  for (const char* ok : {"127.0.0.1:0", "127.1.2.3:3260", "[::1]:0", "localhost:9"}) {
    std::vector<std::string> args = Base();
    args[1] = ok;
    EXPECT_TRUE(ParseOptions(args).ok()) << ok;
  }
  for (const char* bad :
       {"0.0.0.0:3260", "10.0.0.1:3260", "[::]:3260", "[2001:db8::1]:1", "example.com:3260"}) {
    std::vector<std::string> args = Base();
    args[1] = bad;
    Result<Options> opts = ParseOptions(args);
    ASSERT_FALSE(opts.ok()) << bad;
    EXPECT_NE(opts.error().find("--listen"), std::string::npos) << opts.error();
    EXPECT_NE(opts.error().find("loopback"), std::string::npos) << opts.error();
  }
}

TEST(Options, ErrorsNameTheFlag) {
  auto error_for = [](std::vector<std::string> args) {
    Result<Options> opts = ParseOptions(args);
    return opts.ok() ? std::string() : opts.error();
  };
  EXPECT_NE(error_for({"--target", "h:1", "--control", "s"}).find("--listen"), std::string::npos);
  EXPECT_NE(error_for({"--listen", "127.0.0.1:0", "--control", "s"}).find("--target"),
            std::string::npos);
  EXPECT_NE(error_for({"--listen", "127.0.0.1:0", "--target", "h:1"}).find("--control"),
            std::string::npos);
  std::vector<std::string> args = Base();
  args[3] = "127.0.0.1:0";  // The target needs a real port.
  EXPECT_NE(error_for(args).find("--target"), std::string::npos);
  args = Base();
  args[1] = "127.0.0.1:70000";
  EXPECT_NE(error_for(args).find("port"), std::string::npos);
  args = Base();
  args.push_back("--max-buffer");
  args.push_back("1");
  EXPECT_NE(error_for(args).find("--max-buffer"), std::string::npos);
  args = Base();
  args.push_back("--seed");
  EXPECT_NE(error_for(args).find("--seed needs a value"), std::string::npos);
  args = Base();
  args.push_back("--frobnicate");
  args.push_back("1");
  EXPECT_NE(error_for(args).find("--frobnicate"), std::string::npos);
  EXPECT_TRUE(ParseOptions({"--help"}).value().help);
}

TEST(HostPort, SplitsV4V6AndNames) {
  Result<HostPort> v6 = ParseHostPort("[::1]:3260", false, "--target");
  ASSERT_TRUE(v6.ok()) << v6.error();
  EXPECT_EQ(v6.value().host, "::1");
  EXPECT_EQ(v6.value().port, 3260);
  Result<HostPort> name = ParseHostPort("target.local:860", false, "--target");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name.value().host, "target.local");
  EXPECT_NE(ParseHostPort("::1:3260", false, "--target").error().find("[ADDR]"), std::string::npos);
  EXPECT_FALSE(ParseHostPort("host", false, "--target").ok());
  EXPECT_FALSE(ParseHostPort(":3260", false, "--target").ok());
  EXPECT_FALSE(ParseHostPort("host:", false, "--target").ok());
  EXPECT_FALSE(ParseHostPort("host:12x", false, "--target").ok());
  EXPECT_FALSE(ParseHostPort("[::1]3260", false, "--target").ok());
}

TEST(HostPort, FormatsResolvedAddresses) {
  Result<SocketAddress> v4 = LoopbackAddress({"127.0.0.1", 3260}, "--listen");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(FormatAddress(v4.value().get(), v4.value().length), "127.0.0.1:3260");
  Result<SocketAddress> v6 = LoopbackAddress({"::1", 1}, "--listen");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(FormatAddress(v6.value().get(), v6.value().length), "[::1]:1");
  Result<SocketAddress> resolved = ResolveAddress({"127.0.0.1", 99}, "--target");
  ASSERT_TRUE(resolved.ok()) << resolved.error();
  EXPECT_EQ(FormatAddress(resolved.value().get(), resolved.value().length), "127.0.0.1:99");
}

json Request(std::vector<std::string> words) {
  words.insert(words.begin(), {"--control", "/tmp/s"});
  Result<CtlInvocation> inv = ParseCtlArgs(words);
  EXPECT_TRUE(inv.ok()) << inv.error();
  return inv.ok() ? inv.value().request : json();
}

std::string CtlError(std::vector<std::string> words) {
  words.insert(words.begin(), {"--control", "/tmp/s"});
  Result<CtlInvocation> inv = ParseCtlArgs(words);
  return inv.ok() ? std::string() : inv.error();
}

TEST(CtlArgs, AddTurnsWordsIntoRuleFields) {
  EXPECT_EQ(Request({"add", "up", "delay", "200", "conn", "2", "after", "1M", "count", "3",
                     "probability", "0.5", "seed", "9"}),
            json({{"cmd", "add"},
                  {"dir", "up"},
                  {"action", "delay"},
                  {"delay_ms", 200},
                  {"conn", 2},
                  {"after", 1 << 20},
                  {"count", 3},
                  {"probability", 0.5},
                  {"seed", 9}}));
  EXPECT_EQ(
      Request({"add", "down", "flip", "at", "0x1000", "mask", "0x80"}),
      json({{"cmd", "add"}, {"dir", "down"}, {"action", "flip"}, {"at", 4096}, {"mask", 128}}));
  EXPECT_EQ(Request({"add", "up", "flip", "pdu-byte", "32", "opcode", "0x01", "count", "1"}),
            json({{"cmd", "add"},
                  {"dir", "up"},
                  {"action", "flip"},
                  {"pdu_byte", 32},
                  {"opcode", 1},
                  {"count", 1}}));
  EXPECT_EQ(Request({"add", "split", "1", "gap", "2", "nth", "1"}),
            json({{"cmd", "add"}, {"action", "split"}, {"split", 1}, {"gap_ms", 2}, {"nth", 1}}));
  EXPECT_EQ(Request({"add", "--dir", "both", "--rate", "64k"}),
            json({{"cmd", "add"}, {"dir", "both"}, {"action", "rate"}, {"rate", 65536}}));
  EXPECT_EQ(Request({"add", "half-close", "up"}),
            json({{"cmd", "add"}, {"dir", "up"}, {"action", "half-close"}}));
}

TEST(CtlArgs, DropTakesAnOptionalByteCount) {
  EXPECT_EQ(Request({"add", "drop", "4k", "count", "1"}),
            json({{"cmd", "add"}, {"action", "drop"}, {"drop_bytes", 4096}, {"count", 1}}));
  EXPECT_EQ(Request({"add", "drop", "count", "1"}),
            json({{"cmd", "add"}, {"action", "drop"}, {"count", 1}}));
}

TEST(CtlArgs, AddErrorsNameTheWord) {
  EXPECT_NE(CtlError({"add", "up"}).find("needs an action"), std::string::npos);
  EXPECT_NE(CtlError({"add", "reset", "stall"}).find("more than one action"), std::string::npos);
  EXPECT_NE(CtlError({"add", "up", "down", "reset"}).find("more than one direction"),
            std::string::npos);
  EXPECT_NE(CtlError({"add", "delay"}).find("delay needs a value"), std::string::npos);
  EXPECT_NE(CtlError({"add", "delay", "soon"}).find("soon"), std::string::npos);
  EXPECT_NE(CtlError({"add", "reset", "probability", "2"}).find("probability"), std::string::npos);
  EXPECT_NE(CtlError({"add", "reset", "sideways"}).find("sideways"), std::string::npos);
  EXPECT_NE(CtlError({"add", "reset", "conn", "-1"}).find("conn"), std::string::npos);
}

TEST(CtlArgs, OtherCommands) {
  EXPECT_EQ(Request({"list"}), json({{"cmd", "list"}}));
  EXPECT_EQ(Request({"conns"}), json({{"cmd", "conns"}}));
  EXPECT_EQ(Request({"clear"}), json({{"cmd", "clear"}}));
  EXPECT_EQ(Request({"clear", "all"}), json({{"cmd", "clear"}}));
  EXPECT_EQ(Request({"clear", "3"}), json({{"cmd", "clear"}, {"id", 3}}));
  EXPECT_EQ(Request({"release"}), json({{"cmd", "release"}}));
  EXPECT_EQ(Request({"kill-conn", "2"}), json({{"cmd", "kill-conn"}, {"id", 2}}));
  EXPECT_NE(CtlError({"kill-conn"}).find("connection id"), std::string::npos);
  EXPECT_NE(CtlError({"kill-conn", "all"}).find("all"), std::string::npos);
  EXPECT_NE(CtlError({"clear", "x"}).find("'x'"), std::string::npos);
  EXPECT_NE(CtlError({"list", "extra"}).find("extra"), std::string::npos);
  EXPECT_NE(CtlError({"explode"}).find("explode"), std::string::npos);
  EXPECT_NE(CtlError({}).find("no command"), std::string::npos);
  EXPECT_NE(ParseCtlArgs({"list"}).error().find("--control"), std::string::npos);
  EXPECT_NE(CtlError({"--timeout", "0", "list"}).find("--timeout"), std::string::npos);
}

TEST(CtlArgs, ControlComesFromTheEnvironment) {
  setenv("NETFAULT_CONTROL", "/tmp/from-env.sock", 1);
  Result<CtlInvocation> inv = ParseCtlArgs({"--json", "ping"});
  unsetenv("NETFAULT_CONTROL");
  ASSERT_TRUE(inv.ok()) << inv.error();
  EXPECT_EQ(inv.value().control, "/tmp/from-env.sock");
  EXPECT_TRUE(inv.value().json);
}

TEST(CtlArgs, FormatsReplies) {
  const json list =
      json::parse(R"({"ok":true,"rules":[{"id":1,"hits":4,"skipped":1,"exhausted":true,"held":0,)"
                  R"("bound_conn":3,"rule":{"dir":"up","action":"delay","delay_ms":200,"after":10,)"
                  R"("count":4,"probability":0.5,"nth":1}}]})");
  const std::string text = FormatReply({{"cmd", "list"}}, list);
  EXPECT_NE(text.find("1: up delay delay_ms=200 nth=1 (conn 3) after=10 count=4"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("hits=4"), std::string::npos);
  EXPECT_NE(text.find("(exhausted)"), std::string::npos);
  const json conns = json::parse(
      R"({"ok":true,"conns":[{"id":2,"client":"127.0.0.1:5","state":"open","age_s":1.5,)"
      R"("up":{"read":10,"sent":9,"dropped":1,"queued":0,"held":0,"state":"open"},)"
      R"("down":{"read":3,"sent":3,"dropped":0,"queued":0,"held":1,"state":"open"}}]})");
  const std::string rows = FormatReply({{"cmd", "conns"}}, conns);
  EXPECT_NE(rows.find("2: client=127.0.0.1:5 open age=1.5s"), std::string::npos) << rows;
  EXPECT_NE(rows.find("up:   read=10 sent=9 dropped=1 queued=0 open"), std::string::npos);
  EXPECT_NE(rows.find("held=1"), std::string::npos);
}

}  // namespace
}  // namespace reftarget::netfault
