// Each expected byte string is spelled out from the standard's CDB table, not from the
// builder: a test that derived its bytes from the same helper would prove nothing.
#include "harness/iscsi/cdb.h"

#include <gtest/gtest.h>

#include <vector>

namespace harness::iscsi {
namespace {

std::vector<uint8_t> Bytes(const Cdb& c) { return {c.bytes().begin(), c.bytes().end()}; }

TEST(CdbTest, TestUnitReadyIsSixZeroBytes) {
  // SPC-4 Table 197: OPERATION CODE 00h, bytes 1-4 reserved, CONTROL.
  EXPECT_EQ(Bytes(cdb::TestUnitReady()), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0}));
}

TEST(CdbTest, InquiryStandardAndVpd) {
  // SPC-4 Table 142: 12h, EVPD (byte 1 bit 0), PAGE CODE, ALLOCATION LENGTH (bytes 3-4).
  EXPECT_EQ(Bytes(cdb::Inquiry(false, 0, 96)), (std::vector<uint8_t>{0x12, 0, 0, 0, 0x60, 0}));
  EXPECT_EQ(Bytes(cdb::Inquiry(true, 0x83, 0x1234)),
            (std::vector<uint8_t>{0x12, 0x01, 0x83, 0x12, 0x34, 0}));
  EXPECT_EQ(cdb::Inquiry(true, 0x80, 255).Name(), "INQUIRY (VPD)");
}

TEST(CdbTest, ReadCapacity10And16) {
  // SBC-3 Table 63: 25h, LBA bytes 2-5, PMI byte 8 bit 0.
  EXPECT_EQ(Bytes(cdb::ReadCapacity10()), (std::vector<uint8_t>{0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Bytes(cdb::ReadCapacity10(0x01020304, true)),
            (std::vector<uint8_t>{0x25, 0, 1, 2, 3, 4, 0, 0, 1, 0}));
  // SBC-3 Table 65: 9Eh, SERVICE ACTION 10h, LBA 2-9, ALLOCATION LENGTH 10-13.
  EXPECT_EQ(Bytes(cdb::ReadCapacity16(32)),
            (std::vector<uint8_t>{0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0}));
  EXPECT_EQ(cdb::ReadCapacity16().Name(), "READ CAPACITY(16)");
}

TEST(CdbTest, Read10AndWrite10) {
  // SBC-3 Table 41: 28h; RDPROTECT 7-5, DPO 4, FUA 3; LBA 2-5; GROUP 6; LENGTH 7-8.
  EXPECT_EQ(Bytes(cdb::Read10(0x00001000, 8)),
            (std::vector<uint8_t>{0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0}));
  RwFlags f;
  f.protect = 1;
  f.dpo = true;
  f.fua = true;
  f.group = 0x1f;
  EXPECT_EQ(Bytes(cdb::Read10(0xfffffffe, 0xffff, f)),
            (std::vector<uint8_t>{0x28, 0x38, 0xff, 0xff, 0xff, 0xfe, 0x1f, 0xff, 0xff, 0}));
  // SBC-3 Table 115: 2Ah, same layout with WRPROTECT.
  EXPECT_EQ(Bytes(cdb::Write10(1, 1, f)),
            (std::vector<uint8_t>{0x2a, 0x38, 0, 0, 0, 1, 0x1f, 0, 1, 0}));
}

TEST(CdbTest, Read16AndWrite16) {
  // SBC-3 Table 47: 88h; LBA 2-9; TRANSFER LENGTH 10-13; GROUP NUMBER 14.
  EXPECT_EQ(Bytes(cdb::Read16(0x0102030405060708ULL, 0x0a0b0c0d)),
            (std::vector<uint8_t>{0x88, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0}));
  RwFlags f;
  f.fua = true;
  EXPECT_EQ(Bytes(cdb::Write16(~0ULL, 1, f)),
            (std::vector<uint8_t>{0x8a, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
                                  0, 1, 0, 0}));
}

TEST(CdbTest, ReportLuns) {
  // SPC-4 Table 174: A0h; SELECT REPORT byte 2; ALLOCATION LENGTH 6-9; CONTROL 11.
  EXPECT_EQ(Bytes(cdb::ReportLuns(0x02, 0x00010000)),
            (std::vector<uint8_t>{0xa0, 0, 0x02, 0, 0, 0, 0, 1, 0, 0, 0, 0}));
}

TEST(CdbTest, SynchronizeCache) {
  // SBC-3 Table 79: 35h; IMMED byte 1 bit 1; LBA 2-5; GROUP 6; NUMBER OF BLOCKS 7-8.
  EXPECT_EQ(Bytes(cdb::SynchronizeCache10(0x10, 0x20, true)),
            (std::vector<uint8_t>{0x35, 0x02, 0, 0, 0, 0x10, 0, 0, 0x20, 0}));
  // SBC-3 Table 80: 91h; LBA 2-9; NUMBER OF BLOCKS 10-13.
  EXPECT_EQ(Bytes(cdb::SynchronizeCache16(0x10, 0x20, false)),
            (std::vector<uint8_t>{0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0}));
}

TEST(CdbTest, ModeSense6And10) {
  // SPC-4 Table 98: 1Ah; DBD byte 1 bit 3; PC 7-6 + PAGE CODE 5-0; SUBPAGE; ALLOC 4.
  EXPECT_EQ(Bytes(cdb::ModeSense6(true, 0, 0x3f, 0xff, 0xc0)),
            (std::vector<uint8_t>{0x1a, 0x08, 0x3f, 0xff, 0xc0, 0}));
  EXPECT_EQ(Bytes(cdb::ModeSense6(false, 2, 0x08, 0, 4)),
            (std::vector<uint8_t>{0x1a, 0, 0x88, 0, 4, 0}));
  // SPC-4 Table 100: 5Ah; LLBAA bit 4, DBD bit 3; ALLOCATION LENGTH 7-8.
  EXPECT_EQ(Bytes(cdb::ModeSense10(true, true, 1, 0x0a, 0x01, 0x0200)),
            (std::vector<uint8_t>{0x5a, 0x18, 0x4a, 0x01, 0, 0, 0, 0x02, 0x00, 0}));
}

TEST(CdbTest, WriteSame16) {
  // SBC-3 Table 135: 93h; WRPROTECT 7-5, ANCHOR 4, UNMAP 3, NDOB 0; LBA 2-9; NB 10-13.
  cdb::WriteSameFlags f;
  f.unmap = true;
  f.anchor = true;
  EXPECT_EQ(Bytes(cdb::WriteSame16(0x100, 0x80, f)),
            (std::vector<uint8_t>{0x93, 0x18, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x80, 0, 0}));
  f = {};
  f.ndob = true;
  EXPECT_EQ(cdb::WriteSame16(0, 1, f)[1], 0x01);
}

TEST(CdbTest, UnmapAndParameterList) {
  // SBC-3 Table 93: 42h; ANCHOR byte 1 bit 0; GROUP 6; PARAMETER LIST LENGTH 7-8.
  EXPECT_EQ(Bytes(cdb::Unmap(24)), (std::vector<uint8_t>{0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0}));
  // SBC-3 Tables 94/95: one descriptor -> UNMAP DATA LENGTH 22 (0x16), descriptor data 16.
  std::vector<cdb::UnmapExtent> extents{{0x1122334455667788ULL, 0x10}};
  EXPECT_EQ(cdb::UnmapParameterList(extents),
            (std::vector<uint8_t>{0, 0x16, 0, 0x10, 0, 0, 0, 0,                         //
                                  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,     //
                                  0, 0, 0, 0x10, 0, 0, 0, 0}));
  EXPECT_EQ(cdb::UnmapParameterList({}).size(), 8u);
}

TEST(CdbTest, RequestSense) {
  // SPC-4 Table 188: 03h; DESC byte 1 bit 0; ALLOCATION LENGTH byte 4.
  EXPECT_EQ(Bytes(cdb::RequestSense(true, 252)), (std::vector<uint8_t>{0x03, 1, 0, 0, 252, 0}));
}

TEST(CdbTest, ReportSupportedOpcodes) {
  // SPC-4 Table 182: A3h, SA 0Ch; RCTD byte 2 bit 7, REPORTING OPTIONS 2-0; opcode 3;
  // SA 4-5; ALLOCATION LENGTH 6-9.
  EXPECT_EQ(Bytes(cdb::ReportSupportedOpcodes(true, 2, 0x9e, 0x10, 512)),
            (std::vector<uint8_t>{0xa3, 0x0c, 0x82, 0x9e, 0, 0x10, 0, 0, 2, 0, 0, 0}));
}

TEST(CdbTest, Verify10And16) {
  // SBC-3 Table 109: 2Fh; VRPROTECT 7-5, DPO 4, BYTCHK 2-1; LBA 2-5; LENGTH 7-8.
  RwFlags f;
  f.dpo = true;
  f.fua = true;  // VERIFY has no FUA: must not appear
  EXPECT_EQ(Bytes(cdb::Verify10(5, 2, 1, f)),
            (std::vector<uint8_t>{0x2f, 0x12, 0, 0, 0, 5, 0, 0, 2, 0}));
  // SBC-3 Table 111: 8Fh; LBA 2-9; VERIFICATION LENGTH 10-13.
  EXPECT_EQ(Bytes(cdb::Verify16(5, 2, 3)),
            (std::vector<uint8_t>{0x8f, 0x06, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0}));
}

TEST(CdbTest, CompareAndWrite) {
  // SBC-3 Table 6: 89h; LBA 2-9; bytes 10-12 reserved; NUMBER OF LOGICAL BLOCKS 13.
  EXPECT_EQ(Bytes(cdb::CompareAndWrite(0x20, 1)),
            (std::vector<uint8_t>{0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 0}));
}

TEST(CdbTest, StartStopUnit) {
  // SBC-3 Table 82: 1Bh; IMMED byte 1 bit 0; PC MODIFIER byte 3; POWER CONDITION 7-4,
  // NO_FLUSH 2, LOEJ 1, START 0 in byte 4.
  EXPECT_EQ(Bytes(cdb::StartStopUnit()), (std::vector<uint8_t>{0x1b, 0, 0, 0, 1, 0}));
  cdb::StartStopFlags f;
  f.immed = true;
  f.power_condition = 0x3;
  f.no_flush = true;
  f.loej = true;
  f.start = false;
  EXPECT_EQ(Bytes(cdb::StartStopUnit(f)), (std::vector<uint8_t>{0x1b, 1, 0, 0, 0x36, 0}));
}

TEST(CdbTest, RawHexAndNames) {
  Cdb c = Cdb::Raw({0xff, 0x01});
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.Hex(), "ff 01");
  EXPECT_EQ(c.Name(), "opcode 0xff");
  EXPECT_EQ(cdb::Read16(0, 1).Name(), "READ(16)");
  EXPECT_EQ(cdb::ReportSupportedOpcodes(false, 0, 0, 0, 8).Name(),
            "REPORT SUPPORTED OPERATION CODES");
  EXPECT_EQ(HexBytes(std::vector<uint8_t>{1, 2, 3}, 2), "01 02 ...");
  EXPECT_TRUE(cdb::Read10(1, 1) == cdb::Read10(1, 1));
  EXPECT_FALSE(cdb::Read10(1, 1) == cdb::Read10(1, 2));
}

}  // namespace
}  // namespace harness::iscsi
