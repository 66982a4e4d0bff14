// Waiting while an idle session stays alive: a suite that pauses between steps must keep
// answering the target's NOP-In pings on its probe session, or the target drops it.
#pragma once

#include <chrono>

#include "harness/iscsi/session.h"

namespace harness::suites {

// Waits `d` (less if the harness is interrupted), servicing `session` meanwhile when it is
// usable (null or broken: just waits).
void PauseServicing(iscsi::Session* session, std::chrono::milliseconds d);

}  // namespace harness::suites
