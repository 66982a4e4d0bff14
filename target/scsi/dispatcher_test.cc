// ExecuteCommand: routing through an I_T nexus's LUN map, unmapped LUNs (S16), REPORT LUNS
// from the map only (S15) and write-protected mappings.
#include "target/scsi/dispatcher.h"

#include <gtest/gtest.h>

#include "target/scsi/byte_order.h"
#include "target/scsi/report_luns.h"
#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;
using testing::MakeCommand;
using testing::RunMap;

std::vector<uint8_t> ReportLunsCdb(uint8_t select, uint32_t alloc) {
  std::vector<uint8_t> c(12, 0);
  c[0] = 0xA0;
  c[2] = select;
  Store32(&c[6], alloc);
  return c;
}

TEST(DispatcherTest, RoutesToUnit) {
  Fixture a, b;
  LunMap map;
  map[0] = MappedLun{a.lu, false};
  map[3] = MappedLun{b.lu, false};
  std::vector<uint8_t> data(512, 'x');
  ASSERT_TRUE(IsGood(RunMap(map, MakeCommand(testing::Cdb10(0x2A, 5, 1), data, 3))));
  EXPECT_EQ(b.store->Peek(5 * 512, 512), data);
  EXPECT_NE(a.store->Peek(5 * 512, 512), data);
}

TEST(DispatcherTest, UnmappedLun) {
  Fixture a;
  LunMap map;
  map[0] = MappedLun{a.lu, false};
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 1)), 0x05, 0x25, 0x00));
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(testing::Cdb10(0x28, 0, 1), {}, UINT64_MAX)), 0x05,
                       0x25, 0x00));
  EXPECT_TRUE(HasSense(RunMap(LunMap{}, MakeCommand({0x00, 0, 0, 0, 0, 0})), 0x05, 0x25, 0x00));
}

TEST(DispatcherTest, InquiryUnmappedLun) {
  LunMap map;
  ScsiResponse r = RunMap(map, MakeCommand(testing::InquiryCdb(false, 0, 255), {}, 9));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  ASSERT_EQ(d.size(), 96u);
  EXPECT_EQ(d[0], 0x7F);  // qualifier 011b, type 1Fh
  EXPECT_TRUE(IsGood(RunMap(map, MakeCommand(testing::InquiryCdb(true, 0, 255), {}, 9))));
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(testing::InquiryCdb(true, 0x83, 255), {}, 9)), 0x05,
                       0x24, 0x00));
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(testing::InquiryCdb(false, 1, 255), {}, 9)), 0x05,
                       0x24, 0x00));
}

TEST(DispatcherTest, RequestSenseUnmappedLun) {
  ScsiResponse r = RunMap(LunMap{}, MakeCommand({0x03, 0, 0, 0, 18, 0}, {}, 4));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  ASSERT_EQ(d.size(), 18u);
  EXPECT_EQ(d[2], 0x05);
  EXPECT_EQ(d[12], 0x25);
}

TEST(DispatcherTest, ReportLunsFromMap) {
  Fixture a, b, c;
  LunMap map;
  map[0] = MappedLun{a.lu, false};
  map[7] = MappedLun{b.lu, false};
  map[300] = MappedLun{c.lu, true};
  // Sent to a LUN that is not mapped, it still answers from the map.
  for (uint64_t lun : {uint64_t{0}, uint64_t{55}}) {
    ScsiResponse r = RunMap(map, MakeCommand(ReportLunsCdb(0, 4096), {}, lun));
    ASSERT_TRUE(IsGood(r));
    std::vector<uint8_t> d = DataIn(r);
    ASSERT_EQ(d.size(), 8u + 24u);
    EXPECT_EQ(Load32(&d[0]), 24u);
    EXPECT_EQ(d[8 + 1], 0);
    EXPECT_EQ(d[16 + 1], 7);
    EXPECT_EQ(d[24], 0x41);  // flat space addressing of 300
    EXPECT_EQ(d[25], 0x2C);
  }
  ScsiResponse r = RunMap(map, MakeCommand(ReportLunsCdb(2, 4096)));
  EXPECT_EQ(DataIn(r).size(), 32u);
  r = RunMap(map, MakeCommand(ReportLunsCdb(1, 4096)));  // well-known LUs only: none
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(Load32(&DataIn(r)[0]), 0u);
  // Allocation length truncates, but the list length tells the whole size.
  r = RunMap(map, MakeCommand(ReportLunsCdb(0, 16)));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(DataIn(r).size(), 16u);
  EXPECT_EQ(Load32(&DataIn(r)[0]), 24u);
}

TEST(DispatcherTest, ReportLunsInvalid) {
  LunMap map;
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(ReportLunsCdb(0, 15))), 0x05, 0x24, 0x00));
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(ReportLunsCdb(3, 4096))), 0x05, 0x24, 0x00));
  ScsiResponse r = RunMap(map, MakeCommand(ReportLunsCdb(0, 16)));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(Load32(&DataIn(r)[0]), 0u);
}

TEST(DispatcherTest, ReportLunsDespiteUa) {
  Fixture a;
  LunMap map;
  map[0] = MappedLun{a.lu, false};
  EXPECT_TRUE(IsGood(RunMap(map, MakeCommand(ReportLunsCdb(0, 4096), {}, 0, 42))));
  EXPECT_TRUE(
      HasSense(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 0, 42)), 0x06, 0x29, 0x00));
}

TEST(DispatcherTest, ReportLunsClearsInventoryChangeOnEveryUnitOfTheNexus) {
  Fixture a, b;
  LunMap map;
  map[0] = MappedLun{a.lu, false};
  map[1] = MappedLun{b.lu, false};
  const NexusId nexus = 42;
  for (uint64_t lun : {0, 1}) {  // consume 29/00 on both units
    EXPECT_TRUE(HasSense(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, lun, nexus)), 0x06, 0x29, 0x00));
  }
  a.lu->ReportedLunsChangedFor(nexus);
  b.lu->ReportedLunsChangedFor(nexus);
  a.lu->ReportedLunsChangedFor(7);  // another nexus keeps its condition
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 0, nexus)), 0x06, 0x3F, 0x0E));
  EXPECT_TRUE(IsGood(RunMap(map, MakeCommand(ReportLunsCdb(0, 4096), {}, 0, nexus))));
  EXPECT_TRUE(IsGood(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 1, nexus))))
      << "one report answers the change for every LUN of the nexus";
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 0, 7)), 0x06, 0x29, 0x00));
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand({0x00, 0, 0, 0, 0, 0}, {}, 0, 7)), 0x06, 0x3F, 0x0E));
}

TEST(DispatcherTest, WithdrawnUnitRefusesNewCommands) {
  Fixture a;
  LunMap map;
  map[0] = MappedLun{a.lu, false};
  EXPECT_TRUE(IsGood(RunMap(map, MakeCommand(testing::Cdb10(0x28, 0, 1)))));
  a.lu->Withdraw();
  EXPECT_TRUE(a.lu->withdrawn());
  // Even through a map that still lists it (a session not yet given its new map).
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(testing::Cdb10(0x28, 0, 1))), 0x05, 0x25, 0x00));
  EXPECT_TRUE(HasSense(RunMap(map, MakeCommand(testing::Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512))),
                       0x05, 0x25, 0x00));
}

TEST(DispatcherTest, WriteProtectedMapping) {
  Fixture a;
  LunMap map;
  map[0] = MappedLun{a.lu, true};
  EXPECT_TRUE(
      HasSense(RunMap(map, MakeCommand(testing::Cdb10(0x2A, 0, 1), std::vector<uint8_t>(512))),
               0x07, 0x27, 0x00));
  EXPECT_TRUE(IsGood(RunMap(map, MakeCommand(testing::Cdb10(0x28, 0, 1)))));
  std::vector<uint8_t> ms = DataIn(RunMap(map, MakeCommand(testing::ModeSense6Cdb(0, 0x3F, 255))));
  EXPECT_EQ(ms[2] & 0x80, 0x80);
}

TEST(DispatcherTest, EncodeLun) {
  EXPECT_EQ(EncodeLun(0), (std::array<uint8_t, 8>{0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(EncodeLun(255), (std::array<uint8_t, 8>{0, 255, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(EncodeLun(256), (std::array<uint8_t, 8>{0x41, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(EncodeLun(16383), (std::array<uint8_t, 8>{0x7F, 0xFF, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(EncodeLun(70000), (std::array<uint8_t, 8>{0xD2, 0x01, 0x11, 0x70, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace reftarget::scsi
