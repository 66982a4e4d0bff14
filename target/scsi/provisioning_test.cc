// Thin provisioning and WRITE SAME: WRITE SAME(10/16) with and without UNMAP, UNMAP parameter
// lists and GET LBA STATUS (libiscsi WriteSame10/16.*, Unmap.*, GetLBAStatus.*).
#include <gtest/gtest.h>

#include "target/scsi/byte_order.h"
#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using backstore::IoType;
using testing::Cdb10;
using testing::Cdb16;
using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;
using testing::ParseSense;
using testing::Pattern;
using testing::UnmapCdb;
using testing::UnmapList;

constexpr uint8_t kWs10 = 0x41, kWs16 = 0x93;

std::vector<uint8_t> Ws(uint8_t op, uint64_t lba, uint32_t blocks, uint8_t flags = 0) {
  return op == kWs10 ? Cdb10(op, static_cast<uint32_t>(lba), static_cast<uint16_t>(blocks), flags)
                     : Cdb16(op, lba, blocks, flags);
}

class WriteSameTest : public ::testing::TestWithParam<uint8_t> {};

TEST_P(WriteSameTest, Simple) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> block(f.bs, 0);
  for (uint32_t n : {1u, 2u, 255u, 256u}) {
    EXPECT_TRUE(IsGood(f.Do(Ws(op, 0, n), block))) << n;
    EXPECT_TRUE(IsGood(f.Do(Ws(op, f.blocks - n, n), block))) << n;
  }
}

TEST_P(WriteSameTest, Check) {
  const uint8_t op = GetParam();
  Fixture f({.size = 8u << 20});
  // 2100 blocks: more than one 1 MiB chunk of repeated blocks.
  std::vector<uint8_t> block = Pattern(f.bs, 11);
  ASSERT_TRUE(IsGood(f.Do(Ws(op, 7, 2100), block)));
  std::vector<uint8_t> got = f.store->Peek(7 * f.bs, 2100 * f.bs);
  for (uint32_t i = 0; i < 2100; ++i) {
    ASSERT_TRUE(std::equal(block.begin(), block.end(), got.begin() + i * f.bs)) << "block " << i;
  }
  EXPECT_EQ(f.store->Peek(6 * f.bs, f.bs), std::vector<uint8_t>(f.bs, 0));
  EXPECT_EQ(f.store->Peek(2107 * f.bs, f.bs), std::vector<uint8_t>(f.bs, 0));
}

TEST_P(WriteSameTest, BeyondEol) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> block(f.bs, 0);
  EXPECT_TRUE(HasSense(f.Do(Ws(op, f.blocks - 1, 2), block), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(Ws(op, 0x80000000u, 1), block), 0x05, 0x21, 0x00));
  EXPECT_TRUE(
      HasSense(f.Do(Ws(op, op == kWs10 ? 0xFFFFFFFFull : ~0ull, 1), block), 0x05, 0x21, 0x00));
}

TEST_P(WriteSameTest, ZeroBlocks) {
  const uint8_t op = GetParam();
  Fixture f;
  std::vector<uint8_t> block(f.bs, 0);
  // WSNZ=1: zero blocks is an invalid field, after the range check.
  EXPECT_TRUE(HasSense(f.Do(Ws(op, 0, 0), block), 0x05, 0x24, 0x00));
  EXPECT_TRUE(HasSense(f.Do(Ws(op, f.blocks + 1, 0), block), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(Ws(op, 0x80000000u, 0), block), 0x05, 0x21, 0x00));
}

TEST_P(WriteSameTest, WriteProtect) {
  const uint8_t op = GetParam();
  Fixture f;
  for (uint8_t p = 1; p < 8; ++p) {
    EXPECT_TRUE(
        HasSense(f.Do(Ws(op, 0, 1, static_cast<uint8_t>(p << 5)), std::vector<uint8_t>(f.bs)), 0x05,
                 0x24, 0x00));
  }
}

TEST_P(WriteSameTest, Unmap) {
  const uint8_t op = GetParam();
  Fixture f({.thin = true});
  for (uint32_t n : {1u, 8u, 256u}) {
    std::vector<uint8_t> ff(n * f.bs, 0xFF);
    ASSERT_TRUE(IsGood(f.Do(Cdb10(0x2A, 0, static_cast<uint16_t>(n)), ff)));
    ASSERT_TRUE(IsGood(f.Do(Ws(op, 0, n, 0x08), std::vector<uint8_t>(f.bs, 0))));
    EXPECT_EQ(f.store->Peek(0, n * f.bs), std::vector<uint8_t>(n * f.bs, 0));
    EXPECT_TRUE(f.store->IsDeallocated(0, n * f.bs));
  }
  // ANCHOR is not supported (ANC_SUP=0), with or without UNMAP.
  EXPECT_TRUE(HasSense(f.Do(Ws(op, 0, 1, 0x10), std::vector<uint8_t>(f.bs)), 0x05, 0x24, 0x00));
  EXPECT_TRUE(HasSense(f.Do(Ws(op, 0, 1, 0x18), std::vector<uint8_t>(f.bs)), 0x05, 0x24, 0x00));
}

TEST_P(WriteSameTest, UnmapUntilEnd) {
  const uint8_t op = GetParam();
  Fixture f({.thin = true});
  // libiscsi writes 0xFF, then WRITE SAME UNMAP with that 0xFF block, and expects zeroes back
  // (LBPRZ=1): UNMAP=1 deallocates whatever the Data-Out block holds, as LIO does.
  for (uint32_t n : {1u, 100u}) {
    std::vector<uint8_t> ff(n * f.bs, 0xFF);
    ASSERT_TRUE(IsGood(
        f.Do(Cdb10(0x2A, static_cast<uint32_t>(f.blocks - n), static_cast<uint16_t>(n)), ff)));
    ASSERT_TRUE(IsGood(f.Do(Ws(op, f.blocks - n, n, 0x08), std::vector<uint8_t>(f.bs, 0xFF))));
    EXPECT_EQ(
        DataIn(f.Do(Cdb10(0x28, static_cast<uint32_t>(f.blocks - n), static_cast<uint16_t>(n)))),
        std::vector<uint8_t>(n * f.bs, 0));
  }
}

TEST_P(WriteSameTest, UnmapUnaligned) {
  const uint8_t op = GetParam();
  LogicalUnitConfig c;
  c.lbppbe = 3;
  Fixture f({.thin = true}, c);
  for (uint32_t i = 1; i < 8; ++i) {
    EXPECT_TRUE(IsGood(f.Do(Ws(op, i, 8 - i, 0x08), std::vector<uint8_t>(f.bs, 0xA6))));
  }
}

TEST_P(WriteSameTest, UnmapVPD) {
  const uint8_t op = GetParam();
  // Not thin: UNMAP=1 fails, and VPD B2h says LBPWS/LBPWS10 = 0.
  Fixture f;
  ScsiResponse r = f.Do(Ws(op, 0, 1, 0x08), std::vector<uint8_t>(f.bs));
  EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 1);
  EXPECT_EQ(f.store->Count(IoType::kUnmap), 0u);
}

TEST_P(WriteSameTest, InvalidDataOutSize) {
  const uint8_t op = GetParam();
  Fixture f({.thin = true});
  for (size_t size : {size_t{0}, size_t{256}, size_t{1024}}) {
    EXPECT_TRUE(
        HasSense(f.Do(Ws(op, 0, 1, 0x08), std::vector<uint8_t>(size, 0xA6)), 0x05, 0x0E, 0x03))
        << size;
    EXPECT_TRUE(HasSense(f.Do(Ws(op, 0, 1), std::vector<uint8_t>(size, 0xA6)), 0x05, 0x0E, 0x03))
        << size;
  }
  EXPECT_EQ(f.store->Count(IoType::kWrite) + f.store->Count(IoType::kUnmap), 0u);
}

TEST_P(WriteSameTest, MaxWriteSameLength) {
  const uint8_t op = GetParam();
  LogicalUnitConfig c;
  c.max_write_same_len = 128;
  Fixture f({}, c);
  EXPECT_TRUE(IsGood(f.Do(Ws(op, 0, 128), std::vector<uint8_t>(f.bs))));
  EXPECT_TRUE(HasSense(f.Do(Ws(op, 0, 129), std::vector<uint8_t>(f.bs)), 0x05, 0x24, 0x00));
}

INSTANTIATE_TEST_SUITE_P(WriteSame, WriteSameTest, ::testing::Values(kWs10, kWs16),
                         [](const auto& info) {
                           return std::string(info.param == kWs10 ? "Ws10" : "Ws16");
                         });

TEST(WriteSameTest, Ndob) {
  Fixture f;
  f.store->Poke(0, std::vector<uint8_t>(4 * f.bs, 0x55));
  ASSERT_TRUE(IsGood(f.Do(Ws(kWs16, 0, 4, 0x01))));
  EXPECT_EQ(f.store->Peek(0, 4 * f.bs), std::vector<uint8_t>(4 * f.bs, 0));
  // NDOB takes no Data-Out.
  EXPECT_TRUE(HasSense(f.Do(Ws(kWs16, 0, 1, 0x01), std::vector<uint8_t>(f.bs)), 0x05, 0x0E, 0x03));
}

TEST(UnmapTest, Simple) {
  Fixture f({.thin = true});
  std::vector<uint8_t> a(256 * f.bs, 'a');
  ASSERT_TRUE(IsGood(f.Do(Cdb10(0x2A, 0, 256), a)));
  std::vector<uint8_t> list = UnmapList({{0, 16}, {100, 1}, {200, 56}});
  ASSERT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list)));
  EXPECT_EQ(f.store->Count(IoType::kUnmap), 3u);
  EXPECT_TRUE(f.store->IsDeallocated(0, 16 * f.bs));
  EXPECT_TRUE(f.store->IsDeallocated(200 * f.bs, 56 * f.bs));
  EXPECT_FALSE(f.store->IsDeallocated(16 * f.bs, f.bs));
  EXPECT_EQ(DataIn(f.Do(Cdb10(0x28, 0, 16))), std::vector<uint8_t>(16 * f.bs, 0));
}

TEST(UnmapTest, OneDescriptorPerBlock) {
  Fixture f({.thin = true});
  std::vector<std::pair<uint64_t, uint32_t>> ranges;
  for (uint64_t i = 0; i < 256; ++i) ranges.push_back({i, 1});
  std::vector<uint8_t> list = UnmapList(ranges);
  EXPECT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list)));
}

TEST(UnmapTest, ZeroBlocks) {
  Fixture f({.thin = true});
  std::vector<uint8_t> list = UnmapList({{0, 0}, {f.blocks, 0}});
  EXPECT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list)));
  std::vector<uint8_t> none = UnmapList({});
  EXPECT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(none.size())), none)));
  EXPECT_TRUE(IsGood(f.Do(UnmapCdb(0))));  // no parameter list at all
  EXPECT_EQ(f.store->Count(IoType::kUnmap), 0u);
}

TEST(UnmapTest, BeyondEol) {
  Fixture f({.thin = true});
  // A bad descriptor anywhere fails the command before anything is unmapped.
  std::vector<uint8_t> list = UnmapList({{0, 8}, {f.blocks - 1, 2}});
  EXPECT_TRUE(HasSense(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list), 0x05, 0x21, 0x00));
  list = UnmapList({{~0ull, 1}});
  EXPECT_TRUE(HasSense(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list), 0x05, 0x21, 0x00));
  EXPECT_EQ(f.store->Count(IoType::kUnmap), 0u);
}

TEST(UnmapTest, VPD) {
  Fixture f;  // not thin: UNMAP is not a command of this unit
  std::vector<uint8_t> list = UnmapList({{0, 0}});
  EXPECT_TRUE(HasSense(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list), 0x05, 0x20, 0x00));
}

TEST(UnmapTest, Limits) {
  LogicalUnitConfig c;
  c.max_unmap_block_desc_count = 2;
  c.max_unmap_lba_count = 100;
  Fixture f({.thin = true}, c);
  std::vector<uint8_t> three = UnmapList({{0, 1}, {2, 1}, {4, 1}});
  ScsiResponse r = f.Do(UnmapCdb(static_cast<uint16_t>(three.size())), three);
  EXPECT_TRUE(HasSense(r, 0x05, 0x26, 0x00));
  EXPECT_FALSE(ParseSense(r.sense).cd);
  std::vector<uint8_t> big = UnmapList({{0, 60}, {100, 41}});
  r = f.Do(UnmapCdb(static_cast<uint16_t>(big.size())), big);
  EXPECT_TRUE(HasSense(r, 0x05, 0x26, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 8 + 16 + 8);
  EXPECT_EQ(f.store->Count(IoType::kUnmap), 0u);
}

TEST(UnmapTest, ParameterListLength) {
  Fixture f({.thin = true});
  EXPECT_TRUE(HasSense(f.Do(UnmapCdb(6), std::vector<uint8_t>(6)), 0x05, 0x1A, 0x00));
  // A trailing partial descriptor is ignored; a block descriptor length beyond the data is cut.
  std::vector<uint8_t> list = UnmapList({{0, 4}});
  list.resize(list.size() + 10, 0xEE);
  Store16(&list[2], 16 + 10);
  EXPECT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list)));
  EXPECT_EQ(f.store->Count(IoType::kUnmap), 1u);
  std::vector<uint8_t> lying = UnmapList({{0, 4}});
  Store16(&lying[2], 1600);
  EXPECT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(lying.size())), lying)));
}

TEST(UnmapTest, Anchor) {
  Fixture f({.thin = true});
  std::vector<uint8_t> list = UnmapList({{0, 1}});
  std::vector<uint8_t> cdb = UnmapCdb(static_cast<uint16_t>(list.size()));
  cdb[1] = 0x01;
  EXPECT_TRUE(HasSense(f.Do(cdb, list), 0x05, 0x24, 0x00));
}

std::vector<std::tuple<uint64_t, uint32_t, uint8_t>> LbaStatus(const std::vector<uint8_t>& d) {
  std::vector<std::tuple<uint64_t, uint32_t, uint8_t>> out;
  EXPECT_GE(d.size(), 8u);
  for (size_t pos = 8; pos + 16 <= d.size(); pos += 16) {
    out.emplace_back(Load64(&d[pos]), Load32(&d[pos + 8]), d[pos + 12] & 0x0F);
  }
  return out;
}

TEST(GetLbaStatusTest, Simple) {
  Fixture f({.thin = true});
  for (uint64_t lba : {uint64_t{1}, uint64_t{256}, f.blocks - 1}) {
    EXPECT_TRUE(IsGood(f.Do(testing::GetLbaStatusCdb(lba, 24))));
  }
  Fixture thick;
  auto s = LbaStatus(DataIn(thick.Do(testing::GetLbaStatusCdb(10, 24))));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(std::get<0>(s[0]), 10u);
  EXPECT_EQ(std::get<1>(s[0]), thick.blocks - 10);
  EXPECT_EQ(std::get<2>(s[0]), 0);  // mapped
}

TEST(GetLbaStatusTest, BeyondEol) {
  Fixture f({.thin = true});
  EXPECT_TRUE(HasSense(f.Do(testing::GetLbaStatusCdb(f.blocks, 24)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(testing::GetLbaStatusCdb(f.blocks + 1, 24)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(testing::GetLbaStatusCdb(1ull << 63, 24)), 0x05, 0x21, 0x00));
  EXPECT_TRUE(HasSense(f.Do(testing::GetLbaStatusCdb(~0ull, 24)), 0x05, 0x21, 0x00));
}

TEST(GetLbaStatusTest, UnmapSingle) {
  Fixture f({.thin = true});
  ASSERT_TRUE(IsGood(f.Do(Cdb10(0x2A, 0, 300), std::vector<uint8_t>(300 * f.bs, 'A'))));
  std::vector<uint8_t> list = UnmapList({{10, 5}});
  ASSERT_TRUE(IsGood(f.Do(UnmapCdb(static_cast<uint16_t>(list.size())), list)));
  auto s = LbaStatus(DataIn(f.Do(testing::GetLbaStatusCdb(10, 24))));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], std::make_tuple(uint64_t{10}, uint32_t{5}, uint8_t{1}));
  s = LbaStatus(DataIn(f.Do(testing::GetLbaStatusCdb(15, 24))));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(std::get<0>(s[0]), 15u);
  EXPECT_EQ(std::get<2>(s[0]), 0);
  // With room for several descriptors: mapped, deallocated, mapped ...
  s = LbaStatus(DataIn(f.Do(testing::GetLbaStatusCdb(0, 8 + 3 * 16))));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], std::make_tuple(uint64_t{0}, uint32_t{10}, uint8_t{0}));
  EXPECT_EQ(s[1], std::make_tuple(uint64_t{10}, uint32_t{5}, uint8_t{1}));
  EXPECT_EQ(std::get<0>(s[2]), 15u);
}

TEST(GetLbaStatusTest, AllocLength) {
  Fixture f({.thin = true});
  EXPECT_EQ(DataIn(f.Do(testing::GetLbaStatusCdb(0, 0))).size(), 0u);
  std::vector<uint8_t> d = DataIn(f.Do(testing::GetLbaStatusCdb(0, 12)));
  ASSERT_EQ(d.size(), 12u);
  EXPECT_EQ(Load32(&d[0]), 4u + 16u);  // the full length is reported even when cut
}

}  // namespace
}  // namespace reftarget::scsi
