// The netfault proxy: one listening loopback socket, one edge-triggered epoll loop on one
// thread that accepts connections, gives each its own upstream connection to the target,
// pumps bytes through the rules, fires timers, and serves control requests handed over by
// the Mailbox. Control operations below run on the loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/netfault/address.h"
#include "fault-injection/netfault/connection.h"
#include "fault-injection/netfault/fd.h"
#include "fault-injection/netfault/mailbox.h"
#include "fault-injection/netfault/rule_engine.h"

namespace reftarget::netfault {

struct ProxyConfig {
  SocketAddress listen;           // A loopback address (port 0: pick one).
  SocketAddress target;           // Where each accepted connection is forwarded.
  std::string target_name;        // For logs and `ping`.
  uint64_t max_buffer = 1 << 20;  // Queued bytes per direction before reads stop.
  uint32_t connect_timeout_ms = 10000;
  size_t max_connections = 1024;  // Further accepts are reset at once (and logged).
};

class Proxy {
 public:
  // `engine` and `log` must outlive the proxy.
  Proxy(ProxyConfig config, RuleEngine* engine, faultfs::FaultLog* log);
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Binds and listens. Returns the bound address, e.g. "127.0.0.1:40123".
  Result<std::string> Listen();
  // Serves until a signal arrives on `signal_fd` (a signalfd). Requests waiting in
  // `mailbox` are answered on this thread by `handler`. REQUIRES: Listen() succeeded.
  Status Run(int signal_fd, Mailbox* mailbox,
             const std::function<std::string(const std::string&)>& handler);
  // Closes every connection normally (FIN) and logs `reason`.
  void CloseAll(const std::string& reason);

  // Adds a rule (`nth` counts from the connections accepted so far). Returns its id.
  Result<uint64_t> AddRule(const RuleSpec& spec);
  // Returns every rule in id order.
  std::vector<RuleState> Rules() const { return engine_->List(); }
  // Returns how many stalls of rule `id` hold a direction now.
  size_t Held(uint64_t id) const;
  // Removes rule `id` (every rule if nullopt) and releases its stalls. Returns the number
  // of rules removed; fails if `id` names no rule.
  Result<size_t> ClearRules(std::optional<uint64_t> id);
  // Releases the stalls of rule `id` (every rule if nullopt). Returns how many.
  size_t Release(std::optional<uint64_t> id);
  // Returns the live connections in id order.
  std::vector<ConnInfo> Conns() const;
  // Resets connection `id` (RST both ways). Fails if there is no such connection.
  Status KillConn(uint64_t id);

  uint64_t accepted() const { return accepted_; }
  size_t live() const { return conns_.size(); }
  const std::string& listen_name() const { return listen_name_; }
  const std::string& target_name() const { return config_.target_name; }

 private:
  // Accepts every pending connection (edge-triggered).
  void Accept(TimePoint now);
  // Pumps connection `id`; removes it once closed, else queues its next wake.
  void PumpConn(uint64_t id, TimePoint now);
  // Returns the epoll_wait timeout in ms (-1: none).
  int TimeoutMs(TimePoint now) const;
  // Adds `fd` to epoll with `token`; returns false (and logs) on failure.
  bool Watch(int fd, uint64_t token);
  void Log(const std::string& text) { log_->Event(text); }

  const ProxyConfig config_;
  RuleEngine* const engine_;
  faultfs::FaultLog* const log_;
  Fd epoll_;
  Fd listen_;
  std::string listen_name_;
  std::vector<char> scratch_;
  ConnectionEnv env_;
  uint64_t accepted_ = 0;
  std::optional<TimePoint> accept_retry_;  // After EMFILE: try accepting again then.
  std::map<uint64_t, std::unique_ptr<Connection>> conns_;
  using Timer = std::pair<TimePoint, uint64_t>;  // (when, connection id)
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
};

}  // namespace reftarget::netfault
