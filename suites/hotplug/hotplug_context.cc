#include "suites/hotplug/hotplug_context.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

#include "harness/process/child_process.h"
#include "suites/common/service_pause.h"
#include "suites/common/sparse_file.h"

namespace harness::hotplug {
namespace {

using adapters::Backing;
using Clock = std::chrono::steady_clock;

// Creates (replacing) a file of `bytes` zeros, written out: LUN A's backing. Written rather
// than sparse so that LUN A's writes overwrite allocated blocks from the first second on, and
// its IOPS do not climb as a sparse file fills (which would make the baseline a moving one).
Status CreateZeroedFile(const std::filesystem::path& path, uint64_t bytes) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(path.string() + ": cannot create");
  const std::vector<char> zeros(1 << 20, 0);
  uint64_t done = 0;
  while (done < bytes) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - done));
    const ssize_t w = ::write(fd, zeros.data(), n);
    if (w <= 0) {
      ::close(fd);
      return Status::Error(path.string() + ": cannot write at offset " + std::to_string(done));
    }
    done += static_cast<uint64_t>(w);
  }
  const bool synced = ::fdatasync(fd) == 0;
  ::close(fd);
  if (!synced) return Status::Error(path.string() + ": fdatasync failed");
  return Status::Ok();
}

}  // namespace

HotplugContext::HotplugContext(const runner::SuiteEnv& env_in, HotplugConfig config_in)
    : env(env_in), config(config_in), adapter(env_in.adapter), caps(adapter->capabilities()) {}

HotplugContext::~HotplugContext() { Teardown(); }

adapters::LunSpec HotplugContext::SmallLun(const std::string& name, Backing backing) const {
  return adapters::MakeLunSpec(name, backing, config.small_lun_bytes);
}

loadgen::LoadConfig HotplugContext::LoadFor(int lun, const std::string& initiator_suffix) const {
  loadgen::LoadConfig c;
  c.portal = target.portal.ToString();
  c.target = target.iqn;
  c.initiator = env.initiator_prefix + ":" + initiator_suffix;
  c.luns = {lun};
  c.sessions = 1;
  c.queue_depth = config.queue_depth;
  c.workload.read_percent = config.read_percent;
  c.workload.block_sizes = {{config.io_bytes, 1}};
  c.workload.sequential = false;
  c.retry.command_limit = config.command_limit;
  return c;
}

Status HotplugContext::Setup() {
  std::error_code ec;
  std::filesystem::create_directories(env.out_dir, ec);
  a_file = std::filesystem::absolute(env.out_dir) / "hp_a.img";
  r_file = std::filesystem::absolute(env.out_dir) / "hp_r.img";
  if (Status s = CreateZeroedFile(a_file, config.lun_bytes); !s.ok()) return s;
  // LUN R's backing outlives the LUN, so the re-added LUN finds what was written before.
  if (Status s = suites::CreateSparseFile(r_file, config.lun_bytes); !s.ok()) return s;
  adapters::TargetSpec spec;
  spec.iqn = kIqn;
  spec_a = adapters::MakeLunSpec("hp_a", Backing::kFileio, config.lun_bytes);
  spec_a.path = a_file;
  spec_r = adapters::MakeLunSpec("hp_r", Backing::kFileio, config.lun_bytes);
  spec_r.path = r_file;
  spec.luns = {spec_a, SmallLun("hp_c", Backing::kFileio), spec_r};
  auto started = adapter->Start(spec);
  if (!started.ok()) return Status::Error("starting the target: " + started.error());
  started_ = true;
  target = started.value();
  if (target.lun_numbers.size() != 3) {
    return Status::Error("the adapter reported " + std::to_string(target.lun_numbers.size()) +
                         " LUN numbers for 3 LUNs");
  }
  lun_a = target.lun_numbers[0];
  lun_c = target.lun_numbers[1];
  lun_r = target.lun_numbers[2];
  const std::string idle_initiator = env.initiator_prefix + ":hotplug-idle";
  if (env.on_target_started) env.on_target_started(target, idle_initiator);

  iscsi::ConnectOptions o;
  o.portal = target.portal.ToString();
  o.target = target.iqn;
  o.lun = lun_a;
  o.initiator = idle_initiator;
  o.check_lun = true;  // consumes the new nexus's POWER ON unit attention on LUN A
  auto session = iscsi::Session::Connect(o);
  if (!session.ok()) return Status::Error("idle session login: " + session.error());
  idle = std::move(session).value();
  auto luns = ReportLuns(*idle, lun_a, config.command_limit);
  if (!luns.ok()) return Status::Error("initial inventory: " + luns.error());
  expected_luns = luns.value();
  for (int n : {lun_a, lun_c, lun_r}) {
    if (expected_luns.count(n) == 0) {
      return Status::Error("REPORT LUNS lists " + FormatLuns(expected_luns) + " without LUN " +
                           std::to_string(n) + " the adapter exported");
    }
  }
  auto geometry = ReadCapacity(*idle, lun_r, config.command_limit, nullptr);
  if (!geometry.ok()) return Status::Error("LUN R: " + geometry.error());
  r_geometry = geometry.value();
  if (r_geometry.blocks <= 2 * uint64_t{kPatternBlocks}) {
    return Status::Error("LUN R has only " + std::to_string(r_geometry.blocks) + " blocks");
  }
  pattern_seed = std::random_device{}();
  if (Status s = WritePattern(*idle, lun_r, r_geometry, r_geometry.blocks - kPatternBlocks,
                              kPatternBlocks, pattern_seed, config.command_limit, nullptr);
      !s.ok()) {
    return Status::Error("LUN R's pattern: " + s.message());
  }
  auto generator = loadgen::LoadGenerator::Create(LoadFor(lun_a, "hotplug-load"));
  if (!generator.ok()) return Status::Error("LUN A's load generator: " + generator.error());
  load = std::move(generator).value();
  return Status::Ok();
}

void HotplugContext::Teardown() {
  load.reset();
  idle.reset();
  if (started_) {
    (void)adapter->Stop();
    started_ = false;
  }
  std::error_code ec;
  if (!a_file.empty()) std::filesystem::remove(a_file, ec);
  if (!r_file.empty()) std::filesystem::remove(r_file, ec);
}

void HotplugContext::Pause(std::chrono::milliseconds d) { suites::PauseServicing(idle.get(), d); }

std::optional<Result<process::ProcessUsage>> HotplugContext::Usage() const {
  if (!target.pid) return std::nullopt;
  return process::ReadProcessUsage(*target.pid);
}

bool HotplugContext::TargetAlive() const {
  return !target.pid || process::ProcessRunning(*target.pid);
}

std::string HotplugContext::LogTail() const {
  return target.log.empty() ? "" : process::TailOfFile(target.log, 40);
}

void HotplugContext::EnsureIdleSession(ScenarioRecord& record) {
  if (idle && !idle->broken()) return;
  record.Fail("the idle session lost its connection" +
              (idle ? ": " + idle->last_error() : std::string()));
  if (!idle) return;
  if (Status s = idle->Reconnect(config.command_limit); !s.ok()) {
    record.Fail("the idle session could not log in again: " + s.message());
  }
}

void HotplugContext::QuietSlots(LoadWindow& window, ScenarioRecord& record, int slots) {
  if (last_change_) {
    const auto slot_end = *last_change_ + config.change_interval;
    if (Clock::now() < slot_end) {
      Pause(std::chrono::duration_cast<std::chrono::milliseconds>(slot_end - Clock::now()));
    }
  }
  const double t0 = window.Now();
  Pause(slots * config.change_interval);
  record.Quiet(t0, window.Now());
  last_change_.reset();
}

Result<int> HotplugContext::AddLun(const adapters::LunSpec& lun) {
  Result<int> number = adapter->AddLun(lun);
  if (number.ok()) expected_luns.insert(number.value());
  return number;
}

Status HotplugContext::RemoveLun(int number) {
  Status s = adapter->RemoveLun(number);
  if (s.ok()) expected_luns.erase(number);
  return s;
}

Status HotplugContext::Change(LoadWindow& window, ScenarioRecord& record, const std::string& label,
                              const std::function<Status()>& apply,
                              const std::string& expected_triple) {
  if (last_change_) {
    const auto due = *last_change_ + config.change_interval;
    if (Clock::now() < due) {
      Pause(std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()));
    }
  }
  const double t = window.Now();
  const double interval_s = std::chrono::duration<double>(config.change_interval).count();
  const auto begun = Clock::now();
  last_change_ = begun;
  Status s = apply();
  const double op_ms = std::chrono::duration<double, std::milli>(Clock::now() - begun).count();
  if (!s.ok()) {
    record.Fail(label + " failed: " + s.message());
    return s;
  }
  EnsureIdleSession(record);
  if (!idle || idle->broken()) {
    record.Change(t, window.Now(), label, op_ms, interval_s);
    return s;
  }
  const NexusProbe probe = ProbeNexus(*idle, lun_a, config.command_limit);
  // The change lasts until the idle nexus has been told (its probe answered).
  record.Change(t, window.Now(), label, op_ms, interval_s);
  if (std::string why = JudgeIdleProbe(probe, expected_triple, expected_luns, label);
      !why.empty()) {
    record.Fail("idle session " + why);
  }
  return s;
}

}  // namespace harness::hotplug
