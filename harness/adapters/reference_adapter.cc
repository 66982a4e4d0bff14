#include "harness/adapters/reference_adapter.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "harness/adapters/lio_commands.h"
#include "harness/net/tcp_util.h"
#include "harness/process/find_tool.h"
#include "harness/process/spawn_run.h"
#include "harness/process/wait_ready.h"

namespace harness::adapters {
namespace {

constexpr auto kStartLimit = std::chrono::seconds(15);
constexpr auto kStopGrace = std::chrono::seconds(30);  // reftarget drains in-flight I/O

// sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL.
constexpr size_t kMaxSocketPath = 107;

// reftarget-ctl runs while the hotplug suite measures I/O: posix_spawn, not fork
// (spawn_run.h).
CommandRunner SpawnRunner() {
  return [](const std::vector<std::string>& argv, const process::RunOptions& options) {
    return process::SpawnRun(argv, options);
  };
}

}  // namespace

std::filesystem::path FindReftarget() {
  return process::FindTool("REFTARGET_BIN", {"../../target/daemon/reftarget"}, "reftarget");
}

std::filesystem::path FindReftargetCtl(const std::filesystem::path& reftarget) {
  if (const char* env = std::getenv("REFTARGET_CTL_BIN"); env != nullptr && *env != '\0') {
    return env;
  }
  std::vector<std::filesystem::path> candidates;
  if (!reftarget.empty()) {
    const auto dir = reftarget.parent_path();
    candidates = {dir / "reftarget-ctl", dir / ".." / "admin" / "reftarget-ctl",
                  dir / ".." / "daemon" / "reftarget-ctl"};
  }
  if (auto found = process::FirstExisting(candidates); !found.empty()) return found;
  return process::FindTool(
      "REFTARGET_CTL_BIN",
      {"../../target/admin/reftarget-ctl", "../../target/daemon/reftarget-ctl"}, "reftarget-ctl");
}

std::filesystem::path AdminSocketPath(const std::filesystem::path& work_dir) {
  const auto in_work = std::filesystem::absolute(work_dir) / "admin.sock";
  if (in_work.string().size() <= kMaxSocketPath) return in_work;
  char name[64];
  std::snprintf(name, sizeof(name), "reftarget-admin-%d-%08zx.sock", static_cast<int>(getpid()),
                std::hash<std::string>{}(in_work.string()) & 0xffffffffu);
  return std::filesystem::temp_directory_path() / name;
}

ReferenceAdapter::ReferenceAdapter(ReferenceOptions options)
    : options_(std::move(options)),
      ctl_(!options_.reftarget_ctl.empty()
               ? options_.reftarget_ctl
               : FindReftargetCtl(options_.reftarget.empty() ? FindReftarget()
                                                             : options_.reftarget)),
      socket_(!options_.admin_socket.empty() ? options_.admin_socket
                                             : AdminSocketPath(options_.work_dir)),
      luns_(refctl::CtlOptions{ctl_, socket_,
                               options_.ctl_runner ? options_.ctl_runner : SpawnRunner(),
                               options_.ctl_limit}) {}

ReferenceAdapter::~ReferenceAdapter() { Stop(); }

Capabilities ReferenceAdapter::capabilities() const {
  Capabilities c;
  c.managed = true;
  c.data_loss_allowed = true;
  // Live changes go through reftarget-ctl and the admin socket every start opens.
  c.live_lun_changes = !ctl_.empty();
  c.live_resize = !ctl_.empty();
  c.chap = true;
  c.mutual_chap = true;
  c.discovery_auth = true;
  c.acls = true;
  c.ipv6 = true;
  c.thin = true;
  c.read_only_luns = true;
  c.removable_luns = false;
  c.block_size_4096 = true;
  c.process_faults = true;
  c.restart = true;
  c.management_query = !ctl_.empty();
  c.backings = {Backing::kFileio, Backing::kBlock, Backing::kRamdisk, Backing::kNull};
  return c;
}

std::string ReferenceAdapter::version() const {
  const auto bin = options_.reftarget.empty() ? FindReftarget() : options_.reftarget;
  return bin.empty() ? "" : "reftarget (" + bin.string() + ")";
}

Status ReferenceAdapter::WaitForAdminSocket() {
  return process::WaitUntilReady(
      "reftarget", *reftarget_, [this] { return std::filesystem::exists(socket_); },
      "opening its admin socket " + socket_.string(),
      std::chrono::duration_cast<std::chrono::milliseconds>(kStartLimit), log_);
}

Result<RunningTarget> ReferenceAdapter::Start(const TargetSpec& spec_in) {
  if (reftarget_) return Status::Error("reference adapter: already started");
  const auto bin = options_.reftarget.empty() ? FindReftarget() : options_.reftarget;
  if (bin.empty()) {
    return Status::Error("reftarget not found: set --reftarget PATH or REFTARGET_BIN");
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.work_dir, ec);
  if (ec) return Status::Error(options_.work_dir.string() + ": cannot create: " + ec.message());
  files_ = std::make_unique<BackingFiles>(options_.work_dir / "backing");
  TargetSpec spec = spec_in;
  Status prepared = files_->PrepareAll(&spec.luns);
  if (!prepared.ok()) return prepared;
  auto port = net::PickFreePort("127.0.0.1");
  if (!port.ok()) return port.status();
  lio::Options o;
  o.port = port.value();
  auto config = lio::SaveConfig(spec, o);
  if (!config.ok()) return config.status();
  const auto config_path = options_.work_dir / "saveconfig.json";
  {
    std::ofstream out(config_path, std::ios::trunc);
    out << config.value().dump(2) << "\n";
    if (!out) return Status::Error(config_path.string() + ": cannot write");
  }
  const auto log = options_.work_dir / "reftarget.log";
  // A socket left by a run that was killed would make the bind fail.
  std::filesystem::remove(socket_, ec);
  std::vector<std::string> argv = {bin.string(),    "--config",         config_path.string(),
                                   "--log-level",   options_.log_level, "--admin-socket",
                                   socket_.string()};
  if (options_.threads > 0)
    argv.insert(argv.end(), {"--threads", std::to_string(options_.threads)});
  auto started = process::BackgroundProcess::Start(argv, log);
  if (!started.ok()) return started.status();
  reftarget_ = std::move(started).value();
  if (!net::WaitForTcpPort("127.0.0.1", port.value(), kStartLimit)) {
    const std::string state = reftarget_->DescribeState();
    const std::string tail = process::TailOfFile(log, 30);
    Stop();
    return Status::Error("reftarget did not listen on 127.0.0.1:" + std::to_string(port.value()) +
                         " within 15 s (" + state + "); log:\n" + tail);
  }
  // reftarget opens its admin socket just after its portals: a live change right after
  // Start would otherwise find no socket.
  log_ = log;
  if (Status s = WaitForAdminSocket(); !s.ok()) {
    Stop();
    return s;
  }
  RunningTarget t;
  t.portal = Portal{"127.0.0.1", port.value()};
  if (spec.ipv6_portal) t.ipv6_portal = Portal{"::1", port.value()};
  t.iqn = spec.iqn;
  t.lun_numbers = luns_.Attach(spec, files_.get());
  t.product = version();
  t.log = log;
  t.pid = reftarget_->pid();
  argv_ = argv;
  running_ = t;
  return t;
}

Result<RunningTarget> ReferenceAdapter::Restart() {
  if (!reftarget_) return Status::Error("reference adapter: not started, nothing to restart");
  // Reaps a process that was killed; stops (SIGTERM, then SIGKILL) one that still runs.
  last_stop_ = reftarget_->Stop(kStopGrace);
  reftarget_.reset();
  // The killed process left its admin socket behind: the new one's bind would fail.
  std::error_code ec;
  std::filesystem::remove(socket_, ec);
  auto started = process::BackgroundProcess::Start(argv_, log_);
  if (!started.ok()) return Status::Error("restarting reftarget: " + started.error());
  reftarget_ = std::move(started).value();
  const int port = running_.portal.port;
  if (!net::WaitForTcpPort("127.0.0.1", port, kStartLimit)) {
    return Status::Error("restarted reftarget did not listen on 127.0.0.1:" + std::to_string(port) +
                         " within 15 s (" + reftarget_->DescribeState() + "); log:\n" +
                         process::TailOfFile(log_, 30));
  }
  if (Status s = WaitForAdminSocket(); !s.ok()) return Status::Error("restarted " + s.message());
  running_.pid = reftarget_->pid();
  return running_;
}

Status ReferenceAdapter::Stop() {
  Status result = Status::Ok();
  if (reftarget_) {
    last_stop_ = reftarget_->Stop(kStopGrace);
    if (last_stop_ != "exit 0") {
      result = Status::Error("reftarget did not drain and exit 0 on SIGTERM: " + last_stop_);
    }
    reftarget_.reset();
  }
  luns_.Detach();
  std::error_code ec;
  std::filesystem::remove(socket_, ec);
  if (files_) {
    files_->ReleaseAll();
    files_.reset();
  }
  return result;
}

Status ReferenceAdapter::CheckLive(const std::string& what) const {
  if (ctl_.empty()) {
    return Status::Error(MissingCapability(*this, what) +
                         ": reftarget-ctl not found (set REFTARGET_CTL_BIN or build it)");
  }
  if (!reftarget_) return Status::Error("reference adapter: not started");
  return Status::Ok();
}

Result<int> ReferenceAdapter::AddLun(const LunSpec& lun) {
  if (Status s = CheckLive("add LUN " + lun.name + " while running"); !s.ok()) return s;
  return luns_.AddLun(lun);
}

Status ReferenceAdapter::RemoveLun(int lun_number) {
  if (Status s = CheckLive("remove LUN " + std::to_string(lun_number) + " while running");
      !s.ok()) {
    return s;
  }
  return luns_.RemoveLun(lun_number);
}

Status ReferenceAdapter::ResizeLun(int lun_number, uint64_t new_size_bytes) {
  if (Status s = CheckLive("resize LUN " + std::to_string(lun_number) + " while running");
      !s.ok()) {
    return s;
  }
  return luns_.ResizeLun(lun_number, new_size_bytes);
}

Result<std::chrono::milliseconds> ReferenceAdapter::QueryManagement(
    std::chrono::milliseconds limit) {
  if (Status s = CheckLive("query its management interface"); !s.ok()) return s;
  return luns_.QuerySessions(limit);
}

}  // namespace harness::adapters
