// The hotplug suite's sizes, durations, counts and pass thresholds, per profile.
// README.md says why each threshold is what it is.
#pragma once

#include <chrono>
#include <cstdint>

#include "harness/runner/suite.h"

namespace harness::hotplug {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;

struct Thresholds {
  // Issue 4 acceptance 2: LUN A keeps at least 90% of its baseline IOPS during churn (the
  // baseline: the quiet slots interleaved with the change slots).
  double min_iops_ratio = 0.90;
  // LUN A's longest I/O around any change: a change may cost a command milliseconds (a
  // process start on a busy machine), never a pause of I/O.
  double max_stall_ms = 1000;
  // No fd or RSS growth over the cycles, with room for lazily created state (a log file
  // opened once, malloc keeping a freed arena).
  int64_t max_fd_growth = 2;
  uint64_t max_rss_growth_bytes = 8 * kMiB;
};

struct HotplugConfig {
  std::chrono::milliseconds warm_up{1000};   // LUN A's load before the baseline counts
  std::chrono::milliseconds baseline{3000};  // LUN A alone, before any change
  std::chrono::milliseconds lead_in{1000};   // load before a scenario's first change
  std::chrono::milliseconds settle{2000};    // load after its last change
  int cycles = 20;                           // add/remove cycles (100 in full)
  int many_luns = 16;                        // LUNs added then removed (64 in full)
  // LUN A's load: the verifying load generator, 4 KiB random, 70% reads (the mix fio's
  // randrw defaults users quote), queue depth 8.
  int queue_depth = 8;
  int read_percent = 70;
  uint32_t io_bytes = 4096;
  uint64_t lun_bytes = 64 * kMiB;       // LUNs A, C and R
  uint64_t small_lun_bytes = 4 * kMiB;  // LUN B and the churned LUNs
  uint64_t grow_bytes = 16 * kMiB;      // the resize scenario grows LUN A by this much
  // How long a removal is retried while the target refuses it under I/O (tgt refuses while
  // the LUN has commands queued: usr/target.c tgt_device_destroy, TGTADM_LUN_ACTIVE).
  std::chrono::milliseconds remove_retry_limit{5000};
  // Consecutive changes start at least this far apart: ten changes a second, a busy
  // orchestrator's rate. Back to back, churn measures the machine rather than the target: on
  // the 2-core test machine, merely starting a process every 25 ms (tgtadm, reftarget-ctl,
  // or /bin/true) costs a loopback QD8 workload a third of its IOPS (README.md, Limits).
  std::chrono::milliseconds change_interval{250};
  // Churn alternates this many changes (one slot of change_interval each) with as many quiet
  // slots, so that LUN A's IOPS with and without changes are measured side by side.
  int changes_per_burst = 2;
  std::chrono::milliseconds command_limit{30000};  // one command's limit (the loadgen's too)
  Thresholds thresholds;
};

// Returns the quick (20 cycles, 16 LUNs, 3 s baseline) or full (100 cycles, 64 LUNs, 10 s
// baseline) configuration.
HotplugConfig ConfigFor(runner::Profile profile);

}  // namespace harness::hotplug
