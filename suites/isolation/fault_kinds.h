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
  std::string family;            // "Backend", "Hang", "Backing", "Network"
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
  // The fault takes data away for good (a truncated file): the faulty LUN's wrong blocks
  // are reported, not failed.
  bool destroys_data = false;
  // READ CAPACITY during the fault must still give the LUN's size (TEST-PLAN T34).
  bool probe_capacity = false;
  // A network fault on the RAMDISK LUN's connection, which runs through netfault: SKIP
  // when netfault is not available.
  bool needs_net = false;
};

// Returns every fault kind, in the order the suite runs them (the faultfs kill last: it
// takes the faultfs LUNs' backing away for good).
const std::vector<FaultKind>& FaultKinds();

}  // namespace harness::isolation
