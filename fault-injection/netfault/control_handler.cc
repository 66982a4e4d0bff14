#include "fault-injection/netfault/control_handler.h"

#include <optional>

#include "fault-injection/faultfs/control_handler.h"  // ErrorReply.
#include "fault-injection/faultfs/rule_json.h"        // GetUnsigned.
#include "fault-injection/netfault/rule_json.h"

namespace reftarget::netfault {
namespace {

using faultfs::ErrorReply;
using nlohmann::json;

// Reads an optional id: absent, null or "all" -> nullopt (meaning every one).
Result<std::optional<uint64_t>> IdField(const json& request, const char* what) {
  if (!request.contains("id") || request["id"].is_null()) return std::optional<uint64_t>();
  const json& id = request["id"];
  if (id.is_string() && id.get<std::string>() == "all") return std::optional<uint64_t>();
  uint64_t number = 0;
  if (faultfs::GetUnsigned(id, &number) && number > 0) return std::optional<uint64_t>(number);
  return Status::Error(std::string("field 'id' must be a ") + what + " id or \"all\"");
}

json DirectionJson(const DirectionInfo& info) {
  return {{"read", info.read},     {"sent", info.sent}, {"dropped", info.dropped},
          {"queued", info.queued}, {"held", info.held}, {"state", info.state}};
}

}  // namespace

void ControlHandler::Log(const std::string& text) {
  if (log_ != nullptr) log_->Event(text);
}

std::string ControlHandler::HandleLine(const std::string& line) {
  json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return ErrorReply("request is not valid JSON").dump();
  return Handle(request).dump(-1, ' ', false, json::error_handler_t::replace);
}

json ControlHandler::Handle(const json& request) {
  if (!request.is_object()) return ErrorReply("request must be a JSON object");
  if (!request.contains("cmd") || !request["cmd"].is_string())
    return ErrorReply("request field 'cmd' is missing or not a string");
  const std::string cmd = request["cmd"].get<std::string>();
  if (cmd == "ping") {
    return {{"ok", true},
            {"listen", proxy_->listen_name()},
            {"target", proxy_->target_name()},
            {"accepted", proxy_->accepted()},
            {"conns", proxy_->live()},
            {"rules", proxy_->Rules().size()}};
  }
  if (cmd == "add") return Add(request);
  if (cmd == "list") return List();
  if (cmd == "clear") return Clear(request);
  if (cmd == "release") return Release(request);
  if (cmd == "conns") return Conns();
  if (cmd == "kill-conn") return KillConn(request);
  return ErrorReply("unknown cmd '" + cmd + "' (ping|add|list|clear|release|conns|kill-conn)");
}

json ControlHandler::Add(const json& request) {
  Result<RuleSpec> spec = RuleFromJson(request);
  if (!spec.ok()) return ErrorReply(spec.error());
  Result<uint64_t> id = proxy_->AddRule(spec.value());
  if (!id.ok()) return ErrorReply(id.error());
  Log("rule added id=" + std::to_string(id.value()) + " " + RuleToJson(spec.value()).dump());
  return {{"ok", true}, {"id", id.value()}};
}

json ControlHandler::List() {
  json rules = json::array();
  for (const RuleState& state : proxy_->Rules())
    rules.push_back(RuleStateToJson(state, proxy_->Held(state.id)));
  return {{"ok", true}, {"rules", rules}};
}

json ControlHandler::Clear(const json& request) {
  Result<std::optional<uint64_t>> id = IdField(request, "rule");
  if (!id.ok()) return ErrorReply(id.error());
  Result<size_t> cleared = proxy_->ClearRules(id.value());
  if (!cleared.ok()) return ErrorReply(cleared.error());
  Log("rules cleared " + (id.value() ? "id=" + std::to_string(*id.value()) : std::string("all")));
  return {{"ok", true}, {"cleared", cleared.value()}};
}

json ControlHandler::Release(const json& request) {
  Result<std::optional<uint64_t>> id = IdField(request, "rule");
  if (!id.ok()) return ErrorReply(id.error());
  const size_t released = proxy_->Release(id.value());
  Log("stalls released " +
      (id.value() ? "rule=" + std::to_string(*id.value()) : std::string("all")) +
      " count=" + std::to_string(released));
  return {{"ok", true}, {"released", released}};
}

json ControlHandler::Conns() {
  json conns = json::array();
  for (const ConnInfo& info : proxy_->Conns()) {
    conns.push_back({{"id", info.id},
                     {"client", info.client},
                     {"state", info.state},
                     {"age_s", info.age_s},
                     {"up", DirectionJson(info.up)},
                     {"down", DirectionJson(info.down)}});
  }
  return {{"ok", true}, {"conns", conns}};
}

json ControlHandler::KillConn(const json& request) {
  uint64_t id = 0;
  if (!request.contains("id") || !faultfs::GetUnsigned(request["id"], &id) || id == 0)
    return ErrorReply("field 'id' must be a connection id");
  Status killed = proxy_->KillConn(id);
  if (!killed.ok()) return ErrorReply(killed.message());
  Log("kill-conn id=" + std::to_string(id));
  return {{"ok", true}, {"killed", id}};
}

}  // namespace reftarget::netfault
