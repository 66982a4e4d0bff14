#include "harness/faults/control_call.h"

#include <thread>

#include "harness/net/unix_line_client.h"
#include "harness/process/child_process.h"

namespace harness::faults {

Result<nlohmann::json> ControlRequest(const std::string& tool, const std::string& socket_path,
                                      const nlohmann::json& request,
                                      std::chrono::milliseconds limit) {
  const std::string cmd = request.value("cmd", std::string("?"));
  auto line = net::UnixLineCall(socket_path, request.dump(), limit);
  if (!line.ok()) return Status::Error(tool + " " + cmd + ": " + line.error());
  nlohmann::json j = nlohmann::json::parse(line.value(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::Error(tool + " " + cmd +
                         ": the reply is not JSON: " + line.value().substr(0, 200));
  }
  if (!j.is_object() || !j.value("ok", false)) {
    const std::string why = j.is_object() && j.contains("error") && j["error"].is_string()
                                ? j["error"].get<std::string>()
                                : j.dump();
    return Status::Error(tool + " refused " + cmd + ": " + why);
  }
  return j;
}

Result<int> ControlAddRule(const std::string& tool, const std::string& socket_path,
                           const nlohmann::json& rule, std::chrono::milliseconds limit) {
  nlohmann::json request = rule;
  request["cmd"] = "add";
  auto reply = ControlRequest(tool, socket_path, request, limit);
  if (!reply.ok()) return reply.status();
  if (!reply.value().contains("id") || !reply.value()["id"].is_number_integer()) {
    return Status::Error(tool + " add: the reply has no rule id: " + reply.value().dump());
  }
  return reply.value()["id"].get<int>();
}

Status WaitUntilReady(const std::string& tool, process::BackgroundProcess& process,
                      const std::function<bool()>& ready, const std::string& waiting_for,
                      std::chrono::milliseconds limit, const std::filesystem::path& log) {
  constexpr auto kPollGap = std::chrono::milliseconds(20);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (ready()) return Status::Ok();
    if (!process.Alive()) {
      return Status::Error(tool + " exited (" + process.DescribeState() + ") before " +
                           waiting_for + ToolLogTail(log));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error(tool + " did not finish " + waiting_for + " within " +
                           std::to_string(limit.count()) + " ms" + ToolLogTail(log));
    }
    std::this_thread::sleep_for(kPollGap);
  }
}

std::string ToolLogTail(const std::filesystem::path& log) {
  const std::string tail = process::TailOfFile(log, 20);
  return tail.empty() ? "" : "; its log ends:\n" + tail;
}

}  // namespace harness::faults
