#include "suites/durability/durability_oracle.h"

#include <algorithm>
#include <numeric>

namespace harness::durability {
namespace {

constexpr size_t kSamplesNamed = 3;  // bad blocks quoted per problem

std::string Count(uint64_t n, const char* what) { return std::to_string(n) + " " + what; }

}  // namespace

bool DurableOnly(Crash crash, bool wce) { return crash == Crash::kPowerCut && wce; }

std::vector<std::string> JudgeCycle(const CycleCheck& check) {
  std::vector<std::string> problems;
  const loadgen::JournalVerifyReport& r = check.report;
  const std::string cycle = "cycle " + std::to_string(check.cycle) + ": ";
  if (r.corrupt_records > 0) {
    problems.push_back(cycle + Count(r.corrupt_records, "journal records damaged") +
                       " (the harness's own journal; the cycle proves nothing)");
  }
  const uint64_t bad =
      r.lost + r.stale + r.corrupt + r.misdirected + r.foreign + r.unknown_generation;
  if (bad > 0) {
    std::string what;
    auto part = [&what](uint64_t n, const char* name) {
      if (n == 0) return;
      what += (what.empty() ? "" : ", ") + Count(n, name);
    };
    part(r.lost, "lost");
    part(r.stale, "stale");
    part(r.corrupt, "corrupt");
    part(r.misdirected, "misdirected");
    part(r.foreign, "foreign");
    part(r.unknown_generation, "with a generation never written");
    std::string head;
    if (check.crash == Crash::kSigKill) {
      head = "acknowledged writes did not survive a SIGKILL of the target";
    } else if (!check.durable_only) {
      head = "WCE=0 advertised, but acknowledged writes (FUA or not) did not survive the power cut";
    } else {
      head =
          "durable writes (FUA, or covered by a completed SYNCHRONIZE CACHE) or the blocks "
          "around them did not survive the power cut intact";
    }
    std::string samples;
    for (size_t i = 0; i < r.samples.size() && i < kSamplesNamed; ++i) {
      samples += (i == 0 ? "" : "; ") + r.samples[i].Describe();
    }
    problems.push_back(cycle + head + " (" + what + " of " + std::to_string(r.blocks) +
                       " blocks): " + samples);
  }
  if (r.unreadable > 0) {
    problems.push_back(cycle +
                       Count(r.unreadable, "journaled blocks unreadable after the restart") +
                       (r.read_errors.empty() ? "" : ": " + r.read_errors.front()));
  }
  return problems;
}

void ScenarioTotals::Add(const loadgen::JournalVerifyReport& r) {
  ++cycles;
  blocks_verified += r.blocks;
  lost += r.lost;
  stale += r.stale;
  corrupt += r.corrupt;
  misdirected += r.misdirected;
  foreign += r.foreign;
  unknown_generation += r.unknown_generation;
  unreadable += r.unreadable;
  volatile_blocks += r.volatile_blocks;
  older += r.older;
}

void ScenarioTotals::Report(reports::ResultBuilder& b) const {
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  b.Metric("cycles", cycles);
  b.Metric("cycles_planned", cycles_planned);
  b.Metric("writes_acknowledged", d(writes_acknowledged));
  b.Metric("durable_records", d(durable_records));
  b.Metric("blocks_verified", d(blocks_verified));
  b.Metric("lost", d(lost));
  b.Metric("stale", d(stale));
  b.Metric("corrupt", d(corrupt));
  b.Metric("misdirected", d(misdirected));
  b.Metric("foreign", d(foreign));
  b.Metric("unknown_generation", d(unknown_generation));
  b.Metric("unreadable", d(unreadable));
  b.Metric("volatile_blocks", d(volatile_blocks));
  b.Metric("older", d(older));
  b.Metric("dropped_bytes", d(dropped_bytes));
  if (!restart_ms.empty()) {
    b.Metric("restart_ms_max", *std::max_element(restart_ms.begin(), restart_ms.end()));
    b.Metric("restart_ms_mean", std::accumulate(restart_ms.begin(), restart_ms.end(), 0.0) /
                                    static_cast<double>(restart_ms.size()));
  }
  if (!kill_after_ms.empty()) {
    b.Metric("kill_after_ms_mean",
             std::accumulate(kill_after_ms.begin(), kill_after_ms.end(), 0.0) /
                 static_cast<double>(kill_after_ms.size()));
  }
}

}  // namespace harness::durability
