// COMPARE AND WRITE (libiscsi CompareAndWrite.*, MultipathIO.CompareAndWriteAsync): compare,
// conditional write, limits, Data-Out size and serialization of concurrent commands.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "target/scsi/byte_order.h"
#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using backstore::IoType;
using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;
using testing::ParseSense;

std::vector<uint8_t> CawCdb(uint64_t lba, uint8_t blocks, uint8_t flags = 0) {
  std::vector<uint8_t> c(16, 0);
  c[0] = 0x89;
  c[1] = flags;
  Store64(&c[2], lba);
  c[13] = blocks;
  return c;
}

std::vector<uint8_t> Halves(uint8_t compare, uint8_t write, size_t bs) {
  std::vector<uint8_t> d(2 * bs, compare);
  std::fill(d.begin() + bs, d.end(), write);
  return d;
}

TEST(CompareAndWriteTest, Simple) {
  Fixture f;
  f.store->Poke(7 * f.bs, std::vector<uint8_t>(f.bs, 'A'));
  ScsiResponse r = f.Do(CawCdb(7, 1), Halves('A', 'B', f.bs));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(r.cdb_transfer_length, 2 * f.bs);
  EXPECT_EQ(f.store->Peek(7 * f.bs, f.bs), std::vector<uint8_t>(f.bs, 'B'));
  // At the end of the LUN too.
  f.store->Poke((f.blocks - 1) * f.bs, std::vector<uint8_t>(f.bs, 'A'));
  EXPECT_TRUE(IsGood(f.Do(CawCdb(f.blocks - 1, 1), Halves('A', 'B', f.bs))));
}

TEST(CompareAndWriteTest, Miscompare) {
  Fixture f;
  std::vector<uint8_t> a(f.bs, 'A');
  a[f.bs - 27] = 'C';
  f.store->Poke(0, a);
  ScsiResponse r = f.Do(CawCdb(0, 1), Halves('A', 'B', f.bs));
  ASSERT_TRUE(HasSense(r, 0x0E, 0x1D, 0x00));
  testing::Sense s = ParseSense(r.sense);
  EXPECT_TRUE(s.valid_information);
  EXPECT_EQ(s.information, f.bs - 27);
  EXPECT_EQ(f.store->Peek(0, f.bs), a);  // nothing written
  EXPECT_EQ(f.store->Count(IoType::kWrite), 0u);
}

TEST(CompareAndWriteTest, Unwritten) {
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(CawCdb(3, 1), Halves('%', 'B', f.bs)), 0x0E, 0x1D, 0x00));
  EXPECT_EQ(f.store->Peek(3 * f.bs, f.bs), std::vector<uint8_t>(f.bs, 0));
}

TEST(CompareAndWriteTest, LimitsAndRange) {
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do(CawCdb(0, 0))));  // zero blocks: nothing to do
  // ... unless Data-Out came with it: 256 blocks wrapped to 0 in the one-byte field.
  EXPECT_TRUE(HasSense(f.Do(CawCdb(0, 0), std::vector<uint8_t>(512 * f.bs)), 0x05, 0x24, 0x00));
  // MAXIMUM COMPARE AND WRITE LENGTH is 1 (VPD B0h byte 5).
  ScsiResponse b0 = f.Do(testing::InquiryCdb(true, 0xB0, 64));
  EXPECT_EQ(DataIn(b0)[5], 1);
  ScsiResponse r = f.Do(CawCdb(0, 2), std::vector<uint8_t>(4 * f.bs));
  EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 13);
  EXPECT_TRUE(HasSense(f.Do(CawCdb(f.blocks, 1), Halves(0, 0, f.bs)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(CawCdb(~0ull, 1), Halves(0, 0, f.bs)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(CawCdb(0, 1, 0x20), Halves(0, 0, f.bs)), 0x05, 0x24, 0x00));
}

TEST(CompareAndWriteTest, InvalidDataOutSize) {
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(CawCdb(0, 1), std::vector<uint8_t>(4 * f.bs)), 0x05, 0x0E, 0x03));
  EXPECT_TRUE(HasSense(f.Do(CawCdb(0, 1), std::vector<uint8_t>(f.bs)), 0x05, 0x0E, 0x03));
  EXPECT_EQ(f.store->Count(IoType::kRead) + f.store->Count(IoType::kWrite), 0u);
}

TEST(CompareAndWriteTest, DpoFua) {
  Fixture f;
  ASSERT_TRUE(IsGood(f.Do(CawCdb(0, 1, 0x18), Halves(0, 'B', f.bs))));
  std::vector<testing::IoRecord> recs = f.store->Records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].type, IoType::kWrite);
  EXPECT_TRUE(recs[1].fua);
  std::vector<uint8_t> usage = DataIn(f.Do(testing::RsocCdb(1, 0x89, 0, 65535)));
  EXPECT_EQ(usage[5] & 0x18, 0x18);
}

TEST(CompareAndWriteTest, WriteProtect) {
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(CawCdb(0, 1), Halves(0, 1, f.bs), 1, true), 0x07, 0x27, 0x00));
}

// A second COMPARE AND WRITE does not read until the first has written.
TEST(CompareAndWriteTest, Serialized) {
  Fixture f;
  f.store->SetHold(true);
  std::atomic<int> good{0}, miscompare{0};
  auto count = [&](ScsiResponse r) {
    if (r.status == ScsiStatus::kGood) {
      ++good;
    } else if (ParseSense(r.sense).key == 0x0E) {
      ++miscompare;
    }
  };
  f.lu->Execute(1, testing::MakeCommand(CawCdb(0, 1), Halves(0, 1, f.bs)), false, count);
  f.lu->Execute(2, testing::MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 0, 2), false,
                [](ScsiResponse) {});  // nexus 2's power-on UA
  f.lu->Execute(2, testing::MakeCommand(CawCdb(0, 1), Halves(1, 0, f.bs), 0, 2), false, count);
  EXPECT_EQ(f.store->HeldCount(), 1u);    // only the first read is issued
  EXPECT_EQ(f.store->ReleaseHeld(), 1u);  // read 1 -> write 1 issued
  EXPECT_EQ(f.store->HeldCount(), 1u);
  EXPECT_EQ(f.store->ReleaseHeld(), 1u);  // write 1 -> read 2 issued
  EXPECT_EQ(f.store->ReleaseHeld(), 1u);  // read 2 -> write 2 issued
  EXPECT_EQ(f.store->ReleaseHeld(), 1u);
  EXPECT_EQ(f.store->HeldCount(), 0u);
  EXPECT_EQ(good.load(), 2);
  EXPECT_EQ(f.store->Peek(0, f.bs), std::vector<uint8_t>(f.bs, 0));
}

TEST(CompareAndWriteTest, ConcurrentFlipFlop) {
  Fixture f;
  f.store->SetAsync(true);
  std::atomic<int> done{0}, good{0}, miscompare{0}, other{0};
  const int kPerNexus = 200;
  for (NexusId n : {NexusId{2}, NexusId{3}}) {
    testing::Run(*f.lu, testing::MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 0, n));
  }
  for (int i = 0; i < kPerNexus; ++i) {
    for (NexusId n : {NexusId{2}, NexusId{3}}) {
      const uint8_t from = n == 2 ? 0 : 1, to = n == 2 ? 1 : 0;
      f.lu->Execute(n, testing::MakeCommand(CawCdb(0, 1), Halves(from, to, f.bs), 0, n), false,
                    [&](ScsiResponse r) {
                      if (r.status == ScsiStatus::kGood) {
                        ++good;
                      } else if (ParseSense(r.sense).key == 0x0E) {
                        ++miscompare;
                      } else {
                        ++other;
                      }
                      ++done;
                    });
    }
  }
  for (int i = 0; i < 1000 && done.load() < 2 * kPerNexus; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(done.load(), 2 * kPerNexus);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(good.load() + miscompare.load(), 2 * kPerNexus);
  // Each success flipped the block; the final contents match the parity of the successes.
  std::vector<uint8_t> block = f.store->Peek(0, f.bs);
  EXPECT_EQ(block, std::vector<uint8_t>(f.bs, static_cast<uint8_t>(good.load() % 2)));
}

}  // namespace
}  // namespace reftarget::scsi
