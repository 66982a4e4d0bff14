// The single-change scenarios: the baseline, adding and using a LUN, removing an idle LUN,
// removing a LUN under I/O and re-adding it.
#include <thread>

#include "harness/iscsi/cdb.h"
#include "suites/hotplug/scenarios.h"

namespace harness::hotplug {
namespace {

using adapters::Backing;
using Clock = std::chrono::steady_clock;

constexpr char kUaClause[] = "SPC-4 §6.33, SAM-5 §5.14: 06/3F/0E; TEST-PLAN S19, T35";
constexpr auto kRemoveRetryGap = std::chrono::milliseconds(20);
// A removed LUN's commands: enough samples to classify every one that was in flight.
constexpr size_t kVictimSamples = 4096;
constexpr auto kTwoLoadsLeadIn = std::chrono::milliseconds(2200);

// Returns `text` on one line: a tool's output ends with a newline and may hold several.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Checks that LUN `lun` answers TEST UNIT READY with 05/25/00 LOGICAL UNIT NOT SUPPORTED on
// the idle session, as a removed LUN must (SPC-4 / TEST-PLAN S16, T35).
void ExpectGone(HotplugContext& ctx, ScenarioRecord& record, int lun) {
  if (!ctx.idle || ctx.idle->broken()) return;
  iscsi::CommandRequest tur;
  tur.cdb = iscsi::cdb::TestUnitReady();
  tur.lun = lun;
  tur.limit = ctx.config.command_limit;
  const iscsi::CommandResult r = ExecuteThroughAttentions(*ctx.idle, tur, nullptr);
  const bool not_supported = r.outcome == iscsi::Outcome::kCompleted &&
                             r.status == iscsi::scsi_status::kCheckCondition &&
                             r.decoded.Triple() == kLunNotSupported;
  if (!not_supported) {
    record.Fail("removed LUN " + std::to_string(lun) + " answered " + r.Describe() +
                ", expected CHECK CONDITION " + kLunNotSupported + " LOGICAL UNIT NOT SUPPORTED");
  }
}

}  // namespace

void AroundLoad(HotplugContext& ctx, ScenarioRecord& record, const std::string& expected_triple,
                const std::function<void(LoadWindow&)>& body) {
  auto window = LoadWindow::Begin(ctx.load.get());
  if (!window.ok()) {
    record.Fail("LUN A's load did not start: " + window.error());
    return;
  }
  ctx.Pause(ctx.config.lead_in);
  body(*window.value());
  ctx.Pause(ctx.config.settle);
  Result<loadgen::RunResult> run = window.value()->Finish();
  if (!run.ok()) {
    record.Fail("LUN A's load: " + run.error());
    return;
  }
  record.JudgeLunA(run.value(), ctx.lun_a, ctx.baseline_iops, expected_triple,
                   ctx.config.thresholds);
}

reports::TestResult RunBaseline(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.Baseline.LunA", "Baseline",
                        "TEST-PLAN T44 (verified load, no errors)");
  auto window = LoadWindow::Begin(ctx.load.get());
  if (!window.ok()) {
    record.Fail("LUN A's load did not start: " + window.error());
    return record.Finish(Clock::now() - begun);
  }
  ctx.Pause(ctx.config.warm_up + ctx.config.baseline);
  Result<loadgen::RunResult> run = window.value()->Finish();
  if (!run.ok()) {
    record.Fail("LUN A's load: " + run.error());
    return record.Finish(Clock::now() - begun);
  }
  record.JudgeLunA(run.value(), ctx.lun_a, 0, kLunsChanged, ctx.config.thresholds);
  const loadgen::LunResult* a = run.value().Lun(ctx.lun_a);
  // The first seconds warm the session and the target's caches up; they are not the yardstick.
  const double warm_up_s = std::chrono::duration<double>(ctx.config.warm_up).count();
  const Baseline b = a != nullptr ? BaselineOf(a->series, warm_up_s) : Baseline{};
  record.Metric("lun_a.iops_baseline", b.iops);
  record.Metric("lun_a.iops_spread", b.spread);
  record.Metric("lun_a.baseline_points", static_cast<double>(b.points));
  if (a != nullptr) {
    record.Metric("lun_a.read_p99_us", a->read_latency.p99_us);
    record.Metric("lun_a.write_p99_us", a->write_latency.p99_us);
  }
  if (b.points == 0 || !(b.iops > 0)) {
    record.Fail("LUN A completed no I/O in a full second of its baseline");
  } else if (!record.failed()) {
    ctx.baseline_iops = b.iops;  // only a clean baseline is a yardstick
  }
  return record.Finish(Clock::now() - begun);
}

namespace {

// Writes, reads back and verifies a few blocks of the new LUN `lun` over the idle session,
// after checking the size READ CAPACITY reports.
void UseNewLun(HotplugContext& ctx, ScenarioRecord& record, int lun) {
  std::vector<std::string> attentions;
  auto geometry = ReadCapacity(*ctx.idle, lun, ctx.config.command_limit, &attentions);
  if (!geometry.ok()) {
    record.Fail("new LUN B: " + geometry.error());
    return;
  }
  if (geometry.value().bytes() != ctx.config.small_lun_bytes) {
    record.Fail("new LUN B reports " + std::to_string(geometry.value().bytes()) +
                " bytes, created with " + std::to_string(ctx.config.small_lun_bytes));
  }
  const uint32_t seed = ctx.pattern_seed ^ 0xb;
  for (uint64_t lba : {uint64_t{0}, geometry.value().blocks / 2, geometry.value().blocks - 8}) {
    Status s = WritePattern(*ctx.idle, lun, geometry.value(), lba, 8, seed,
                            ctx.config.command_limit, &attentions);
    if (s.ok()) {
      s = CheckPattern(*ctx.idle, lun, geometry.value(), lba, 8, seed, ctx.config.command_limit,
                       &attentions);
    }
    if (!s.ok()) record.Fail("new LUN B: " + s.message());
  }
  // A new LUN's first command may carry the unit attention of its own addition (tgt adds it
  // to every I_T_L nexus, the new one included); counted, not judged.
  record.Metric("lun_b.attentions_on_first_use", static_cast<double>(attentions.size()));
}

}  // namespace

reports::TestResult AddAndUse(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.AddLun.AddAndUse", "AddLun", kUaClause);
  AroundLoad(ctx, record, kLunsChanged, [&](LoadWindow& window) {
    int lun_b = -1;
    (void)ctx.Change(
        window, record, "add LUN B",
        [&]() -> Status {
          Result<int> n = ctx.AddLun(ctx.SmallLun("hp_b", Backing::kFileio));
          if (!n.ok()) return n.status();
          lun_b = n.value();
          return Status::Ok();
        },
        kLunsChanged);
    if (lun_b < 0) return;
    record.Metric("lun_b.number", lun_b);
    if (ctx.idle && !ctx.idle->broken()) UseNewLun(ctx, record, lun_b);
    // Removing it again is a change too, made inside the window so that its unit attention
    // is counted here and does not leak into the next scenario.
    (void)ctx.Change(
        window, record, "remove LUN B", [&] { return ctx.RemoveLun(lun_b); }, kLunsChanged);
  });
  return record.Finish(Clock::now() - begun);
}

reports::TestResult RemoveIdle(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.RemoveLun.Idle", "RemoveLun", kUaClause);
  AroundLoad(ctx, record, kLunsChanged, [&](LoadWindow& window) {
    const Status removed = ctx.Change(
        window, record, "remove LUN C", [&] { return ctx.RemoveLun(ctx.lun_c); }, kLunsChanged);
    if (removed.ok()) ExpectGone(ctx, record, ctx.lun_c);
  });
  return record.Finish(Clock::now() - begun);
}

reports::TestResult RemoveUnderIo(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.RemoveLun.UnderIo", "RemoveLun", kUaClause);
  loadgen::LoadConfig victim_config = ctx.LoadFor(ctx.lun_r, "hotplug-victim");
  // Its range leaves out the pattern on the last blocks; the commands caught by the removal
  // must end (or be aborted) well within the run.
  victim_config.ranges[ctx.lun_r] = loadgen::LbaRange{0, ctx.r_geometry.blocks - kPatternBlocks};
  victim_config.max_samples = kVictimSamples;
  victim_config.retry.command_limit = std::chrono::seconds(10);
  victim_config.reconnect_limit = std::chrono::seconds(5);
  auto victim = loadgen::LoadGenerator::Create(victim_config);
  if (!victim.ok()) {
    record.Fail("LUN R's load generator: " + victim.error());
    return record.Finish(Clock::now() - begun);
  }
  AroundLoad(ctx, record, kLunsChanged, [&](LoadWindow& window) {
    auto victim_window = LoadWindow::Begin(victim.value().get());
    if (!victim_window.ok()) {
      record.Fail("LUN R's load did not start: " + victim_window.error());
      return;
    }
    const double victim_offset =
        std::chrono::duration<double>(victim_window.value()->start() - window.start()).count();
    // Both loads run long enough for at least one whole second of LUN A's series before the
    // removal: that second, not the suite's baseline (LUN A alone), is what A is judged
    // against, so that the ratio measures the removal and not the second load.
    ctx.Pause(std::max(ctx.config.lead_in, kTwoLoadsLeadIn));
    record.BaselineFrom(victim_offset, window.Now());
    int attempts = 0;
    std::string refused;
    const auto deadline = Clock::now() + ctx.config.remove_retry_limit;
    const Status removed = ctx.Change(
        window, record, "remove LUN R under I/O",
        [&]() -> Status {
          // A target may refuse while the LUN is busy (tgt: "this logical unit is still
          // active"); an administrator would retry, so the suite does, for a while.
          for (;;) {
            ++attempts;
            Status s = ctx.RemoveLun(ctx.lun_r);
            if (s.ok() || Clock::now() >= deadline) return s;
            refused = OneLine(s.message());
            std::this_thread::sleep_for(kRemoveRetryGap);
          }
        },
        kLunsChanged);
    record.Metric("removal_attempts", attempts);
    if (removed.ok() && attempts > 1) {
      record.Note("the target refused the removal " + std::to_string(attempts - 1) +
                  (attempts == 2 ? " time" : " times") + " while LUN R was busy (" + refused +
                  "), then removed it under I/O");
    }
    Result<loadgen::RunResult> victim_run = victim_window.value()->Finish();
    if (!removed.ok()) {
      // Not removable under I/O: remove it once idle so that the next scenarios can go on.
      const Status later = ctx.Change(
          window, record, "remove LUN R after its load stopped",
          [&] { return ctx.RemoveLun(ctx.lun_r); }, kLunsChanged);
      if (later.ok()) {
        record.Fail("the target refused to remove LUN R while it had I/O (" +
                    std::to_string(attempts) + " attempts over " +
                    std::to_string(ctx.config.remove_retry_limit.count()) +
                    " ms); it was removed once its load stopped");
      }
    }
    ctx.r_removed = ctx.expected_luns.count(ctx.lun_r) == 0;
    if (ctx.r_removed) ExpectGone(ctx, record, ctx.lun_r);
    if (!victim_run.ok()) {
      record.Fail("LUN R's load: " + victim_run.error());
      return;
    }
    const loadgen::RunResult& v = victim_run.value();
    const loadgen::Counters& c = v.totals;
    record.Metric("removed_lun.good", static_cast<double>(c.reads + c.writes));
    record.Metric("removed_lun.aborted_retried", static_cast<double>(c.aborted));
    record.Metric("removed_lun.timeouts", static_cast<double>(c.timeouts));
    record.Metric("removed_lun.connection_losses", static_cast<double>(c.connection_losses));
    record.Metric("removed_lun.verify_errors", static_cast<double>(c.verify_errors));
    const std::map<std::string, uint64_t> kinds = FailureKinds(v.error_samples);
    for (const auto& [kind, count] : kinds) {
      record.Metric("removed_lun.failed." + kind, static_cast<double>(count));
    }
    if (std::string why = JudgeRemovedLunFailures(kinds); !why.empty()) record.Fail(why);
    if (c.verify_errors > 0) {
      record.Fail("LUN R read back " + std::to_string(c.verify_errors) +
                  " wrong blocks before its removal" +
                  (v.verify_samples.empty() ? "" : ": " + v.verify_samples[0].Describe()));
    }
    record.AddSeries(IopsSeries(v, ctx.lun_r, "removed_lun_iops", victim_offset));
  });
  return record.Finish(Clock::now() - begun);
}

reports::TestResult ReAdd(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.AddLun.ReAdd", "AddLun", kUaClause);
  if (!ctx.r_removed) {
    reports::TestResult r = record.Finish(Clock::now() - begun);
    r.outcome = reports::Outcome::kSkip;
    r.reason = "LUN R was not removed by hotplug.RemoveLun.UnderIo, so there is nothing to re-add";
    return r;
  }
  AroundLoad(ctx, record, kLunsChanged, [&](LoadWindow& window) {
    int number = -1;
    (void)ctx.Change(
        window, record, "re-add LUN R",
        [&]() -> Status {
          Result<int> n = ctx.AddLun(ctx.spec_r);
          if (!n.ok()) return n.status();
          number = n.value();
          return Status::Ok();
        },
        kLunsChanged);
    if (number < 0 || !ctx.idle || ctx.idle->broken()) return;
    ctx.lun_r = number;
    ctx.r_removed = false;
    record.Metric("lun_r.number", number);
    std::vector<std::string> attentions;
    auto geometry = ReadCapacity(*ctx.idle, number, ctx.config.command_limit, &attentions);
    if (!geometry.ok()) {
      record.Fail("re-added LUN R: " + geometry.error());
      return;
    }
    if (geometry.value().bytes() != ctx.r_geometry.bytes()) {
      record.Fail("re-added LUN R reports " + std::to_string(geometry.value().bytes()) +
                  " bytes, it had " + std::to_string(ctx.r_geometry.bytes()));
      return;
    }
    // What was written before the removal is still there.
    if (Status s =
            CheckPattern(*ctx.idle, number, ctx.r_geometry, ctx.r_geometry.blocks - kPatternBlocks,
                         kPatternBlocks, ctx.pattern_seed, ctx.config.command_limit, &attentions);
        !s.ok()) {
      record.Fail("re-added LUN R lost what was written before its removal: " + s.message());
    }
  });
  return record.Finish(Clock::now() - begun);
}

}  // namespace harness::hotplug
