// SPC-4 commands on a logical unit: INQUIRY and VPD pages, TEST UNIT READY, REQUEST SENSE,
// REPORT SUPPORTED OPERATION CODES and the generic CDB checks. Test names follow libiscsi's
// test-tool aspects (Inquiry.Standard, ReportSupportedOpcodes.RCTD, ...).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "target/scsi/byte_order.h"
#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;
using testing::ParseSense;

std::vector<uint8_t> Vpd(Fixture& f, uint8_t page, uint16_t alloc = 255) {
  ScsiResponse r = f.Do(testing::InquiryCdb(true, page, alloc));
  EXPECT_TRUE(IsGood(r)) << "VPD page " << static_cast<int>(page);
  return DataIn(r);
}

TEST(InquiryTest, Standard) {
  Fixture f;
  ScsiResponse r = f.Do(testing::InquiryCdb(false, 0, 260));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  ASSERT_EQ(d.size(), 96u);
  EXPECT_EQ(d[0], 0x00);          // qualifier 0, direct access
  EXPECT_EQ(d[2], 0x06);          // SPC-4
  EXPECT_EQ(d[3] & 0x0F, 0x02);   // response data format 2
  EXPECT_EQ(d[3] & 0xC0, 0x00);   // AERC/TRMTSK clear
  EXPECT_EQ(d[4], d.size() - 5);  // additional length
  EXPECT_EQ(d[5] & 0x01, 0x00);   // PROTECT=0
  EXPECT_EQ(d[7] & 0x02, 0x02);   // CMDQUE
  EXPECT_EQ(std::string(d.begin() + 8, d.begin() + 16), "REFTGT  ");
  EXPECT_EQ(std::string(d.begin() + 16, d.begin() + 32), "FILEIO          ");
  EXPECT_EQ(r.cdb_transfer_length, 96u);
}

TEST(InquiryTest, VersionDescriptors) {
  Fixture f;
  std::vector<uint8_t> d = DataIn(f.Do(testing::InquiryCdb(false, 0, 96)));
  ASSERT_EQ(d.size(), 96u);
  std::set<uint16_t> v;
  for (int i = 0; i < 8; ++i) v.insert(Load16(&d[58 + 2 * i]));
  EXPECT_TRUE(v.count(0x0460)) << "SPC-4";
  EXPECT_TRUE(v.count(0x04C0)) << "SBC-3";
  EXPECT_TRUE(v.count(0x0960)) << "iSCSI";
}

TEST(InquiryTest, AllocLength) {
  Fixture f;
  std::vector<uint8_t> full = DataIn(f.Do(testing::InquiryCdb(false, 0, 255)));
  for (uint16_t alloc = 0; alloc < 256; ++alloc) {
    ScsiResponse r = f.Do(testing::InquiryCdb(false, 0, alloc));
    ASSERT_TRUE(IsGood(r)) << alloc;
    std::vector<uint8_t> d = DataIn(r);
    ASSERT_EQ(d.size(), std::min<size_t>(alloc, full.size())) << alloc;
    EXPECT_TRUE(std::equal(d.begin(), d.end(), full.begin()));
    EXPECT_EQ(r.cdb_transfer_length, d.size());
  }
  EXPECT_EQ(DataIn(f.Do(testing::InquiryCdb(false, 0, 256))), full);
}

TEST(InquiryTest, EVPD) {
  Fixture f;
  // EVPD=0 with a page code is an error; so is an unknown VPD page and CMDDT.
  ScsiResponse r = f.Do(testing::InquiryCdb(false, 1, 256));
  EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 2);
  EXPECT_TRUE(HasSense(f.Do(testing::InquiryCdb(true, 0x42, 256)), 0x05, 0x24, 0x00));
  std::vector<uint8_t> cmddt = testing::InquiryCdb(false, 0, 96);
  cmddt[1] = 0x02;
  EXPECT_TRUE(HasSense(f.Do(cmddt), 0x05, 0x24, 0x00));
}

TEST(InquiryTest, SupportedVPD) {
  Fixture f;
  std::vector<uint8_t> d = Vpd(f, 0x00);
  ASSERT_GE(d.size(), 4u);
  EXPECT_EQ(d[1], 0x00);
  const size_t n = Load16(&d[2]);
  ASSERT_EQ(d.size(), 4 + n);
  std::vector<uint8_t> pages(d.begin() + 4, d.end());
  EXPECT_TRUE(std::is_sorted(pages.begin(), pages.end()));
  for (uint8_t p : {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2}) {
    EXPECT_NE(std::find(pages.begin(), pages.end(), p), pages.end()) << std::hex << int(p);
  }
  for (uint8_t p : pages) {
    std::vector<uint8_t> page = Vpd(f, p);
    ASSERT_GE(page.size(), 4u);
    EXPECT_EQ(page[1], p);
    EXPECT_EQ(page.size(), 4u + Load16(&page[2]));
  }
}

TEST(InquiryTest, UnitSerial) {
  Fixture f;
  std::vector<uint8_t> d = Vpd(f, 0x80);
  EXPECT_EQ(std::string(d.begin() + 4, d.end()), "6a8c7f2e-1b3d-4c5e-9f60-718293a4b5c6");
}

TEST(InquiryTest, DeviceIdentification) {
  Fixture f;
  std::vector<uint8_t> d = Vpd(f, 0x83);
  ASSERT_GE(d.size(), 4u + 20u);
  // First designator: binary, LU association, NAA, 16 bytes, NAA 6h with LIO's company ID
  // and the serial's hex digits (6a8c7f2e1b3d...).
  EXPECT_EQ(d[4], 0x01);
  EXPECT_EQ(d[5], 0x03);
  EXPECT_EQ(d[7], 16);
  const std::vector<uint8_t> naa(d.begin() + 8, d.begin() + 24);
  const std::vector<uint8_t> want = {0x60, 0x01, 0x40, 0x56, 0xa8, 0xc7, 0xf2, 0xe1,
                                     0xb3, 0xd4, 0xc5, 0xe9, 0xf6, 0x07, 0x18, 0x29};
  EXPECT_EQ(naa, want);
  // Second: ASCII T10 vendor ID = vendor (8) + serial.
  EXPECT_EQ(d[24], 0x02);
  EXPECT_EQ(d[25], 0x01);
  std::string t10(d.begin() + 28, d.begin() + 28 + d[27]);
  EXPECT_EQ(t10, "REFTGT  6a8c7f2e-1b3d-4c5e-9f60-718293a4b5c6");
}

TEST(InquiryTest, BlockLimits) {
  Fixture f;
  std::vector<uint8_t> d = Vpd(f, 0xB0, 64);
  ASSERT_EQ(d.size(), 64u);
  EXPECT_EQ(d[3], 0x3C);
  EXPECT_EQ(d[4] & 0x01, 0x01);                // WSNZ
  EXPECT_EQ(Load32(&d[8]), (8u << 20) / 512);  // MAXIMUM TRANSFER LENGTH
  EXPECT_EQ(Load32(&d[20]), 0u);               // no UNMAP when not thin
  EXPECT_EQ(Load32(&d[24]), 0u);
  EXPECT_EQ(Load64(&d[36]), 0xFFFFu);  // MAXIMUM WRITE SAME LENGTH
}

TEST(InquiryTest, BlockLimitsThin) {
  Fixture f({.thin = true});
  std::vector<uint8_t> d = Vpd(f, 0xB0, 64);
  EXPECT_EQ(Load32(&d[20]), 1u << 20);
  EXPECT_EQ(Load32(&d[24]), 2048u);
  EXPECT_EQ(Load32(&d[28]), 1u);
  EXPECT_EQ(d[32] & 0x80, 0x80);  // UGAVALID
}

TEST(InquiryTest, BlockDeviceCharacteristics) {
  LogicalUnitConfig c;
  c.non_rotational = true;
  Fixture f({}, c);
  std::vector<uint8_t> d = Vpd(f, 0xB1);
  ASSERT_EQ(d.size(), 64u);
  EXPECT_EQ(Load16(&d[4]), 1u);
}

TEST(InquiryTest, LogicalBlockProvisioning) {
  Fixture thick;
  std::vector<uint8_t> d = Vpd(thick, 0xB2);
  ASSERT_EQ(d.size(), 8u);
  EXPECT_EQ(d[5], 0x00);
  Fixture thin({.thin = true});
  d = Vpd(thin, 0xB2);
  EXPECT_EQ(d[5] & 0x80, 0x80);  // LBPU
  EXPECT_EQ(d[5] & 0x40, 0x40);  // LBPWS
  EXPECT_EQ(d[5] & 0x20, 0x20);  // LBPWS10
  EXPECT_EQ(d[5] & 0x04, 0x04);  // LBPRZ
  EXPECT_EQ(d[5] & 0x02, 0x00);  // ANC_SUP
  EXPECT_EQ(d[6] & 0x07, 0x02);  // thin provisioned
}

TEST(InquiryTest, ProductFromConfig) {
  LogicalUnitConfig c;
  c.vendor = "VENDORNAMETOOLONG";
  c.product = "Prod\x01uct";
  Fixture f({}, c);
  std::vector<uint8_t> d = DataIn(f.Do(testing::InquiryCdb(false, 0, 96)));
  EXPECT_EQ(std::string(d.begin() + 8, d.begin() + 16), "VENDORNA");
  EXPECT_EQ(std::string(d.begin() + 16, d.begin() + 32), "Prod uct        ");
}

TEST(TestUnitReadyTest, Simple) {
  Fixture f;
  ScsiResponse r = f.Do({0x00, 0, 0, 0, 0, 0});
  EXPECT_TRUE(IsGood(r));
  EXPECT_EQ(r.data_in_length, 0u);
}

TEST(RequestSenseTest, NoSense) {
  Fixture f;
  ScsiResponse r = f.Do({0x03, 0, 0, 0, 252, 0});
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  ASSERT_EQ(d.size(), 18u);
  EXPECT_EQ(d[0], 0x70);
  EXPECT_EQ(d[2], 0x00);
  EXPECT_EQ(d[12], 0x00);
}

TEST(RequestSenseTest, DescriptorFormat) {
  Fixture f;
  std::vector<uint8_t> d = DataIn(f.Do({0x03, 0x01, 0, 0, 252, 0}));
  ASSERT_EQ(d.size(), 8u);
  EXPECT_EQ(d[0], 0x72);
}

TEST(RequestSenseTest, AllocLength) {
  Fixture f;
  EXPECT_EQ(DataIn(f.Do({0x03, 0, 0, 0, 4, 0})).size(), 4u);
  EXPECT_EQ(DataIn(f.Do({0x03, 0, 0, 0, 0, 0})).size(), 0u);
}

TEST(CdbCheckTest, InvalidOpcode) {
  Fixture f;
  for (uint8_t op : {0x02, 0x07, 0x3B, 0x7F, 0xC0, 0xFF}) {
    EXPECT_TRUE(HasSense(f.Do({op, 0, 0, 0, 0, 0}), 0x05, 0x20, 0x00)) << std::hex << int(op);
  }
}

TEST(CdbCheckTest, UnsupportedServiceAction) {
  Fixture f;
  // SERVICE ACTION IN(16) 1Fh and MAINTENANCE IN 05h: invalid field, pointer at byte 1 (which
  // libiscsi reads as "not implemented").
  std::vector<uint8_t> c(16, 0);
  c[0] = 0x9E;
  c[1] = 0x1F;
  ScsiResponse r = f.Do(c);
  EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00));
  testing::Sense s = ParseSense(r.sense);
  EXPECT_TRUE(s.sksv);
  EXPECT_TRUE(s.cd);
  EXPECT_EQ(s.field_pointer, 1);
  c = std::vector<uint8_t>(12, 0);
  c[0] = 0xA3;
  c[1] = 0x05;
  EXPECT_EQ(ParseSense(f.Do(c).sense).field_pointer, 1);
}

TEST(CdbCheckTest, ShortCdb) {
  Fixture f;
  ScsiCommand c = testing::MakeCommand({0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0});
  c.cdb.resize(6);  // a READ(10) cut to 6 bytes
  EXPECT_TRUE(HasSense(testing::Run(*f.lu, std::move(c)), 0x05, 0x24, 0x00));
  ScsiCommand empty = testing::MakeCommand({});
  empty.cdb.clear();
  EXPECT_TRUE(HasSense(testing::Run(*f.lu, std::move(empty)), 0x05, 0x24, 0x00));
}

TEST(CdbCheckTest, Naca) {
  Fixture f;
  ScsiResponse r = f.Do({0x00, 0, 0, 0, 0, 0x04});
  EXPECT_TRUE(HasSense(r, 0x05, 0x24, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 5);
}

std::vector<uint8_t> AllOpcodes(Fixture& f, bool rctd = false) {
  ScsiResponse r = f.Do(testing::RsocCdb(0, 0, 0, 65535, rctd));
  EXPECT_TRUE(IsGood(r));
  return DataIn(r);
}

struct Descriptor {
  uint8_t opcode;
  uint16_t sa;
  bool servactv;
  bool ctdp;
  uint16_t cdb_length;
};

std::vector<Descriptor> ParseAll(const std::vector<uint8_t>& d) {
  std::vector<Descriptor> out;
  const size_t end = 4 + Load32(&d[0]);
  EXPECT_EQ(end, d.size());
  for (size_t pos = 4; pos + 8 <= end;) {
    Descriptor x{d[pos], Load16(&d[pos + 2]), (d[pos + 5] & 1) != 0, (d[pos + 5] & 2) != 0,
                 Load16(&d[pos + 6])};
    out.push_back(x);
    pos += 8;
    if (x.ctdp) {
      EXPECT_EQ(Load16(&d[pos]), 0x0A);
      pos += 12;
    }
  }
  return out;
}

TEST(ReportSupportedOpcodesTest, Simple) {
  Fixture f;
  ScsiResponse r = f.Do(testing::RsocCdb(0, 0, 0, 1024));
  ASSERT_TRUE(IsGood(r));
  std::vector<Descriptor> all = ParseAll(AllOpcodes(f));
  std::set<std::pair<int, int>> seen;
  for (const auto& d : all) seen.insert({d.opcode, d.sa});
  for (auto want : std::vector<std::pair<int, int>>{
           {0x28, 0}, {0x2A, 0}, {0x12, 0}, {0x9E, 0x10}, {0xA3, 0x0C}, {0x35, 0}, {0x41, 0}}) {
    EXPECT_TRUE(seen.count(want)) << std::hex << want.first << "/" << want.second;
  }
  // UNMAP is thin-only.
  EXPECT_FALSE(seen.count({0x42, 0}));
  Fixture thin({.thin = true});
  bool has_unmap = false;
  for (const auto& d : ParseAll(AllOpcodes(thin))) has_unmap |= d.opcode == 0x42;
  EXPECT_TRUE(has_unmap);
}

TEST(ReportSupportedOpcodesTest, SERVACTV) {
  Fixture f;
  for (const auto& d : ParseAll(AllOpcodes(f))) {
    if (!d.servactv) {
      EXPECT_EQ(d.sa, 0) << std::hex << int(d.opcode);
    }
    EXPECT_EQ(d.servactv, d.opcode == 0x9E || d.opcode == 0xA3);
  }
}

TEST(ReportSupportedOpcodesTest, RCTD) {
  Fixture f;
  for (const auto& d : ParseAll(AllOpcodes(f, false))) EXPECT_FALSE(d.ctdp);
  std::vector<Descriptor> with = ParseAll(AllOpcodes(f, true));
  ASSERT_FALSE(with.empty());
  for (const auto& d : with) EXPECT_TRUE(d.ctdp);
}

TEST(ReportSupportedOpcodesTest, OneCommand) {
  Fixture f;
  for (const auto& d : ParseAll(AllOpcodes(f))) {
    // Reporting options 001b works only without service actions, 010b only with.
    ScsiResponse one = f.Do(testing::RsocCdb(1, d.opcode, d.sa, 65535));
    ScsiResponse sa = f.Do(testing::RsocCdb(2, d.opcode, d.sa, 65535));
    ScsiResponse& good = d.servactv ? sa : one;
    EXPECT_TRUE(HasSense(d.servactv ? one : sa, 0x05, 0x24, 0x00)) << std::hex << int(d.opcode);
    ASSERT_TRUE(IsGood(good)) << std::hex << int(d.opcode);
    std::vector<uint8_t> x = DataIn(good);
    ASSERT_GE(x.size(), 4u);
    EXPECT_EQ(x[1] & 0x07, 0x03);  // supported per standard
    EXPECT_EQ(Load16(&x[2]), d.cdb_length);
    ASSERT_EQ(x.size(), 4u + d.cdb_length);
    EXPECT_EQ(x[4], d.opcode);
    if (d.servactv) {
      EXPECT_EQ(x[5] & 0x1F, d.sa);
    }
  }
}

TEST(ReportSupportedOpcodesTest, OneCommandNotSupported) {
  Fixture f;
  ScsiResponse r = f.Do(testing::RsocCdb(1, 0x07, 0, 65535));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  EXPECT_EQ(d[1] & 0x07, 0x01);
  EXPECT_EQ(Load16(&d[2]), 0);
  // Thin-only UNMAP is not supported on a fully provisioned unit.
  EXPECT_EQ(DataIn(f.Do(testing::RsocCdb(1, 0x42, 0, 65535)))[1] & 0x07, 0x01);
  // Options 011b on an opcode without service actions but a nonzero SA: not supported.
  EXPECT_EQ(DataIn(f.Do(testing::RsocCdb(3, 0x28, 5, 65535)))[1] & 0x07, 0x01);
  EXPECT_EQ(DataIn(f.Do(testing::RsocCdb(3, 0x28, 0, 65535)))[1] & 0x07, 0x03);
  // Reserved reporting options.
  EXPECT_TRUE(HasSense(f.Do(testing::RsocCdb(7, 0, 0, 65535)), 0x05, 0x24, 0x00));
}

TEST(ReportSupportedOpcodesTest, DpoFuaUsage) {
  Fixture f;
  for (uint8_t op : {0x28, 0x2A, 0xA8, 0xAA, 0x88, 0x8A}) {
    std::vector<uint8_t> d = DataIn(f.Do(testing::RsocCdb(1, op, 0, 65535)));
    EXPECT_EQ(d[5] & 0x18, 0x18) << std::hex << int(op);
  }
  for (uint8_t op : {0x2F, 0x2E, 0xAF, 0xAE, 0x8F, 0x8E}) {
    std::vector<uint8_t> d = DataIn(f.Do(testing::RsocCdb(1, op, 0, 65535)));
    EXPECT_EQ(d[5] & 0x10, 0x10) << std::hex << int(op);
  }
}

TEST(ReportSupportedOpcodesTest, WriteSameUnmapUsageFollowsThin) {
  Fixture thick;
  EXPECT_EQ(DataIn(thick.Do(testing::RsocCdb(1, 0x41, 0, 65535)))[5] & 0x08, 0x00);
  Fixture thin({.thin = true});
  EXPECT_EQ(DataIn(thin.Do(testing::RsocCdb(1, 0x41, 0, 65535)))[5] & 0x08, 0x08);
}

// Everything REPORT SUPPORTED OPERATION CODES lists must execute (never INVALID COMMAND
// OPERATION CODE), and everything that executes must be listed.
TEST(ReportSupportedOpcodesTest, ListMatchesImplementation) {
  for (bool thin : {false, true}) {
    Fixture f({.thin = thin});
    std::set<std::pair<int, int>> listed;
    for (const auto& d : ParseAll(AllOpcodes(f))) listed.insert({d.opcode, d.sa});
    for (int op = 0; op < 256; ++op) {
      const bool sa_op = op == 0x9E || op == 0xA3;
      for (int sa = 0; sa < (sa_op ? 32 : 1); ++sa) {
        std::vector<uint8_t> cdb(16, 0);
        cdb[0] = static_cast<uint8_t>(op);
        if (sa_op) cdb[1] = static_cast<uint8_t>(sa);
        ScsiResponse r = f.Do(cdb);
        testing::Sense s = ParseSense(r.sense);
        const bool not_implemented =
            r.status == ScsiStatus::kCheckCondition && s.key == 0x05 &&
            (s.asc == 0x20 || (sa_op && s.asc == 0x24 && s.field_pointer == 1));
        EXPECT_EQ(!not_implemented, listed.count({op, sa}) == 1)
            << "opcode " << std::hex << op << " sa " << sa << " thin " << thin;
      }
    }
  }
}

}  // namespace
}  // namespace reftarget::scsi
