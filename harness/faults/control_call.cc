#include "harness/faults/control_call.h"

#include "harness/net/unix_line_client.h"

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

}  // namespace harness::faults
