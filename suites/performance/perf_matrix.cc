#include "suites/performance/perf_matrix.h"

namespace harness::performance {

PerfProfile PerfProfileFor(runner::Profile profile) {
  PerfProfile p;
  if (profile == runner::Profile::kFull) {
    p.ramp = std::chrono::seconds(3);
    p.runtime = std::chrono::seconds(15);
    p.repetitions = 3;
    p.lun_bytes = 1ull << 30;
  }
  return p;
}

std::string PerfJobId(drivers::FioPattern pattern, uint32_t block_size, uint32_t iodepth,
                      int read_percent) {
  std::string rw = drivers::FioRw(pattern);
  if (pattern == drivers::FioPattern::kRandRw) rw += std::to_string(read_percent);
  const std::string size =
      block_size % 1024 == 0 ? std::to_string(block_size / 1024) + "k" : std::to_string(block_size);
  return rw + "-" + size + "-qd" + std::to_string(iodepth);
}

std::vector<PerfJob> PerfJobs(bool with_sweep) {
  using drivers::FioPattern;
  std::vector<PerfJob> jobs;
  auto add = [&](FioPattern pattern, uint32_t bs, uint32_t qd, bool sweep) {
    PerfJob j;
    j.pattern = pattern;
    j.block_size = bs;
    j.iodepth = qd;
    j.sweep = sweep;
    j.id = PerfJobId(pattern, bs, qd, j.read_percent);
    jobs.push_back(j);
  };
  add(FioPattern::kRandRead, 4096, 1, false);
  add(FioPattern::kRandRead, 4096, 32, false);
  add(FioPattern::kRandWrite, 4096, 1, false);
  add(FioPattern::kRandWrite, 4096, 32, false);
  add(FioPattern::kSeqRead, 128 * 1024, 8, false);
  add(FioPattern::kSeqWrite, 128 * 1024, 8, false);
  add(FioPattern::kRandRw, 4096, 32, false);
  if (with_sweep) {
    for (uint32_t qd : {2u, 4u, 8u, 16u, 64u, 128u}) add(FioPattern::kRandRead, 4096, qd, true);
  }
  return jobs;
}

std::vector<PerfBackstore> PerfBackstores() {
  using adapters::Backing;
  return {
      PerfBackstore{"fileio-wb", Backing::kFileio, true},
      PerfBackstore{"fileio-wt", Backing::kFileio, false},
      PerfBackstore{"block", Backing::kBlock, false},
      PerfBackstore{"ramdisk", Backing::kRamdisk, false},
      PerfBackstore{"null", Backing::kNull, false},
  };
}

}  // namespace harness::performance
