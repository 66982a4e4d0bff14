// ACL enforcement (TEST-PLAN S15, S16 and row T10; RFC 7143 §11.13.5; SAM-5 §5.8.4; SPC-4
// §6.6 INQUIRY, §6.33 REPORT LUNS, §6.39 REQUEST SENSE): an initiator no ACL lists gets 0202h
// even with another ACL's valid CHAP credentials, and a mapped initiator sees only its LUNs.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "harness/expect/gtest_expect.h"
#include "harness/iscsi/cdb.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/auth/auth_support.h"

namespace conformance::auth {
namespace {

using namespace std::chrono_literals;
namespace hi = harness::iscsi;
using harness::expect::Expect;

#define REQUIRE_ACLS(t)                                                          \
  HARNESS_REQUIRE_CAPABILITY((t).capabilities.acls, "restrict initiators with ACLs"); \
  if ((t).initiators.empty()) GTEST_SKIP() << "the target runs without ACLs (demo mode)"

// Logs in as the one-way CHAP initiator (the mapped one); fails the test if it cannot.
std::unique_ptr<hi::Session> MappedSession(const TargetUnderTest& t) {
  const InitiatorInfo* who = t.ChapInitiator(false);
  if (who == nullptr) who = &t.initiators.front();
  auto session = hi::Session::Connect(OptionsFor(t, *who, false));
  EXPECT_TRUE(session.ok()) << "login as " << who->name << ": " << session.error();
  return session.ok() ? std::move(session).value() : nullptr;
}

// Returns the LUN numbers REPORT LUNS (SELECT REPORT 0) lists; fails the test on error.
std::set<int> ReportedLuns(hi::Session* s) {
  hi::CommandResult r =
      s->Execute(hi::cdb::ReportLuns(0, 4096), hi::DataDirection::kRead, {}, 4096, 5000ms);
  EXPECT_TRUE(r.good()) << r.Describe();
  std::set<int> luns;
  if (!r.good() || r.data_in.size() < 8) return luns;
  const uint32_t list_length = static_cast<uint32_t>(r.data_in[0]) << 24 | r.data_in[1] << 16 |
                               r.data_in[2] << 8 | r.data_in[3];
  for (size_t off = 8; off + 8 <= r.data_in.size() && off < 8 + list_length; off += 8) {
    const uint8_t method = r.data_in[off] >> 6;  // SAM-5 §4.7: 00b peripheral, 01b flat
    if (method == 0) luns.insert(r.data_in[off + 1]);
    if (method == 1) luns.insert((r.data_in[off] & 0x3f) << 8 | r.data_in[off + 1]);
  }
  return luns;
}

// Returns a LUN number in 0..255 that neither REPORT LUNS nor the target file names.
int UnmappedLun(const TargetUnderTest& t, const std::set<int>& reported) {
  for (int n = 0; n < 256; ++n) {
    const bool in_file = std::any_of(t.luns.begin(), t.luns.end(),
                                     [&](const auto& l) { return l.number == n; });
    if (!in_file && reported.count(n) == 0) return n;
  }
  return -1;
}

hi::CommandRequest On(int lun, hi::Cdb cdb, hi::DataDirection dir, uint32_t in_len = 0) {
  hi::CommandRequest r;
  r.cdb = cdb;
  r.direction = dir;
  r.data_in_length = in_len;
  r.lun = lun;
  r.limit = 5000ms;
  return r;
}

TEST(Acl, UnlistedInitiatorWithValidChapIsAuthorizationFailure) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §11.13.5 (0202h Authorization failure)");
  REQUIRE_ACLS(t);
  const InitiatorInfo* who = t.ChapInitiator(false);
  if (who == nullptr) GTEST_SKIP() << "the target file lists no one-way CHAP ACL";
  InitiatorInfo stranger = *who;  // another ACL's valid credentials, under a name no ACL lists
  stranger.name = UnlistedInitiator(t, "valid-chap");
  auto session = hi::Session::Connect(OptionsFor(t, stranger, false));
  ASSERT_FALSE(session.ok()) << stranger.name << " logged in although no ACL lists it";
  EXPECT_EQ(session.status().code(), kAuthorizationFailure) << session.error();
  ExpectTargetServes(t, "after an unlisted initiator");
}

TEST(Acl, UnlistedInitiatorWithoutChapIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // Without credentials either check may fail first: 0201h or 0202h.
  HARNESS_CLAUSE("RFC 7143 §11.13.5 (0201h / 0202h)");
  REQUIRE_ACLS(t);
  InitiatorInfo stranger;
  stranger.name = UnlistedInitiator(t, "no-chap");
  auto session = hi::Session::Connect(OptionsFor(t, stranger, false));
  ASSERT_FALSE(session.ok()) << stranger.name << " logged in although no ACL lists it";
  EXPECT_TRUE(StatusIn(session.status().code(), {kAuthFailure, kAuthorizationFailure}))
      << session.error();
}

TEST(Acl, UnmappedLunIsLogicalUnitNotSupported) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("SAM-5 §5.8.4 / SPC-4 §4.5.6: 05/25/00 LOGICAL UNIT NOT SUPPORTED");
  REQUIRE_ACLS(t);
  auto s = MappedSession(t);
  ASSERT_TRUE(s);
  const int lun = UnmappedLun(t, ReportedLuns(s.get()));
  ASSERT_GE(lun, 0) << "every LUN 0..255 is mapped";
  RecordProperty("unmapped_lun", lun);
  EXPECT_SCSI(s->Execute(On(lun, hi::cdb::TestUnitReady(), hi::DataDirection::kNone)),
              Expect::LunNotSupported(), "SAM-5 §5.8.4: TEST UNIT READY to an unmapped LUN");
  EXPECT_SCSI(s->Execute(On(lun, hi::cdb::Read16(0, 1), hi::DataDirection::kRead, 512)),
              Expect::LunNotSupported(), "SAM-5 §5.8.4: READ(16) to an unmapped LUN");
  EXPECT_SCSI(s->Execute(On(lun, hi::cdb::ReadCapacity16(), hi::DataDirection::kRead, 32)),
              Expect::LunNotSupported(), "SAM-5 §5.8.4: READ CAPACITY(16) to an unmapped LUN");
  if (t.allow_data_loss) {
    hi::CommandRequest w = On(lun, hi::cdb::Write16(0, 1), hi::DataDirection::kWrite);
    w.data_out.assign(512, 0xa5);
    EXPECT_SCSI(s->Execute(w), Expect::LunNotSupported(),
                "SAM-5 §5.8.4: WRITE(16) to an unmapped LUN");
  }
  // The mapped LUN is unaffected on the same session.
  EXPECT_SCSI(s->Execute(On(t.luns[0].number, hi::cdb::TestUnitReady(), hi::DataDirection::kNone)),
              Expect::Good(), "SAM-5: the mapped LUN still answers");
}

TEST(Acl, InquiryToUnmappedLunReportsQualifier011b) {
  HARNESS_REQUIRE_TARGET(t);
  // SAM-5 §5.8.4 a) / SPC-4 §6.6.2: INQUIRY to an incorrect LUN returns data with PERIPHERAL
  // QUALIFIER 011b and PERIPHERAL DEVICE TYPE 1Fh (byte 0 = 7Fh).
  HARNESS_CLAUSE("SAM-5 §5.8.4, SPC-4 §6.6.2 (peripheral qualifier 011b, type 1Fh)");
  REQUIRE_ACLS(t);
  auto s = MappedSession(t);
  ASSERT_TRUE(s);
  const int lun = UnmappedLun(t, ReportedLuns(s.get()));
  ASSERT_GE(lun, 0);
  hi::CommandResult r = s->Execute(On(lun, hi::cdb::Inquiry(false, 0, 96), hi::DataDirection::kRead, 96));
  ASSERT_SCSI(r, Expect::Good(), "SPC-4 §6.6.2: INQUIRY to an unmapped LUN completes GOOD");
  ASSERT_FALSE(r.data_in.empty()) << "INQUIRY returned no data";
  EXPECT_EQ(r.data_in[0] >> 5, 3) << "peripheral qualifier of LUN " << lun << ": byte 0 = 0x"
                                  << std::hex << int(r.data_in[0]);
  EXPECT_EQ(r.data_in[0] & 0x1f, 0x1f) << "peripheral device type of LUN " << lun;
}

TEST(Acl, RequestSenseOnUnmappedLunReportsNotSupported) {
  HARNESS_REQUIRE_TARGET(t);
  // SAM-5 §5.8.4 b): REQUEST SENSE to an incorrect LUN returns sense data 05/25/00 as its
  // parameter data; a CHECK CONDITION with the same sense tells the same.
  HARNESS_CLAUSE("SAM-5 §5.8.4, SPC-4 §6.39 (REQUEST SENSE)");
  REQUIRE_ACLS(t);
  auto s = MappedSession(t);
  ASSERT_TRUE(s);
  const int lun = UnmappedLun(t, ReportedLuns(s.get()));
  ASSERT_GE(lun, 0);
  hi::CommandResult r =
      s->Execute(On(lun, hi::cdb::RequestSense(false, 252), hi::DataDirection::kRead, 252));
  if (r.good()) {
    hi::DecodedSense d = hi::DecodeSense(r.data_in);
    EXPECT_TRUE(d.complete && d.key == 0x05 && d.asc == 0x25 && d.ascq == 0x00)
        << "REQUEST SENSE data for unmapped LUN " << lun << ": " << d.Describe() << " ["
        << hi::HexBytes(r.data_in, 18) << "]";
    return;
  }
  EXPECT_SCSI(r, Expect::LunNotSupported(), "SAM-5 §5.8.4: REQUEST SENSE to an unmapped LUN");
}

TEST(Acl, ReportLunsListsOnlyAccessibleLuns) {
  HARNESS_REQUIRE_TARGET(t);
  // SPC-4 §6.33: REPORT LUNS lists the LUNs accessible to the I_T nexus: every LUN the ACL
  // maps, and nothing the INQUIRY of which says "no logical unit here" (qualifier 011b).
  HARNESS_CLAUSE("SPC-4 §6.33 (REPORT LUNS), TEST-PLAN S15");
  REQUIRE_ACLS(t);
  auto s = MappedSession(t);
  ASSERT_TRUE(s);
  const std::set<int> reported = ReportedLuns(s.get());
  for (const auto& l : t.luns) {
    EXPECT_TRUE(reported.count(l.number)) << "REPORT LUNS omits mapped LUN " << l.number;
  }
  for (int n : reported) {
    hi::CommandResult r =
        s->Execute(On(n, hi::cdb::Inquiry(false, 0, 96), hi::DataDirection::kRead, 96));
    ASSERT_TRUE(r.good() && !r.data_in.empty()) << "INQUIRY of reported LUN " << n << ": "
                                                << r.Describe();
    EXPECT_NE(r.data_in[0] >> 5, 3) << "REPORT LUNS lists LUN " << n
                                    << ", which INQUIRY says is not accessible";
  }
  RecordProperty("reported_luns", std::to_string(reported.size()));
}

}  // namespace
}  // namespace conformance::auth
