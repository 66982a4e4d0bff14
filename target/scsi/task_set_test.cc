#include "target/scsi/task_set.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace reftarget::scsi {
namespace {

TEST(TaskSetTest, AbortWithNothingLiveRunsAtOnce) {
  TaskSet set;
  bool drained = false;
  set.AbortAll([&] { drained = true; });
  EXPECT_TRUE(drained);
  EXPECT_EQ(set.generation(), 2u);
}

TEST(TaskSetTest, DrainWaitsForEveryMemberOfTheAbortedEpoch) {
  TaskSet set;
  auto a = set.Join(0);
  auto b = set.Join(set.generation());
  ASSERT_TRUE(a && b);
  int drained = 0;
  set.AbortAll([&] { ++drained; });
  EXPECT_TRUE(a->aborted());
  auto later = set.Join(0);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->aborted()) << "a command after the reset runs normally";
  TaskSet::Leave(a);
  EXPECT_EQ(drained, 0);
  TaskSet::Leave(b);
  EXPECT_EQ(drained, 1);
  TaskSet::Leave(later);
  EXPECT_EQ(drained, 1) << "members of the new epoch do not rerun the waiter";
}

TEST(TaskSetTest, CommandStampedBeforeAnAbortIsRefused) {
  TaskSet set;
  const uint64_t stamped = set.generation();
  set.AbortAll({});
  EXPECT_EQ(set.Join(stamped), nullptr);
  EXPECT_NE(set.Join(set.generation()), nullptr);
}

TEST(TaskSetTest, TwoAbortsEachWaitForTheirOwnMembers) {
  TaskSet set;
  auto first = set.Join(0);
  int one = 0, two = 0;
  set.AbortAll([&] { ++one; });
  auto second = set.Join(0);
  set.AbortAll([&] { ++two; });
  TaskSet::Leave(second);
  EXPECT_EQ(one, 0);
  EXPECT_EQ(two, 1);
  TaskSet::Leave(first);
  EXPECT_EQ(one, 1);
}

TEST(TaskSetTest, ConcurrentLeavesAndAbortsRunEachWaiterExactlyOnce) {
  for (int round = 0; round < 200; ++round) {
    TaskSet set;
    std::vector<TaskSet::EpochRef> members;
    for (int i = 0; i < 8; ++i) members.push_back(set.Join(0));
    std::atomic<int> drained{0};
    std::thread leaver([&] {
      for (auto& m : members) TaskSet::Leave(m);
    });
    set.AbortAll([&] { drained.fetch_add(1); });
    leaver.join();
    EXPECT_EQ(drained.load(), 1);
  }
}

}  // namespace
}  // namespace reftarget::scsi
