// The fixture of netfault_integration_test: an echo server, the real netfault binary in
// front of it, and helpers that bound every wait.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "fault-injection/netfault/test_support.h"

namespace reftarget::netfault::testing {

class NetfaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(echo_.port(), 0);
    Status started = netfault_.Start(echo_.port());
    ASSERT_TRUE(started.ok()) << started.message();
  }

  // Sends `data` on `client` while reading the echo (so that more than the socket buffers
  // can be in flight); returns what came back within `timeout`.
  static std::string Echo(Client* client, const std::string& data,
                          Millis timeout = std::chrono::seconds(20)) {
    bool sent = false;
    std::thread sender([&] { sent = client->SendAll(data); });
    std::string got = client->ReadN(data.size(), timeout);
    sender.join();
    EXPECT_TRUE(sent);
    return got;
  }

  // Returns the fault log so far.
  std::string Log() const { return ReadFile(dir_.log()); }

  TempDir dir_;
  EchoServer echo_;
  NetfaultProcess netfault_{dir_};
};

}  // namespace reftarget::netfault::testing
