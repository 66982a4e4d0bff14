// Hostile Data-Out (TEST-PLAN S3, S5, S6 and row T17; RFC 7143 §11.7 Data-Out, §11.8 R2T,
// §11.4.7.2 iSCSI sense, §13.14 FirstBurstLength, §7 ERL 0): Data-Out for an unknown task
// or an unknown TTT, a wrong DataSN, data beyond EDTL or beyond what the R2T asked, and
// unsolicited or immediate data beyond FirstBurstLength. A violation fails the task (Reject
// or CHECK CONDITION) and never writes the hostile bytes; GOOD is allowed only when the
// target discarded the bad PDU with a Reject and then received the right data.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>

#include "harness/expect/expectation.h"
#include "harness/expect/gtest_expect.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/hostile_support.h"

namespace conformance::hostile {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;
using harness::expect::Expect;
using harness::expect::Expectation;
using harness::expect::SenseCode;
using Kind = RawFfp::Reaction::Kind;
using Clock = std::chrono::steady_clock;

constexpr uint8_t kAbortedCommand = 0x0b;

// Solicited data only: every byte of a WRITE waits for an R2T.
const KeyValues kSolicitedOnly = {{"InitialR2T", "Yes"}, {"ImmediateData", "No"}};

#define REQUIRE_WRITES(t) \
  if (!(t).allow_data_loss) GTEST_SKIP() << "the run does not allow writing to the LUNs"

// A region of the first LUN for one test: `blocks` blocks at `lba` plus one guard block
// after them, filled with known "old" data before the hostile write.
struct Region {
  uint64_t lba = 0;
  uint32_t blocks = 0;
  std::vector<uint8_t> old;     // blocks + 1 guard block
  std::vector<uint8_t> wanted;  // what a correct write of `blocks` puts there
};

bool PrepareRegion(const TargetUnderTest& t, uint32_t blocks, Region* r) {
  static std::mt19937_64 rng{std::random_device{}()};
  const auto& lun = t.luns.at(0);
  const uint64_t total = lun.spec.size_bytes / lun.spec.block_size;
  r->blocks = blocks;
  r->lba = 16384 + rng() % (total - 32768);
  r->old = RandomBlocks(t, blocks + 1);
  r->wanted = RandomBlocks(t, blocks);
  return HealthyWrite(t, r->lba, r->old);
}

// Acts as a correct initiator for WRITE `itt` until its SCSI Response: answers R2Ts with
// `data`, and when a Reject quotes `bad` (the hostile PDU) resends `resend` if given. Returns
// the response, or what ended the wait (close, silence after 4 s).
RawFfp::Reaction FinishWrite(RawFfp* s, uint32_t itt, const std::vector<uint8_t>& data,
                             const Pdu* bad, const std::vector<Pdu>& resend, bool* bad_rejected) {
  const uint32_t segment = std::max<uint32_t>(512, s->login().target_max_recv_data_segment);
  const auto deadline = Clock::now() + 4s;
  std::string error;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    RawFfp::Reaction r = s->Await(std::max(left, std::chrono::milliseconds(0)));
    if (r.kind != Kind::kPdu) return r;
    const uint8_t op = r.pdu.opcode();
    if (op == rp::kOpReject) {
      if (bad != nullptr && r.pdu.data.size() >= rp::kBhsLength &&
          std::equal(bad->bhs.begin(), bad->bhs.begin() + 24, r.pdu.data.begin())) {
        *bad_rejected = true;
        // A rejected command creates no task, so no response will follow (§11.17.1).
        if (bad->opcode() == rp::kOpScsiCommand) return r;
        for (const Pdu& p : resend) s->Send(p, &error);
      }
      continue;
    }
    if (r.pdu.itt() != itt) continue;
    if (op == rp::kOpScsiResponse) return r;
    if (op != rp::kOpR2t) continue;
    const uint32_t ttt = r.pdu.Get32(20);
    const uint32_t offset = r.pdu.Get32(40);
    const uint32_t length = r.pdu.Get32(44);
    uint32_t sn = 0;
    for (uint32_t done = 0; done < length; done += segment) {
      const uint32_t n = std::min(segment, length - done);
      const size_t from = std::min<size_t>(offset + done, data.size());
      const size_t to = std::min<size_t>(from + n, data.size());
      s->Send(s->DataOut(itt, ttt, sn++, offset + done,
                         std::vector<uint8_t>(data.begin() + static_cast<long>(from),
                                              data.begin() + static_cast<long>(to)),
                         done + n >= length),
              &error);
    }
  }
}

// Waits for the first R2T of `itt` (4 s); fails the test if none comes.
bool AwaitR2t(RawFfp* s, uint32_t itt, Pdu* r2t) {
  const auto deadline = Clock::now() + 4s;
  while (Clock::now() < deadline) {
    RawFfp::Reaction r = s->Await(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now()));
    if (r.kind != Kind::kPdu) {
      ADD_FAILURE() << "waiting for an R2T: " << r.Describe();
      return false;
    }
    if (r.pdu.opcode() == rp::kOpR2t && r.pdu.itt() == itt) {
      *r2t = r.pdu;
      return true;
    }
  }
  ADD_FAILURE() << "no R2T within 4 s";
  return false;
}

// A WRITE(16) of a region whose data waits for R2Ts, and its first R2T.
struct SolicitedWrite {
  uint32_t itt = 0;
  std::vector<uint8_t> cdb;
  Pdu r2t;
};

// Sends WRITE(16) for `region` without data and waits for its first R2T; nullopt (after a
// test failure) if the command cannot be sent or no R2T comes.
std::optional<SolicitedWrite> StartSolicitedWrite(RawFfp* s, const Region& region) {
  SolicitedWrite w;
  w.itt = s->NextItt();
  w.cdb = Write16Cdb(region.lba, region.blocks);
  std::string error;
  if (!s->Send(s->ScsiCommand(w.itt, w.cdb, false, true, region.wanted.size()), &error)) {
    ADD_FAILURE() << error;
    return std::nullopt;
  }
  if (!AwaitR2t(s, w.itt, &w.r2t)) return std::nullopt;
  return w;
}

// Judges how a hostile write ended. GOOD needs the right data on the medium and, unless
// `good_without_reject`, a Reject of the hostile PDU first; a CHECK CONDITION must match
// `failure` and leave the old data; a closed connection leaves old or right data. The guard
// block after the region is never touched.
void ExpectWriteOutcome(const TargetUnderTest& t, const Region& region,
                        const RawFfp::Reaction& end, const std::vector<uint8_t>& cdb,
                        bool bad_rejected, bool good_without_reject, const Expectation& failure,
                        const std::string& clause) {
  const uint32_t block = t.luns.at(0).spec.block_size;
  std::vector<uint8_t> medium = HealthyRead(t, region.lba, region.blocks + 1);
  ASSERT_EQ(medium.size(), region.old.size()) << "could not read the region back";
  const std::vector<uint8_t> old_blocks(region.old.begin(), region.old.end() - block);
  const std::vector<uint8_t> body(medium.begin(), medium.end() - block);
  EXPECT_TRUE(std::equal(medium.end() - block, medium.end(), region.old.end() - block))
      << "the block after the write's range changed: data beyond EDTL reached the medium";
  if (end.kind == Kind::kClosed) {
    EXPECT_TRUE(body == old_blocks || body == region.wanted)
        << "after the connection closed the region holds neither the old nor the right data";
    return;
  }
  ASSERT_TRUE(end.IsScsiResponse()) << "the task never ended: " << end.Describe()
                                    << " (TEST-PLAN S5: a task ends with a SCSI Response)";
  harness::iscsi::CommandResult result =
      ToCommandResult(end.pdu, cdb, static_cast<uint32_t>(region.wanted.size()));
  if (result.good()) {
    EXPECT_TRUE(bad_rejected || good_without_reject)
        << clause << ": GOOD although the hostile Data-Out was neither rejected nor failed";
    EXPECT_TRUE(body == region.wanted) << "GOOD, but the medium does not hold the right data";
    return;
  }
  EXPECT_SCSI(result, failure, clause);
  EXPECT_TRUE(body == old_blocks) << "the failed write changed the medium (S3: never executed data)";
}

Expectation AnyAbortedCommand() { return Expect::CheckCondition(kAbortedCommand, {}, "ABORTED COMMAND"); }

TEST(HostileDataOut, DataOutForUnknownTaskIsDiscarded) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.7.4: a Data-Out names its task by ITT; one for no task is discarded (optionally with
  // a Reject 04h / 09h) or ends the connection; it must never produce a response or data.
  HARNESS_CLAUSE("RFC 7143 §11.7.4, §11.17.1 (TEST-PLAN T17)");
  LOGIN_FFP(t, s, "t17itt", KeyValues{});
  Pdu p = s->DataOut(0x7eadbeef, rp::kReservedTag, 0, 0, std::vector<uint8_t>(512, 0xee), true);
  std::string error;
  ASSERT_TRUE(s->Send(p, &error)) << error;
  RawFfp::Reaction r = s->Await(1s);
  EXPECT_TRUE(r.kind == Kind::kSilence || r.kind == Kind::kClosed ||
              r.IsReject({kRejectProtocolError, kRejectInvalidPduField}))
      << "a Data-Out for no task got: " << r.Describe();
  if (r.kind != Kind::kClosed) {
    std::string why;
    EXPECT_TRUE(s->PingWorks(&why)) << why;
  }
  ExpectTargetServes(t, "after a Data-Out for an unknown ITT");
}

TEST(HostileDataOut, DataOutWithUnknownTargetTransferTag) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.7.4 / §11.8: solicited Data-Out carries the TTT of its R2T. One the target never
  // issued is rejected or discarded; its bytes never reach the medium.
  HARNESS_CLAUSE("RFC 7143 §11.7.4, §11.8.4 (TEST-PLAN T17, S3)");
  REQUIRE_WRITES(t);
  Region region;
  ASSERT_TRUE(PrepareRegion(t, 2, &region));
  LOGIN_FFP(t, s, "t17ttt", kSolicitedOnly);
  const std::optional<SolicitedWrite> started = StartSolicitedWrite(s.get(), region);
  ASSERT_TRUE(started);
  const auto& [itt, cdb, r2t] = *started;
  std::string error;
  const uint32_t ttt = r2t.Get32(20);
  Pdu bad = s->DataOut(itt, ttt ^ 0x5a5a0000, 0, r2t.Get32(40),
                       std::vector<uint8_t>(r2t.Get32(44), 0xee), true);
  ASSERT_TRUE(s->Send(bad, &error)) << error;
  // Then the right data for the real R2T.
  Pdu good = s->DataOut(itt, ttt, 0, r2t.Get32(40), region.wanted, true);
  ASSERT_TRUE(s->Send(good, &error)) << error;
  bool rejected = false;
  RawFfp::Reaction end = FinishWrite(s.get(), itt, region.wanted, &bad, {}, &rejected);
  ExpectWriteOutcome(t, region, end, cdb, rejected, /*good_without_reject=*/true,
                     AnyAbortedCommand(), "RFC 7143 §11.7.4: Data-Out with an unknown TTT");
  ExpectTargetServes(t, "after a Data-Out with an unknown TTT");
}

TEST(HostileDataOut, WrongDataSnFailsTheTask) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.7.5: DataSN counts the Data-Out PDUs of a sequence from 0. A gap means lost PDUs;
  // at ERL 0 the task fails (Reject or CHECK CONDITION) or the connection ends (S3).
  HARNESS_CLAUSE("RFC 7143 §11.7.5, §7.1.4 (TEST-PLAN T17, S3)");
  REQUIRE_WRITES(t);
  Region region;
  ASSERT_TRUE(PrepareRegion(t, 2, &region));
  LOGIN_FFP(t, s, "t17sn", kSolicitedOnly);
  const std::optional<SolicitedWrite> started = StartSolicitedWrite(s.get(), region);
  ASSERT_TRUE(started);
  const auto& [itt, cdb, r2t] = *started;
  std::string error;
  Pdu bad = s->DataOut(itt, r2t.Get32(20), 27, r2t.Get32(40), region.wanted, true);
  ASSERT_TRUE(s->Send(bad, &error)) << error;
  bool rejected = false;
  RawFfp::Reaction end = FinishWrite(s.get(), itt, region.wanted, &bad, {}, &rejected);
  // A Reject of the PDU alone is no success: the data carried was not taken, so GOOD would
  // mean the target wrote data it never accepted.
  ExpectWriteOutcome(t, region, end, cdb, /*bad_rejected=*/false, false, AnyAbortedCommand(),
                     "RFC 7143 §11.7.5: DataSN 27 instead of 0");
  ExpectTargetServes(t, "after a wrong DataSN");
}

TEST(HostileDataOut, DataBeyondExpectedLengthNeverReachesTheMedium) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.7.6 / S3: Buffer Offset + length must fit in the Expected Data Transfer Length. The
  // extra bytes are refused (Reject 09h / 04h, CHECK CONDITION or a closed connection) and
  // the block after the write's range is never written.
  HARNESS_CLAUSE("RFC 7143 §11.7.6, §11.3.4 (TEST-PLAN T17, S3)");
  REQUIRE_WRITES(t);
  Region region;
  ASSERT_TRUE(PrepareRegion(t, 1, &region));
  LOGIN_FFP(t, s, "t17edtl", kSolicitedOnly);
  const std::optional<SolicitedWrite> started = StartSolicitedWrite(s.get(), region);
  ASSERT_TRUE(started);
  const auto& [itt, cdb, r2t] = *started;
  std::string error;
  std::vector<uint8_t> oversized = region.wanted;
  oversized.resize(region.wanted.size() * 2, 0xee);  // one block more than EDTL
  Pdu bad = s->DataOut(itt, r2t.Get32(20), 0, 0, oversized, true);
  ASSERT_TRUE(s->Send(bad, &error)) << error;
  bool rejected = false;
  RawFfp::Reaction end = FinishWrite(s.get(), itt, region.wanted, &bad,
                                     {s->DataOut(itt, r2t.Get32(20), 0, 0, region.wanted, true)},
                                     &rejected);
  ExpectWriteOutcome(t, region, end, cdb, rejected, false, AnyAbortedCommand(),
                     "RFC 7143 §11.7.6: Data-Out beyond EDTL");
  ExpectTargetServes(t, "after data beyond EDTL");
}

TEST(HostileDataOut, DataBeyondR2tLengthIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.8.4 / §11.7: an initiator sends exactly the Desired Data Transfer Length an R2T asks
  // for. With MaxBurstLength 512 the first R2T asks for one block; a Data-Out carrying two
  // (still inside EDTL) overflows the R2T and is refused, never written.
  HARNESS_CLAUSE("RFC 7143 §11.8.4, §13.13 (TEST-PLAN T17, S3)");
  REQUIRE_WRITES(t);
  Region region;
  ASSERT_TRUE(PrepareRegion(t, 4, &region));
  KeyValues keys = kSolicitedOnly;
  keys.emplace_back("MaxBurstLength", "512");
  keys.emplace_back("FirstBurstLength", "512");
  LOGIN_FFP(t, s, "t17r2t", keys);
  const std::optional<SolicitedWrite> started = StartSolicitedWrite(s.get(), region);
  ASSERT_TRUE(started);
  const auto& [itt, cdb, r2t] = *started;
  std::string error;
  const uint32_t asked = r2t.Get32(44);
  if (asked >= region.wanted.size()) {
    GTEST_SKIP() << "the target asked for the whole transfer in one R2T (" << asked
                 << " bytes); there is no room to overflow it inside EDTL";
  }
  std::vector<uint8_t> over(region.wanted.begin() + r2t.Get32(40),
                            region.wanted.begin() + r2t.Get32(40) + asked + 512);
  std::fill(over.begin() + asked, over.end(), 0xee);
  Pdu bad = s->DataOut(itt, r2t.Get32(20), 0, r2t.Get32(40), over, true);
  ASSERT_TRUE(s->Send(bad, &error)) << error;
  std::vector<uint8_t> right(region.wanted.begin() + r2t.Get32(40),
                             region.wanted.begin() + r2t.Get32(40) + asked);
  bool rejected = false;
  RawFfp::Reaction end = FinishWrite(s.get(), itt, region.wanted, &bad,
                                     {s->DataOut(itt, r2t.Get32(20), 0, r2t.Get32(40), right, true)},
                                     &rejected);
  ExpectWriteOutcome(t, region, end, cdb, rejected, false, AnyAbortedCommand(),
                     "RFC 7143 §11.8.4: Data-Out beyond the R2T's length");
  ExpectTargetServes(t, "after data beyond an R2T");
}

TEST(HostileDataOut, UnsolicitedDataBeyondFirstBurstLength) {
  HARNESS_REQUIRE_TARGET(t);
  // §13.14: unsolicited data is at most FirstBurstLength, and none at all when the session
  // runs with InitialR2T=Yes (§13.10; the target may insist on Yes: the result is OR). More is
  // "unexpected unsolicited data": CHECK CONDITION ABORTED COMMAND 0C/0C (§11.4.7.2; 0C/0D
  // "incorrect amount of data" also names it), a Reject of the excess, or a closed connection.
  HARNESS_CLAUSE("RFC 7143 §13.10, §13.14, §11.4.7.2 (TEST-PLAN T17, S6)");
  REQUIRE_WRITES(t);
  KeyValues keys = {{"InitialR2T", "No"}, {"ImmediateData", "No"}, {"FirstBurstLength", "4096"}};
  LOGIN_FFP(t, s, "t17fbl", keys);
  const bool initial_r2t = rp::FindKey(s->login().target_keys, "InitialR2T") != "No";
  // The unsolicited bytes the session allows: none with InitialR2T=Yes.
  const uint32_t allowed = initial_r2t ? 0 : s->login().first_burst_length;
  RecordProperty("initial_r2t", initial_r2t ? "Yes" : "No");
  RecordProperty("unsolicited_allowed", std::to_string(allowed));
  ASSERT_EQ(allowed % 512, 0u) << "FirstBurstLength " << allowed;
  Region region;
  ASSERT_TRUE(PrepareRegion(t, allowed / 512 + 4, &region));
  const uint32_t itt = s->NextItt();
  const std::vector<uint8_t> cdb = Write16Cdb(region.lba, region.blocks);
  std::string error;
  // F=0: unsolicited Data-Out follows (§11.3.1).
  Pdu cmd = s->ScsiCommand(itt, cdb, false, true, region.wanted.size());
  cmd.bhs[1] &= 0x7f;
  ASSERT_TRUE(s->Send(cmd, &error)) << error;
  const uint32_t segment = std::min<uint32_t>(512, s->login().target_max_recv_data_segment);
  const uint32_t send = allowed + 1024;  // one kilobyte more than the session allows
  Pdu last;
  for (uint32_t off = 0, sn = 0; off < send; off += segment, ++sn) {
    Pdu p = s->DataOut(itt, rp::kReservedTag, sn, off,
                       std::vector<uint8_t>(region.wanted.begin() + off,
                                            region.wanted.begin() + off + segment),
                       off + segment >= send);
    if (off + segment > allowed && last.bhs[0] == 0) last = p;  // the first PDU too many
    if (!s->Send(p, &error)) break;
  }
  bool rejected = false;
  RawFfp::Reaction end = FinishWrite(s.get(), itt, region.wanted, &last, {}, &rejected);
  const Expectation failure =
      Expect::CheckCondition(kAbortedCommand, {SenseCode{0x0c, 0x0c, false}, SenseCode{0x0c, 0x0d, false}},
                             "UNEXPECTED UNSOLICITED DATA / INCORRECT AMOUNT OF DATA");
  ExpectWriteOutcome(t, region, end, cdb, rejected, false, failure,
                     "RFC 7143 §11.4.7.2: unsolicited data beyond what the session allows");
  ExpectTargetServes(t, "after unsolicited data beyond FirstBurstLength");
}

TEST(HostileDataOut, ImmediateDataBeyondFirstBurstLength) {
  HARNESS_REQUIRE_TARGET(t);
  // §13.14 / §11.3.4: immediate data counts against FirstBurstLength. With it at 512, a
  // command carrying 1024 bytes of immediate data (within MaxRecvDataSegmentLength) ends in
  // CHECK CONDITION 0B/0C/0C (or 0C/0D), a Reject, or a closed connection.
  HARNESS_CLAUSE("RFC 7143 §13.14, §11.4.7.2 (TEST-PLAN T17, S6)");
  REQUIRE_WRITES(t);
  KeyValues keys = {{"InitialR2T", "Yes"}, {"ImmediateData", "Yes"}, {"FirstBurstLength", "512"}};
  LOGIN_FFP(t, s, "t17imm", keys);
  if (!s->login().immediate_data) GTEST_SKIP() << "the target refused ImmediateData=Yes";
  const uint32_t fbl = s->login().first_burst_length;
  if (s->login().target_max_recv_data_segment <= fbl) {
    GTEST_SKIP() << "MaxRecvDataSegmentLength does not exceed FirstBurstLength";
  }
  Region region;
  ASSERT_TRUE(PrepareRegion(t, fbl / 512 + 2, &region));
  const uint32_t itt = s->NextItt();
  const std::vector<uint8_t> cdb = Write16Cdb(region.lba, region.blocks);
  std::vector<uint8_t> immediate(region.wanted.begin(), region.wanted.begin() + fbl + 512);
  Pdu cmd = s->ScsiCommand(itt, cdb, false, true, region.wanted.size(), immediate);
  std::string error;
  ASSERT_TRUE(s->Send(cmd, &error)) << error;
  bool rejected = false;
  RawFfp::Reaction end = FinishWrite(s.get(), itt, region.wanted, &cmd, {}, &rejected);
  if (rejected) {  // the command itself was rejected: there is no task to end
    std::vector<uint8_t> medium = HealthyRead(t, region.lba, region.blocks + 1);
    EXPECT_EQ(medium, region.old) << "a rejected command changed the medium";
  } else {
    const Expectation failure = Expect::CheckCondition(
        kAbortedCommand, {SenseCode{0x0c, 0x0c, false}, SenseCode{0x0c, 0x0d, false}},
        "UNEXPECTED UNSOLICITED DATA / INCORRECT AMOUNT OF DATA");
    ExpectWriteOutcome(t, region, end, cdb, false, false, failure,
                       "RFC 7143 §11.4.7.2: immediate data beyond FirstBurstLength");
  }
  ExpectTargetServes(t, "after immediate data beyond FirstBurstLength");
}

}  // namespace
}  // namespace conformance::hostile
