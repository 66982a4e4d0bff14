// The fixture of netfault_integration_test: an echo server, the real netfault binary in
// front of it, and helpers that bound every wait.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <optional>
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

  // Every test ends with a clean shutdown: exit status 0 on SIGTERM (under ASan a leak
  // or an error report would change it). Its stderr is shown if not.
  void TearDown() override {
    if (netfault_.pid() <= 0) return;
    netfault_.Signal(SIGTERM);
    const std::optional<int> status = netfault_.WaitExit(std::chrono::seconds(10));
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << "netfault did not exit cleanly; stderr:\n"
        << ReadFile(dir_.stderr_path());
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
