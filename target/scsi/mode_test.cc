// MODE SENSE / MODE SELECT: pages, page control, block descriptors, D_SENSE and WCE changes,
// and the MODE PARAMETERS CHANGED unit attention (libiscsi ModeSense6.*).
#include <gtest/gtest.h>

#include "target/scsi/byte_order.h"
#include "target/scsi/testing/scsi_test_util.h"

namespace reftarget::scsi {
namespace {

using testing::DataIn;
using testing::Fixture;
using testing::HasSense;
using testing::IsGood;
using testing::ModeSense10Cdb;
using testing::ModeSense6Cdb;
using testing::ParseSense;

// Returns the pages of a MODE SENSE(6) reply, keyed by page code.
std::map<uint8_t, std::vector<uint8_t>> Pages6(const std::vector<uint8_t>& d) {
  std::map<uint8_t, std::vector<uint8_t>> pages;
  EXPECT_GE(d.size(), 4u);
  EXPECT_EQ(d[0], d.size() - 1);
  for (size_t pos = 4 + d[3]; pos + 2 <= d.size(); pos += 2 + d[pos + 1]) {
    pages[d[pos] & 0x3F] = std::vector<uint8_t>(d.begin() + pos, d.begin() + pos + 2 + d[pos + 1]);
  }
  return pages;
}

std::vector<uint8_t> ModeSelect6Cdb(uint8_t len, uint8_t flags = 0x10) {
  return {0x15, flags, 0, 0, len, 0};
}

// A MODE SELECT(6) parameter list carrying `page` (PS cleared).
std::vector<uint8_t> SelectList(std::vector<uint8_t> page) {
  page[0] &= 0x3F;
  std::vector<uint8_t> list = {0, 0, 0, 0};
  list.insert(list.end(), page.begin(), page.end());
  return list;
}

TEST(ModeSense6Test, AllPages) {
  Fixture f;
  ScsiResponse r = f.Do(ModeSense6Cdb(0, 0x3F, 255));
  ASSERT_TRUE(IsGood(r));
  std::vector<uint8_t> d = DataIn(r);
  EXPECT_GE(d[0], 3);
  EXPECT_EQ(d[2] & 0x10, 0x10);  // DPOFUA
  EXPECT_EQ(d[2] & 0x80, 0x00);  // not write protected
  EXPECT_EQ(d[3], 8);            // one short block descriptor
  EXPECT_EQ(Load32(&d[4]), f.blocks);
  EXPECT_EQ(Load24(&d[9]), f.bs);
  auto pages = Pages6(d);
  EXPECT_EQ(pages.size(), 3u);
  EXPECT_TRUE(pages.count(0x08));
  EXPECT_TRUE(pages.count(0x0A));
  EXPECT_TRUE(pages.count(0x1C));
}

TEST(ModeSense6Test, Control) {
  Fixture f;
  auto all = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x3F, 255))));
  auto one = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x0A, 255))));
  ASSERT_EQ(one.size(), 1u);
  ASSERT_TRUE(one.count(0x0A));
  EXPECT_EQ(one[0x0A], all[0x0A]);
  const auto& p = one[0x0A];
  ASSERT_EQ(p.size(), 12u);
  EXPECT_EQ(p[2] & 0xE0, 0);      // TST 0
  EXPECT_EQ(p[2] & 0x04, 0);      // D_SENSE off by default
  EXPECT_EQ(p[3] >> 4, 1);        // QUEUE ALGORITHM MODIFIER unrestricted
  EXPECT_NE((p[3] >> 1) & 3, 2);  // QERR not 2
  EXPECT_NE((p[4] >> 4) & 3, 1);  // UA_INTLCK_CTRL not 1
  EXPECT_EQ(p[5] & 0x40, 0x40);   // TAS
  EXPECT_NE(Load16(&p[8]), 0);    // BUSY TIMEOUT PERIOD defined
}

TEST(ModeSense6Test, ControlDSense) {
  Fixture f;
  // D_SENSE off: a failing command returns fixed format sense.
  ScsiResponse r = f.Do(testing::Cdb16(0x88, ~0ull, 1));
  ASSERT_TRUE(HasSense(r, 0x05, 0x21, 0x00));
  EXPECT_EQ(r.sense[0], 0x70);
  // Switch D_SENSE on with MODE SELECT; the next error is in descriptor format.
  auto control = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x0A, 255))))[0x0A];
  control[2] |= 0x04;
  std::vector<uint8_t> list = SelectList(control);
  ASSERT_TRUE(IsGood(f.Do(ModeSelect6Cdb(static_cast<uint8_t>(list.size())), list)));
  EXPECT_EQ(Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x0A, 255))))[0x0A][2] & 0x04, 0x04);
  r = f.Do(testing::Cdb16(0x88, ~0ull, 1));
  ASSERT_TRUE(HasSense(r, 0x05, 0x21, 0x00));
  EXPECT_EQ(r.sense[0], 0x72);
  // Field pointers survive in descriptor format.
  r = f.Do(testing::InquiryCdb(false, 1, 96));
  testing::Sense s = ParseSense(r.sense);
  EXPECT_TRUE(s.descriptor);
  EXPECT_TRUE(s.sksv);
  EXPECT_EQ(s.field_pointer, 2);
}

TEST(ModeSense6Test, ControlSwpNotChangeable) {
  Fixture f;
  auto ch = Pages6(DataIn(f.Do(ModeSense6Cdb(1, 0x0A, 255, true))))[0x0A];
  EXPECT_EQ(ch[4] & 0x08, 0);  // SWP not changeable: libiscsi Control-SWP skips
  EXPECT_EQ(ch[2], 0x04);      // only D_SENSE
  auto control = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x0A, 255))))[0x0A];
  control[4] |= 0x08;
  std::vector<uint8_t> list = SelectList(control);
  ScsiResponse r = f.Do(ModeSelect6Cdb(static_cast<uint8_t>(list.size())), list);
  EXPECT_TRUE(HasSense(r, 0x05, 0x26, 0x00));
  testing::Sense s = ParseSense(r.sense);
  EXPECT_FALSE(s.cd);
  EXPECT_EQ(s.field_pointer, 4 + 4);
}

TEST(ModeSense6Test, Residuals) {
  Fixture f;
  ScsiResponse r = f.Do(ModeSense6Cdb(0, 0x3F, 4));
  ASSERT_TRUE(IsGood(r));
  EXPECT_EQ(r.data_in_length, 4u);
  EXPECT_EQ(r.cdb_transfer_length, 4u);  // no overflow with EDTL 4
  r = f.Do(ModeSense6Cdb(0, 0x3F, 255));
  EXPECT_LT(r.cdb_transfer_length, 255u);  // less than asked: an underflow for the transport
  EXPECT_EQ(r.cdb_transfer_length, r.data_in_length);
}

TEST(ModeSense6Test, PageControl) {
  Fixture f;
  EXPECT_TRUE(HasSense(f.Do(ModeSense6Cdb(3, 0x3F, 255)), 0x05, 0x39, 0x00));
  auto def = Pages6(DataIn(f.Do(ModeSense6Cdb(2, 0x3F, 255))));
  EXPECT_EQ(def.size(), 3u);
  auto ch = Pages6(DataIn(f.Do(ModeSense6Cdb(1, 0x08, 255))));
  EXPECT_EQ(ch[0x08][2], 0x04);                                                // WCE changeable
  EXPECT_TRUE(HasSense(f.Do(ModeSense6Cdb(0, 0x19, 255)), 0x05, 0x24, 0x00));  // no such page
  EXPECT_TRUE(HasSense(f.Do(ModeSense6Cdb(0, 0x08, 255, false, 0x01)), 0x05, 0x24, 0x00));
  EXPECT_TRUE(IsGood(f.Do(ModeSense6Cdb(0, 0x3F, 255, false, 0xFF))));
}

TEST(ModeSense6Test, Dbd) {
  Fixture f;
  std::vector<uint8_t> d = DataIn(f.Do(ModeSense6Cdb(0, 0x08, 255, true)));
  EXPECT_EQ(d[3], 0);
  EXPECT_EQ(d.size(), 4u + 20u);
}

TEST(ModeSense10Test, LongLba) {
  Fixture f;
  std::vector<uint8_t> d = DataIn(f.Do(ModeSense10Cdb(0, 0x08, 255, false, true)));
  ASSERT_GE(d.size(), 8u + 16u + 20u);
  EXPECT_EQ(Load16(&d[0]), d.size() - 2);
  EXPECT_EQ(d[3] & 0x10, 0x10);
  EXPECT_EQ(d[4] & 0x01, 0x01);  // LONGLBA
  EXPECT_EQ(Load16(&d[6]), 16);
  EXPECT_EQ(Load64(&d[8]), f.blocks);
  EXPECT_EQ(Load32(&d[20]), f.bs);
  d = DataIn(f.Do(ModeSense10Cdb(0, 0x08, 255)));
  EXPECT_EQ(Load16(&d[6]), 8);
}

TEST(ModeSelectTest, WriteCacheEnable) {
  Fixture f;
  auto caching = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x08, 255))))[0x08];
  EXPECT_EQ(caching[2] & 0x04, 0);
  caching[2] |= 0x04;
  std::vector<uint8_t> list = SelectList(caching);
  ASSERT_TRUE(IsGood(f.Do(ModeSelect6Cdb(static_cast<uint8_t>(list.size())), list)));
  EXPECT_TRUE(f.store->capabilities().write_back);
  EXPECT_EQ(Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x08, 255))))[0x08][2] & 0x04, 0x04);
  EXPECT_EQ(Pages6(DataIn(f.Do(ModeSense6Cdb(2, 0x08, 255))))[0x08][2] & 0x04, 0x00);  // default
}

TEST(ModeSelectTest, WriteCacheRefusedByStore) {
  Fixture f({.can_enable_write_back = false});
  auto caching = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x08, 255))))[0x08];
  caching[2] |= 0x04;
  std::vector<uint8_t> list = SelectList(caching);
  ScsiResponse r = f.Do(ModeSelect6Cdb(static_cast<uint8_t>(list.size())), list);
  EXPECT_TRUE(HasSense(r, 0x05, 0x26, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 4 + 2);
  EXPECT_FALSE(f.store->capabilities().write_back);
}

TEST(ModeSelectTest, ModeSelect10WithBlockDescriptor) {
  Fixture f;
  std::vector<uint8_t> d = DataIn(f.Do(ModeSense10Cdb(0, 0x0A, 255)));
  // Reuse the sense reply as the parameter list: header (mode data length is reserved in
  // MODE SELECT), one block descriptor restating the geometry, then the page with D_SENSE.
  d[0] = d[1] = 0;
  d[3] = 0;
  d[8 + 8 + 2] |= 0x04;
  std::vector<uint8_t> cdb = {0x55, 0x10, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(d.size()), 0};
  ASSERT_TRUE(IsGood(f.Do(cdb, d)));
  EXPECT_EQ(f.Do(testing::Cdb16(0x88, ~0ull, 1)).sense[0], 0x72);
  // A descriptor that changes the block length is refused.
  Store24(&d[8 + 5], 4096);
  ScsiResponse r = f.Do(cdb, d);
  EXPECT_TRUE(HasSense(r, 0x05, 0x26, 0x00));
  EXPECT_EQ(ParseSense(r.sense).field_pointer, 8 + 5);
}

TEST(ModeSelectTest, CdbAndListErrors) {
  Fixture f;
  auto control = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x0A, 255))))[0x0A];
  std::vector<uint8_t> list = SelectList(control);
  const uint8_t n = static_cast<uint8_t>(list.size());
  EXPECT_TRUE(HasSense(f.Do(ModeSelect6Cdb(n, 0x11), list), 0x05, 0x24, 0x00));  // SP
  EXPECT_TRUE(HasSense(f.Do(ModeSelect6Cdb(n, 0x00), list), 0x05, 0x24, 0x00));  // PF=0
  EXPECT_TRUE(IsGood(f.Do(ModeSelect6Cdb(0))));                                  // no list
  EXPECT_TRUE(HasSense(f.Do(ModeSelect6Cdb(3), {0, 0, 0}), 0x05, 0x1A, 0x00));   // short header
  std::vector<uint8_t> cut(list.begin(), list.end() - 3);
  EXPECT_TRUE(
      HasSense(f.Do(ModeSelect6Cdb(static_cast<uint8_t>(cut.size())), cut), 0x05, 0x1A, 0x00));
  std::vector<uint8_t> ps = list;
  ps[4] |= 0x80;
  EXPECT_TRUE(HasSense(f.Do(ModeSelect6Cdb(n), ps), 0x05, 0x26, 0x00));
  std::vector<uint8_t> bad_len = list;
  bad_len[5] = 0x0B;
  EXPECT_TRUE(HasSense(f.Do(ModeSelect6Cdb(n), bad_len), 0x05, 0x26, 0x00));
  std::vector<uint8_t> unknown = list;
  unknown[4] = 0x19;
  EXPECT_TRUE(HasSense(f.Do(ModeSelect6Cdb(n), unknown), 0x05, 0x26, 0x00));
  // Restating the current values is fine.
  EXPECT_TRUE(IsGood(f.Do(ModeSelect6Cdb(n), list)));
}

TEST(ModeSelectTest, ModeParametersChangedUa) {
  Fixture f;
  // Nexus 2 is known to the unit (its 29/00 consumed).
  ASSERT_TRUE(IsGood(f.Do({0x03, 0, 0, 0, 18, 0}, {}, 2)));
  auto control = Pages6(DataIn(f.Do(ModeSense6Cdb(0, 0x0A, 255))))[0x0A];
  // No change: no UA.
  std::vector<uint8_t> same = SelectList(control);
  ASSERT_TRUE(IsGood(f.Do(ModeSelect6Cdb(static_cast<uint8_t>(same.size())), same)));
  EXPECT_TRUE(IsGood(f.Do({0x00, 0, 0, 0, 0, 0}, {}, 2)));
  control[2] |= 0x04;
  std::vector<uint8_t> list = SelectList(control);
  ASSERT_TRUE(IsGood(f.Do(ModeSelect6Cdb(static_cast<uint8_t>(list.size())), list)));
  // The changer sees nothing; nexus 2 gets 2A/01 once (in descriptor format now).
  EXPECT_TRUE(IsGood(f.Do({0x00, 0, 0, 0, 0, 0})));
  ScsiResponse r = f.Do({0x00, 0, 0, 0, 0, 0}, {}, 2);
  EXPECT_TRUE(HasSense(r, 0x06, 0x2A, 0x01));
  EXPECT_EQ(r.sense[0], 0x72);
  EXPECT_TRUE(IsGood(f.Do({0x00, 0, 0, 0, 0, 0}, {}, 2)));
}

}  // namespace
}  // namespace reftarget::scsi
