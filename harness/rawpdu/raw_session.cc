#include "harness/rawpdu/raw_session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace harness::rawpdu {
namespace {

using Clock = std::chrono::steady_clock;

// Serial number arithmetic, RFC 1982 as RFC 7143 §4.2.2.1 uses it.
bool SnGreater(uint32_t a, uint32_t b) { return a != b && static_cast<int32_t>(a - b) > 0; }

void PutBe(std::vector<uint8_t>* cdb, size_t offset, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    (*cdb)[offset + static_cast<size_t>(i)] = static_cast<uint8_t>(value >> (8 * (bytes - 1 - i)));
  }
}

}  // namespace

RawSession::RawSession(RawConnection* conn, const RawLoginResult& login)
    : conn_(conn),
      cmd_sn_(login.cmd_sn),
      exp_cmd_sn_(login.cmd_sn),
      max_cmd_sn_(login.max_cmd_sn),
      exp_stat_sn_(login.exp_stat_sn),
      next_itt_(login.next_itt),
      max_send_segment_(std::max<uint32_t>(512, login.target_max_recv_data_segment)),
      first_burst_(login.first_burst_length),
      immediate_data_(login.immediate_data) {}

void RawSession::Track(const Pdu& pdu) {
  const uint8_t op = pdu.opcode();
  const bool carries_status = op == kOpScsiResponse || op == kOpTaskMgmtResponse ||
                              op == kOpTextResponse || op == kOpLogoutResponse || op == kOpReject ||
                              op == kOpAsyncMessage || (op == kOpDataIn && (pdu.flags() & 0x01)) ||
                              (op == kOpNopIn && pdu.itt() != kReservedTag);
  if (carries_status && !SnGreater(exp_stat_sn_, pdu.Get32(24) + 1)) {
    exp_stat_sn_ = pdu.Get32(24) + 1;
  }
  if (op == kOpLoginResponse) return;
  const uint32_t exp = pdu.Get32(28);
  const uint32_t max = pdu.Get32(32);
  // RFC 7143 §11.2.2.2 (para.): ignore the pair when MaxCmdSN < ExpCmdSN - 1.
  if (!SnGreater(exp - 1, max)) {
    if (SnGreater(exp, exp_cmd_sn_)) exp_cmd_sn_ = exp;
    if (SnGreater(max, max_cmd_sn_)) max_cmd_sn_ = max;
  }
}

bool RawSession::AnswerNopIn(const Pdu& nop, std::string* error) {
  Pdu out;
  out.bhs[0] = kOpNopOut | kImmediateBit;
  out.bhs[1] = 0x80;
  std::memcpy(&out.bhs[8], &nop.bhs[8], 8);
  out.Set32(16, kReservedTag);
  out.Set32(20, nop.Get32(20));
  out.Set32(24, cmd_sn_);
  out.Set32(28, exp_stat_sn_);
  return conn_->SendPdu(out, error);
}

bool RawSession::SendDataOut(uint32_t lun, uint32_t itt, uint32_t ttt,
                             const std::vector<uint8_t>& data, uint32_t offset, uint32_t length,
                             bool corrupt_first, std::string* error) {
  uint32_t data_sn = 0;
  uint32_t done = 0;
  while (done < length) {
    const uint32_t chunk = std::min(max_send_segment_, length - done);
    Pdu p;
    p.bhs[0] = kOpDataOut;
    p.bhs[1] = done + chunk == length ? 0x80 : 0;
    p.SetLun(lun);
    p.Set32(16, itt);
    p.Set32(20, ttt);
    p.Set32(28, exp_stat_sn_);
    p.Set32(36, data_sn++);
    p.Set32(40, offset + done);
    const size_t from = std::min<size_t>(offset + done, data.size());
    const size_t to = std::min<size_t>(from + chunk, data.size());
    p.data.assign(data.begin() + static_cast<long>(from), data.begin() + static_cast<long>(to));
    if (!conn_->SendPdu(p, error, corrupt_first && done == 0)) return false;
    done += chunk;
  }
  return true;
}

RawScsiResult RawSession::Execute(uint32_t lun, const std::vector<uint8_t>& cdb,
                                  const std::vector<uint8_t>& data_out, uint32_t data_in_length,
                                  const CommandOptions& options) {
  RawScsiResult r;
  bool corrupt_data_out = options.corrupt_data_out_digest;
  const uint32_t itt = next_itt_++;
  const bool write = !data_out.empty();
  Pdu cmd;
  cmd.bhs[0] = kOpScsiCommand;
  cmd.bhs[1] = static_cast<uint8_t>(0x80 | (data_in_length > 0 ? 0x40 : 0) | (write ? 0x20 : 0) |
                                    0x01 /* SIMPLE */);
  cmd.SetLun(lun);
  cmd.Set32(16, itt);
  cmd.Set32(20, write ? static_cast<uint32_t>(data_out.size()) : data_in_length);
  cmd.Set32(24, cmd_sn_);
  cmd.Set32(28, exp_stat_sn_);
  std::memcpy(&cmd.bhs[32], cdb.data(), std::min<size_t>(cdb.size(), 16));
  uint32_t immediate = 0;
  if (write && immediate_data_) {
    immediate = std::min<uint32_t>(
        {static_cast<uint32_t>(data_out.size()), first_burst_, max_send_segment_});
    cmd.data.assign(data_out.begin(), data_out.begin() + immediate);
  }
  if (!conn_->SendPdu(cmd, &r.error, options.corrupt_data_digest)) return r;
  ++cmd_sn_;

  if (data_in_length > 0) r.data.resize(data_in_length);
  const auto deadline = Clock::now() + options.timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      r.error = "no SCSI Response within " + std::to_string(options.timeout.count()) + " ms";
      return r;
    }
    Pdu pdu;
    std::string err;
    RecvStatus st = conn_->Recv(&pdu, left, &err);
    if (st == RecvStatus::kTimeout) continue;
    if (st != RecvStatus::kPdu) {
      r.error = std::string(RecvStatusName(st)) + (err.empty() ? "" : ": " + err);
      return r;
    }
    Track(pdu);
    switch (pdu.opcode()) {
      case kOpNopIn:
        if (pdu.Get32(20) != kReservedTag && !AnswerNopIn(pdu, &r.error)) return r;
        break;
      case kOpReject:
        r.rejects.push_back(pdu);
        break;
      case kOpR2t: {
        if (pdu.itt() != itt) break;
        if (!SendDataOut(lun, itt, pdu.Get32(20), data_out, pdu.Get32(40), pdu.Get32(44),
                         corrupt_data_out, &r.error)) {
          return r;
        }
        corrupt_data_out = false;
        break;
      }
      case kOpDataIn: {
        if (pdu.itt() != itt) break;
        const uint32_t offset = pdu.Get32(40);
        if (offset + pdu.data.size() > r.data.size()) {
          r.error = "Data-In beyond the expected length";
          return r;
        }
        std::copy(pdu.data.begin(), pdu.data.end(), r.data.begin() + offset);
        if (pdu.flags() & 0x01) {
          r.completed = true;
          r.status = pdu.bhs[3];
          return r;
        }
        break;
      }
      case kOpScsiResponse:
        if (pdu.itt() != itt) break;
        r.completed = true;
        r.response = pdu.bhs[2];
        r.status = pdu.bhs[3];
        r.sense = ParseSenseSegment(pdu.data);
        return r;
      default:
        break;  // Async messages and strays: keep waiting.
    }
  }
}

RawScsiResult RawSession::Write16(uint32_t lun, uint64_t lba, const std::vector<uint8_t>& data,
                                  uint32_t block_size, const CommandOptions& options) {
  std::vector<uint8_t> cdb(16, 0);
  cdb[0] = 0x8a;
  PutBe(&cdb, 2, lba, 8);
  PutBe(&cdb, 10, data.size() / block_size, 4);
  return Execute(lun, cdb, data, 0, options);
}

RawScsiResult RawSession::Read16(uint32_t lun, uint64_t lba, uint32_t blocks, uint32_t block_size,
                                 const CommandOptions& options) {
  std::vector<uint8_t> cdb(16, 0);
  cdb[0] = 0x88;
  PutBe(&cdb, 2, lba, 8);
  PutBe(&cdb, 10, blocks, 4);
  return Execute(lun, cdb, {}, blocks * block_size, options);
}

bool RawSession::ClearUnitAttentions(uint32_t lun, std::string* error) {
  for (int i = 0; i < 5; ++i) {
    RawScsiResult r = Execute(lun, std::vector<uint8_t>(6, 0), {}, 0);
    if (r.completed && r.status == 0) return true;
    *error = "TEST UNIT READY: " + DescribeResult(r);
    if (!r.completed) return false;
  }
  return false;
}

std::string DescribeResult(const RawScsiResult& r) {
  if (!r.completed) return "no status: " + r.error;
  if (r.status == 0) return "GOOD";
  char buf[96];
  if (r.sense) {
    std::snprintf(buf, sizeof(buf), "status 0x%02x sense %02x/%02x/%02x", r.status, r.sense->key,
                  r.sense->asc, r.sense->ascq);
  } else {
    std::snprintf(buf, sizeof(buf), "status 0x%02x response 0x%02x", r.status, r.response);
  }
  return buf;
}

bool RawSession::Logout(std::chrono::milliseconds timeout, std::string* error) {
  Pdu p;
  p.bhs[0] = kOpLogoutRequest | kImmediateBit;
  p.bhs[1] = 0x80;  // reason 0: close the session
  p.Set32(16, next_itt_++);
  p.Set32(24, cmd_sn_);
  p.Set32(28, exp_stat_sn_);
  if (!conn_->SendPdu(p, error)) return false;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    Pdu in;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    RecvStatus st = conn_->Recv(&in, left, error);
    if (st != RecvStatus::kPdu) {
      *error = std::string("logout: ") + RecvStatusName(st) + " " + *error;
      return false;
    }
    Track(in);
    if (in.opcode() == kOpLogoutResponse) {
      if (in.bhs[2] != 0) *error = "logout response " + std::to_string(in.bhs[2]);
      return in.bhs[2] == 0;
    }
  }
  *error = "logout: no response";
  return false;
}

}  // namespace harness::rawpdu
