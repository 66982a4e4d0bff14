// SBC-3 block commands: READ/WRITE 6/10/12/16, VERIFY, WRITE AND VERIFY, READ CAPACITY,
// SYNCHRONIZE CACHE, START STOP UNIT, PREVENT ALLOW, write protection and residual policy.
// Test names follow libiscsi's aspects (Simple, BeyondEol, ZeroBlocks, DpoFua, ...).
#include <gtest/gtest.h>

#include "target/scsi/byte_order.h"
#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using backstore::IoType;
using testing::Cdb10;
using testing::Cdb12;
using testing::Cdb16;
using testing::Cdb6;
using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;
using testing::ParseSense;
using testing::Pattern;

constexpr uint8_t kRead6 = 0x08, kRead10 = 0x28, kRead12 = 0xA8, kRead16 = 0x88;
constexpr uint8_t kWrite6 = 0x0A, kWrite10 = 0x2A, kWrite12 = 0xAA, kWrite16 = 0x8A;
constexpr uint8_t kVerify10 = 0x2F, kVerify12 = 0xAF, kVerify16 = 0x8F;
constexpr uint8_t kWav10 = 0x2E, kWav12 = 0xAE, kWav16 = 0x8E;

std::vector<uint8_t> RwCdb(uint8_t op, uint64_t lba, uint32_t blocks, uint8_t flags = 0) {
  switch (op) {
    case kRead6:
    case kWrite6:
      return Cdb6(op, static_cast<uint32_t>(lba), static_cast<uint8_t>(blocks));
    case kRead10:
    case kWrite10:
    case kVerify10:
    case kWav10:
      return Cdb10(op, static_cast<uint32_t>(lba), static_cast<uint16_t>(blocks), flags);
    case kRead12:
    case kWrite12:
    case kVerify12:
    case kWav12:
      return Cdb12(op, static_cast<uint32_t>(lba), blocks, flags);
    default:
      return Cdb16(op, lba, blocks, flags);
  }
}

class ReadWriteTest : public ::testing::TestWithParam<std::pair<uint8_t, uint8_t>> {};

TEST_P(ReadWriteTest, Simple) {
  auto [rd, wr] = GetParam();
  Fixture f;
  for (uint32_t n : {1u, 2u, 7u, 255u}) {
    for (uint64_t lba : {uint64_t{0}, f.blocks - n}) {
      std::vector<uint8_t> data = Pattern(n * f.bs, static_cast<uint8_t>(n + lba));
      ASSERT_TRUE(IsGood(f.Do(RwCdb(wr, lba, n), data)));
      ScsiResponse r = f.Do(RwCdb(rd, lba, n));
      ASSERT_TRUE(IsGood(r));
      EXPECT_EQ(DataIn(r), data);
      EXPECT_EQ(r.cdb_transfer_length, n * f.bs);
      EXPECT_EQ(f.store->Peek(lba * f.bs, n * f.bs), data);
    }
  }
}

TEST_P(ReadWriteTest, BeyondEol) {
  auto [rd, wr] = GetParam();
  Fixture f;
  for (uint32_t n = 1; n <= 255; n += 37) {
    std::vector<uint8_t> data(n * f.bs, 0xAB);
    EXPECT_TRUE(HasSense(f.Do(RwCdb(rd, f.blocks + 1 - n, n)), 0x05, 0x21, 0x00)) << n;
    EXPECT_TRUE(HasSense(f.Do(RwCdb(wr, f.blocks + 1 - n, n), data), 0x05, 0x21, 0x00)) << n;
    if (rd != kRead6) {
      EXPECT_TRUE(HasSense(f.Do(RwCdb(rd, 0x80000000u, n)), 0x05, 0x21, 0x00));
      EXPECT_TRUE(
          HasSense(f.Do(RwCdb(rd, rd == kRead16 ? ~0ull : 0xFFFFFFFFu, n)), 0x05, 0x21, 0x00));
      EXPECT_TRUE(HasSense(f.Do(RwCdb(wr, rd == kRead16 ? ~0ull : 0xFFFFFFFFu, n), data), 0x05,
                           0x21, 0x00));
    }
  }
  EXPECT_EQ(f.store->Count(IoType::kWrite), 0u);
}

TEST_P(ReadWriteTest, ZeroBlocks) {
  auto [rd, wr] = GetParam();
  if (rd == kRead6) GTEST_SKIP() << "READ/WRITE(6) transfer length 0 means 256 blocks";
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do(RwCdb(rd, 0, 0))));
  EXPECT_TRUE(IsGood(f.Do(RwCdb(wr, 0, 0))));
  EXPECT_TRUE(IsGood(f.Do(RwCdb(rd, f.blocks, 0))));  // LBA == capacity, nothing moved
  EXPECT_TRUE(HasSense(f.Do(RwCdb(rd, f.blocks + 1, 0)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(RwCdb(wr, f.blocks + 1, 0)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(RwCdb(wr, 0x80000000u, 0)), 0x05, 0x21, 0x00));
  EXPECT_EQ(f.store->Count(IoType::kRead) + f.store->Count(IoType::kWrite), 0u);
}

TEST_P(ReadWriteTest, Protect) {
  auto [rd, wr] = GetParam();
  if (rd == kRead6) GTEST_SKIP() << "no protect field in 6-byte CDBs";
  Fixture f;
  std::vector<uint8_t> data(f.bs, 1);
  for (uint8_t p = 1; p < 8; ++p) {
    ScsiResponse r = f.Do(RwCdb(rd, 0, 1, static_cast<uint8_t>(p << 5)));
    EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00)) << "RDPROTECT " << int(p);
    EXPECT_EQ(ParseSense(r.sense).field_pointer, 1);
    EXPECT_TRUE(
        HasSense(f.Do(RwCdb(wr, 0, 1, static_cast<uint8_t>(p << 5)), data), 0x05, 0x24, 0x00))
        << "WRPROTECT " << int(p);
  }
}

TEST_P(ReadWriteTest, DpoFua) {
  auto [rd, wr] = GetParam();
  if (rd == kRead6) GTEST_SKIP() << "no DPO/FUA in 6-byte CDBs";
  Fixture f;
  std::vector<uint8_t> data = Pattern(f.bs, 3);
  for (uint8_t flags : {0x10, 0x08, 0x18}) {
    f.store->ClearRecords();
    ASSERT_TRUE(IsGood(f.Do(RwCdb(wr, 5, 1, flags), data)));
    auto recs = f.store->Records();
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].fua, (flags & 0x08) != 0) << "flags " << int(flags);
    EXPECT_TRUE(IsGood(f.Do(RwCdb(rd, 5, 1, flags))));
  }
  f.store->ClearRecords();
  ASSERT_TRUE(IsGood(f.Do(RwCdb(wr, 5, 1, 0), data)));
  EXPECT_FALSE(f.store->Records()[0].fua);
}

INSTANTIATE_TEST_SUITE_P(Rw, ReadWriteTest,
                         ::testing::Values(std::make_pair(kRead6, kWrite6),
                                           std::make_pair(kRead10, kWrite10),
                                           std::make_pair(kRead12, kWrite12),
                                           std::make_pair(kRead16, kWrite16)),
                         [](const auto& info) {
                           switch (info.param.first) {
                             case kRead6:
                               return std::string("Rw6");
                             case kRead10:
                               return std::string("Rw10");
                             case kRead12:
                               return std::string("Rw12");
                             default:
                               return std::string("Rw16");
                           }
                         });

TEST(ReadTest, Read6ZeroMeans256) {
  Fixture f;
  ScsiResponse r = f.Do(Cdb6(kRead6, 0, 0));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(DataIn(r).size(), 256u * f.bs);
}

TEST(ReadTest, MaxTransferLength) {
  LogicalUnitConfig c;
  c.max_transfer_blocks = 64;
  Fixture f({}, c);
  EXPECT_TRUE(IsGood(f.Do(Cdb10(kRead10, 0, 64))));
  ScsiResponse r = f.Do(Cdb10(kRead10, 0, 65));
  EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 7);
  EXPECT_TRUE(
      HasSense(f.Do(Cdb16(kWrite16, 0, 65), std::vector<uint8_t>(65 * 512)), 0x05, 0x24, 0x00));
}

TEST(ReadTest, LargeTransferIsChunked) {
  Fixture f({.size = 32u << 20});
  const uint32_t blocks = (3u << 20) / 512 + 5;  // three full chunks and a bit
  std::vector<uint8_t> data = Pattern(blocks * 512, 9);
  f.store->ClearRecords();
  ASSERT_TRUE(IsGood(f.Do(Cdb16(kWrite16, 100, blocks), data)));
  EXPECT_EQ(f.store->Count(IoType::kWrite), 4u);
  ScsiResponse r = f.Do(Cdb16(kRead16, 100, blocks));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(f.store->Count(IoType::kRead), 4u);
  EXPECT_EQ(DataIn(r), data);
}

TEST(ReadTest, BlockSize4096) {
  Fixture f({.block_size = 4096});
  std::vector<uint8_t> data = Pattern(2 * 4096, 4);
  ASSERT_TRUE(IsGood(f.Do(Cdb10(kWrite10, 3, 2), data)));
  EXPECT_EQ(f.store->Peek(3 * 4096, 2 * 4096), data);
  EXPECT_EQ(DataIn(f.Do(Cdb10(kRead10, 3, 2))), data);
}

// libiscsi iSCSIResiduals: Data-Out shorter or longer than the CDB asks for.
TEST(WriteResidualTest, EdtlLongerWritesOnlyTransferLength) {
  Fixture f;
  std::vector<uint8_t> a(2 * f.bs, 'a'), b(2 * f.bs, 'b');
  ASSERT_TRUE(IsGood(f.Do(Cdb10(kWrite10, 0, 2), a)));
  ScsiResponse r = f.Do(Cdb10(kWrite10, 0, 1), b);
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(r.cdb_transfer_length, f.bs);  // the transport reports 1 block of underflow
  std::vector<uint8_t> got = f.store->Peek(0, 2 * f.bs);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + f.bs), std::vector<uint8_t>(f.bs, 'b'));
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + f.bs, got.end()), std::vector<uint8_t>(f.bs, 'a'));
}

TEST(WriteResidualTest, EdtlShorterWholeBlocksWritesEdtl) {
  Fixture f;
  std::vector<uint8_t> a(2 * f.bs, 'a'), b(f.bs, 'b');
  ASSERT_TRUE(IsGood(f.Do(Cdb10(kWrite10, 0, 2), a)));
  ScsiResponse r = f.Do(Cdb10(kWrite10, 0, 2), b);
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(r.cdb_transfer_length, 2 * f.bs);  // overflow of one block
  std::vector<uint8_t> got = f.store->Peek(0, 2 * f.bs);
  EXPECT_EQ(got[0], 'b');
  EXPECT_EQ(got[f.bs], 'a');
}

TEST(WriteResidualTest, EdtlZero) {
  Fixture f;
  ScsiResponse r = f.Do(Cdb10(kWrite10, 0, 1));
  EXPECT_TRUE(IsGood(r));
  EXPECT_EQ(r.cdb_transfer_length, f.bs);
  EXPECT_EQ(f.store->Count(IoType::kWrite), 0u);
}

TEST(WriteResidualTest, PartialBlockIsInvalidFieldInCommandIu) {
  Fixture f;
  std::vector<uint8_t> a(f.bs, 'a');
  ASSERT_TRUE(IsGood(f.Do(Cdb10(kWrite10, 0, 1), a)));
  ScsiResponse r = f.Do(Cdb10(kWrite10, 0, 1), std::vector<uint8_t>(200, 'b'));
  EXPECT_TRUE(HasSense(r, 0x05, 0x0E, 0x03));
  EXPECT_EQ(r.cdb_transfer_length, f.bs);  // overflow residual still reported
  EXPECT_EQ(f.store->Peek(0, f.bs), a);
}

TEST(ReadResidualTest, ReadFlaggedAsWriteStillReads) {
  // libiscsi Read10Invalid: a READ sent with the iSCSI W flag and Data-Out still succeeds.
  Fixture f;
  ScsiResponse r = f.Do(Cdb10(kRead10, 0, 1), std::vector<uint8_t>(f.bs, 1));
  EXPECT_TRUE(IsGood(r));
  EXPECT_EQ(r.data_in_length, f.bs);
}

class VerifyTest : public ::testing::TestWithParam<uint8_t> {};

TEST_P(VerifyTest, Simple) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> data = Pattern(8 * f.bs, 1);
  f.store->Poke(0, data);
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 8, 0x02), data)));         // BYTCHK=1
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 8, 0x00))));               // BYTCHK=0: medium only
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 8, 0x10 | 0x02), data)));  // DPO
}

TEST_P(VerifyTest, Mismatch) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> data = Pattern(8 * f.bs, 2);
  f.store->Poke(f.bs * 10, data);
  std::vector<uint8_t> other = data;
  other[1234] ^= 'X';
  ScsiResponse r = f.Do(RwCdb(op, 10, 8, 0x02), other);
  ASSERT_TRUE(HasSense(r, 0x0E, 0x1D, 0x00));
  testing::Sense s = ParseSense(r.sense);
  EXPECT_TRUE(s.valid_information);
  EXPECT_EQ(s.information, 1234u);
}

TEST_P(VerifyTest, MismatchNoCmp) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> other = Pattern(8 * f.bs, 2);
  // BYTCHK=0 does not compare: no Data-Out is used, GOOD.
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 8, 0x00), other)));
}

TEST_P(VerifyTest, SingleBlockCompare) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> block = Pattern(f.bs, 5);
  for (int i = 0; i < 4; ++i) f.store->Poke((20 + i) * f.bs, block);
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 20, 4, 0x06), block)));  // BYTCHK=11b
  std::vector<uint8_t> odd = block;
  f.store->Poke(22 * f.bs + 7, std::vector<uint8_t>{static_cast<uint8_t>(odd[7] ^ 1)});
  ScsiResponse r = f.Do(RwCdb(op, 20, 4, 0x06), block);
  ASSERT_TRUE(HasSense(r, 0x0E, 0x1D, 0x00));
  EXPECT_EQ(ParseSense(r.sense).information, 2u * f.bs + 7);
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, 20, 4, 0x04), block), 0x05, 0x24, 0x00));  // 10b reserved
}

TEST_P(VerifyTest, BeyondEol) {
  const uint8_t op = GetParam();
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, f.blocks - 1, 2, 0x02), std::vector<uint8_t>(2 * f.bs)), 0x05,
                       0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, 0xFFFFFFFFu, 1)), 0x05, 0x21, 0x00));
}

TEST_P(VerifyTest, ZeroBlocks) {
  const uint8_t op = GetParam();
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 0, 0x02))));
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, f.blocks + 1, 0)), 0x05, 0x21, 0x00));
}

TEST_P(VerifyTest, VerifyProtect) {
  const uint8_t op = GetParam();
  Fixture f;
  for (uint8_t p = 1; p < 8; ++p) {
    EXPECT_TRUE(HasSense(
        f.Do(RwCdb(op, 0, 1, static_cast<uint8_t>((p << 5) | 0x02)), std::vector<uint8_t>(f.bs)),
        0x05, 0x24, 0x00));
  }
}

TEST_P(VerifyTest, ShortDataOut) {
  const uint8_t op = GetParam();
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, 0, 2, 0x02), std::vector<uint8_t>(f.bs)), 0x05, 0x0E, 0x03));
}

INSTANTIATE_TEST_SUITE_P(Verify, VerifyTest, ::testing::Values(kVerify10, kVerify12, kVerify16));

class WriteVerifyTest : public ::testing::TestWithParam<uint8_t> {};

TEST_P(WriteVerifyTest, Simple) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> data = Pattern(16 * f.bs, 6);
  f.store->ClearRecords();
  ASSERT_TRUE(IsGood(f.Do(RwCdb(op, 30, 16), data)));
  EXPECT_EQ(f.store->Peek(30 * f.bs, data.size()), data);
  // Written with FUA, then read back.
  EXPECT_TRUE(f.store->Records()[0].fua);
  EXPECT_EQ(f.store->Count(IoType::kRead), 1u);
}

TEST_P(WriteVerifyTest, Flags) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> data = Pattern(f.bs, 7);
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 1, 0x10), data)));  // DPO
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 1, 0x02), data)));  // BYTCHK
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, 0, 1, 0x04), data), 0x05, 0x24, 0x00));
}

TEST_P(WriteVerifyTest, VerifyReadFails) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> data = Pattern(2 * f.bs, 8);
  ASSERT_TRUE(IsGood(f.Do(RwCdb(op, 0, 2, 0x02), data)));
  f.store->InjectError(IoType::kRead, EIO, 1);
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, 0, 2, 0x02), data), 0x03, 0x11, 0x00));
}

TEST_P(WriteVerifyTest, BeyondEolAndZeroBlocks) {
  const uint8_t op = GetParam();
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, f.blocks, 1), std::vector<uint8_t>(f.bs)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(IsGood(f.Do(RwCdb(op, 0, 0))));
  EXPECT_TRUE(HasSense(f.Do(RwCdb(op, f.blocks + 1, 0)), 0x05, 0x21, 0x00));
}

TEST_P(WriteVerifyTest, WriteProtect) {
  const uint8_t op = GetParam();
  Fixture f;
  for (uint8_t p = 1; p < 8; ++p) {
    EXPECT_TRUE(
        HasSense(f.Do(RwCdb(op, 0, 1, static_cast<uint8_t>(p << 5)), std::vector<uint8_t>(f.bs)),
                 0x05, 0x24, 0x00));
  }
}

INSTANTIATE_TEST_SUITE_P(WriteVerify, WriteVerifyTest, ::testing::Values(kWav10, kWav12, kWav16));

TEST(WriteProtectTest, MappingWriteProtect) {
  Fixture f;
  std::vector<uint8_t> data(f.bs, 1);
  EXPECT_TRUE(HasSense(f.Do(Cdb10(kWrite10, 0, 1), data, 1, true), 0x07, 0x27, 0x00));
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x41, 0, 1), data, 1, true), 0x07, 0x27, 0x00));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(kRead10, 0, 1), {}, 1, true)));
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x35, 0, 0), {}, 1, true)));  // SYNCHRONIZE CACHE allowed
  EXPECT_EQ(f.store->Count(IoType::kWrite), 0u);
}

TEST(WriteProtectTest, ReadOnlyStore) {
  Fixture f({.read_only = true});
  EXPECT_TRUE(HasSense(f.Do(Cdb16(kWrite16, 0, 1), std::vector<uint8_t>(f.bs)), 0x07, 0x27, 0x00));
  // WP is reported in the mode parameter header.
  std::vector<uint8_t> ms = DataIn(f.Do(testing::ModeSense6Cdb(0, 0x3F, 255)));
  EXPECT_EQ(ms[2] & 0x80, 0x80);
}

TEST(WriteProtectTest, ReadOnlyThinRefusesUnmapAsWriteProtected) {
  Fixture f({.thin = true, .read_only = true});
  std::vector<uint8_t> list = testing::UnmapList({{0, 1}});
  EXPECT_TRUE(HasSense(f.Do(testing::UnmapCdb(static_cast<uint16_t>(list.size())), list), 0x07,
                       0x27, 0x00));
  // WRITE SAME with UNMAP and no Data-Out: write protection is checked first.
  EXPECT_TRUE(HasSense(f.Do(Cdb10(0x41, 0, 1, 0x08)), 0x07, 0x27, 0x00));
}

TEST(ReadCapacityTest, ReadCapacity10Simple) {
  Fixture f;
  ScsiResponse r = f.Do(Cdb10(0x25, 0, 0));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  ASSERT_EQ(d.size(), 8u);
  EXPECT_EQ(Load32(&d[0]), f.blocks - 1);
  EXPECT_EQ(Load32(&d[4]), f.bs);
}

TEST(ReadCapacityTest, ReadCapacity10TooBig) {
  Fixture f;
  f.store->OverrideReportedSize((uint64_t{1} << 32) * 512 + 512 * 8);
  std::vector<uint8_t> d = DataIn(f.Do(Cdb10(0x25, 0, 0)));
  EXPECT_EQ(Load32(&d[0]), 0xFFFFFFFFu);
}

TEST(ReadCapacityTest, ReadCapacity16Simple) {
  Fixture f;
  ScsiResponse r = f.Do(testing::ReadCapacity16Cdb(32));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  ASSERT_EQ(d.size(), 32u);
  EXPECT_EQ(Load64(&d[0]), f.blocks - 1);
  EXPECT_EQ(Load32(&d[8]), f.bs);
  EXPECT_EQ(d[12], 0);         // PROT_EN / P_TYPE
  EXPECT_EQ(d[13], 0);         // P_I_EXP / LBPPBE
  EXPECT_EQ(d[14] & 0xC0, 0);  // LBPME / LBPRZ off when not thin
}

TEST(ReadCapacityTest, ReadCapacity16Alloclen) {
  Fixture f;
  std::vector<uint8_t> full = DataIn(f.Do(testing::ReadCapacity16Cdb(32)));
  for (uint32_t n = 0; n < 16; ++n) {
    ScsiResponse r = f.Do(testing::ReadCapacity16Cdb(n));
    ASSERT_TRUE(IsGood(r)) << n;
    EXPECT_EQ(DataIn(r), std::vector<uint8_t>(full.begin(), full.begin() + n));
  }
}

TEST(ReadCapacityTest, ReadCapacity16Thin) {
  LogicalUnitConfig c;
  c.lbppbe = 3;
  Fixture f({.thin = true}, c);
  std::vector<uint8_t> d = DataIn(f.Do(testing::ReadCapacity16Cdb(32)));
  EXPECT_EQ(d[13] & 0x0F, 3);
  EXPECT_EQ(d[14] & 0xC0, 0xC0);
}

TEST(SynchronizeCacheTest, Simple) {
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x35, 0, 0))));
  EXPECT_TRUE(IsGood(f.Do(Cdb16(0x91, 10, 20))));
  EXPECT_EQ(f.store->Count(IoType::kFlush), 2u);
}

TEST(SynchronizeCacheTest, Immed) {
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do(Cdb10(0x35, 0, 0, 0x02))));
  EXPECT_EQ(f.store->Count(IoType::kFlush), 1u);
}

TEST(SynchronizeCacheTest, BeyondEol) {
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(Cdb16(0x91, f.blocks, 1)), 0x05, 0x21, 0x00));
  EXPECT_EQ(f.store->Count(IoType::kFlush), 0u);
}

TEST(StartStopUnitTest, Simple) {
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do({0x1B, 0x01, 0, 0, 0x01, 0})));  // IMMED, START
  EXPECT_TRUE(IsGood(f.Do({0x1B, 0, 0, 0, 0x00, 0})));     // STOP
  EXPECT_TRUE(IsGood(f.Do({0x1B, 0, 0, 0, 0x05, 0})));     // NO_FLUSH, START
  // Not removable: LOEJ fails; so does a power condition.
  EXPECT_TRUE(HasSense(f.Do({0x1B, 0x01, 0, 0, 0x02, 0}), 0x05, 0x24, 0x00));
  EXPECT_TRUE(HasSense(f.Do({0x1B, 0, 0, 0, 0x10, 0}), 0x05, 0x24, 0x00));
  // The medium is still there.
  EXPECT_TRUE(IsGood(f.Do({0x00, 0, 0, 0, 0, 0})));
}

TEST(PreventAllowTest, Simple) {
  Fixture f;
  EXPECT_TRUE(IsGood(f.Do({0x1E, 0, 0, 0, 1, 0})));
  EXPECT_TRUE(IsGood(f.Do({0x1E, 0, 0, 0, 0, 0})));
}

}  // namespace
}  // namespace reftarget::scsi
