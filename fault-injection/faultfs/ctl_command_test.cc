#include "fault-injection/faultfs/ctl_command.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace reftarget::faultfs {
namespace {

using nlohmann::json;

json Request(const std::vector<std::string>& args) {
  Result<CtlInvocation> inv = ParseCtlArgs(args);
  EXPECT_TRUE(inv.ok()) << inv.error();
  return inv.ok() ? inv.value().request : json();
}

std::string Error(const std::vector<std::string>& args) {
  Result<CtlInvocation> inv = ParseCtlArgs(args);
  EXPECT_FALSE(inv.ok());
  return inv.error();
}

TEST(CtlCommand, AddBuildsRuleFields) {
  json r = Request({"--control", "/s", "add", "--file", "disk.img", "--op", "read", "--offset", "0",
                    "--length", "1M", "--error", "EIO", "--count", "3", "--probability", "0.5"});
  EXPECT_EQ(r,
            json::parse(R"({"cmd":"add","file":"disk.img","op":"read","offset":0,"length":1048576,
                              "errno":"EIO","count":3,"probability":0.5})"));
  EXPECT_EQ(Request({"--control", "/s", "add", "--op", "any", "--hang"}),
            json::parse(R"({"cmd":"add","op":"any","hang":true})"));
  EXPECT_EQ(Request({"--control", "/s", "add", "--op", "write", "--delay", "200"}),
            json::parse(R"({"cmd":"add","op":"write","delay_ms":200})"));
  EXPECT_EQ(Request({"add", "--corrupt", "--xor", "1", "--control", "/s"}),
            json::parse(R"({"cmd":"add","corrupt":true,"xor":1,"action":"corrupt"})"));
}

TEST(CtlCommand, OtherCommands) {
  EXPECT_EQ(Request({"--control", "/s", "list"}), json::parse(R"({"cmd":"list"})"));
  EXPECT_EQ(Request({"--control", "/s", "clear"}), json::parse(R"({"cmd":"clear"})"));
  EXPECT_EQ(Request({"--control", "/s", "clear", "all"}), json::parse(R"({"cmd":"clear"})"));
  EXPECT_EQ(Request({"--control", "/s", "clear", "4"}), json::parse(R"({"cmd":"clear","id":4})"));
  EXPECT_EQ(Request({"--control", "/s", "release"}), json::parse(R"({"cmd":"release"})"));
  EXPECT_EQ(Request({"--control", "/s", "unsynced", "--file", "f"}),
            json::parse(R"({"cmd":"unsynced","file":"f"})"));
  EXPECT_EQ(Request({"--control", "/s", "powercut", "--file", "f"}),
            json::parse(R"({"cmd":"powercut","file":"f"})"));
}

TEST(CtlCommand, ErrorsNameTheArgument) {
  unsetenv("FAULTFS_CONTROL");
  EXPECT_NE(Error({"list"}).find("--control"), std::string::npos);
  EXPECT_NE(Error({"--control", "/s"}).find("command"), std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "add", "--file", "f"}).find("exactly one"),
            std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "add", "--error", "EIO", "--hang"}).find("exactly one"),
            std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "add", "--error", "EBOGUS"}).find("EBOGUS"),
            std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "add", "--hang", "--offset", "x"}).find("--offset"),
            std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "add", "--hang", "--probability", "2"}).find("--probability"),
            std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "add", "--hang", "--frob"}).find("--frob"),
            std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "clear", "x"}).find("'x'"), std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "unsynced"}).find("--file"), std::string::npos);
  EXPECT_NE(Error({"--control", "/s", "--timeout", "0", "list"}).find("--timeout"),
            std::string::npos);
}

TEST(CtlCommand, ControlFromEnvironment) {
  setenv("FAULTFS_CONTROL", "/env.sock", 1);
  Result<CtlInvocation> inv = ParseCtlArgs({"list"});
  unsetenv("FAULTFS_CONTROL");
  ASSERT_TRUE(inv.ok()) << inv.error();
  EXPECT_EQ(inv.value().control, "/env.sock");
}

TEST(CtlCommand, FormatsReplies) {
  json list =
      json::parse(R"({"ok":true,"rules":[{"id":2,"hits":5,"skipped":0,"hanging":0,"exhausted":false,
      "rule":{"file":"disk.img","op":"read","offset":0,"length":4096,"action":"error","errno":"EIO",
              "probability":1.0,"count":null}}]})");
  EXPECT_EQ(FormatReply({{"cmd", "list"}}, list),
            "2: file=disk.img op=read range=[0, 4096) action=error EIO hits=5\n");
  EXPECT_EQ(FormatReply({{"cmd", "add"}}, {{"ok", true}, {"id", 3}}), "added rule 3\n");
  json unsynced = json::parse(R"({"ok":true,"file":"f","size":10,"synced_size":4,"unsynced_bytes":6,
      "shadow_bytes":0,"unsynced":[{"offset":4,"length":6}]})");
  EXPECT_EQ(FormatReply({{"cmd", "unsynced"}}, unsynced),
            "f: size 10, synced size 4, 6 unsynced byte(s), shadow 0 byte(s)\n  [4, 10)\n");
}

}  // namespace
}  // namespace reftarget::faultfs
