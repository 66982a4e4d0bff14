#include "harness/adapters/reference_adapter.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "harness/adapters/lio_commands.h"
#include "harness/net/tcp_util.h"

namespace harness::adapters {
namespace {

constexpr auto kStartLimit = std::chrono::seconds(15);
constexpr auto kStopGrace = std::chrono::seconds(30);  // reftarget drains in-flight I/O

std::filesystem::path SelfDir() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

}  // namespace

std::filesystem::path FindReftarget() {
  if (const char* env = std::getenv("REFTARGET_BIN"); env != nullptr && *env != '\0') return env;
  const auto sibling = SelfDir() / ".." / ".." / "target" / "daemon" / "reftarget";
  std::error_code ec;
  if (std::filesystem::exists(sibling, ec)) return std::filesystem::weakly_canonical(sibling, ec);
  return process::FindProgram("reftarget");
}

ReferenceAdapter::ReferenceAdapter(ReferenceOptions options) : options_(std::move(options)) {}

ReferenceAdapter::~ReferenceAdapter() { Stop(); }

Capabilities ReferenceAdapter::capabilities() const {
  Capabilities c;
  c.managed = true;
  c.data_loss_allowed = true;
  c.live_lun_changes = false;  // the admin socket (reftarget-ctl) comes with live management
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
  c.backings = {Backing::kFileio, Backing::kBlock, Backing::kRamdisk, Backing::kNull};
  return c;
}

std::string ReferenceAdapter::version() const {
  const auto bin = options_.reftarget.empty() ? FindReftarget() : options_.reftarget;
  return bin.empty() ? "" : "reftarget (" + bin.string() + ")";
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
  std::vector<std::string> argv = {bin.string(), "--config", config_path.string(), "--log-level",
                                   options_.log_level};
  if (options_.threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(options_.threads)});
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
  RunningTarget t;
  t.portal = Portal{"127.0.0.1", port.value()};
  if (spec.ipv6_portal) t.ipv6_portal = Portal{"::1", port.value()};
  t.iqn = spec.iqn;
  for (size_t i = 0; i < spec.luns.size(); ++i) t.lun_numbers.push_back(static_cast<int>(i));
  t.product = version();
  t.log = log;
  t.pid = reftarget_->pid();
  return t;
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
  if (files_) {
    files_->ReleaseAll();
    files_.reset();
  }
  return result;
}

}  // namespace harness::adapters
