// The matrix issue 6 asks for, with stable ids (they name results across runs, so history
// and compare can match cells).
#include "suites/performance/perf_matrix.h"

#include <gtest/gtest.h>

#include <set>

namespace harness::performance {
namespace {

TEST(PerfMatrix, MainMatrixThenTheSweep) {
  std::vector<std::string> ids;
  for (const PerfJob& j : PerfJobs(true)) ids.push_back(j.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"randread-4k-qd1", "randread-4k-qd32",
                                           "randwrite-4k-qd1", "randwrite-4k-qd32", "read-128k-qd8",
                                           "write-128k-qd8", "randrw70-4k-qd32", "randread-4k-qd2",
                                           "randread-4k-qd4", "randread-4k-qd8", "randread-4k-qd16",
                                           "randread-4k-qd64", "randread-4k-qd128"}));
  EXPECT_EQ(PerfJobs(false).size(), 7u);
  for (const PerfJob& j : PerfJobs(true)) {
    drivers::FioJobSpec spec;
    spec.name = j.id;
    spec.pattern = j.pattern;
    spec.block_size = j.block_size;
    spec.iodepth = j.iodepth;
    spec.target = "iscsi://127.0.0.1:3260/iqn.2003-01.org.x:t/0";
    EXPECT_TRUE(drivers::ValidateFioJob(spec).ok()) << j.id;
  }
}

TEST(PerfMatrix, EveryBackstoreOnceWithTheNullLayer) {
  std::set<std::string> ids;
  for (const PerfBackstore& b : PerfBackstores()) ids.insert(b.id);
  EXPECT_EQ(ids, (std::set<std::string>{"fileio-wb", "fileio-wt", "block", "ramdisk", "null"}));
}

TEST(PerfMatrix, ProfilesAndIds) {
  const PerfProfile quick = PerfProfileFor(runner::Profile::kQuick);
  const PerfProfile full = PerfProfileFor(runner::Profile::kFull);
  EXPECT_GE(quick.repetitions, 2) << "the spread needs repetitions";
  EXPECT_GT(full.runtime, quick.runtime);
  EXPECT_GE(full.repetitions, quick.repetitions);
  EXPECT_EQ(PerfJobId(drivers::FioPattern::kSeqWrite, 512, 4), "write-512-qd4");
  EXPECT_EQ(PerfJobId(drivers::FioPattern::kRandRw, 8192, 16, 50), "randrw50-8k-qd16");
}

}  // namespace
}  // namespace harness::performance
