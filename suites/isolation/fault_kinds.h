// The catalogue of backstore faults the isolation suite injects (TEST-PLAN T28-T34): what
// each does to which LUN, how it is cleared, and what the faulty LUN must answer.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "suites/isolation/isolation_context.h"
#include "suites/isolation/isolation_oracle.h"

namespace harness::isolation {

struct FaultKind {
  std::string name;              // "isolation.Backend.ReadEio"
  std::string family;            // "Backend", "Hang", "Backing"
  std::string clause;            // what it checks, cited
  std::vector<LunIndex> faulty;  // the LUNs the fault hits; the others must not notice
  std::function<Status(IsolationContext&)> inject;
  // Undoes the fault; empty: every faultfs rule cleared and every hang released.
  std::function<Status(IsolationContext&)> clear;
  FaultyLunRule rule;
  bool long_window = false;  // lasts config.long_hang instead of config.fault
  bool probe_tmf = false;    // time ABORT TASK and LUN RESET on the stalled LUN
  bool probe_flush = false;  // SYNCHRONIZE CACHE must fail with 03/0C/00, and keep failing
  bool recovers = true;      // once cleared, the faulty LUN serves I/O again
};

// Returns every fault kind, in the order the suite runs them (the faultfs kill last: it
// takes the faultfs LUNs' backing away for good).
const std::vector<FaultKind>& FaultKinds();

}  // namespace harness::isolation
