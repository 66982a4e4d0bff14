// The performance matrix (issue 6): which fio jobs run on which backstores, and for how
// long in each profile. Pure data: the suite turns each cell into a fio job (fio_job.h) on
// the target under test, on its peers and on the raw layers below them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "harness/drivers/fio_job.h"
#include "harness/runner/suite.h"

namespace harness::performance {

// One workload: the same on every layer and target it runs on.
struct PerfJob {
  std::string id;  // "randread-4k-qd32": stable, part of each result's name
  drivers::FioPattern pattern = drivers::FioPattern::kRandRead;
  uint32_t block_size = 4096;
  uint32_t iodepth = 1;
  int read_percent = 70;  // kRandRw only
  bool sweep = false;     // a point of the queue-depth sweep, not of the main matrix
};

// One backstore the jobs run on.
struct PerfBackstore {
  std::string id;  // "fileio-wb", "fileio-wt", "block", "ramdisk", "null"
  adapters::Backing backing = adapters::Backing::kFileio;
  bool write_back = true;  // FILEIO only
};

struct PerfProfile {
  std::chrono::seconds ramp{1};     // warm-up per cell, excluded by fio
  std::chrono::seconds runtime{3};  // measured time per repetition
  int repetitions = 2;              // the spread comes from these
  bool sweep = true;                // run the queue-depth sweep
  uint64_t lun_bytes = 256ull << 20;
};

// Returns the profile's durations: quick keeps the whole matrix for reftarget, its raw
// layers and one peer within 10 minutes on two cores; full measures longer and more often.
PerfProfile PerfProfileFor(runner::Profile profile);

// Returns the main matrix (4k random read and write at QD 1 and 32, 128k sequential read
// and write at QD 8, 4k 70/30 mixed at QD 32) and then the queue-depth sweep of 4k random
// read (QD 2, 4, 8, 16, 64, 128: QD 1 and 32 are in the main matrix).
std::vector<PerfJob> PerfJobs(bool with_sweep);

// Returns the backstores: FILEIO write-back and write-through, BLOCK (a loop device,
// O_DIRECT), RAMDISK, and the null LUN (no storage cost: the protocol alone).
std::vector<PerfBackstore> PerfBackstores();

// Returns the fio job id for `pattern`, `block_size` and `iodepth`:
// "randread-4k-qd32", "write-128k-qd8", "randrw70-4k-qd32".
std::string PerfJobId(drivers::FioPattern pattern, uint32_t block_size, uint32_t iodepth,
                      int read_percent = 70);

}  // namespace harness::performance
