#include "fault-injection/faultfs/control_handler.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "fault-injection/faultfs/rule_json.h"

namespace reftarget::faultfs {
namespace {

using nlohmann::json;

// Closes an fd when the scope ends.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// Reads an optional rule id: absent or "all" -> nullopt (meaning every rule).
Result<std::optional<uint64_t>> IdField(const json& request) {
  if (!request.contains("id") || request["id"].is_null()) return std::optional<uint64_t>();
  const json& id = request["id"];
  if (id.is_string() && id.get<std::string>() == "all") return std::optional<uint64_t>();
  uint64_t number = 0;
  if (GetUnsigned(id, &number)) return std::optional<uint64_t>(number);
  return Status::Error("field 'id' must be a rule id or \"all\"");
}

// Rejects paths that could leave the source directory.
Status CheckRelativePath(const std::string& path) {
  if (path.empty()) return Status::Error("field 'file' is empty");
  if (path.front() == '/')
    return Status::Error("field 'file' must be relative to the mount: '" + path + "'");
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) {
      return Status::Error("field 'file' must not contain '..': '" + path + "'");
    }
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

json ErrorReply(const std::string& message) { return {{"ok", false}, {"error", message}}; }

ControlHandler::ControlHandler(RuleEngine* engine, DurabilityTracker* tracker, FaultLog* log,
                               int source_dir_fd)
    : engine_(engine), tracker_(tracker), log_(log), source_dir_fd_(source_dir_fd) {}

std::string ControlHandler::HandleLine(const std::string& line) {
  json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) return ErrorReply("request is not valid JSON").dump();
  // Replace, not throw, if a reply ever carried invalid UTF-8.
  return Handle(request).dump(-1, ' ', false, json::error_handler_t::replace);
}

json ControlHandler::Handle(const json& request) {
  if (!request.is_object()) return ErrorReply("request must be a JSON object");
  if (!request.contains("cmd") || !request["cmd"].is_string()) {
    return ErrorReply("request field 'cmd' is missing or not a string");
  }
  const std::string cmd = request["cmd"].get<std::string>();
  if (cmd == "ping")
    return {{"ok", true}, {"hanging", engine_->HangingCount()}, {"tracking", tracker_ != nullptr}};
  if (cmd == "add") return Add(request);
  if (cmd == "list") return List();
  if (cmd == "clear") return Clear(request);
  if (cmd == "release") return Release(request);
  if (cmd == "stats") return Stats();
  if (cmd == "unsynced") return Unsynced(request);
  if (cmd == "powercut") return PowerCut(request);
  return ErrorReply("unknown cmd '" + cmd +
                    "' (ping|add|list|clear|release|stats|unsynced|powercut)");
}

json ControlHandler::Add(const json& request) {
  Result<RuleSpec> spec = RuleFromJson(request);
  if (!spec.ok()) return ErrorReply(spec.error());
  Result<uint64_t> id = engine_->Add(spec.value());
  if (!id.ok()) return ErrorReply(id.error());
  if (log_ != nullptr) {
    log_->Event("rule added id=" + std::to_string(id.value()) + " " +
                RuleToJson(spec.value()).dump());
  }
  return {{"ok", true}, {"id", id.value()}};
}

json ControlHandler::List() {
  json rules = json::array();
  for (const RuleState& state : engine_->List()) rules.push_back(RuleStateToJson(state));
  return {{"ok", true}, {"rules", rules}};
}

json ControlHandler::Clear(const json& request) {
  Result<std::optional<uint64_t>> id = IdField(request);
  if (!id.ok()) return ErrorReply(id.error());
  size_t cleared = 0;
  if (id.value()) {
    if (!engine_->Clear(*id.value()))
      return ErrorReply("no rule with id " + std::to_string(*id.value()));
    cleared = 1;
  } else {
    cleared = engine_->ClearAll();
  }
  if (log_ != nullptr) {
    log_->Event("rules cleared " +
                (id.value() ? "id=" + std::to_string(*id.value()) : std::string("all")));
  }
  return {{"ok", true}, {"cleared", cleared}};
}

json ControlHandler::Release(const json& request) {
  Result<std::optional<uint64_t>> id = IdField(request);
  if (!id.ok()) return ErrorReply(id.error());
  const size_t woken = engine_->Release(id.value());
  if (log_ != nullptr) log_->Event("hangs released woken=" + std::to_string(woken));
  return {{"ok", true}, {"woken", woken}};
}

json ControlHandler::Stats() {
  json rules = json::array();
  uint64_t hits = 0;
  uint64_t hanging = 0;
  for (const RuleState& state : engine_->List()) {
    rules.push_back({{"id", state.id},
                     {"hits", state.hits},
                     {"skipped", state.skipped},
                     {"hanging", state.hanging},
                     {"exhausted", state.Exhausted()}});
    hits += state.hits;
    hanging += state.hanging;
  }
  json reply = {{"ok", true}, {"rules", rules}, {"hits", hits}, {"hanging", hanging}};
  if (tracker_ != nullptr) reply["shadow_bytes"] = tracker_->shadow_bytes();
  return reply;
}

Result<int> ControlHandler::OpenFileField(const json& request, int flags) {
  if (!request.contains("file") || !request["file"].is_string()) {
    return Status::Error("request field 'file' is missing or not a string");
  }
  const std::string path = request["file"].get<std::string>();
  Status ok = CheckRelativePath(path);
  if (!ok.ok()) return ok;
  const int fd = openat(source_dir_fd_, path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::Error("cannot open '" + path + "': " + std::strerror(errno));
  return fd;
}

json ControlHandler::Unsynced(const json& request) {
  if (tracker_ == nullptr)
    return ErrorReply("durability tracking is off (started with --no-tracking)");
  Result<int> fd = OpenFileField(request, O_RDONLY);
  if (!fd.ok()) return ErrorReply(fd.error());
  FdCloser closer(fd.value());
  Result<UnsyncedReport> report = tracker_->Unsynced(fd.value());
  if (!report.ok()) return ErrorReply(report.error());
  const UnsyncedReport& r = report.value();
  json extents = json::array();
  for (const Extent& e : r.unsynced)
    extents.push_back({{"offset", e.offset}, {"length", e.length}});
  json reply = {{"ok", true},
                {"file", request["file"]},
                {"tracked", r.tracked},
                {"size", r.size},
                {"synced_size", r.synced_size},
                {"unsynced", extents},
                {"unsynced_bytes", r.unsynced_bytes},
                {"shadow_bytes", r.shadow_bytes},
                {"powercut_possible", r.broken.empty()}};
  if (!r.broken.empty()) reply["broken"] = r.broken;
  return reply;
}

json ControlHandler::PowerCut(const json& request) {
  if (tracker_ == nullptr)
    return ErrorReply("durability tracking is off (started with --no-tracking)");
  Result<int> fd = OpenFileField(request, O_RDWR);
  if (!fd.ok()) return ErrorReply(fd.error());
  FdCloser closer(fd.value());
  Result<PowerCutReport> report = tracker_->PowerCut(fd.value());
  if (!report.ok()) return ErrorReply(report.error());
  const PowerCutReport& r = report.value();
  if (log_ != nullptr) {
    log_->Event("powercut file=" + request["file"].get<std::string>() +
                " restored_bytes=" + std::to_string(r.restored_bytes) +
                " dropped_bytes=" + std::to_string(r.dropped_bytes) +
                " size=" + std::to_string(r.size_before) + "->" + std::to_string(r.size_after));
  }
  return {{"ok", true},
          {"file", request["file"]},
          {"restored_bytes", r.restored_bytes},
          {"restored_extents", r.restored_extents},
          {"dropped_bytes", r.dropped_bytes},
          {"size_before", r.size_before},
          {"size_after", r.size_after}};
}

}  // namespace reftarget::faultfs
