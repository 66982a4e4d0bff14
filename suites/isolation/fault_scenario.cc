#include "suites/isolation/fault_scenario.h"

#include <algorithm>
#include <set>
#include <thread>

#include "harness/iscsi/cdb.h"
#include "harness/loadgen/load_window.h"
#include "harness/loadgen/lun_probe.h"
#include "harness/loadgen/time_series.h"
#include "reports/number_format.h"
#include "reports/result_builder.h"
#include "suites/common/load_series.h"

namespace harness::isolation {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Lets the fault reach the backstore's calls in flight before the probes start.
constexpr milliseconds kFaultBites{300};
// How long the probe's READ waits before it is aborted (it must be stuck by then).
constexpr milliseconds kStuckWait{300};
// Left out after the fault is cleared before a LUN counts as "outside the fault" again.
constexpr double kAfterClear_s = 1.0;
// The end of a run over which a session hit on the network must be back at rate.
constexpr double kRecoveredSpan_s = 2.3;
// How long a faulty LUN may take to serve I/O again after the fault is cleared.
constexpr milliseconds kRecoveryLimit{10000};
// The probe's own blocks at the end of each LUN, inside kProbeReserveBlocks.
constexpr uint32_t kProbeBlocks = 8;
static_assert(kProbeBlocks <= kProbeReserveBlocks);

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Key(const IsoLun& lun) { return lun.spec.name; }

// Sends `request` on the probe session until it ends with something other than a unit
// attention (the LUN reset the probe itself caused raises one), at most `attempts` times.
iscsi::CommandResult ExecuteSkippingAttentions(iscsi::Session& s, iscsi::CommandRequest request,
                                               int attempts = 4) {
  iscsi::CommandResult r;
  for (int i = 0; i < attempts; ++i) {
    r = s.Execute(request);
    if (!r.unit_attention()) break;
  }
  return r;
}

// Times ABORT TASK of a READ stuck on `lun`, then LUN RESET, on the probe session.
void ProbeTaskManagement(IsolationContext& ctx, const IsoLun& lun, reports::ResultBuilder& record) {
  iscsi::Session& s = *ctx.probe;
  const uint64_t lba = lun.spec.size_bytes / 512 - kProbeBlocks;
  iscsi::CommandRequest read;
  read.cdb = iscsi::cdb::Read16(lba, kProbeBlocks);
  read.direction = iscsi::DataDirection::kRead;
  read.data_in_length = kProbeBlocks * 512;
  read.lun = lun.number;
  read.limit = ctx.config.probe_limit;
  auto id = s.Submit(read);
  if (!id.ok()) {
    record.Fail("the probe's READ on the stalled LUN was not sent: " + id.error());
    return;
  }
  std::vector<iscsi::Completion> early = s.Poll(kStuckWait);
  if (!early.empty()) {
    record.Note("the probe's READ on the stalled LUN ended before its abort: " +
                early.front().result.Describe());
  } else {
    auto abort = s.AbortTask(id.value(), ctx.config.thresholds.max_tmf * 3);
    if (!abort.ok()) {
      record.Fail("ABORT TASK on the stalled LUN: " + abort.error());
    } else {
      const auto took = std::chrono::duration_cast<milliseconds>(abort.value().duration);
      record.Metric("faulty.abort_task_ms", static_cast<double>(took.count()));
      record.Metric("faulty.abort_task_response", abort.value().response);
      if (auto why =
              JudgeWithin("ABORT TASK on the stalled LUN", took, ctx.config.thresholds.max_tmf);
          !why.empty()) {
        record.Fail(why);
      }
    }
    (void)s.Poll(milliseconds(0));
  }
  if (s.broken()) {
    record.Fail("the probe session broke after ABORT TASK: " + s.last_error());
    (void)s.Reconnect(ctx.config.probe_limit);
    return;
  }
  auto reset = s.LunReset(lun.number, ctx.config.thresholds.max_tmf * 3);
  if (!reset.ok()) {
    record.Fail("LUN RESET on the stalled LUN: " + reset.error());
  } else {
    const auto took = std::chrono::duration_cast<milliseconds>(reset.value().duration);
    record.Metric("faulty.lun_reset_ms", static_cast<double>(took.count()));
    if (auto why = JudgeWithin("LUN RESET on the stalled LUN", took, ctx.config.thresholds.max_tmf);
        !why.empty()) {
      record.Fail(why);
    }
  }
  if (s.broken()) {
    record.Fail("the probe session broke after LUN RESET: " + s.last_error());
    (void)s.Reconnect(ctx.config.probe_limit);
  }
}

// SYNCHRONIZE CACHE on `lun` must end CHECK CONDITION 03/0C/00 (`when` names the moment).
void ProbeFlush(IsolationContext& ctx, const IsoLun& lun, reports::ResultBuilder& record,
                const std::string& when) {
  iscsi::CommandRequest sync;
  sync.cdb = iscsi::cdb::SynchronizeCache10();
  sync.lun = lun.number;
  sync.limit = ctx.config.probe_limit;
  const iscsi::CommandResult r = ExecuteSkippingAttentions(*ctx.probe, sync);
  const bool write_error = r.outcome == iscsi::Outcome::kCompleted &&
                           r.status == iscsi::scsi_status::kCheckCondition &&
                           r.decoded.Triple() == "03/0c/00";
  if (!write_error) {
    record.Fail("SYNCHRONIZE CACHE " + when + " answered " + r.Describe() +
                ", expected CHECK CONDITION 03/0C/00 (never GOOD after a failed flush)");
  }
}

// READ CAPACITY(16) on `lun` must still give the LUN's configured size.
void ProbeCapacity(IsolationContext& ctx, const IsoLun& lun, reports::ResultBuilder& record) {
  Result<loadgen::LunCapacity> capacity =
      loadgen::ReadCapacity(*ctx.probe, lun.number, ctx.config.probe_limit);
  if (!capacity.ok()) {
    record.Fail("READ CAPACITY(16) during the fault: " + capacity.error());
    return;
  }
  const double bytes = static_cast<double>(capacity.value().blocks) * capacity.value().block_size;
  record.Metric("faulty.capacity_bytes", bytes);
  if (bytes != static_cast<double>(lun.spec.size_bytes)) {
    record.Fail("READ CAPACITY(16) during the fault gave " + reports::Fixed(bytes, 0) +
                " bytes, not the LUN's " + std::to_string(lun.spec.size_bytes));
  }
}

// Writes the probe's blocks of `lun` and reads them back, retrying while the LUN recovers.
void ProbeRecovery(IsolationContext& ctx, const IsoLun& lun, reports::ResultBuilder& record) {
  const uint64_t lba = lun.spec.size_bytes / 512 - kProbeBlocks;
  std::vector<uint8_t> pattern(kProbeBlocks * 512);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 7 + lba);
  const auto begun = Clock::now();
  std::string last;
  while (Clock::now() - begun < kRecoveryLimit) {
    iscsi::CommandRequest write;
    write.cdb = iscsi::cdb::Write16(lba, kProbeBlocks);
    write.direction = iscsi::DataDirection::kWrite;
    write.data_out = pattern;
    write.lun = lun.number;
    write.limit = ctx.config.probe_limit;
    iscsi::CommandResult w = ExecuteSkippingAttentions(*ctx.probe, write);
    if (w.good()) {
      iscsi::CommandRequest read;
      read.cdb = iscsi::cdb::Read16(lba, kProbeBlocks);
      read.direction = iscsi::DataDirection::kRead;
      read.data_in_length = static_cast<uint32_t>(pattern.size());
      read.lun = lun.number;
      read.limit = ctx.config.probe_limit;
      iscsi::CommandResult r = ExecuteSkippingAttentions(*ctx.probe, read);
      if (r.good() && r.data_in == pattern) {
        record.Metric("faulty.recovered_ms",
                      std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
        return;
      }
      last = r.good() ? "the blocks read back differ from those written" : r.Describe();
    } else {
      last = w.Describe();
    }
    if (ctx.probe->broken()) (void)ctx.probe->Reconnect(ctx.config.probe_limit);
    std::this_thread::sleep_for(milliseconds(200));
  }
  record.Fail(lun.label + " did not serve I/O again within " +
              std::to_string(kRecoveryLimit.count()) + " ms of the fault's clearing: " + last);
}

// Issue 5: the target stays manageable while one backstore fails (LIO's configfs and
// targetcli block behind a stalled backstore).
void ProbeManagement(IsolationContext& ctx, reports::ResultBuilder& record) {
  if (!ctx.adapter->capabilities().management_query) {
    record.Note(adapters::MissingCapability(*ctx.adapter, "query its management interface") +
                ": not measured during the fault");
    return;
  }
  // Past the threshold the answer fails either way; waiting longer tells how late it came.
  const milliseconds limit = 5 * ctx.config.thresholds.max_management;
  auto took = ctx.adapter->QueryManagement(limit);
  if (!took.ok()) {
    record.Fail("the management interface during the fault: " + took.error());
    return;
  }
  record.Metric("management_during_fault_ms", static_cast<double>(took.value().count()));
  if (auto why = JudgeWithin("the management interface during the fault", took.value(),
                             ctx.config.thresholds.max_management);
      !why.empty()) {
    record.Fail(why);
  }
}

}  // namespace

reports::TestResult RunFaultScenario(IsolationContext& ctx, const FaultKind& kind) {
  const auto begun = Clock::now();
  reports::ResultBuilder record("isolation", kind.name, kind.family, kind.clause);
  const std::set<size_t> faulty(kind.faulty.begin(), kind.faulty.end());
  std::vector<std::unique_ptr<loadgen::LoadWindow>> windows;
  for (IsoLun& l : ctx.luns) {
    auto w = loadgen::LoadWindow::Begin(l.load.get());
    if (!w.ok()) {
      record.Fail(l.label + "'s load did not start: " + w.error());
      return record.Finish(Clock::now() - begun);
    }
    windows.push_back(std::move(w).value());
  }
  ctx.Pause(ctx.config.warm_up + ctx.config.baseline);

  const auto fault_begun = Clock::now();
  if (Status s = kind.inject(ctx); !s.ok()) record.Fail("injecting the fault: " + s.message());
  ctx.Pause(kFaultBites);
  if (auto login = ctx.TimedLogin(); !login.ok()) {
    record.Fail(login.error());
  } else {
    record.Metric("login_during_fault_ms", static_cast<double>(login.value().count()));
    if (auto why = JudgeWithin("a new login during the fault", login.value(),
                               ctx.config.thresholds.max_login);
        !why.empty()) {
      record.Fail(why);
    }
  }
  ProbeManagement(ctx, record);
  const IsoLun& victim = ctx.luns[kind.faulty.front()];
  if (kind.probe_tmf) ProbeTaskManagement(ctx, victim, record);
  if (kind.probe_flush) ProbeFlush(ctx, victim, record, "during the fault");
  if (kind.probe_capacity) ProbeCapacity(ctx, victim, record);
  const auto window = kind.long_window ? ctx.config.long_hang : ctx.config.fault;
  const auto due = fault_begun + window;
  if (Clock::now() < due) ctx.Pause(std::chrono::duration_cast<milliseconds>(due - Clock::now()));

  const auto fault_ended = Clock::now();
  Status cleared = Status::Ok();
  if (kind.clear) {
    cleared = kind.clear(ctx);
  } else {
    for (LunIndex i : kind.faulty) {
      faults::FaultfsDaemon* fs = ctx.luns[i].faultfs;
      if (fs == nullptr) continue;
      if (Status s = fs->ClearRules(); !s.ok() && cleared.ok()) cleared = s;
      if (Status s = fs->ReleaseHangs().status(); !s.ok() && cleared.ok()) cleared = s;
    }
  }
  if (!cleared.ok()) record.Fail("clearing the fault: " + cleared.message());
  if (kind.probe_flush) ProbeFlush(ctx, victim, record, "after the fault was cleared");
  // A session hit on the network may need its initiator's timers to notice (a command
  // timeout, then an unanswered ABORT TASK) before it is reinstated.
  ctx.Pause(kind.needs_net ? ctx.config.recovery + 2 * ctx.config.command_limit
                           : ctx.config.recovery);
  if (kind.recovers) ProbeRecovery(ctx, victim, record);

  // Every generator's run, judged on one clock: the first window's.
  const double base = 0;
  const auto clock0 = windows.front()->start();
  reports::TimeSeries* first_series = nullptr;
  for (size_t i = 0; i < ctx.luns.size(); ++i) {
    IsoLun& l = ctx.luns[i];
    Result<loadgen::RunResult> run = windows[i]->Finish();
    if (!run.ok()) {
      record.Fail(l.label + "'s load: " + run.error());
      continue;
    }
    const loadgen::LunResult* lun = run.value().Lun(l.number);
    if (lun == nullptr) {
      record.Fail(l.label + ": the load generator has no result for LUN " +
                  std::to_string(l.number));
      continue;
    }
    const double f0 = windows[i]->SecondsAt(fault_begun);
    const double f1 = windows[i]->SecondsAt(fault_ended);
    const double end = run.value().elapsed_s;
    const double warm = Seconds(ctx.config.warm_up);
    const PhaseStats outside = StatsOver(*lun, {{warm, f0}, {f1 + kAfterClear_s, end - 0.3}});
    const PhaseStats during = StatsOver(*lun, {{f0, f1}});
    const std::string key = Key(l);
    record.Metric(key + ".iops_outside", outside.iops);
    record.Metric(key + ".iops_during", during.iops);
    record.Metric(key + ".p99_outside_us", outside.p99_us);
    record.Metric(key + ".p99_during_us", during.p99_us);
    record.Metric(key + ".errors", static_cast<double>(run.value().errors()));
    record.Metric(key + ".verify_errors", static_cast<double>(run.value().verify_errors()));
    if (faulty.count(i) == 0) {
      for (const std::string& p :
           JudgeUnaffected(l.label + " (unaffected)", run.value().errors(),
                           run.value().verify_errors(), outside, during, ctx.config.thresholds)) {
        record.Fail(p);
      }
    } else {
      const auto kinds = ErrorKinds(run.value().error_samples, l.number);
      for (const auto& [what, count] : kinds) {
        record.Metric(key + ".failed." + what, static_cast<double>(count));
      }
      for (const std::string& p : JudgeFaultyLun(kinds, run.value().errors(),
                                                 run.value().totals.connection_losses, kind.rule)) {
        record.Fail(l.label + ": " + p);
      }
      if (kind.needs_net) {
        // The session itself was hit: its own load must be back at rate by the end of the
        // recovery (reinstated or never dropped), not just the LUN through the probe.
        const PhaseStats before = StatsOver(*lun, {{warm, f0}});
        const PhaseStats after =
            StatsOver(*lun, {{std::max(f1 + kAfterClear_s, end - kRecoveredSpan_s), end - 0.3}});
        record.Metric(key + ".iops_after", after.iops);
        if (after.iops < ctx.config.thresholds.min_iops_ratio * before.iops) {
          record.Fail(l.label + "'s own load ran at " + reports::Fixed(after.iops, 0) +
                      " IOPS after the fault was cleared, against " +
                      reports::Fixed(before.iops, 0) + " before it");
        }
      }
      if (kind.destroys_data) {
        // What it held is gone: later scenarios check only what is written from now on.
        l.load->ForgetContents(l.number);
      } else if (run.value().verify_errors() > 0 && kind.recovers) {
        record.Fail(l.label + " read back " + std::to_string(run.value().verify_errors()) +
                    " wrong blocks: " + run.value().verify_samples.front().Describe());
      }
    }
    const double offset = Seconds(windows[i]->start() - clock0) + base;
    record.AddSeries(suites::IopsSeries(run.value(), l.number, key + "_iops", offset));
    if (first_series == nullptr) first_series = &record.series().back();
  }
  if (!record.series().empty()) {
    reports::TimeSeries& s = record.series().front();
    s.markers.push_back(
        reports::SeriesMarker{Seconds(fault_begun - clock0), Seconds(fault_ended - clock0),
                              "fault: " + kind.name.substr(kind.name.rfind('.') + 1)});
  }
  if (!ctx.TargetAlive()) record.Fail("the target process died");
  return record.Finish(Clock::now() - begun);
}

}  // namespace harness::isolation
