// RawClient::Execute: one SCSI command with its immediate data, unsolicited and solicited
// Data-Out, R2Ts and Data-In, checked against the negotiated rules (RFC 7143 §4.2.5, §11.7-11.8,
// §13.10-13.17).
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "harness/iscsi/sense.h"
#include "suites/conformance/open/open_client.h"
#include "suites/conformance/open/open_pdu_names.h"

namespace conformance {

std::vector<Pdu> RawClient::BuildDataOut(const RawCommand& c, uint32_t itt, uint32_t ttt,
                                         uint32_t offset, uint32_t length) const {
  std::vector<Pdu> out;
  uint32_t cap = negotiated_.target_mrdsl;
  if (c.max_data_pdu > 0) cap = std::min(cap, c.max_data_pdu);
  uint32_t data_sn = 0;
  for (uint32_t done = 0; done < length;) {
    const uint32_t chunk = std::min(cap, length - done);
    Pdu p;
    p.bhs[0] = kOpDataOut;
    p.bhs[1] = done + chunk == length ? 0x80 : 0;
    p.SetLun(c.lun);
    p.Set32(16, itt);
    p.Set32(20, ttt);
    p.Set32(36, data_sn++);
    p.Set32(40, offset + done);
    const size_t from = std::min<size_t>(offset + done, c.data_out.size());
    const size_t to = std::min<size_t>(from + chunk, c.data_out.size());
    p.data.assign(c.data_out.begin() + static_cast<long>(from),
                  c.data_out.begin() + static_cast<long>(to));
    out.push_back(std::move(p));
    done += chunk;
  }
  return out;
}

RawOutcome RawClient::Execute(const RawCommand& c) {
  RawOutcome r;
  const uint32_t itt = NextItt();
  const uint32_t cmd_sn = c.cmd_sn.value_or(cmd_sn_);
  r.itt = itt;
  r.cmd_sn = cmd_sn;
  if (!c.immediate && !c.cmd_sn) ++cmd_sn_;
  const bool write = !c.data_out.empty();
  const uint32_t len = static_cast<uint32_t>(c.data_out.size());
  const uint32_t edtl = c.edtl.value_or(write ? len : c.data_in_length);
  uint32_t cap = negotiated_.target_mrdsl;
  if (c.max_data_pdu > 0) cap = std::min(cap, c.max_data_pdu);
  const Negotiated& n = negotiated_;
  const uint32_t sendable = std::min(len, edtl);
  const uint32_t immediate =
      write && n.immediate_data ? std::min({sendable, n.first_burst, cap}) : 0;
  const uint32_t unsolicited_end =
      write ? (n.initial_r2t ? immediate : std::min(sendable, n.first_burst)) : 0;

  Pdu cmd = ScsiCommand(c, itt, cmd_sn, unsolicited_end <= immediate);
  cmd.data.assign(c.data_out.begin(), c.data_out.begin() + immediate);
  if (!Send(cmd, &r.error, c.corrupt_immediate_digest, c.corrupt_header_digest)) {
    r.closed = true;
    return r;
  }
  bool corrupt_first = c.corrupt_first_data_out_digest;
  auto send_burst = [&](std::vector<Pdu> burst) {
    if (c.rewrite_burst) c.rewrite_burst(&burst);
    for (Pdu& p : burst) {
      if (!Send(p, &r.error, corrupt_first && !p.data.empty())) return false;
      if (!p.data.empty()) corrupt_first = false;
    }
    return true;
  };
  if (unsolicited_end > immediate &&
      !send_burst(BuildDataOut(c, itt, kReservedTag, immediate, unsolicited_end - immediate))) {
    r.closed = true;
    return r;
  }
  if (!c.expect_reply) return r;

  if (c.data_in_length > 0) r.data.assign(edtl, 0);
  uint32_t expected_data_sn = 0;
  uint32_t expected_offset = 0;
  uint32_t expected_r2t_sn = 0;
  uint32_t sequence_bytes = 0;  // Data-In payload since the last F bit
  std::vector<Pdu> pending_r2ts;
  std::vector<uint8_t> solicited(len, 0);
  const auto deadline = Clock::now() + c.limit;

  auto handle = [&](Pdu& pdu) {  // returns true when the command ended
    const uint8_t op = pdu.opcode();
    if (op == kOpReject) {
      r.rejects.push_back(pdu);
      return false;
    }
    if (pdu.itt() != itt) return false;
    if (op == kOpR2t) {
      ++r.r2ts;
      const uint32_t r2t_sn = pdu.Get32(36);
      const uint32_t off = pdu.Get32(40);
      const uint32_t want = pdu.Get32(44);
      if (r2t_sn != expected_r2t_sn) {
        r.violations.push_back("R2TSN " + std::to_string(r2t_sn) + ", expected " +
                               std::to_string(expected_r2t_sn));
      }
      expected_r2t_sn = r2t_sn + 1;
      if (!write) r.violations.push_back("R2T for a command without Data-Out");
      if (want == 0 || want > n.max_burst) {
        r.violations.push_back("R2T Desired Data Transfer Length " + std::to_string(want) +
                               " (MaxBurstLength " + std::to_string(n.max_burst) + ")");
      }
      if (static_cast<uint64_t>(off) + want > edtl || off < unsolicited_end) {
        r.violations.push_back("R2T for [" + std::to_string(off) + ", +" + std::to_string(want) +
                               ") outside the solicited range [" + std::to_string(unsolicited_end) +
                               ", " + std::to_string(edtl) + ")");
      }
      for (uint64_t i = off; i < static_cast<uint64_t>(off) + want && i < solicited.size(); ++i) {
        if (solicited[i]++ != 0) {
          r.violations.push_back("byte " + std::to_string(i) + " solicited twice");
          break;
        }
      }
      pending_r2ts.push_back(pdu);
      return false;
    }
    if (op == kOpDataIn) {
      ++r.data_in_pdus;
      const uint32_t off = pdu.Get32(40);
      const uint32_t sz = static_cast<uint32_t>(pdu.data.size());
      r.data_in_bytes += sz;
      if (pdu.Get32(36) != expected_data_sn) {
        r.violations.push_back("Data-In DataSN " + std::to_string(pdu.Get32(36)) + ", expected " +
                               std::to_string(expected_data_sn));
      }
      expected_data_sn = pdu.Get32(36) + 1;
      if (off != expected_offset) {
        r.violations.push_back("Data-In offset " + std::to_string(off) + ", expected " +
                               std::to_string(expected_offset) + " (DataPDUInOrder=Yes)");
      }
      expected_offset = off + sz;
      if (sz > n.initiator_mrdsl) {
        r.violations.push_back("Data-In of " + std::to_string(sz) +
                               " bytes exceeds our MaxRecvDataSegmentLength " +
                               std::to_string(n.initiator_mrdsl));
      }
      if (static_cast<uint64_t>(off) + sz > r.data.size()) {
        r.violations.push_back("Data-In [" + std::to_string(off) + ", +" + std::to_string(sz) +
                               ") beyond the Expected Data Transfer Length " +
                               std::to_string(edtl));
      } else {
        std::copy(pdu.data.begin(), pdu.data.end(), r.data.begin() + off);
      }
      sequence_bytes += sz;
      if (pdu.flags() & 0x80) {
        // RFC 7143 §13.13: a Data-In sequence carries at most MaxBurstLength bytes.
        if (sequence_bytes > n.max_burst) {
          r.violations.push_back("Data-In sequence of " + std::to_string(sequence_bytes) +
                                 " bytes exceeds MaxBurstLength " + std::to_string(n.max_burst));
        }
        sequence_bytes = 0;
      }
      if (pdu.flags() & 0x01) {  // S: status in this PDU (RFC 7143 §11.7.4)
        if (!(pdu.flags() & 0x80)) r.violations.push_back("Data-In with S=1 but F=0");
        r.completed = true;
        r.status = pdu.bhs[3];
        r.overflow = (pdu.flags() & 0x04) != 0;
        r.underflow = (pdu.flags() & 0x02) != 0;
        r.residual = pdu.Get32(44);
        return true;
      }
      return false;
    }
    if (op == kOpScsiResponse) {
      r.completed = true;
      r.response = pdu.bhs[2];
      r.status = pdu.bhs[3];
      r.overflow = (pdu.flags() & 0x04) != 0;
      r.underflow = (pdu.flags() & 0x02) != 0;
      r.residual = pdu.Get32(44);
      if (pdu.data.size() >= 2) {
        const size_t sl = static_cast<size_t>(pdu.data[0] << 8 | pdu.data[1]);
        r.sense.assign(pdu.data.begin() + 2,
                       pdu.data.begin() + static_cast<long>(std::min(pdu.data.size(), 2 + sl)));
      }
      return true;
    }
    return false;
  };

  while (true) {
    if (TimeLeft(deadline).count() == 0) {
      r.timed_out = true;
      r.error = "no SCSI Response within " + std::to_string(c.limit.count()) + " ms";
      return r;
    }
    Pdu pdu;
    std::string err;
    RecvStatus st = Next(&pdu, TimeLeft(deadline), &err);
    if (st == RecvStatus::kTimeout) continue;
    if (st != RecvStatus::kPdu) {
      r.closed = st == RecvStatus::kClosed;
      r.error = std::string(RecvStatusName(st)) + (err.empty() ? "" : ": " + err);
      if (!r.closed) r.timed_out = false;
      return r;
    }
    if (handle(pdu)) return r;
    if (pending_r2ts.empty()) continue;
    // Gather R2Ts that arrive together, to count how many are outstanding at once.
    if (c.r2t_gather.count() > 0) {
      const auto until = std::min(deadline, Clock::now() + c.r2t_gather);
      while (Clock::now() < until) {
        Pdu more;
        st = Next(&more, TimeLeft(until), &err);
        if (st == RecvStatus::kTimeout) break;
        if (st != RecvStatus::kPdu) {
          r.closed = st == RecvStatus::kClosed;
          r.error = std::string(RecvStatusName(st)) + (err.empty() ? "" : ": " + err);
          return r;
        }
        if (handle(more)) return r;
      }
    }
    if (pending_r2ts.size() > n.max_outstanding_r2t) {
      r.violations.push_back(std::to_string(pending_r2ts.size()) +
                             " R2Ts outstanding at once (MaxOutstandingR2T " +
                             std::to_string(n.max_outstanding_r2t) + ")");
    }
    for (const Pdu& r2t : pending_r2ts) {
      if (!send_burst(BuildDataOut(c, itt, r2t.Get32(20), r2t.Get32(40), r2t.Get32(44)))) {
        r.closed = true;
        return r;
      }
    }
    pending_r2ts.clear();
  }
}

}  // namespace conformance
