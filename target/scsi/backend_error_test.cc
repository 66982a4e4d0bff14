// Backstore failures as sense data (TEST-PLAN S17/S18), asynchronous completion, in-flight
// accounting and the sticky flush failure ("fsyncgate").
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using backstore::IoType;
using testing::Cdb10;
using testing::Cdb16;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;

const std::vector<uint8_t> kSync10 = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};

TEST(BackendErrorTest, ReadEio) {
  Fixture f;
  f.store->InjectError(IoType::kRead, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x28, 0, 1)), 0x03, 0x11, 0x00));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x28, 0, 1))));
}

TEST(BackendErrorTest, ReadEioOnlyInRange) {
  Fixture f;
  f.store->InjectError(IoType::kRead, EIO, -1, 100 * 512, 512);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x28, 100, 1)), 0x03, 0x11, 0x00));
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x28, 96, 8)), 0x03, 0x11, 0x00));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x28, 101, 1))));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x28, 0, 100))));
}

TEST(BackendErrorTest, WriteEio) {
  Fixture f;
  f.store->InjectError(IoType::kWrite, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512, 1)), 0x03, 0x0C, 0x00));
}

TEST(BackendErrorTest, WriteEnospc) {
  Fixture f({.thin = true});
  f.store->InjectError(IoType::kWrite, ENOSPC, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512, 1)), 0x07, 0x27, 0x07));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x28, 0, 1))));  // reads still work
}

TEST(BackendErrorTest, Enomem) {
  Fixture f;
  f.store->InjectError(IoType::kRead, ENOMEM, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x28, 0, 1)), 0x04, 0x44, 0x00));
  f.store->InjectError(IoType::kWrite, ENOMEM, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512)), 0x04, 0x44, 0x00));
}

TEST(BackendErrorTest, UnmapAndWriteSameErrors) {
  Fixture f({.thin = true});
  f.store->InjectError(IoType::kUnmap, EIO, 1);
  std::vector<uint8_t> list = testing::UnmapList({{0, 8}});
  EXPECT_TRUE(HasSense(f.Do(testing::UnmapCdb(static_cast<uint16_t>(list.size())), list), 0x03,
                       0x0C, 0x00));
  f.store->InjectError(IoType::kWrite, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x41, 0, 4), std::vector<uint8_t>(512)), 0x03, 0x0C, 0x00));
}

TEST(BackendErrorTest, DescriptorSense) {
  Fixture f;
  std::vector<uint8_t> list = {0, 0, 0, 0, 0x0A, 0x0A, 0x04, 0x10, 0, 0x40, 0, 0, 0xFF, 0xFF, 0, 0};
  ASSERT_TRUE(IsGood(f.Do({0x15, 0x10, 0, 0, static_cast<uint8_t>(list.size()), 0}, list)));
  f.store->InjectError(IoType::kRead, EIO, 1);
  ScsiResponse r = f.Do(Cdb10(0x28, 0, 1));
  EXPECT_TRUE(HasSense(r, 0x03, 0x11, 0x00));
  EXPECT_EQ(r.sense[0], 0x72);
}

// S18 / fsyncgate: once a flush has failed, SYNCHRONIZE CACHE never returns GOOD again even
// though the store would now flush fine.
TEST(FlushFailureTest, Sticky) {
  Fixture f({.write_back = true});
  ASSERT_TRUE(IsGood(f.Do(kSync10)));
  f.store->InjectError(IoType::kFlush, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(kSync10), 0x03, 0x0C, 0x00));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(HasSense(f.Do(kSync10), 0x03, 0x0C, 0x00));
    EXPECT_TRUE(HasSense(f.Do(Cdb16(0x91, 0, 0)), 0x03, 0x0C, 0x00));
  }
  // Reads and writes continue.
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512, 2))));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x28, 0, 1))));
  // IMMED does not bypass it either.
  EXPECT_TRUE(HasSense(f.Do({0x35, 0x02, 0, 0, 0, 0, 0, 0, 0, 0}), 0x03, 0x0C, 0x00));
  // A new unit over the same store starts clean (the LUN was re-created).
  LogicalUnitConfig c;
  c.name = "again";
  LogicalUnit again(c, f.store);
  testing::Run(again, testing::MakeCommand({0x00, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(IsGood(testing::Run(again, testing::MakeCommand(kSync10))));
}

TEST(FlushFailureTest, FailedImmedFlushPoisonsLaterOnes) {
  Fixture f({.write_back = true});
  f.store->InjectError(IoType::kFlush, EIO, 1);
  EXPECT_TRUE(IsGood(f.Do({0x35, 0x02, 0, 0, 0, 0, 0, 0, 0, 0})));
  EXPECT_TRUE(HasSense(f.Do(kSync10), 0x03, 0x0C, 0x00));
}

TEST(FlushFailureTest, WriteFailureWithWriteBackPoisons) {
  Fixture f({.write_back = true});
  f.store->InjectError(IoType::kWrite, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512)), 0x03, 0x0C, 0x00));
  EXPECT_TRUE(HasSense(f.Do(kSync10), 0x03, 0x0C, 0x00));
}

TEST(FlushFailureTest, WriteFailureWriteThroughDoesNotPoison) {
  Fixture f({.write_back = false});
  f.store->InjectError(IoType::kWrite, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512)), 0x03, 0x0C, 0x00));
  EXPECT_TRUE(IsGood(f.Do(kSync10)));
}

TEST(FlushFailureTest, EnospcWithWriteBackDoesNotPoison) {
  Fixture f({.thin = true, .write_back = true});
  f.store->InjectError(IoType::kWrite, ENOSPC, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512)), 0x07, 0x27, 0x07));
  EXPECT_TRUE(IsGood(f.Do(kSync10)));
}

TEST(AsyncTest, CompletesOnStoreThread) {
  Fixture f;
  f.store->SetAsync(true, std::chrono::milliseconds(5));
  std::vector<uint8_t> data = testing::Pattern(64 * 512, 3);
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x2A, 0, 64), data)));
  ScsiResponse r = f.Do(Cdb10(0x28, 0, 64));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(testing::DataIn(r), data);
  EXPECT_TRUE(IsGood(f.Do(kSync10)));
}

TEST(AsyncTest, ExecuteNeverBlocksAndInFlightCounts) {
  Fixture f({.size = 8u << 20});
  f.store->SetHold(true);
  std::atomic<int> done{0};
  // A 3 MiB read is several backstore operations but one command in flight.
  const uint32_t blocks = (3u << 20) / 512;
  f.lu->Execute(1, testing::MakeCommand(Cdb16(0x88, 0, blocks)), false, [&](ScsiResponse r) {
    EXPECT_EQ(r.status, ScsiStatus::kGood);
    ++done;
  });
  f.lu->Execute(1, testing::MakeCommand(kSync10), false, [&](ScsiResponse) { ++done; });
  // Execute returned with the store holding everything.
  EXPECT_EQ(done.load(), 0);
  EXPECT_EQ(f.lu->InFlight(), 2u);
  // A command that needs no I/O still completes at once.
  EXPECT_TRUE(IsGood(f.Do({0x00, 0, 0, 0, 0, 0})));
  EXPECT_EQ(f.store->ReleaseHeld(), 4u);
  EXPECT_EQ(done.load(), 2);
  EXPECT_EQ(f.lu->InFlight(), 0u);
}

TEST(AsyncTest, OneFailedChunkFailsTheCommandOnce) {
  Fixture f({.size = 8u << 20});
  f.store->SetAsync(true);
  f.store->InjectError(IoType::kRead, EIO, 1, 2u << 20, 512);
  // Four chunks, the third fails: CHECK CONDITION, exactly one completion (Run checks).
  EXPECT_TRUE(HasSense(f.Do(Cdb16(0x88, 0, (4u << 20) / 512)), 0x03, 0x11, 0x00));
  EXPECT_EQ(f.lu->InFlight(), 0u);
}

TEST(AsyncTest, UnitOutlivedByItsCommands) {
  auto store = std::make_shared<testing::FakeBackstore>(testing::FakeBackstore::Options{});
  store->SetHold(true);
  std::atomic<int> done{0};
  {
    LogicalUnitConfig c;
    c.name = "gone";
    LogicalUnit lu(c, store);
    lu.Execute(1, testing::MakeCommand({0x03, 0, 0, 0, 18, 0}), false, [](ScsiResponse) {});
    lu.Execute(1, testing::MakeCommand(Cdb10(0x28, 0, 8)), false, [&](ScsiResponse r) {
      EXPECT_EQ(r.status, ScsiStatus::kGood);
      ++done;
    });
  }
  // The unit is gone; its command still completes safely.
  EXPECT_EQ(store->ReleaseHeld(), 1u);
  EXPECT_EQ(done.load(), 1);
}

// The unit and every other reference to the store are dropped while a command is in flight on
// the store's worker thread: the last reference then dies inside that thread's completion, and
// must be handed off (the store's destructor joins that very thread).
TEST(AsyncTest, StoreReleasedOffItsOwnWorker) {
  auto store = std::make_shared<testing::FakeBackstore>(testing::FakeBackstore::Options{});
  store->SetAsync(true, std::chrono::milliseconds(50));
  std::weak_ptr<testing::FakeBackstore> weak = store;
  std::atomic<int> done{0};
  {
    LogicalUnitConfig c;
    c.name = "dropped";
    auto lu = std::make_shared<LogicalUnit>(c, std::move(store));
    lu->Execute(1, testing::MakeCommand({0x03, 0, 0, 0, 18, 0}), false, [](ScsiResponse) {});
    lu->Execute(1, testing::MakeCommand(Cdb16(0x88, 0, (3u << 20) / 512)), false,
                [&](ScsiResponse r) {
                  EXPECT_EQ(r.status, ScsiStatus::kGood);
                  ++done;
                });
    lu->Execute(1, testing::MakeCommand(Cdb10(0x28, 0, 1)), false, [&](ScsiResponse) { ++done; });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((done.load() < 2 || !weak.expired()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(done.load(), 2);
  EXPECT_TRUE(weak.expired()) << "the store was never released";
}

}  // namespace
}  // namespace reftarget::scsi

namespace reftarget::scsi {
namespace {

// SAM-5 §7.7: a LOGICAL UNIT RESET from nexus 1 aborts nexus 2's command too, and reports
// quiescence only after that command's backstore I/O has returned (TEST-PLAN S21).
TEST(TaskSetResetTest, LunResetAbortsEveryNexusAndQuiescesAfterTheirIo) {
  testing::Fixture f({.size = 8u << 20});
  // Consume nexus 2's power-on unit attention first (TEST UNIT READY needs no I/O).
  f.lu->Execute(2, testing::MakeCommand({0x00, 0, 0, 0, 0, 0}), false, [](ScsiResponse) {});
  f.store->SetHold(true);
  std::atomic<int> status{-1};
  f.lu->Execute(2, testing::MakeCommand(testing::Cdb10(0x28, 0, 8)), false,
                [&](ScsiResponse r) { status = static_cast<int>(r.status); });
  std::atomic<bool> quiesced{false};
  f.lu->LunReset(1, [&] { quiesced = true; });
  EXPECT_FALSE(quiesced.load()) << "the held read has not returned";
  f.store->ReleaseHeld();
  EXPECT_TRUE(quiesced.load());
  EXPECT_EQ(status.load(), static_cast<int>(ScsiStatus::kTaskAborted));
  // After the reset the unit works again (behind the 06/29/03 unit attention).
  ScsiResponse ua = testing::Run(*f.lu, testing::MakeCommand({0x00, 0, 0, 0, 0, 0}));
  EXPECT_EQ(ua.status, ScsiStatus::kCheckCondition);
  f.store->SetHold(false);
  EXPECT_EQ(testing::Run(*f.lu, testing::MakeCommand({0x00, 0, 0, 0, 0, 0})).status,
            ScsiStatus::kGood);
}

TEST(TaskSetResetTest, CommandReceivedBeforeAResetIsAbortedWhenItArrives) {
  testing::Fixture f;
  ScsiCommand cmd = testing::MakeCommand({0x00, 0, 0, 0, 0, 0});
  cmd.lu_generation = f.lu->TaskSetGeneration();
  f.lu->ClearTaskSet(1);
  EXPECT_EQ(testing::Run(*f.lu, std::move(cmd)).status, ScsiStatus::kTaskAborted);
}

}  // namespace
}  // namespace reftarget::scsi
