#include "harness/adapters/tgt_adapter.h"

#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "harness/net/tcp_util.h"
#include "harness/process/spawn_run.h"

namespace harness::adapters {
namespace {

constexpr auto kStartLimit = std::chrono::seconds(10);
// tgtd keeps the control port in a `short int` (tgtd.c), so it must stay below 32768.
constexpr int kMinControlPort = 10000;
constexpr int kMaxControlPort = 32000;

std::vector<std::string> Lld(std::vector<std::string> args) {
  args.insert(args.begin(), {"--lld", "iscsi"});
  return args;
}

// tgtd's management socket is /var/run/tgtd/socket.<control port>: pick one nobody uses,
// so our tgtd never collides with a system tgtd or another test's.
int PickControlPort() {
  std::random_device rd;
  std::uniform_int_distribution<int> dist(kMinControlPort, kMaxControlPort);
  for (int i = 0; i < 100; ++i) {
    int port = dist(rd);
    struct stat st {};
    if (stat(("/var/run/tgtd/socket." + std::to_string(port)).c_str(), &st) != 0) return port;
  }
  return dist(rd);
}

}  // namespace

std::vector<std::vector<std::string>> TgtLunCommands(const LunSpec& lun, int tid, int lun_number,
                                                     const std::string& path) {
  std::vector<std::string> add = {"--mode",
                                  "logicalunit",
                                  "--op",
                                  "new",
                                  "--tid",
                                  std::to_string(tid),
                                  "--lun",
                                  std::to_string(lun_number),
                                  "--backing-store",
                                  path};
  switch (lun.backing) {
    case Backing::kFileio:
    case Backing::kRamdisk:
      add.insert(add.end(), {"--bstype", "rdwr"});
      if (!lun.write_back) add.insert(add.end(), {"--bsoflags", "sync"});
      break;
    case Backing::kBlock:
      add.insert(add.end(), {"--bstype", "rdwr", "--bsoflags", "direct"});
      break;
    case Backing::kNull:
      add.insert(add.end(), {"--bstype", "null"});
      break;
  }
  if (lun.block_size != 512) add.insert(add.end(), {"--blocksize", std::to_string(lun.block_size)});
  std::vector<std::vector<std::string>> out = {Lld(add)};
  std::string params;
  auto param = [&](const char* p) { params += (params.empty() ? "" : ",") + std::string(p); };
  if (lun.read_only) param("readonly=1");
  if (lun.thin) param("thin_provisioning=1");
  if (lun.removable) param("removable=1");
  if (!params.empty()) {
    out.push_back(Lld({"--mode", "logicalunit", "--op", "update", "--tid", std::to_string(tid),
                       "--lun", std::to_string(lun_number), "--params", params}));
  }
  return out;
}

std::vector<std::vector<std::string>> TgtSetupCommands(const TargetSpec& spec, int tid,
                                                       const std::vector<std::string>& paths) {
  std::vector<std::vector<std::string>> out;
  out.push_back(Lld(
      {"--mode", "target", "--op", "new", "--tid", std::to_string(tid), "--targetname", spec.iqn}));
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    auto lun = TgtLunCommands(spec.luns[i], tid, static_cast<int>(i) + 1, paths.at(i));
    out.insert(out.end(), lun.begin(), lun.end());
  }
  for (const auto& [key, value] : spec.iscsi_parameters) {
    out.push_back(Lld({"--mode", "target", "--op", "update", "--tid", std::to_string(tid), "--name",
                       key, "--value", value}));
  }
  if (spec.acls.empty()) {
    out.push_back(Lld({"--mode", "target", "--op", "bind", "--tid", std::to_string(tid),
                       "--initiator-address", "ALL"}));
  }
  // tgt binds accounts to the target, not to one initiator: every ACL's credentials work
  // for every allowed initiator (capabilities() says CHAP is per target).
  for (const AclSpec& acl : spec.acls) {
    out.push_back(Lld({"--mode", "target", "--op", "bind", "--tid", std::to_string(tid),
                       "--initiator-name", acl.initiator}));
    if (!acl.chap) continue;
    out.push_back(Lld({"--mode", "account", "--op", "new", "--user", acl.chap->userid, "--password",
                       acl.chap->password}));
    out.push_back(Lld({"--mode", "account", "--op", "bind", "--tid", std::to_string(tid), "--user",
                       acl.chap->userid}));
    if (!acl.chap->mutual_userid.empty()) {
      out.push_back(Lld({"--mode", "account", "--op", "new", "--user", acl.chap->mutual_userid,
                         "--password", acl.chap->mutual_password}));
      out.push_back(Lld({"--mode", "account", "--op", "bind", "--tid", std::to_string(tid),
                         "--user", acl.chap->mutual_userid, "--outgoing"}));
    }
  }
  return out;
}

TgtAdapter::TgtAdapter(TgtOptions options) : options_(std::move(options)) {}

TgtAdapter::~TgtAdapter() { Stop(); }

Capabilities TgtAdapter::capabilities() const {
  Capabilities c;
  c.managed = true;
  c.data_loss_allowed = true;
  c.live_lun_changes = true;
  c.live_resize = false;  // see ResizeLun
  c.chap = true;
  c.mutual_chap = true;
  c.acls = true;
  c.thin = true;
  c.read_only_luns = true;
  c.removable_luns = true;
  c.block_size_4096 = true;
  c.process_faults = true;
  c.restart = true;
  c.management_query = true;
  c.backings = {Backing::kFileio, Backing::kBlock, Backing::kRamdisk, Backing::kNull};
  return c;
}

std::string TgtAdapter::version() const {
  process::RunOptions o;
  o.limit = std::chrono::seconds(10);
  process::RunResult r = process::Run({options_.tgtd, "-V"}, o);
  std::string v = r.output;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v.empty() ? "" : "tgt " + v;
}

Status TgtAdapter::Tgtadm(const std::vector<std::string>& args, std::chrono::milliseconds limit) {
  std::vector<std::string> argv = {options_.tgtadm, "-C", std::to_string(control_port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  process::RunOptions o;
  o.limit = limit;
  // posix_spawn, not fork: tgtadm runs while the hotplug suite measures I/O (spawn_run.h).
  process::RunResult r = process::SpawnRun(argv, o);
  if (r.exited_ok()) return Status::Ok();
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  return Status::Error(line + ": " + r.Describe() + ": " + r.output);
}

Result<std::string> TgtAdapter::PrepareBacking(const LunSpec& lun) {
  if (!lun.path.empty()) return lun.path.string();
  switch (lun.backing) {
    case Backing::kFileio:
    case Backing::kBlock: {
      LunSpec resolved = lun;
      Status status = files_->Prepare(&resolved);
      if (!status.ok()) return status;
      return resolved.path.string();
    }
    case Backing::kRamdisk: {
      auto f = ram_files_->CreateSparseFile(lun);
      if (!f.ok()) return f.status();
      return f.value().string();
    }
    case Backing::kNull:
      return std::string("/dev/null");
  }
  return Status::Error("unknown backing for LUN " + lun.name);
}

Result<RunningTarget> TgtAdapter::Start(const TargetSpec& spec) {
  if (tgtd_) return Status::Error("tgt adapter: already started");
  if (process::FindProgram(options_.tgtd).empty()) {
    return Status::Error(options_.tgtd + " not found (Debian package tgt)");
  }
  if (spec.ipv6_portal) return Status::Error(MissingCapability(*this, "add an IPv6 portal"));
  if (spec.discovery_chap) return Status::Error(MissingCapability(*this, "require discovery CHAP"));
  std::error_code ec;
  std::filesystem::create_directories(options_.work_dir, ec);
  // BLOCK LUNs run with --bsoflags direct (TgtLunCommands): the loop device reads the file
  // with O_DIRECT too, so that nothing is cached twice.
  BackingOptions direct;
  direct.loop_direct_io = true;
  files_ = std::make_unique<BackingFiles>(options_.work_dir / "backing", direct);
  ram_files_ = std::make_unique<BackingFiles>(options_.ram_dir /
                                              ("iscsi-harness-" + std::to_string(getpid())));
  auto port = net::PickFreePort("127.0.0.1");
  if (!port.ok()) return port.status();
  port_ = port.value();
  control_port_ = PickControlPort();
  const auto log = options_.work_dir / "tgtd.log";
  if (Status s = LaunchTgtd(); !s.ok()) {
    Stop();
    return s;
  }
  std::vector<std::string> paths;
  for (const LunSpec& lun : spec.luns) {
    auto path = PrepareBacking(lun);
    if (!path.ok()) {
      Stop();
      return path.status();
    }
    paths.push_back(path.value());
  }
  for (const auto& args : TgtSetupCommands(spec, kTid, paths)) {
    Status s = Tgtadm(args);
    if (!s.ok()) {
      Stop();
      return s;
    }
  }
  RunningTarget t;
  t.portal = Portal{"127.0.0.1", port.value()};
  t.iqn = spec.iqn;
  exported_.clear();
  paths_.clear();
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    t.lun_numbers.push_back(static_cast<int>(i) + 1);
    exported_[static_cast<int>(i) + 1] = spec.luns[i];
    paths_[static_cast<int>(i) + 1] = paths[i];
  }
  t.product = version();
  t.log = log;
  t.pid = tgtd_->pid();
  spec_ = spec;
  running_ = t;
  return t;
}

Status TgtAdapter::LaunchTgtd() {
  const auto log = options_.work_dir / "tgtd.log";
  auto started =
      process::BackgroundProcess::Start({options_.tgtd, "-f", "-C", std::to_string(control_port_),
                                         "--iscsi", "portal=127.0.0.1:" + std::to_string(port_)},
                                        log);
  if (!started.ok()) return started.status();
  tgtd_ = std::move(started).value();
  if (!net::WaitForTcpPort("127.0.0.1", port_, kStartLimit)) {
    return Status::Error("tgtd did not listen on 127.0.0.1:" + std::to_string(port_) +
                         " within 10 s (" + tgtd_->DescribeState() + "); log:\n" +
                         process::TailOfFile(log, 20));
  }
  return Status::Ok();
}

Result<RunningTarget> TgtAdapter::Restart() {
  if (!tgtd_) return Status::Error("tgt adapter: not started, nothing to restart");
  if (tgtd_->Alive()) {
    // tgtd ignores SIGTERM while targets exist (ENVIRONMENT.md): delete ours first. The
    // backing files stay: only Stop() releases them.
    (void)Tgtadm(
        Lld({"--mode", "target", "--op", "delete", "--force", "--tid", std::to_string(kTid)}));
  }
  tgtd_->Stop(std::chrono::seconds(3));  // reaps a killed tgtd
  tgtd_.reset();
  // tgtd unlinks a management socket a killed tgtd left (its lock file's lock died with
  // it), and sets SO_REUSEADDR on the portal: the same ports serve again.
  if (Status s = LaunchTgtd(); !s.ok()) return Status::Error("restarting tgtd: " + s.message());
  // The target as it is now: Start's spec with the LUNs exported_ holds (live changes
  // included), each on the backing path it had.
  TargetSpec without_luns = spec_;
  without_luns.luns.clear();
  std::vector<std::vector<std::string>> commands = TgtSetupCommands(without_luns, kTid, {});
  std::vector<std::vector<std::string>> luns;
  for (const auto& [number, lun] : exported_) {
    auto add = TgtLunCommands(lun, kTid, number, paths_.at(number));
    luns.insert(luns.end(), add.begin(), add.end());
  }
  commands.insert(commands.begin() + 1, luns.begin(), luns.end());  // after "target new"
  for (const auto& args : commands) {
    if (Status s = Tgtadm(args); !s.ok()) return Status::Error("restarting tgtd: " + s.message());
  }
  running_.pid = tgtd_->pid();
  return running_;
}

Result<int> TgtAdapter::AddLun(const LunSpec& lun) {
  if (!tgtd_) return Status::Error("tgt adapter: not started");
  for (const auto& [number, exported] : exported_) {
    if (exported.name == lun.name) {
      return Status::Error("lun.name \"" + lun.name + "\": already exported as LUN " +
                           std::to_string(number));
    }
  }
  // The lowest free number from 1 (LUN 0 is tgt's controller): a LUN number is reused after
  // a removal, as on LIO and SCST, which also keeps churn inside libiscsi's 0..255 range.
  int number = 1;
  while (exported_.count(number) != 0) ++number;
  auto path = PrepareBacking(lun);
  if (!path.ok()) return path.status();
  for (const auto& args : TgtLunCommands(lun, kTid, number, path.value())) {
    Status s = Tgtadm(args);
    if (!s.ok()) {
      (void)Tgtadm(Lld({"--mode", "logicalunit", "--op", "delete", "--tid", std::to_string(kTid),
                        "--lun", std::to_string(number)}));
      ReleaseBacking(lun);
      return s;
    }
  }
  exported_[number] = lun;
  paths_[number] = path.value();
  return number;
}

Status TgtAdapter::RemoveLun(int lun_number) {
  if (!tgtd_) return Status::Error("tgt adapter: not started");
  auto it = exported_.find(lun_number);
  if (it == exported_.end()) {
    return Status::Error("tgt: LUN " + std::to_string(lun_number) + " is not exported");
  }
  // tgt refuses (TGTADM_LUN_ACTIVE, "this logical unit is still active") while the LUN has
  // commands queued or running (usr/target.c tgt_device_destroy); the caller sees that.
  Status s = Tgtadm(Lld({"--mode", "logicalunit", "--op", "delete", "--tid", std::to_string(kTid),
                         "--lun", std::to_string(lun_number)}));
  if (!s.ok()) return s;
  ReleaseBacking(it->second);
  exported_.erase(it);
  paths_.erase(lun_number);
  return Status::Ok();
}

Status TgtAdapter::ResizeLun(int lun_number, uint64_t new_size_bytes) {
  return Status::Error(MissingCapability(
      *this, "resize LUN " + std::to_string(lun_number) + " to " + std::to_string(new_size_bytes) +
                 " bytes while running: tgtadm has no resize operation and tgt reads the "
                 "backing size only when the LUN is created"));
}

void TgtAdapter::ReleaseBacking(const LunSpec& lun) {
  if (!lun.path.empty()) return;  // the caller's file or device
  if (lun.backing == Backing::kRamdisk) {
    if (ram_files_) (void)ram_files_->Release(lun.name);
  } else if (files_) {
    (void)files_->Release(lun.name);
  }
}

Status TgtAdapter::Stop() {
  if (tgtd_) {
    // tgtd ignores SIGTERM while targets exist (ENVIRONMENT.md): delete ours first.
    if (tgtd_->Alive()) {
      (void)Tgtadm(
          Lld({"--mode", "target", "--op", "delete", "--force", "--tid", std::to_string(kTid)}));
    }
    tgtd_->Stop(std::chrono::seconds(3));
    tgtd_.reset();
  }
  exported_.clear();
  paths_.clear();
  if (files_) files_->ReleaseAll();
  if (ram_files_) {
    ram_files_->ReleaseAll();
    std::error_code ec;
    std::filesystem::remove(ram_files_->dir(), ec);
  }
  return Status::Ok();
}

Result<std::chrono::milliseconds> TgtAdapter::QueryManagement(std::chrono::milliseconds limit) {
  if (!tgtd_) return Status::Error("tgt adapter: not started");
  const auto begun = std::chrono::steady_clock::now();
  if (Status s = Tgtadm(Lld({"--mode", "target", "--op", "show"}), limit); !s.ok()) {
    return s;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               begun);
}

}  // namespace harness::adapters
