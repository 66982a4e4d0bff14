#include "harness/faults/netfault_proxy.h"

#include <unistd.h>

#include "harness/faults/control_call.h"
#include "harness/process/find_tool.h"
#include "harness/process/wait_ready.h"

namespace harness::faults {
namespace {

constexpr size_t kMaxSocketPath = 107;  // sun_path less its terminating NUL
constexpr auto kStopGrace = std::chrono::seconds(5);

}  // namespace

std::filesystem::path FindNetfault() {
  return process::FindTool("NETFAULT_BIN", {"../../fault-injection/netfault/netfault"}, "netfault");
}

Result<std::unique_ptr<NetfaultProxy>> NetfaultProxy::Start(NetfaultOptions options) {
  if (options.binary.empty()) options.binary = FindNetfault();
  if (options.binary.empty()) {
    return Status::Error(
        "netfault was not found (build fault-injection/netfault or set "
        "NETFAULT_BIN)");
  }
  if (options.control.string().size() > kMaxSocketPath) {
    return Status::Error("netfault control socket path " + options.control.string() +
                         " is longer than " + std::to_string(kMaxSocketPath) + " bytes");
  }
  auto p = std::make_unique<NetfaultProxy>(Key(), options);
  auto started = process::BackgroundProcess::Start(
      {options.binary.string(), "--listen", "127.0.0.1:0", "--target", options.target, "--control",
       options.control.string(), "--log", options.log.string()},
      options.log);
  if (!started.ok()) return Status::Error("starting netfault: " + started.error());
  p->process_ = std::move(started).value();
  Status ready = process::WaitUntilReady(
      "netfault", *p->process_,
      [&] {
        if (::access(options.control.c_str(), F_OK) != 0) return false;
        auto ping = p->Call({{"cmd", "ping"}});
        if (!ping.ok() || !ping.value().contains("listen") || !ping.value()["listen"].is_string()) {
          return false;
        }
        p->portal_ = ping.value()["listen"].get<std::string>();
        return true;
      },
      "listening (its control socket " + options.control.string() + ")", options.start_limit,
      options.log);
  if (!ready.ok()) return ready;
  return p;
}

NetfaultProxy::~NetfaultProxy() { (void)Stop(); }

Result<nlohmann::json> NetfaultProxy::Call(const nlohmann::json& request) {
  return ControlRequest("netfault", options_.control.string(), request, options_.call_limit);
}

Result<int> NetfaultProxy::AddRule(const nlohmann::json& rule) {
  return ControlAddRule("netfault", options_.control.string(), rule, options_.call_limit);
}

Status NetfaultProxy::ClearRules() { return Call({{"cmd", "clear"}}).status(); }

Status NetfaultProxy::KillConnection(int id) {
  return Call({{"cmd", "kill-conn"}, {"id", id}}).status();
}

Result<nlohmann::json> NetfaultProxy::Connections() {
  auto reply = Call({{"cmd", "conns"}});
  if (!reply.ok()) return reply.status();
  return reply.value().value("conns", nlohmann::json::array());
}

Status NetfaultProxy::Stop() {
  if (!process_) return Status::Ok();
  const std::string how = process_->Stop(kStopGrace);
  process_.reset();
  if (how != "exit 0" && how.rfind("signal 15", 0) != 0) {
    return Status::Error("netfault ended with " + how + process::ToolLogTail(options_.log));
  }
  return Status::Ok();
}

}  // namespace harness::faults
