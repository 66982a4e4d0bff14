// NetfaultProxy: a netfault process (fault-injection/netfault) the harness puts between its
// initiators and a target's portal, so that network faults (delay, rate limit, blackhole,
// reset, half-close, bit flips, PDUs split at any byte) hit chosen connections while the
// target runs. Initiators connect to portal() instead of the target's.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/common/status.h"
#include "harness/process/child_process.h"

namespace harness::faults {

struct NetfaultOptions {
  std::filesystem::path binary;   // empty: FindNetfault()
  std::string target;             // the real portal, "127.0.0.1:3260"
  std::filesystem::path control;  // its control socket; at most 107 bytes
  std::filesystem::path log;      // its output and fault log
  std::chrono::milliseconds start_limit{10'000};
  std::chrono::milliseconds call_limit{10'000};
};

// Returns netfault's path ($NETFAULT_BIN, the build tree beside the harness, PATH) or "".
std::filesystem::path FindNetfault();

class NetfaultProxy {
 public:
  // Starts netfault on a free loopback port in front of options.target and waits until its
  // control socket answers. The failure names the step and quotes the log's tail.
  static Result<std::unique_ptr<NetfaultProxy>> Start(NetfaultOptions options);
  // Only Start makes one.
  class Key {
    friend class NetfaultProxy;
    Key() = default;
  };
  NetfaultProxy(Key, NetfaultOptions options) : options_(std::move(options)) {}
  ~NetfaultProxy();
  NetfaultProxy(const NetfaultProxy&) = delete;
  NetfaultProxy& operator=(const NetfaultProxy&) = delete;

  // Returns where initiators connect instead of the target: "127.0.0.1:PORT".
  const std::string& portal() const { return portal_; }
  // Sends one control request (netfault's README, "Control socket").
  Result<nlohmann::json> Call(const nlohmann::json& request);
  // Adds a rule (dir, action, conn, nth, after, count, probability and the action's
  // fields); returns its id.
  Result<int> AddRule(const nlohmann::json& rule);
  // Removes every rule; held (stalled) data flows again.
  Status ClearRules();
  // Resets connection `id` (RST both ways).
  Status KillConnection(int id);
  // Returns the live connections as netfault lists them.
  Result<nlohmann::json> Connections();
  // Stops the proxy (every connection through it closes). Idempotent.
  Status Stop();

 private:
  NetfaultOptions options_;
  std::unique_ptr<process::BackgroundProcess> process_;
  std::string portal_;
};

}  // namespace harness::faults
