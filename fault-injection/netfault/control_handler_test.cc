// The control protocol against a proxy that has not started listening: rule management
// and the error replies need no sockets.
#include "fault-injection/netfault/control_handler.h"

#include <gtest/gtest.h>

#include <string>

namespace reftarget::netfault {
namespace {

using nlohmann::json;

class ControlHandlerTest : public ::testing::Test {
 protected:
  ControlHandlerTest() : proxy_(ProxyConfig{}, &engine_, &log_), handler_(&proxy_, nullptr) {}

  json Call(const std::string& line) { return json::parse(handler_.HandleLine(line)); }
  static std::string Error(const json& reply) { return reply.value("error", std::string()); }

  RuleEngine engine_;
  faultfs::FaultLog log_;  // stderr; the handler itself logs nothing here.
  Proxy proxy_;
  ControlHandler handler_;
};

TEST_F(ControlHandlerTest, AddListClear) {
  json added = Call(R"({"cmd":"add","dir":"up","action":"delay","delay_ms":50})");
  ASSERT_TRUE(added["ok"].get<bool>()) << added.dump();
  EXPECT_EQ(added["id"], 1);
  EXPECT_EQ(Call(R"({"cmd":"add","action":"stall","nth":2})")["id"], 2);
  json list = Call(R"({"cmd":"list"})");
  ASSERT_EQ(list["rules"].size(), 2u);
  EXPECT_EQ(list["rules"][0]["rule"]["action"], "delay");
  EXPECT_EQ(list["rules"][0]["hits"], 0);
  EXPECT_EQ(list["rules"][0]["held"], 0);
  EXPECT_EQ(list["rules"][1]["bound_conn"], 2);  // No connection accepted yet: nth 2 = id 2.
  EXPECT_EQ(Call(R"({"cmd":"clear","id":1})")["cleared"], 1);
  EXPECT_FALSE(Call(R"({"cmd":"clear","id":1})")["ok"].get<bool>());
  EXPECT_EQ(Call(R"({"cmd":"clear","id":"all"})")["cleared"], 1);
  EXPECT_TRUE(Call(R"({"cmd":"list"})")["rules"].empty());
}

TEST_F(ControlHandlerTest, PingReleaseConns) {
  json ping = Call(R"({"cmd":"ping"})");
  EXPECT_TRUE(ping["ok"].get<bool>());
  EXPECT_EQ(ping["conns"], 0);
  EXPECT_EQ(ping["accepted"], 0);
  EXPECT_EQ(Call(R"({"cmd":"release"})")["released"], 0);
  EXPECT_EQ(Call(R"({"cmd":"conns"})")["conns"], json::array());
}

TEST_F(ControlHandlerTest, ErrorsAreRepliesNamingTheProblem) {
  EXPECT_NE(Error(Call("not json")).find("JSON"), std::string::npos);
  EXPECT_NE(Error(Call("[1]")).find("object"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"id":1})")).find("cmd"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"explode"})")).find("explode"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"add","action":"delay"})")).find("delay_ms"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"add","action":"reset","bogus":1})")).find("bogus"),
            std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"clear","id":"x"})")).find("id"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"release","id":-1})")).find("id"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"kill-conn"})")).find("id"), std::string::npos);
  EXPECT_NE(Error(Call(R"({"cmd":"kill-conn","id":5})")).find("5"), std::string::npos);
}

}  // namespace
}  // namespace reftarget::netfault
