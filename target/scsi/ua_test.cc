// Unit attentions per I_T nexus (SAM-5 unit attention conditions): power-on for new nexuses,
// resets, LUN map and capacity changes, which commands run despite a UA, ordering and clearing, and
// the lock-free table under load.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "target/scsi/testing/scsi_test_util.h"
#include "target/scsi/unit_attention.h"

namespace reftarget::scsi {
namespace {

using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;

const std::vector<uint8_t> kTur = {0x00, 0, 0, 0, 0, 0};

TEST(UnitAttentionTest, PowerOnForNewNexus) {
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 7), 0x06, 0x29, 0x00));
  EXPECT_TRUE(IsGood(f.Do(kTur, {}, 7)));
  // Other nexuses are unaffected.
  EXPECT_TRUE(IsGood(f.Do(kTur, {}, 1)));
}

TEST(UnitAttentionTest, InquiryDespiteUa) {
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do(testing::InquiryCdb(false, 0, 96), {}, 7)));
  EXPECT_TRUE(IsGood(f.Do(testing::InquiryCdb(true, 0x83, 255), {}, 7)));
  // The UA is still pending for the next ordinary command.
  EXPECT_TRUE(HasSense(f.Do(testing::Cdb10(0x28, 0, 1), {}, 7), 0x06, 0x29, 0x00));
  EXPECT_TRUE(IsGood(f.Do(testing::Cdb10(0x28, 0, 1), {}, 7)));
}

TEST(UnitAttentionTest, RequestSenseReturnsAndClears) {
  Fixture f;
  ScsiResponse r = f.Do({0x03, 0, 0, 0, 18, 0}, {}, 7);
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  EXPECT_EQ(d[2], 0x06);
  EXPECT_EQ(d[12], 0x29);
  EXPECT_EQ(d[13], 0x00);
  r = f.Do({0x03, 0, 0, 0, 18, 0}, {}, 7);
  EXPECT_EQ(DataIn(r)[2], 0x00);
  EXPECT_TRUE(IsGood(f.Do(kTur, {}, 7)));
}

TEST(UnitAttentionTest, LunReset) {
  Fixture f;
  ASSERT_TRUE(IsGood(f.Do(testing::InquiryCdb(false, 0, 96), {}, 2)));  // registers nexus 2
  ASSERT_TRUE(HasSense(f.Do(kTur, {}, 2), 0x06, 0x29, 0x00));
  f.lu->LunReset(1);
  // Every nexus, the requester's included (LIO; libiscsi MultipathIO.Reset).
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 1), 0x06, 0x29, 0x03));
  EXPECT_TRUE(IsGood(f.Do(kTur, {}, 1)));
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 2), 0x06, 0x29, 0x03));
  EXPECT_TRUE(IsGood(f.Do(kTur, {}, 2)));
}

TEST(UnitAttentionTest, TargetReset) {
  Fixture f;
  ASSERT_TRUE(HasSense(f.Do(kTur, {}, 2), 0x06, 0x29, 0x00));
  f.lu->TargetReset(2);
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 1), 0x06, 0x29, 0x03));
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 2), 0x06, 0x29, 0x03));
}

TEST(UnitAttentionTest, NexusLostForgets) {
  Fixture f;
  f.lu->LunReset(99);
  f.lu->NexusLost(1);
  // A forgotten nexus is new again: 29/00, not the reset UA it had pending.
  EXPECT_TRUE(HasSense(f.Do(kTur), 0x06, 0x29, 0x00));
  EXPECT_TRUE(IsGood(f.Do(kTur)));
}

TEST(UnitAttentionTest, ReportedLunsChanged) {
  Fixture f;
  ASSERT_TRUE(HasSense(f.Do(kTur, {}, 2), 0x06, 0x29, 0x00));
  f.lu->ReportedLunsChanged();
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 1), 0x06, 0x3F, 0x0E));
  EXPECT_TRUE(HasSense(f.Do(kTur, {}, 2), 0x06, 0x3F, 0x0E));
  EXPECT_TRUE(IsGood(f.Do(kTur, {}, 1)));
}

TEST(UnitAttentionTest, ReportLunsClearsReportedLunsChanged) {
  Fixture f;
  f.lu->ReportedLunsChanged();
  LunMap map;
  map[0] = MappedLun{f.lu, false};
  std::vector<uint8_t> cdb = {0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
  ASSERT_TRUE(IsGood(testing::RunMap(map, testing::MakeCommand(cdb))));
  EXPECT_TRUE(IsGood(f.Do(kTur)));
}

TEST(UnitAttentionTest, CapacityChanged) {
  Fixture f;
  f.lu->CapacityChanged();
  EXPECT_TRUE(HasSense(f.Do(testing::Cdb10(0x25, 0, 0)), 0x06, 0x2A, 0x09));
  EXPECT_TRUE(IsGood(f.Do(testing::Cdb10(0x25, 0, 0))));
}

TEST(UnitAttentionTest, OrderingAndPrecedence) {
  UnitAttentions ua;
  ua.Register(5);
  ASSERT_EQ(ua.Take(5), SenseReason::kPowerOnResetOccurred);
  EXPECT_TRUE(ua.IsClear(5));
  ua.Establish(5, SenseReason::kModeParametersChanged);
  ua.Establish(5, SenseReason::kCapacityDataChanged);
  ua.Establish(5, SenseReason::kModeParametersChanged);  // duplicate: once
  ua.Establish(5, SenseReason::kBusDeviceResetOccurred);
  EXPECT_FALSE(ua.IsClear(5));
  // A reset is reported first; the rest in the order they happened.
  EXPECT_EQ(ua.Take(5), SenseReason::kBusDeviceResetOccurred);
  EXPECT_EQ(ua.Take(5), SenseReason::kModeParametersChanged);
  EXPECT_EQ(ua.Take(5), SenseReason::kCapacityDataChanged);
  EXPECT_EQ(ua.Take(5), std::nullopt);
  EXPECT_TRUE(ua.IsClear(5));
  // A second reset replaces the first.
  ua.Establish(5, SenseReason::kBusDeviceResetOccurred);
  ua.Establish(5, SenseReason::kPowerOnResetOccurred);
  EXPECT_EQ(ua.Pending(5).size(), 1u);
  EXPECT_EQ(ua.Take(5), SenseReason::kPowerOnResetOccurred);
}

TEST(UnitAttentionTest, BoundedQueue) {
  UnitAttentions ua;
  ua.Register(5);
  for (int i = 0; i < 50; ++i) {
    ua.Establish(5,
                 i % 2 ? SenseReason::kModeParametersChanged : SenseReason::kCapacityDataChanged);
    ua.Establish(5, SenseReason::kReportedLunsDataChanged);
  }
  EXPECT_LE(ua.Pending(5).size(), UnitAttentions::kMaxPendingPerNexus);
}

TEST(UnitAttentionTest, ManyNexusesBeyondTable) {
  UnitAttentions ua;
  const NexusId n = UnitAttentions::kSlots * 2;
  for (NexusId i = 2; i < 2 + n; ++i) {
    EXPECT_FALSE(ua.IsClear(i));
    EXPECT_EQ(ua.Take(i), SenseReason::kPowerOnResetOccurred);
  }
  size_t fast = 0;
  for (NexusId i = 2; i < 2 + n; ++i) {
    fast += ua.IsClear(i);
    EXPECT_EQ(ua.Take(i), std::nullopt);  // the slow path agrees
  }
  EXPECT_GE(fast, UnitAttentions::kSlots - 1);
  EXPECT_EQ(ua.KnownCount(), n);
  // Freed slots are reused.
  for (NexusId i = 2; i < 2 + n; ++i) ua.Forget(i);
  EXPECT_EQ(ua.KnownCount(), 0u);
  ua.Register(100000);
  ua.Take(100000);
  EXPECT_TRUE(ua.IsClear(100000));
  // Reserved ids work through the slow path.
  EXPECT_EQ(ua.Take(UINT64_MAX), SenseReason::kPowerOnResetOccurred);
  EXPECT_FALSE(ua.IsClear(UINT64_MAX));
  EXPECT_EQ(ua.Take(UINT64_MAX), std::nullopt);
}

TEST(UnitAttentionTest, LowIdsTakeTheFastPath) {
  // The iSCSI layer numbers nexuses from 1.
  UnitAttentions ua;
  for (NexusId id : {NexusId{0}, NexusId{1}, NexusId{2}}) {
    EXPECT_EQ(ua.Take(id), SenseReason::kPowerOnResetOccurred);
    EXPECT_TRUE(ua.IsClear(id)) << id;
  }
}

TEST(UnitAttentionTest, NewestNexusesKeepTheFastPath) {
  UnitAttentions ua;
  const NexusId n = UnitAttentions::kSlots + 50;
  for (NexusId i = 1; i <= n; ++i) ua.Take(i);
  // Sessions that ended without NexusLost hold no slot forever: the newest ones win them.
  for (NexusId i = n - UnitAttentions::kSlots + 1; i <= n; ++i) EXPECT_TRUE(ua.IsClear(i)) << i;
  EXPECT_FALSE(ua.IsClear(1));
  EXPECT_EQ(ua.Take(1), std::nullopt);  // still known, through the mutex
}

TEST(UnitAttentionTest, BoundedNexusCount) {
  UnitAttentions ua;
  for (NexusId i = 1; i <= UnitAttentions::kMaxNexuses + 10; ++i) ua.Take(i);
  EXPECT_EQ(ua.KnownCount(), UnitAttentions::kMaxNexuses);
  // The oldest were forgotten; coming back, they are new again.
  EXPECT_EQ(ua.Take(1), SenseReason::kPowerOnResetOccurred);
  EXPECT_EQ(ua.Take(UnitAttentions::kMaxNexuses + 10), std::nullopt);
}

TEST(UnitAttentionTest, ConcurrentCommandsAndResets) {
  Fixture f({.size = 1u << 20});
  std::atomic<bool> stop{false};
  std::atomic<int> attentions{0}, errors{0};
  std::vector<std::thread> threads;
  for (NexusId nexus = 10; nexus < 14; ++nexus) {
    threads.emplace_back([&, nexus] {
      for (int i = 0; i < 2000; ++i) {
        ScsiResponse r = f.Do(testing::Cdb10(0x28, static_cast<uint32_t>(i % 64), 1), {}, nexus);
        if (r.status == ScsiStatus::kCheckCondition) {
          testing::Sense s = testing::ParseSense(r.sense);
          if (s.key == 0x06) {
            ++attentions;
          } else {
            ++errors;
          }
        }
      }
    });
  }
  std::thread resetter([&] {
    while (!stop) {
      f.lu->LunReset(1);
      std::this_thread::yield();
    }
  });
  for (auto& t : threads) t.join();
  stop = true;
  resetter.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(attentions.load(), 4);  // at least each nexus's power-on
}

}  // namespace
}  // namespace reftarget::scsi
