// The durability oracle: what one crash cycle's journal verification means (README.md), and
// the figures a scenario reports over its cycles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/loadgen/verify_journal.h"
#include "reports/result_builder.h"
#include "suites/durability/scenarios.h"

namespace harness::durability {

// One cycle as verified.
struct CycleCheck {
  int cycle = 0;  // 1-based
  Crash crash = Crash::kSigKill;
  // The Caching page's WCE bit as the target reported it before the cycles.
  bool wce = true;
  // True if the verification accepted older generations for writes that were not durable
  // (a power cut with WCE=1); false: every acknowledged write had to survive.
  bool durable_only = false;
  loadgen::JournalVerifyReport report;
};

// Returns whether a power cut with the advertised `wce` only requires durable writes (FUA,
// synced) to survive. WCE=0 promises that every acknowledged write is on the medium
// (SBC-3 §6.4.5), and a process kill keeps the page cache: both require every write.
bool DurableOnly(Crash crash, bool wce);

// Returns the problems of one cycle, each naming the LUN, LBA and generation of the first
// bad blocks (empty: the cycle passed).
std::vector<std::string> JudgeCycle(const CycleCheck& check);

// A scenario's figures over its cycles.
struct ScenarioTotals {
  int cycles_planned = 0;
  int cycles = 0;  // verified
  uint64_t writes_acknowledged = 0;
  uint64_t durable_records = 0;  // journal records marked durable (FUA, or synced)
  uint64_t blocks_verified = 0;
  uint64_t lost = 0, stale = 0, corrupt = 0, misdirected = 0, foreign = 0;
  uint64_t unknown_generation = 0, unreadable = 0;
  uint64_t volatile_blocks = 0, older = 0;  // power cut with WCE=1 (see verify_journal.h)
  uint64_t dropped_bytes = 0;               // what faultfs's power cuts dropped
  std::vector<double> restart_ms;
  std::vector<double> kill_after_ms;

  // Adds a verified cycle's report.
  void Add(const loadgen::JournalVerifyReport& report);
  // Records every figure as a metric of `result`.
  void Report(reports::ResultBuilder& result) const;
};

}  // namespace harness::durability
