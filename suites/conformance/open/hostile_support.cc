#include "suites/conformance/open/hostile_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/session.h"
#include "harness/iscsi/sense.h"
#include "harness/process/child_process.h"

namespace conformance::hostile {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;
namespace hi = harness::iscsi;
using Clock = std::chrono::steady_clock;

std::mt19937_64& Rng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

// RFC 1982 serial comparison as RFC 7143 §4.2.2.1 uses it.
bool SnGreater(uint32_t a, uint32_t b) { return a != b && static_cast<int32_t>(a - b) > 0; }

void PutBe(std::vector<uint8_t>* out, size_t offset, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    (*out)[offset + static_cast<size_t>(i)] = static_cast<uint8_t>(value >> (8 * (bytes - 1 - i)));
  }
}

// Opens a healthy libiscsi session on the first LUN; null (with a test failure) on error.
std::unique_ptr<hi::Session> HealthySession(const TargetUnderTest& t, const std::string& context) {
  auto name = t.OpenInitiator("healthy");
  if (!name) {
    ADD_FAILURE() << context << ": the target admits no initiator without CHAP";
    return nullptr;
  }
  hi::ConnectOptions o;
  o.portal = t.portal.ToString();
  o.target = t.iqn;
  o.lun = t.luns.at(0).number;
  o.initiator = *name;
  o.connect_limit = 5000ms;
  auto session = hi::Session::Connect(o);
  if (!session.ok()) {
    const bool gone = t.pid && !harness::process::ProcessRunning(*t.pid);
    ADD_FAILURE() << context << ": a healthy login failed: " << session.error()
                  << (gone ? " (the target process has exited)" : "");
    return nullptr;
  }
  return std::move(session).value();
}

}  // namespace

std::unique_ptr<rp::RawConnection> ConnectRaw(const TargetUnderTest& t, std::string* error) {
  auto conn = rp::RawConnection::Connect(t.portal.host, t.portal.port, 5s, error);
  if (!conn && t.pid && !harness::process::ProcessRunning(*t.pid)) {
    // Say so: otherwise every test after the one that killed the target reads as its own bug.
    *error += " (the target process " + std::to_string(*t.pid) + " has exited)";
  }
  return conn;
}

std::optional<rp::RawLoginOptions> OpenLoginOptions(const TargetUnderTest& t,
                                                    const std::string& tag) {
  auto name = t.OpenInitiator(tag);
  if (!name) return std::nullopt;
  rp::RawLoginOptions o;
  o.initiator_name = *name;
  o.target_name = t.iqn;
  o.isid = harness::rawpdu::RandomIsid();
  o.timeout = 5s;
  return o;
}

std::unique_ptr<RawFfp> RawFfp::Login(const TargetUnderTest& t, const std::string& tag,
                                      const KeyValues& extra, std::string* error) {
  auto options = OpenLoginOptions(t, tag);
  if (!options) {
    *error = "the target admits no initiator without CHAP";
    return nullptr;
  }
  options->extra_operational_keys = extra;
  auto conn = ConnectRaw(t, error);
  if (!conn) return nullptr;
  std::unique_ptr<RawFfp> s(new RawFfp());
  s->login_ = rp::RawLogin(conn.get(), *options);
  if (!s->login_.full_feature) {
    *error = "raw login: " + s->login_.error;
    return nullptr;
  }
  s->conn_ = std::move(conn);
  s->lun_ = static_cast<uint32_t>(t.luns.at(0).number);
  s->block_size_ = t.luns.at(0).spec.block_size;
  s->cmd_sn_ = s->login_.cmd_sn;
  s->exp_stat_sn_ = s->login_.exp_stat_sn;
  s->max_cmd_sn_ = s->login_.max_cmd_sn;
  s->exp_cmd_sn_ = s->login_.cmd_sn;
  // SAM-5 §5.14: a new I_T nexus may have unit attentions pending (29h/00h power on).
  for (int attempt = 0;; ++attempt) {
    const uint32_t itt = s->NextItt();
    if (!s->Send(s->ScsiCommand(itt, std::vector<uint8_t>(6, 0), false, false, 0), error)) {
      return nullptr;
    }
    Reaction r = s->AwaitResponse(itt, 5s);
    if (!r.IsScsiResponse()) {
      *error = "TEST UNIT READY after login: " + r.Describe();
      return nullptr;
    }
    if (r.pdu.bhs[3] == 0) break;
    if (attempt == 8) {
      *error = "TEST UNIT READY after login never became GOOD: " + r.Describe();
      return nullptr;
    }
  }
  return s;
}

Pdu RawFfp::ScsiCommand(uint32_t itt, const std::vector<uint8_t>& cdb, bool read, bool write,
                        uint32_t edtl, std::vector<uint8_t> data, bool immediate) {
  Pdu p;
  p.bhs[0] = rp::kOpScsiCommand | (immediate ? rp::kImmediateBit : 0);
  p.bhs[1] = static_cast<uint8_t>(0x80 | (read ? 0x40 : 0) | (write ? 0x20 : 0) | 0x01);
  p.SetLun(lun_);
  p.Set32(16, itt);
  p.Set32(20, edtl);
  p.Set32(24, immediate ? cmd_sn_ : cmd_sn_++);
  p.Set32(28, exp_stat_sn_);
  std::memcpy(&p.bhs[32], cdb.data(), std::min<size_t>(cdb.size(), 16));
  p.data = std::move(data);
  return p;
}

Pdu RawFfp::DataOut(uint32_t itt, uint32_t ttt, uint32_t data_sn, uint32_t offset,
                    std::vector<uint8_t> data, bool final) const {
  Pdu p;
  p.bhs[0] = rp::kOpDataOut;
  p.bhs[1] = final ? 0x80 : 0;
  p.SetLun(lun_);
  p.Set32(16, itt);
  p.Set32(20, ttt);
  p.Set32(28, exp_stat_sn_);
  p.Set32(36, data_sn);
  p.Set32(40, offset);
  p.data = std::move(data);
  return p;
}

Pdu RawFfp::NopPing(uint32_t itt, std::vector<uint8_t> data) const {
  Pdu p;
  p.bhs[0] = rp::kOpNopOut | rp::kImmediateBit;
  p.bhs[1] = 0x80;
  p.Set32(16, itt);
  p.Set32(20, rp::kReservedTag);
  p.Set32(24, cmd_sn_);
  p.Set32(28, exp_stat_sn_);
  p.data = std::move(data);
  return p;
}

Pdu RawFfp::TextRequest(uint32_t itt, uint32_t ttt, bool final, bool cont,
                        std::vector<uint8_t> data) const {
  Pdu p;
  p.bhs[0] = rp::kOpTextRequest | rp::kImmediateBit;
  p.bhs[1] = static_cast<uint8_t>((final ? 0x80 : 0) | (cont ? 0x40 : 0));
  p.Set32(16, itt);
  p.Set32(20, ttt);
  p.Set32(24, cmd_sn_);
  p.Set32(28, exp_stat_sn_);
  p.data = std::move(data);
  return p;
}

bool RawFfp::Send(const Pdu& pdu, std::string* error) { return conn_->SendPdu(pdu, error); }

bool RawFfp::SendBytes(const std::vector<uint8_t>& bytes, std::string* error) {
  return conn_->SendBytes(bytes.data(), bytes.size(), 2s, error);
}

void RawFfp::Track(const Pdu& pdu) {
  const uint8_t op = pdu.opcode();
  const bool status = op != rp::kOpR2t && !(op == rp::kOpDataIn && !(pdu.flags() & 0x01)) &&
                      !(op == rp::kOpNopIn && pdu.itt() == rp::kReservedTag);
  if (status && !SnGreater(exp_stat_sn_, pdu.Get32(24) + 1)) exp_stat_sn_ = pdu.Get32(24) + 1;
  const uint32_t exp = pdu.Get32(28);
  const uint32_t max = pdu.Get32(32);
  if (op == rp::kOpLoginResponse) return;
  // RFC 7143 §11.2.2.2 (para.): the pair is ignored when MaxCmdSN < ExpCmdSN - 1.
  if (SnGreater(exp - 1, max)) return;
  if (SnGreater(max, max_cmd_sn_)) max_cmd_sn_ = max;
  if (SnGreater(exp, exp_cmd_sn_)) exp_cmd_sn_ = exp;
}

bool RawFfp::Reaction::IsReject(std::initializer_list<uint8_t> reasons) const {
  if (kind != Kind::kPdu || pdu.opcode() != rp::kOpReject) return false;
  for (uint8_t r : reasons) {
    if (pdu.bhs[2] == r) return true;
  }
  return false;
}

bool RawFfp::Reaction::IsScsiResponse() const {
  return kind == Kind::kPdu && pdu.opcode() == rp::kOpScsiResponse;
}

std::string RawFfp::Reaction::Describe() const {
  switch (kind) {
    case Kind::kClosed:
      return "the target closed the connection";
    case Kind::kSilence:
      return "no PDU (silence)";
    case Kind::kBroken:
      return "receive error: " + detail;
    case Kind::kPdu:
      break;
  }
  std::string out = rp::OpcodeName(pdu.opcode()) + " ITT 0x";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%08x", pdu.itt());
  out += buf;
  if (pdu.opcode() == rp::kOpReject) {
    std::snprintf(buf, sizeof(buf), " reason 0x%02x", pdu.bhs[2]);
    out += buf;
  }
  if (pdu.opcode() == rp::kOpScsiResponse) {
    std::snprintf(buf, sizeof(buf), " response 0x%02x status 0x%02x", pdu.bhs[2], pdu.bhs[3]);
    out += buf;
    if (auto s = rp::ParseSenseSegment(pdu.data)) {
      std::snprintf(buf, sizeof(buf), " sense %02x/%02x/%02x", s->key, s->asc, s->ascq);
      out += buf;
    }
  }
  return out;
}

RawFfp::Reaction RawFfp::Await(std::chrono::milliseconds wait) {
  Reaction r;
  const auto deadline = Clock::now() + wait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return r;  // silence
    std::string err;
    rp::RecvStatus st = conn_->Recv(&r.pdu, left, &err);
    if (st == rp::RecvStatus::kTimeout) return r;
    if (st == rp::RecvStatus::kClosed) {
      r.kind = Reaction::Kind::kClosed;
      return r;
    }
    if (st != rp::RecvStatus::kPdu) {
      r.kind = Reaction::Kind::kBroken;
      r.detail = std::string(rp::RecvStatusName(st)) + " " + err;
      return r;
    }
    Track(r.pdu);
    const uint8_t op = r.pdu.opcode();
    if (op == rp::kOpNopIn && r.pdu.itt() == rp::kReservedTag) {
      if (r.pdu.Get32(20) != rp::kReservedTag) {  // a ping from the target: answer it
        Pdu answer = NopPing(rp::kReservedTag);
        answer.Set32(20, r.pdu.Get32(20));
        std::memcpy(&answer.bhs[8], &r.pdu.bhs[8], 8);
        conn_->SendPdu(answer, &err);
      }
      continue;
    }
    if (op == rp::kOpAsyncMessage) continue;
    r.kind = Reaction::Kind::kPdu;
    return r;
  }
}

RawFfp::Reaction RawFfp::AwaitResponse(uint32_t itt, std::chrono::milliseconds wait,
                                       std::vector<Pdu>* rejects, bool stop_at_reject) {
  const auto deadline = Clock::now() + wait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Reaction r = Await(std::max(left, std::chrono::milliseconds(0)));
    if (r.kind != Reaction::Kind::kPdu) return r;
    const uint8_t op = r.pdu.opcode();
    if (op == rp::kOpReject) {
      if (rejects != nullptr) rejects->push_back(r.pdu);
      const bool quotes_itt = r.pdu.data.size() >= rp::kBhsLength &&
                              (static_cast<uint32_t>(r.pdu.data[16]) << 24 |
                               r.pdu.data[17] << 16 | r.pdu.data[18] << 8 | r.pdu.data[19]) == itt;
      if (stop_at_reject && quotes_itt) return r;
      continue;
    }
    if (r.pdu.itt() != itt) continue;
    if (op == rp::kOpScsiResponse) return r;
    if (op == rp::kOpDataIn && (r.pdu.flags() & 0x01)) return r;
  }
}

bool RawFfp::PingWorks(std::string* why) {
  const uint32_t itt = NextItt();
  std::vector<uint8_t> payload = {'p', 'i', 'n', 'g'};
  if (!Send(NopPing(itt, payload), why)) return false;
  const auto deadline = Clock::now() + 2s;
  while (Clock::now() < deadline) {
    Reaction r = Await(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (r.kind != Reaction::Kind::kPdu) {
      *why = "NOP-Out ping: " + r.Describe();
      return false;
    }
    if (r.pdu.opcode() == rp::kOpNopIn && r.pdu.itt() == itt) {
      if (r.pdu.data != payload) *why = "NOP-In did not echo the ping data";
      return r.pdu.data == payload;
    }
  }
  *why = "NOP-Out ping: no NOP-In within 2 s";
  return false;
}

hi::CommandResult ToCommandResult(const Pdu& response, const std::vector<uint8_t>& cdb,
                                  uint32_t expected_length) {
  hi::CommandResult r;
  r.expected_length = expected_length;
  r.cdb = hi::Cdb::Raw(std::span<const uint8_t>(cdb.data(), std::min<size_t>(cdb.size(), 16)));
  r.outcome = hi::Outcome::kCompleted;
  r.status = response.bhs[3];
  if (response.opcode() == rp::kOpScsiResponse && response.data.size() >= 2) {
    const size_t len = static_cast<size_t>(response.data[0] << 8 | response.data[1]);
    const size_t n = std::min(len, response.data.size() - 2);
    r.sense.assign(response.data.begin() + 2, response.data.begin() + 2 + static_cast<long>(n));
    r.decoded = hi::DecodeSense(r.sense);
  }
  return r;
}

std::vector<uint8_t> Write16Cdb(uint64_t lba, uint32_t blocks) {
  std::vector<uint8_t> cdb(16, 0);
  cdb[0] = 0x8a;
  PutBe(&cdb, 2, lba, 8);
  PutBe(&cdb, 10, blocks, 4);
  return cdb;
}

std::vector<uint8_t> Read16Cdb(uint64_t lba, uint32_t blocks) {
  std::vector<uint8_t> cdb = Write16Cdb(lba, blocks);
  cdb[0] = 0x88;
  return cdb;
}

std::vector<uint8_t> RandomBlocks(const TargetUnderTest& t, uint32_t blocks) {
  std::vector<uint8_t> data(static_cast<size_t>(blocks) * t.luns.at(0).spec.block_size);
  for (auto& b : data) b = static_cast<uint8_t>(Rng()());
  return data;
}

bool HealthyWrite(const TargetUnderTest& t, uint64_t lba, const std::vector<uint8_t>& data) {
  auto s = HealthySession(t, "healthy write");
  if (!s) return false;
  const uint32_t block = t.luns.at(0).spec.block_size;
  hi::CommandRequest w;
  w.cdb = hi::cdb::Write16(lba, static_cast<uint32_t>(data.size() / block));
  w.direction = hi::DataDirection::kWrite;
  w.data_out = data;
  w.limit = 5000ms;
  hi::CommandResult r = s->Execute(w);
  EXPECT_TRUE(r.good()) << "healthy WRITE(16) at LBA " << lba << ": " << r.Describe();
  return r.good();
}

std::vector<uint8_t> HealthyRead(const TargetUnderTest& t, uint64_t lba, uint32_t blocks) {
  auto s = HealthySession(t, "healthy read");
  if (!s) return {};
  hi::CommandRequest rd;
  rd.cdb = hi::cdb::Read16(lba, blocks);
  rd.direction = hi::DataDirection::kRead;
  rd.data_in_length = blocks * t.luns.at(0).spec.block_size;
  rd.limit = 5000ms;
  hi::CommandResult r = s->Execute(rd);
  EXPECT_TRUE(r.good()) << "healthy READ(16) at LBA " << lba << ": " << r.Describe();
  return r.good() ? r.data_in : std::vector<uint8_t>{};
}

void ExpectTargetServes(const TargetUnderTest& t, const std::string& context) {
  if (t.pid) {
    EXPECT_TRUE(harness::process::ProcessRunning(*t.pid)) << context << ": the target process " << *t.pid
                                      << " has exited";
  }
  const auto start = Clock::now();
  auto s = HealthySession(t, context);
  ASSERT_TRUE(s) << context;
  EXPECT_LT(Clock::now() - start, 2s) << context << ": the healthy login took longer than 2 s";
  const auto& lun = t.luns.at(0);
  const uint32_t block = lun.spec.block_size;
  const uint64_t lba = 4096 + Rng()() % (lun.spec.size_bytes / block - 8192);
  hi::CommandRequest rd;
  rd.cdb = hi::cdb::Read16(lba, 1);
  rd.direction = hi::DataDirection::kRead;
  rd.data_in_length = block;
  rd.limit = 5000ms;
  if (!t.allow_data_loss) {
    hi::CommandResult r = s->Execute(rd);
    EXPECT_TRUE(r.good()) << context << ": READ(16) afterwards: " << r.Describe();
    return;
  }
  std::vector<uint8_t> pattern = RandomBlocks(t, 1);
  hi::CommandRequest w;
  w.cdb = hi::cdb::Write16(lba, 1);
  w.direction = hi::DataDirection::kWrite;
  w.data_out = pattern;
  w.limit = 5000ms;
  hi::CommandResult wr = s->Execute(w);
  ASSERT_TRUE(wr.good()) << context << ": WRITE(16) afterwards: " << wr.Describe();
  hi::CommandResult r = s->Execute(rd);
  ASSERT_TRUE(r.good()) << context << ": READ(16) afterwards: " << r.Describe();
  EXPECT_EQ(r.data_in, pattern) << context << ": the block read back differs from the one written";
}

}  // namespace conformance::hostile
