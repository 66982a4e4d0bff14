// One isolation scenario: every LUN under verified load, a baseline, the fault on its LUNs,
// probes while it lasts (a new login; task management and SYNCHRONIZE CACHE on the faulty
// LUN where the fault calls for it), the fault cleared, recovery, then the judgement.
#pragma once

#include "reports/report_model.h"
#include "suites/isolation/fault_kinds.h"
#include "suites/isolation/isolation_context.h"

namespace harness::isolation {

// Runs `kind` against the target of `ctx` and returns its result.
reports::TestResult RunFaultScenario(IsolationContext& ctx, const FaultKind& kind);

}  // namespace harness::isolation
