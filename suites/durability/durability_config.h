// The durability suite's sizes, timings and cycle counts, per profile (README.md).
#pragma once

#include <chrono>
#include <cstdint>

#include "harness/runner/suite.h"

namespace harness::durability {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

struct DurabilityConfig {
  // Issue 5: 100 crash cycles per scenario in the full profile, 10 in quick.
  int cycles = 10;
  // The target is killed this long after the load started, drawn uniformly per cycle: early
  // kills catch the first writes of a session, late ones a full queue and the write cache.
  std::chrono::milliseconds min_kill_delay{300};
  std::chrono::milliseconds max_kill_delay{1500};
  // TEST-PLAN T39: random 4 KiB writes at queue depth 32.
  int queue_depth = 32;
  uint32_t io_bytes = 4096;
  uint64_t lun_bytes = 64 * kMiB;
  // The power-cut scenarios' mix (T40): this share of writes with FUA=1, and a SYNCHRONIZE
  // CACHE every sync_interval; the rest are plain writes the write cache may lose.
  int fua_percent = 20;
  std::chrono::milliseconds sync_interval{150};
  std::chrono::milliseconds command_limit{10000};  // per command of the load and the verify
  // How long the killed target may take to exit, and a restart to listen again.
  std::chrono::milliseconds exit_limit{10000};
  uint64_t seed = 0;  // 0: a random seed (reported as the "seed" metric)
};

// Returns the quick or full configuration.
DurabilityConfig DurabilityConfigFor(runner::Profile profile);

}  // namespace harness::durability
