// Test-only: the check both managed adapters' tests run on Restart() (a write acknowledged
// before a SIGKILL reads back from the restarted target on the same portal).
#pragma once

#include <memory>

#include "harness/adapters/target_adapter.h"
#include "harness/iscsi/session.h"

namespace harness::adapters::test_support {

// Logs in to `lun` of `t` (a gtest failure and null if it cannot).
std::unique_ptr<iscsi::Session> Login(const RunningTarget& t, int lun);

// Writes 8 blocks at LBA 100 of `lun` on `t`, SIGKILLs t.pid, calls adapter.Restart() and
// expects the same portal and LUN numbers, a new pid, and the blocks read back (gtest
// failures otherwise).
void ExpectWriteSurvivesRestart(TargetAdapter& adapter, const RunningTarget& t, int lun);

}  // namespace harness::adapters::test_support
