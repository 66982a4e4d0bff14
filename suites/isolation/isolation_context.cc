#include "suites/isolation/isolation_context.h"

#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "harness/process/child_process.h"
#include "suites/common/service_pause.h"
#include "suites/common/sparse_file.h"

namespace harness::isolation {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

IsolationContext::IsolationContext(const runner::SuiteEnv& env_in, IsolationConfig config_in)
    : env(env_in), config(config_in), adapter(env_in.adapter) {}

IsolationContext::~IsolationContext() { Teardown(); }

Status IsolationContext::Setup() {
  std::error_code ec;
  const auto out = std::filesystem::absolute(env.out_dir);
  std::filesystem::create_directories(out, ec);
  auto file_fs_started = StartFaultfs("faultfs-file");
  if (!file_fs_started.ok()) return file_fs_started.status();
  file_fs = std::move(file_fs_started).value();
  auto block_fs_started = StartFaultfs("faultfs-block");
  if (!block_fs_started.ok()) return block_fs_started.status();
  block_fs = std::move(block_fs_started).value();

  luns.resize(kLunCount);
  luns[kFaultyFile].label = "FILEIO on faultfs";
  luns[kFaultyFile].faultfs_file = "iso_file.img";
  luns[kFaultyFile].spec =
      adapters::MakeLunSpec("iso_file", adapters::Backing::kFileio, config.lun_bytes);
  luns[kFaultyFile].faultfs = file_fs.get();
  luns[kFaultyFile].spec.path = file_fs->PathOf("iso_file.img");
  luns[kFaultyBlock].label = "BLOCK on a loop device over faultfs";
  luns[kFaultyBlock].faultfs_file = "iso_block.img";
  luns[kFaultyBlock].faultfs = block_fs.get();
  luns[kFaultyBlock].spec =
      adapters::MakeLunSpec("iso_block", adapters::Backing::kBlock, config.lun_bytes);
  luns[kRamdisk].label = "RAMDISK";
  luns[kRamdisk].spec =
      adapters::MakeLunSpec("iso_ram", adapters::Backing::kRamdisk, config.lun_bytes);
  luns[kPlainFile].label = "FILEIO on the local file system";
  luns[kPlainFile].spec =
      adapters::MakeLunSpec("iso_plain", adapters::Backing::kFileio, config.lun_bytes);
  plain_file_ = out / "iso_plain.img";
  luns[kPlainFile].spec.path = plain_file_;
  for (const auto* path : {&luns[kFaultyFile].spec.path, &plain_file_}) {
    if (Status s = suites::CreateSparseFile(*path, config.lun_bytes); !s.ok()) return s;
  }
  const auto block_file = block_fs->PathOf("iso_block.img");
  if (Status s = suites::CreateSparseFile(block_file, config.lun_bytes); !s.ok()) return s;
  // Direct I/O: the loop device reads and writes the file as the target asks, with no page
  // cache of its own between (whose writeback would stall the LUN at random).
  auto attached = faults::LoopDevice::Attach(block_file, /*direct_io=*/true);
  if (!attached.ok()) return Status::Error("the BLOCK LUN's loop device: " + attached.error());
  loop = std::move(attached).value();
  luns[kFaultyBlock].spec.path = loop->device();

  adapters::TargetSpec spec;
  spec.iqn = kIqn;
  for (const IsoLun& l : luns) spec.luns.push_back(l.spec);
  auto started = adapter->Start(spec);
  if (!started.ok()) return Status::Error("starting the target: " + started.error());
  started_ = true;
  target = started.value();
  if (target.lun_numbers.size() != kLunCount) {
    return Status::Error("the adapter reported " + std::to_string(target.lun_numbers.size()) +
                         " LUN numbers for " + std::to_string(kLunCount) + " LUNs");
  }
  for (size_t i = 0; i < kLunCount; ++i) luns[i].number = target.lun_numbers[i];
  const std::string probe_initiator = env.initiator_prefix + ":isolation-probe";
  if (env.on_target_started) env.on_target_started(target, probe_initiator);

  iscsi::ConnectOptions o;
  o.portal = target.portal.ToString();
  o.target = target.iqn;
  o.lun = luns[kRamdisk].number;
  o.initiator = probe_initiator;
  o.check_lun = true;
  auto session = iscsi::Session::Connect(o);
  if (!session.ok()) return Status::Error("probe session login: " + session.error());
  probe = std::move(session).value();
  StartNetfault();
  return StartGenerators();
}

Result<std::unique_ptr<faults::FaultfsDaemon>> IsolationContext::StartFaultfs(
    const std::string& name) {
  const auto out = std::filesystem::absolute(env.out_dir);
  faults::FaultfsOptions fo;
  fo.source = out / (name + "-source");
  fo.mount = out / (name + "-mnt");
  fo.control = out / (name + ".sock");
  fo.log = out / (name + ".log");
  auto fs = faults::FaultfsDaemon::Start(fo);
  if (!fs.ok()) return Status::Error(name + ": " + fs.error());
  return std::move(fs).value();
}

void IsolationContext::StartNetfault() {
  if (faults::FindNetfault().empty()) {
    net_unavailable = "netfault is not built or installed (set NETFAULT_BIN)";
    return;
  }
  const auto out = std::filesystem::absolute(env.out_dir);
  faults::NetfaultOptions o;
  o.target = target.portal.ToString();
  o.control = out / "netfault.sock";
  o.log = out / "netfault.log";
  auto started = faults::NetfaultProxy::Start(o);
  if (!started.ok()) {
    net_unavailable = "netfault did not start: " + started.error();
    return;
  }
  net = std::move(started).value();
}

Status IsolationContext::StartGenerators() {
  for (size_t i = 0; i < kLunCount; ++i) {
    loadgen::LoadConfig c;
    c.portal = i == kNetLun && net ? net->portal() : target.portal.ToString();
    // The network kinds' session carries header digests, so that a flipped header bit is
    // caught (RFC 7143 §7.8) rather than executed.
    if (i == kNetLun) c.header_digest = iscsi::HeaderDigest::kCrc32c;
    c.target = target.iqn;
    c.initiator = env.initiator_prefix + ":isolation-load-" + luns[i].spec.name;
    c.luns = {luns[i].number};
    c.ranges[luns[i].number] =
        loadgen::LbaRange{0, config.lun_bytes / luns[i].spec.block_size - kProbeReserveBlocks};
    c.sessions = 1;
    c.queue_depth = config.queue_depth;
    c.workload.read_percent = config.read_percent;
    c.workload.block_sizes = {{config.io_bytes, 1}};
    c.workload.sequential = false;
    c.workload.rate_iops = config.rate_iops;
    c.retry.command_limit = config.command_limit;
    c.max_samples = 4096;  // every failed command of the faulty LUN, classified
    auto generator = loadgen::LoadGenerator::Create(c);
    if (!generator.ok()) {
      return Status::Error(luns[i].label + "'s load generator: " + generator.error());
    }
    luns[i].load = std::move(generator).value();
  }
  return Status::Ok();
}

void IsolationContext::Teardown() {
  for (auto* fs : {file_fs.get(), block_fs.get()}) {
    if (fs != nullptr && fs->alive()) {
      (void)fs->ClearRules();
      (void)fs->ReleaseHangs();
    }
  }
  for (IsoLun& l : luns) l.load.reset();
  probe.reset();
  if (net) (void)net->Stop();
  net.reset();
  if (started_) {
    (void)adapter->Stop();
    started_ = false;
  }
  loop.reset();
  block_fs.reset();
  file_fs.reset();
  std::error_code ec;
  if (!plain_file_.empty()) std::filesystem::remove(plain_file_, ec);
}

void IsolationContext::Pause(std::chrono::milliseconds d) {
  suites::PauseServicing(probe.get(), d);
}

Result<std::chrono::milliseconds> IsolationContext::TimedLogin() {
  iscsi::ConnectOptions o;
  o.portal = target.portal.ToString();
  o.target = target.iqn;
  o.lun = luns[kRamdisk].number;
  o.initiator = env.initiator_prefix + ":isolation-login";
  o.check_lun = false;
  o.connect_limit = std::chrono::seconds(10);
  const auto begun = Clock::now();
  auto session = iscsi::Session::Connect(o);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begun);
  if (!session.ok())
    return Status::Error("a new login failed after " + std::to_string(took.count()) +
                         " ms: " + session.error());
  return took;
}

std::string IsolationContext::LogTail() const {
  return target.log.empty() ? "" : process::TailOfFile(target.log, 40);
}

bool IsolationContext::TargetAlive() const {
  return !target.pid || process::ProcessRunning(*target.pid);
}

}  // namespace harness::isolation
