#include "suites/durability/crash_scenario.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "harness/faults/faultfs_daemon.h"
#include "harness/faults/loop_device.h"
#include "harness/iscsi/session.h"
#include "harness/loadgen/journal.h"
#include "harness/loadgen/load_generator.h"
#include "harness/loadgen/verify_journal.h"
#include "harness/process/child_process.h"
#include "reports/result_builder.h"
#include "suites/common/sparse_file.h"
#include "suites/durability/caching_page.h"
#include "suites/durability/durability_oracle.h"

namespace harness::durability {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kLunFile[] = "lun.img";
constexpr size_t kMaxSocketPath = 107;  // sockaddr_un.sun_path, with its NUL

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Everything one scenario owns, released in reverse order by the destructor.
class ScenarioRun {
 public:
  ScenarioRun(const runner::SuiteEnv& env, const DurabilityConfig& config, const Scenario& scenario)
      : env_(env),
        config_(config),
        scenario_(scenario),
        result_("durability", scenario.name, scenario.family, scenario.clause) {}
  ~ScenarioRun() { Teardown(); }

  reports::TestResult Run(bool* announce);

 private:
  Status Setup(bool* announce);
  // Runs cycle `n` (1-based); returns false once the scenario must stop (a problem found).
  bool Cycle(int n, std::mt19937_64& rng);
  // SIGKILLs the target and waits until it has exited (its files closed).
  Status KillTarget();
  void Teardown();

  const runner::SuiteEnv& env_;
  const DurabilityConfig config_;
  const Scenario& scenario_;
  reports::ResultBuilder result_;
  ScenarioTotals totals_;
  std::filesystem::path dir_;
  std::unique_ptr<faults::FaultfsDaemon> faultfs_;
  std::unique_ptr<faults::LoopDevice> loop_;
  std::filesystem::path backing_file_;
  bool started_ = false;
  adapters::RunningTarget target_;
  int lun_ = 0;
  bool wce_ = true;
  std::vector<uint32_t> prior_run_ids_;
};

Status ScenarioRun::Setup(bool* announce) {
  dir_ = std::filesystem::absolute(env_.out_dir) /
         scenario_.name.substr(std::string("durability.").size());
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::Error(dir_.string() + ": cannot create: " + ec.message());
  if (scenario_.crash == Crash::kPowerCut) {
    faults::FaultfsOptions fo;
    fo.source = dir_ / "faultfs-source";
    fo.mount = dir_ / "faultfs-mnt";
    fo.control = dir_ / "faultfs.sock";
    if (fo.control.string().size() > kMaxSocketPath) {
      fo.control = std::filesystem::temp_directory_path() /
                   ("durability-faultfs-" + std::to_string(getpid()) + ".sock");
    }
    fo.log = dir_ / "faultfs.log";
    auto fs = faults::FaultfsDaemon::Start(fo);
    if (!fs.ok()) return Status::Error("faultfs: " + fs.error());
    faultfs_ = std::move(fs).value();
    backing_file_ = faultfs_->PathOf(kLunFile);
  } else {
    backing_file_ = dir_ / kLunFile;
  }
  if (Status s = suites::CreateSparseFile(backing_file_, config_.lun_bytes); !s.ok()) return s;
  adapters::LunSpec lun = adapters::MakeLunSpec("dura", scenario_.backing, config_.lun_bytes);
  lun.write_back = scenario_.write_back;
  lun.path = backing_file_;
  if (scenario_.backing == adapters::Backing::kBlock) {
    // Direct I/O: the loop device passes the target's writes to the file as they come, with
    // no page cache of its own whose writeback would stall the LUN at random.
    auto attached = faults::LoopDevice::Attach(backing_file_, /*direct_io=*/true);
    if (!attached.ok()) return Status::Error("the BLOCK LUN's loop device: " + attached.error());
    loop_ = std::move(attached).value();
    lun.path = loop_->device();
  }
  adapters::TargetSpec spec;
  spec.iqn = kIqn;
  spec.luns = {lun};
  auto started = env_.adapter->Start(spec);
  if (!started.ok()) return Status::Error("starting the target: " + started.error());
  started_ = true;
  target_ = started.value();
  if (target_.lun_numbers.size() != 1) {
    return Status::Error("the adapter reported " + std::to_string(target_.lun_numbers.size()) +
                         " LUN numbers for 1 LUN");
  }
  lun_ = target_.lun_numbers.front();
  const std::string initiator = env_.initiator_prefix + ":durability-verify";
  if (*announce && env_.on_target_started) {
    env_.on_target_started(target_, initiator);
    *announce = false;
  }
  iscsi::ConnectOptions o;
  o.portal = target_.portal.ToString();
  o.target = target_.iqn;
  o.lun = lun_;
  o.initiator = initiator;
  auto session = iscsi::Session::Connect(o);
  if (!session.ok()) return Status::Error("login before the first cycle: " + session.error());
  auto wce = ReadWriteCacheEnabled(*session.value(), lun_);
  if (!wce.ok()) return Status::Error("reading the Caching mode page: " + wce.error());
  wce_ = wce.value();
  return Status::Ok();
}

Status ScenarioRun::KillTarget() {
  const int pid = *target_.pid;
  if (::kill(pid, SIGKILL) != 0) {
    return Status::Error("kill(" + std::to_string(pid) + ", SIGKILL) failed");
  }
  const auto deadline = Clock::now() + config_.exit_limit;
  while (process::ProcessRunning(pid)) {
    if (Clock::now() >= deadline) {
      return Status::Error("the target (pid " + std::to_string(pid) + ") did not exit within " +
                           std::to_string(config_.exit_limit.count()) + " ms of SIGKILL");
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return Status::Ok();
}

bool ScenarioRun::Cycle(int n, std::mt19937_64& rng) {
  const std::string cycle = "cycle " + std::to_string(n) + ": ";
  const auto journal_path = dir_ / "cycle.journal";
  loadgen::LoadConfig c;
  c.portal = target_.portal.ToString();
  c.target = target_.iqn;
  c.initiator = env_.initiator_prefix + ":durability-load";
  c.luns = {lun_};
  c.sessions = 1;
  c.queue_depth = config_.queue_depth;
  // What earlier cycles left is not zeros; only the journal's blocks are checked after a kill.
  c.assume_zeroed = false;
  c.workload.read_percent = 0;
  c.workload.block_sizes = {{config_.io_bytes, 1}};
  c.workload.sequential = false;
  c.workload.duration = config_.max_kill_delay * 20;  // ended by the kill, never by time
  c.workload.seed = rng();
  if (scenario_.mixed) {
    c.workload.fua_percent = config_.fua_percent;
    c.workload.sync_interval = config_.sync_interval;
  }
  c.retry.command_limit = config_.command_limit;
  c.reconnect_limit = milliseconds(500);  // the target is down until the restart
  c.connect_limit = milliseconds(2000);
  c.journal_path = journal_path.string();
  auto generator = loadgen::LoadGenerator::Create(c);
  if (!generator.ok()) {
    result_.Fail(cycle + "the load could not start: " + generator.error());
    return false;
  }
  std::unique_ptr<loadgen::LoadGenerator> load = std::move(generator).value();
  if (Status s = load->Start(c.workload); !s.ok()) {
    result_.Fail(cycle + "the load could not start: " + s.message());
    return false;
  }
  std::uniform_int_distribution<int64_t> delay(config_.min_kill_delay.count(),
                                               config_.max_kill_delay.count());
  const milliseconds kill_after(delay(rng));
  std::this_thread::sleep_for(kill_after);
  totals_.kill_after_ms.push_back(static_cast<double>(kill_after.count()));
  const Status killed = KillTarget();
  load->RequestStop();
  auto run = load->Wait();
  const uint32_t run_id = load->run_id();
  load.reset();  // logs out and flushes the journal
  if (!killed.ok()) {
    result_.Fail(cycle + killed.message());
    return false;
  }
  if (!run.ok()) {
    result_.Fail(cycle + "the load failed: " + run.error());
    return false;
  }
  totals_.writes_acknowledged += run.value().totals.writes;
  if (run.value().totals.writes == 0) {
    result_.Fail(cycle + "no write was acknowledged in " + std::to_string(kill_after.count()) +
                 " ms before the kill, so nothing was tested");
    return false;
  }
  if (scenario_.crash == Crash::kPowerCut) {
    auto cut = faultfs_->PowerCut(kLunFile);
    if (!cut.ok()) {
      result_.Fail(cycle + "faultfs powercut: " + cut.error());
      return false;
    }
    totals_.dropped_bytes += cut.value().value("dropped_bytes", uint64_t{0});
  }
  const auto restart_begun = Clock::now();
  auto restarted = env_.adapter->Restart();
  if (!restarted.ok()) {
    result_.Fail(cycle + "restart failed: " + restarted.error());
    return false;
  }
  totals_.restart_ms.push_back(MsSince(restart_begun));
  target_ = restarted.value();

  auto journal = loadgen::ReadJournal(journal_path.string());
  if (!journal.ok()) {
    result_.Fail(cycle + journal.error());
    return false;
  }
  for (const loadgen::JournalRecord& r : journal.value().records) {
    if (r.durable()) ++totals_.durable_records;
  }
  iscsi::ConnectOptions o;
  o.portal = target_.portal.ToString();
  o.target = target_.iqn;
  o.lun = lun_;
  o.initiator = env_.initiator_prefix + ":durability-verify";
  auto session = iscsi::Session::Connect(o);
  if (!session.ok()) {
    result_.Fail(cycle + "login after the restart: " + session.error());
    return false;
  }
  CycleCheck check;
  check.cycle = n;
  check.crash = scenario_.crash;
  check.wce = wce_;
  check.durable_only = DurableOnly(scenario_.crash, wce_);
  loadgen::JournalVerifyOptions vo;
  vo.retry.command_limit = config_.command_limit;
  vo.durable_only = check.durable_only;
  vo.prior_run_ids = prior_run_ids_;
  auto verified = loadgen::VerifyJournal(*session.value(), journal.value(), vo);
  if (!verified.ok()) {
    result_.Fail(cycle + verified.error());
    return false;
  }
  prior_run_ids_.push_back(run_id);
  check.report = verified.value();
  totals_.Add(check.report);
  const std::vector<std::string> problems = JudgeCycle(check);
  for (const std::string& p : problems) result_.Fail(p);
  return problems.empty();
}

reports::TestResult ScenarioRun::Run(bool* announce) {
  const auto begun = Clock::now();
  totals_.cycles_planned = config_.cycles;
  if (Status s = Setup(announce); !s.ok()) {
    result_.Fail("setup: " + s.message());
    reports::TestResult r = result_.Finish(Clock::now() - begun);
    if (!target_.log.empty()) r.log_excerpt = process::TailOfFile(target_.log, 40);
    return r;
  }
  if (!target_.pid) {
    return result_.Skip(adapters::MissingCapability(*env_.adapter, "name the target's process") +
                        ": nothing to SIGKILL");
  }
  result_.Metric("wce", wce_ ? 1 : 0);
  uint64_t seed = config_.seed;
  if (seed == 0) seed = std::random_device{}() | uint64_t{1} << 40;
  result_.Metric("seed", static_cast<double>(seed));
  std::mt19937_64 rng(seed);
  for (int n = 1; n <= config_.cycles; ++n) {
    if (process::Interrupted()) {
      result_.Fail("interrupted after " + std::to_string(n - 1) + " of " +
                   std::to_string(config_.cycles) + " cycles");
      break;
    }
    if (!Cycle(n, rng)) break;  // the LUN's state is now in question: stop here
  }
  totals_.Report(result_);
  if (scenario_.crash == Crash::kPowerCut) {
    if (wce_) {
      result_.Note("WCE=1 advertised: of " + std::to_string(totals_.volatile_blocks) +
                   " blocks whose newest write was only in the write cache, " +
                   std::to_string(totals_.older) + " held an older generation after the power cut");
    } else {
      result_.Note("WCE=0 advertised: every acknowledged write had to survive the power cut");
    }
    result_.Note("faultfs dropped " + std::to_string(totals_.dropped_bytes) + " unsynced bytes");
  } else if (!scenario_.write_back && wce_) {
    result_.Note("write-through FILEIO, yet the Caching page says WCE=1");
  }
  reports::TestResult r = result_.Finish(Clock::now() - begun);
  if (r.outcome == reports::Outcome::kFail && !target_.log.empty()) {
    r.log_excerpt = process::TailOfFile(target_.log, 40);
  }
  return r;
}

void ScenarioRun::Teardown() {
  if (started_) {
    (void)env_.adapter->Stop();
    started_ = false;
  }
  loop_.reset();
  std::error_code ec;
  if (!backing_file_.empty()) std::filesystem::remove(backing_file_, ec);
  faultfs_.reset();
}

}  // namespace

std::string WhyNotRunnable(const adapters::TargetAdapter& adapter,
                           const adapters::Capabilities& caps, bool allow_data_loss,
                           const Scenario& scenario) {
  if (!caps.managed) {
    return adapters::MissingCapability(adapter, "configure the target (it is not managed)");
  }
  if (!caps.process_faults) return adapters::MissingCapability(adapter, "SIGKILL the target");
  if (!caps.restart) {
    return adapters::MissingCapability(adapter, "restart the target on its configuration");
  }
  if (caps.backings.count(scenario.backing) == 0) {
    return adapters::MissingCapability(
        adapter, std::string("export ") + adapters::BackingName(scenario.backing) + " LUNs");
  }
  if (!allow_data_loss) return "the suite writes to the LUNs it creates: needs --allow-data-loss";
  if (scenario.backing == adapters::Backing::kBlock && ::geteuid() != 0) {
    return "a BLOCK LUN needs a loop device: run as root";
  }
  if (scenario.crash == Crash::kPowerCut) {
    if (std::string why = faults::WhyFaultfsUnavailable(); !why.empty()) return why;
  }
  return "";
}

reports::TestResult RunScenario(const runner::SuiteEnv& env, const DurabilityConfig& config,
                                const Scenario& scenario, bool* announce) {
  ScenarioRun run(env, config, scenario);
  return run.Run(announce);
}

}  // namespace harness::durability
