// The churn scenarios (many changes in a row, with the target's fds and RSS compared before
// and after) and the resize.
#include "harness/process/child_process.h"
#include "suites/hotplug/scenarios.h"

namespace harness::hotplug {
namespace {

using adapters::Backing;
using Clock = std::chrono::steady_clock;

constexpr char kUaClause[] = "SPC-4 §6.33, SAM-5 §5.14: 06/3F/0E; TEST-PLAN S19, T44";
// Lets a target finish releasing what it freed (a backstore closed after its last command)
// before the "after" figures are read.
constexpr auto kReleaseSettle = std::chrono::milliseconds(500);

// Reads the target's usage into `*out` and the metrics `prefix`.fds / .rss_mib.
bool ReadUsage(HotplugContext& ctx, ScenarioRecord& record, const std::string& prefix,
               process::ProcessUsage* out) {
  std::optional<Result<process::ProcessUsage>> usage = ctx.Usage();
  if (!usage) return false;  // the adapter runs no process of its own (a kernel target)
  if (!usage->ok()) {
    record.Fail("reading the target's resource use: " + usage->error());
    return false;
  }
  *out = usage->value();
  record.Metric("target." + prefix + "_fds", static_cast<double>(out->open_fds));
  record.Metric("target." + prefix + "_rss_mib", static_cast<double>(out->rss_bytes) / kMiB);
  record.Metric("target." + prefix + "_threads", static_cast<double>(out->threads));
  return true;
}

// Runs `body` between two readings of the target's usage and judges the growth.
void WithUsageCheck(HotplugContext& ctx, ScenarioRecord& record,
                    const std::function<void()>& body) {
  process::ProcessUsage before, after;
  const bool have_before = ReadUsage(ctx, record, "before", &before);
  body();
  ctx.Pause(kReleaseSettle);
  if (have_before && ReadUsage(ctx, record, "after", &after)) {
    if (std::string why = JudgeUsage(before, after, ctx.config.thresholds); !why.empty()) {
      record.Fail(why);
    }
  } else if (!have_before) {
    record.Metric("target.usage_measured", 0);
  }
}

// Alternates config.changes_per_burst changes with as many quiet slots, so that LUN A is
// measured with and without changes side by side.
class Bursts {
 public:
  Bursts(HotplugContext& ctx, LoadWindow& window, ScenarioRecord& record)
      : ctx_(ctx), window_(window), record_(record) {}
  Bursts(const Bursts&) = delete;
  Bursts& operator=(const Bursts&) = delete;
  // Ends a burst with its quiet slots, a last short one too.
  ~Bursts() {
    if (pending_ > 0) ctx_.QuietSlots(window_, record_, ctx_.config.changes_per_burst);
  }

  // Counts one change made; a full burst is followed by its quiet slots.
  void Changed() {
    if (++pending_ < ctx_.config.changes_per_burst) return;
    pending_ = 0;
    ctx_.QuietSlots(window_, record_, ctx_.config.changes_per_burst);
  }

 private:
  HotplugContext& ctx_;
  LoadWindow& window_;
  ScenarioRecord& record_;
  int pending_ = 0;
};

// The backing the churned LUNs use: a RAM disk when the adapter has one (nothing on disk, so
// a leak shows in RSS), else FILEIO.
Backing ChurnBacking(const HotplugContext& ctx) {
  return ctx.caps.backings.count(Backing::kRamdisk) != 0 ? Backing::kRamdisk : Backing::kFileio;
}

}  // namespace

reports::TestResult AddRemoveCycles(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.Churn.AddRemoveCycles", "Churn", kUaClause);
  record.Metric("cycles", ctx.config.cycles);
  AroundLoad(ctx, record, kLunsChanged, [&](LoadWindow& window) {
    WithUsageCheck(ctx, record, [&] {
      Bursts bursts(ctx, window, record);
      for (int i = 0; i < ctx.config.cycles && !process::Interrupted(); ++i) {
        const std::string name = "hp_cyc_" + std::to_string(++ctx.added_serial);
        int number = -1;
        const Status added = ctx.Change(
            window, record, "add " + name,
            [&]() -> Status {
              Result<int> n = ctx.AddLun(ctx.SmallLun(name, Backing::kFileio));
              if (n.ok()) number = n.value();
              return n.status();
            },
            kLunsChanged);
        if (!added.ok()) break;  // the target is not churning; the reason is recorded
        bursts.Changed();
        const Status removed = ctx.Change(
            window, record, "remove " + name, [&] { return ctx.RemoveLun(number); }, kLunsChanged);
        if (!removed.ok()) break;
        bursts.Changed();
      }
    });
  });
  return record.Finish(Clock::now() - begun);
}

reports::TestResult ManyLuns(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.Churn.ManyLuns", "Churn", kUaClause);
  record.Metric("luns", ctx.config.many_luns);
  const Backing backing = ChurnBacking(ctx);
  AroundLoad(ctx, record, kLunsChanged, [&](LoadWindow& window) {
    WithUsageCheck(ctx, record, [&] {
      Bursts bursts(ctx, window, record);
      std::vector<std::pair<int, std::string>> added;
      const auto adding = Clock::now();
      for (int i = 0; i < ctx.config.many_luns && !process::Interrupted(); ++i) {
        const std::string name = "hp_many_" + std::to_string(++ctx.added_serial);
        const Status s = ctx.Change(
            window, record, "add " + name,
            [&]() -> Status {
              Result<int> n = ctx.AddLun(ctx.SmallLun(name, backing));
              if (n.ok()) added.emplace_back(n.value(), name);
              return n.status();
            },
            kLunsChanged);
        if (!s.ok()) break;
        bursts.Changed();
      }
      record.Metric("added", static_cast<double>(added.size()));
      record.Metric("add_all_s", std::chrono::duration<double>(Clock::now() - adding).count());
      record.Metric("luns_at_peak", static_cast<double>(ctx.expected_luns.size()));
      const auto removing = Clock::now();
      // Every LUN added is removed, even after a failure, so that the next scenario starts
      // from the same target.
      for (const auto& [number, name] : added) {
        (void)ctx.Change(
            window, record, "remove " + name, [&, n = number] { return ctx.RemoveLun(n); },
            kLunsChanged);
        bursts.Changed();
      }
      record.Metric("remove_all_s", std::chrono::duration<double>(Clock::now() - removing).count());
    });
  });
  return record.Finish(Clock::now() - begun);
}

reports::TestResult ResizeGrow(HotplugContext& ctx) {
  const auto begun = Clock::now();
  ScenarioRecord record("hotplug.Resize.Grow", "Resize",
                        "SBC-3 §5.16 READ CAPACITY(16); 06/2A/09 CAPACITY DATA HAS CHANGED; "
                        "TEST-PLAN S20");
  if (!ctx.caps.live_resize) {
    reports::TestResult r = record.Finish(Clock::now() - begun);
    r.outcome = reports::Outcome::kSkip;
    r.reason = adapters::MissingCapability(*ctx.adapter, "resize a LUN while running");
    return r;
  }
  const uint64_t new_size = ctx.spec_a.size_bytes + ctx.config.grow_bytes;
  AroundLoad(ctx, record, kCapacityChanged, [&](LoadWindow& window) {
    // LUN A itself, under its load: the capacity change must not cost it an error.
    const Status grown = ctx.Change(
        window, record, "grow LUN A",
        [&]() -> Status { return ctx.adapter->ResizeLun(ctx.lun_a, new_size); }, kCapacityChanged);
    if (!grown.ok() || !ctx.idle || ctx.idle->broken()) return;
    ctx.spec_a.size_bytes = new_size;
    auto geometry = ReadCapacity(*ctx.idle, ctx.lun_a, ctx.config.command_limit, nullptr);
    if (!geometry.ok()) {
      record.Fail("LUN A after the resize: " + geometry.error());
    } else if (geometry.value().bytes() != new_size) {
      record.Fail("LUN A reports " + std::to_string(geometry.value().bytes()) +
                  " bytes after growing to " + std::to_string(new_size));
    }
    record.Metric("lun_a.new_size_mib", static_cast<double>(new_size) / kMiB);
  });
  return record.Finish(Clock::now() - begun);
}

const std::vector<Scenario>& Scenarios() {
  static const std::vector<Scenario> kScenarios = {
      {"hotplug.AddLun.AddAndUse", "AddLun", AddAndUse},
      {"hotplug.RemoveLun.Idle", "RemoveLun", RemoveIdle},
      {"hotplug.RemoveLun.UnderIo", "RemoveLun", RemoveUnderIo},
      {"hotplug.AddLun.ReAdd", "AddLun", ReAdd},
      {"hotplug.Churn.AddRemoveCycles", "Churn", AddRemoveCycles},
      {"hotplug.Churn.ManyLuns", "Churn", ManyLuns},
      {"hotplug.Resize.Grow", "Resize", ResizeGrow},
  };
  return kScenarios;
}

}  // namespace harness::hotplug
