#include "harness/faults/faultfs_daemon.h"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "harness/faults/control_call.h"
#include "harness/process/find_tool.h"
#include "harness/process/spawn_run.h"
#include "harness/process/wait_ready.h"

namespace harness::faults {
namespace {

constexpr size_t kMaxSocketPath = 107;  // sun_path less its terminating NUL
constexpr auto kStopGrace = std::chrono::seconds(5);

}  // namespace

std::filesystem::path FindFaultfs() {
  return process::FindTool("FAULTFS_BIN", {"../../fault-injection/faultfs/faultfs"}, "faultfs");
}

std::string WhyFaultfsUnavailable() {
  if (FindFaultfs().empty()) {
    return "faultfs was not found (build fault-injection/faultfs, which needs libfuse3-dev, or "
           "set FAULTFS_BIN)";
  }
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return "/dev/fuse cannot be opened here";
  if (::geteuid() != 0) return "mounting faultfs for a target needs root (allow_other)";
  return "";
}

bool IsMountPoint(const std::filesystem::path& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  const std::string wanted = path.string();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (mount_point == wanted) return true;
  }
  return false;
}

Result<std::unique_ptr<FaultfsDaemon>> FaultfsDaemon::Start(FaultfsOptions options) {
  if (options.binary.empty()) options.binary = FindFaultfs();
  if (options.binary.empty()) return Status::Error(WhyFaultfsUnavailable());
  if (options.control.string().size() > kMaxSocketPath) {
    return Status::Error("faultfs control socket path " + options.control.string() +
                         " is longer than " + std::to_string(kMaxSocketPath) + " bytes");
  }
  std::error_code ec;
  for (const auto* dir : {&options.source, &options.mount}) {
    std::filesystem::create_directories(*dir, ec);
    if (ec) return Status::Error("cannot create " + dir->string() + ": " + ec.message());
  }
  options.source = std::filesystem::absolute(options.source);
  options.mount = std::filesystem::absolute(options.mount);
  if (IsMountPoint(options.mount)) {
    return Status::Error(options.mount.string() + " is already a mount point");
  }
  auto d = std::make_unique<FaultfsDaemon>(Key(), options);
  auto started = process::BackgroundProcess::Start(
      {options.binary.string(), "--source", options.source.string(), "--mount",
       options.mount.string(), "--control", options.control.string(), "--log",
       options.log.string()},
      options.log);
  if (!started.ok()) return Status::Error("starting faultfs: " + started.error());
  d->process_ = std::move(started).value();
  Status ready = process::WaitUntilReady(
      "faultfs", *d->process_,
      [&] {
        return IsMountPoint(options.mount) && ::access(options.control.c_str(), F_OK) == 0 &&
               d->Call({{"cmd", "ping"}}).ok();
      },
      "mounting " + options.mount.string(), options.start_limit, options.log);
  if (!ready.ok()) return ready;
  return d;
}

FaultfsDaemon::~FaultfsDaemon() { (void)Stop(); }

Result<nlohmann::json> FaultfsDaemon::Call(const nlohmann::json& request) {
  return ControlRequest("faultfs", options_.control.string(), request, options_.call_limit);
}

Result<int> FaultfsDaemon::AddRule(const nlohmann::json& rule) {
  return ControlAddRule("faultfs", options_.control.string(), rule, options_.call_limit);
}

Status FaultfsDaemon::ClearRules() { return Call({{"cmd", "clear"}}).status(); }

Result<uint64_t> FaultfsDaemon::ReleaseHangs() {
  auto reply = Call({{"cmd", "release"}});
  if (!reply.ok()) return reply.status();
  return reply.value().value("woken", uint64_t{0});
}

Result<nlohmann::json> FaultfsDaemon::PowerCut(const std::string& file) {
  return Call({{"cmd", "powercut"}, {"file", file}});
}

Status FaultfsDaemon::Kill() {
  if (!process_) return Status::Error("faultfs is not running");
  if (Status s = process_->Signal(SIGKILL); !s.ok()) return s;
  process_->WaitForExit(kStopGrace);
  return Status::Ok();
}

bool FaultfsDaemon::alive() { return process_ && process_->Alive(); }

void FaultfsDaemon::Unmount() {
  if (!IsMountPoint(options_.mount)) return;
  // auto_unmount normally does this when faultfs dies; a lazy unmount covers the rest.
  process::RunOptions o;
  o.limit = std::chrono::seconds(10);
  (void)process::SpawnRun({"fusermount3", "-u", "-z", options_.mount.string()}, o);
  if (IsMountPoint(options_.mount))
    (void)process::SpawnRun({"umount", "-l", options_.mount.string()}, o);
}

Status FaultfsDaemon::Stop() {
  if (!process_) return Status::Ok();
  if (process_->Alive()) {
    (void)Call({{"cmd", "clear"}});
    (void)Call({{"cmd", "release"}});
  }
  const std::string how = process_->Stop(kStopGrace);
  process_.reset();
  Unmount();
  if (IsMountPoint(options_.mount)) {
    return Status::Error("faultfs stopped (" + how + ") but " + options_.mount.string() +
                         " is still mounted");
  }
  return Status::Ok();
}

}  // namespace harness::faults
