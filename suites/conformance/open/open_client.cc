#include "suites/conformance/open/open_client.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "harness/iscsi/sense.h"
#include "suites/conformance/open/open_pdu_names.h"

namespace conformance {

namespace {

KeyValues DefaultOffer(const std::string& header_digest, const std::string& data_digest) {
  return {{"HeaderDigest", header_digest}, {"DataDigest", data_digest},
          {"ErrorRecoveryLevel", "0"},     {"InitialR2T", "Yes"},
          {"ImmediateData", "Yes"},        {"MaxBurstLength", "262144"},
          {"FirstBurstLength", "65536"},   {"MaxRecvDataSegmentLength", "65536"},
          {"MaxConnections", "1"},         {"MaxOutstandingR2T", "1"},
          {"DataPDUInOrder", "Yes"},       {"DataSequenceInOrder", "Yes"},
          {"DefaultTime2Wait", "0"},       {"DefaultTime2Retain", "0"}};
}

void Override(KeyValues* keys, const KeyValues& with) {
  for (const auto& [k, v] : with) {
    bool replaced = false;
    for (auto& kv : *keys) {
      if (kv.first == k) {
        kv.second = v;
        replaced = true;
      }
    }
    if (!replaced) keys->emplace_back(k, v);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// RawOutcome

std::string RawOutcome::Describe() const {
  std::string out;
  if (completed) {
    char buf[96];
    if (status == 0) {
      out = "GOOD";
    } else if (!sense.empty()) {
      auto d = harness::iscsi::DecodeSense(sense);
      std::snprintf(buf, sizeof(buf), "status 0x%02x sense %s", status, d.Triple().c_str());
      out = buf;
    } else {
      std::snprintf(buf, sizeof(buf), "status 0x%02x (response 0x%02x)", status, response);
      out = buf;
    }
  } else if (closed) {
    out = "connection closed (" + error + ")";
  } else if (timed_out) {
    out = "no response (" + error + ")";
  } else {
    out = "not completed: " + error;
  }
  for (const Pdu& r : rejects) out += "; Reject reason 0x" + std::to_string(r.bhs[2]);
  for (const std::string& v : violations) out += "; violation: " + v;
  return out;
}

harness::iscsi::CommandResult RawOutcome::ToCommandResult(const std::vector<uint8_t>& cdb) const {
  harness::iscsi::CommandResult r;
  if (completed) {
    r.outcome = harness::iscsi::Outcome::kCompleted;
  } else if (closed) {
    r.outcome = harness::iscsi::Outcome::kConnectionLost;
  } else if (timed_out) {
    r.outcome = harness::iscsi::Outcome::kTimeout;
  } else {
    r.outcome = harness::iscsi::Outcome::kTransportError;
  }
  r.status = status;
  r.sense = sense;
  r.decoded = harness::iscsi::DecodeSense(sense);
  r.data_in = data;
  if (underflow) r.residual = {harness::iscsi::Residual::Kind::kUnderflow, residual};
  if (overflow) r.residual = {harness::iscsi::Residual::Kind::kOverflow, residual};
  if (!cdb.empty())
    r.cdb = harness::iscsi::Cdb::Raw(
        std::span<const uint8_t>(cdb.data(), std::min<size_t>(cdb.size(), 16)));
  r.error = error;
  return r;
}

// ---------------------------------------------------------------------------------------
// RawClient

std::unique_ptr<RawClient> RawClient::Open(const TargetUnderTest& t, const std::string& initiator,
                                           const KeyValues& keys, std::string* error,
                                           std::optional<std::array<uint8_t, 6>> isid,
                                           uint32_t initial_cmd_sn,
                                           const std::string& header_digest,
                                           const std::string& data_digest) {
  auto conn = RawConnection::Connect(t.portal.host, t.portal.port, Ms(5000), error);
  if (!conn) return nullptr;
  RawLoginOptions o;
  o.initiator_name = initiator;
  o.target_name = t.iqn;
  o.isid = isid.value_or(harness::rawpdu::RandomIsid());
  o.initial_cmd_sn = initial_cmd_sn;
  o.timeout = kReplyLimit;
  LoginDriver driver(conn.get(), o);
  KeyValues offer = DefaultOffer(header_digest, data_digest);
  Override(&offer, keys);
  KeyValues answers;
  LoginReply last;
  if (!driver.LoginWith(offer, &answers, &last)) {
    *error = "login to " + t.portal.ToString() + " failed: " + last.Describe();
    return nullptr;
  }
  Negotiated n = ComputeNegotiated(offer, answers);
  conn->SetDigests(n.header_digest, n.data_digest);
  return std::make_unique<RawClient>(std::move(conn), driver.Result(), std::move(n));
}

RawClient::RawClient(std::unique_ptr<RawConnection> conn, const RawLoginResult& login,
                     Negotiated negotiated)
    : conn_(std::move(conn)),
      login_(login),
      negotiated_(std::move(negotiated)),
      cmd_sn_(login.cmd_sn),
      exp_cmd_sn_(login.cmd_sn),
      max_cmd_sn_(login.max_cmd_sn),
      exp_stat_sn_(login.exp_stat_sn),
      next_itt_(login.next_itt) {}

void RawClient::Track(const Pdu& pdu) {
  const uint8_t op = pdu.opcode();
  const bool carries_status =
      op == kOpScsiResponse || op == harness::rawpdu::kOpTaskMgmtResponse ||
      op == harness::rawpdu::kOpTextResponse || op == harness::rawpdu::kOpLogoutResponse ||
      op == kOpReject || op == harness::rawpdu::kOpAsyncMessage ||
      (op == kOpDataIn && (pdu.flags() & 0x01)) || (op == kOpNopIn && pdu.itt() != kReservedTag);
  if (carries_status && !SnLess(pdu.Get32(24) + 1, exp_stat_sn_)) exp_stat_sn_ = pdu.Get32(24) + 1;
  if (op == kOpLoginResponse) return;
  const uint32_t exp = pdu.Get32(28);
  const uint32_t max = pdu.Get32(32);
  // RFC 7143 §4.2.2.1: MaxCmdSN < ExpCmdSN - 1 means the pair is to be ignored.
  if (SnLess(max, exp - 1)) {
    window_problems_.push_back(harness::rawpdu::OpcodeName(op) + " ExpCmdSN " +
                               std::to_string(exp) + " MaxCmdSN " + std::to_string(max));
  } else {
    if (SnLess(exp_cmd_sn_, exp)) exp_cmd_sn_ = exp;
    if (SnLess(max_cmd_sn_, max)) max_cmd_sn_ = max;
  }
}

bool RawClient::Send(Pdu pdu, std::string* error, bool corrupt_data_digest,
                     bool corrupt_header_digest) {
  if ((pdu.opcode() & 0x3f) != harness::rawpdu::kOpLoginRequest) pdu.Set32(28, exp_stat_sn_);
  if (!corrupt_header_digest) return conn_->SendPdu(pdu, error, corrupt_data_digest);
  std::vector<uint8_t> bytes =
      harness::rawpdu::SerializePdu(pdu, conn_->header_digest(), conn_->data_digest());
  if (conn_->header_digest()) {
    const size_t at = harness::rawpdu::kBhsLength + pdu.ahs.size();
    for (size_t i = at; i < at + 4; ++i) bytes[i] ^= 0xff;
  }
  return conn_->SendBytes(bytes.data(), bytes.size(), Ms(5000), error);
}

RecvStatus RawClient::Next(Pdu* out, Ms limit, std::string* error) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    const RecvStatus st = conn_->Recv(out, TimeLeft(deadline), error);
    if (st != RecvStatus::kPdu) return st;
    Track(*out);
    if (out->opcode() == kOpNopIn && out->itt() == kReservedTag && out->Get32(20) != kReservedTag) {
      // A target ping (RFC 7143 §11.19): answer it and keep waiting.
      Pdu answer = NopOut(kReservedTag, out->Get32(20), {});
      std::memcpy(&answer.bhs[8], &out->bhs[8], 8);
      if (!Send(answer, error)) return RecvStatus::kClosed;
      continue;
    }
    return st;
  }
}

RecvStatus RawClient::WaitFor(uint8_t opcode, uint32_t itt, Pdu* out, Ms limit, std::string* error,
                              std::vector<Pdu>* others) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    Pdu pdu;
    const RecvStatus st = Next(&pdu, TimeLeft(deadline), error);
    if (st != RecvStatus::kPdu) return st;
    if (pdu.opcode() == opcode && (itt == kReservedTag || pdu.itt() == itt)) {
      *out = std::move(pdu);
      return st;
    }
    if (others != nullptr) others->push_back(std::move(pdu));
  }
}

std::map<uint32_t, RawClient::Ended> RawClient::Collect(const std::set<uint32_t>& itts, Ms limit,
                                                        std::vector<Pdu>* others, bool* closed) {
  std::map<uint32_t, Ended> ended;
  const auto deadline = Clock::now() + limit;
  if (closed != nullptr) *closed = false;
  while (ended.size() < itts.size()) {
    Pdu pdu;
    std::string err;
    const RecvStatus st = Next(&pdu, TimeLeft(deadline), &err);
    if (st == RecvStatus::kTimeout) break;
    if (st != RecvStatus::kPdu) {
      if (closed != nullptr) *closed = true;
      break;
    }
    const bool mine = itts.count(pdu.itt()) != 0;
    if (mine && pdu.opcode() == kOpScsiResponse) {
      Ended e;
      e.response = pdu.bhs[2];
      e.status = pdu.bhs[3];
      if (pdu.data.size() >= 2) {
        const size_t sl = static_cast<size_t>(pdu.data[0] << 8 | pdu.data[1]);
        e.sense.assign(pdu.data.begin() + 2,
                       pdu.data.begin() + static_cast<long>(std::min(pdu.data.size(), 2 + sl)));
      }
      ended[pdu.itt()] = e;
    } else if (mine && pdu.opcode() == kOpDataIn && (pdu.flags() & 0x01)) {
      Ended e;
      e.status = pdu.bhs[3];
      ended[pdu.itt()] = e;
    } else if (!(mine && pdu.opcode() == kOpDataIn) && others != nullptr) {
      others->push_back(std::move(pdu));
    }
  }
  return ended;
}

bool RawClient::Quiet(Ms window, std::vector<Pdu>* arrived) {
  const auto deadline = Clock::now() + window;
  bool quiet = true;
  while (Clock::now() < deadline) {
    Pdu pdu;
    std::string err;
    const RecvStatus st = Next(&pdu, TimeLeft(deadline), &err);
    if (st == RecvStatus::kTimeout) break;
    if (st != RecvStatus::kPdu) return false;
    quiet = false;
    if (arrived != nullptr) arrived->push_back(std::move(pdu));
  }
  return quiet;
}

Pdu RawClient::ScsiCommand(const RawCommand& c, uint32_t itt, uint32_t cmd_sn,
                           bool final_bit) const {
  Pdu p;
  p.bhs[0] =
      static_cast<uint8_t>(kOpScsiCommand | (c.immediate ? harness::rawpdu::kImmediateBit : 0));
  const bool write = !c.data_out.empty();
  p.bhs[1] = static_cast<uint8_t>((final_bit ? 0x80 : 0) | (c.data_in_length > 0 ? 0x40 : 0) |
                                  (write ? 0x20 : 0) | 0x01 /* SIMPLE */);
  p.SetLun(c.lun);
  p.Set32(16, itt);
  const uint32_t edtl =
      c.edtl.value_or(write ? static_cast<uint32_t>(c.data_out.size()) : c.data_in_length);
  p.Set32(20, edtl);
  p.Set32(24, cmd_sn);
  std::copy_n(c.cdb.begin(), std::min<size_t>(c.cdb.size(), 16), p.bhs.begin() + 32);
  return p;
}

int RawClient::Logout(uint8_t reason, uint16_t cid, std::string* error, Pdu* response) {
  const uint32_t itt = NextItt();
  if (!Send(LogoutRequest(reason, cid, itt), error)) return -1;
  Pdu in;
  const RecvStatus st = WaitFor(harness::rawpdu::kOpLogoutResponse, itt, &in, kReplyLimit, error);
  if (st != RecvStatus::kPdu) {
    *error = std::string("waiting for the Logout Response: ") + RecvStatusName(st);
    return -1;
  }
  if (response != nullptr) *response = in;
  return in.bhs[2];
}

Pdu RawClient::TaskManagement(uint8_t function, uint32_t lun, uint32_t referenced_itt,
                              uint32_t ref_cmd_sn, uint32_t itt) const {
  Pdu p;
  p.bhs[0] = harness::rawpdu::kOpTaskMgmt | harness::rawpdu::kImmediateBit;
  p.bhs[1] = static_cast<uint8_t>(0x80 | (function & 0x7f));
  p.SetLun(lun);
  p.Set32(16, itt);
  p.Set32(20, referenced_itt);
  p.Set32(24, cmd_sn_);
  p.Set32(32, ref_cmd_sn);
  return p;
}

Pdu RawClient::LogoutRequest(uint8_t reason, uint16_t cid, uint32_t itt) const {
  Pdu p;
  p.bhs[0] = harness::rawpdu::kOpLogoutRequest | harness::rawpdu::kImmediateBit;
  p.bhs[1] = static_cast<uint8_t>(0x80 | (reason & 0x7f));
  p.Set32(16, itt);
  p.Set16(20, cid);
  p.Set32(24, cmd_sn_);
  return p;
}

Pdu RawClient::NopOut(uint32_t itt, uint32_t ttt, const std::vector<uint8_t>& data) const {
  Pdu p;
  p.bhs[0] = kOpNopOut | harness::rawpdu::kImmediateBit;
  p.bhs[1] = 0x80;
  p.Set32(16, itt);
  p.Set32(20, ttt);
  p.Set32(24, cmd_sn_);
  p.data = data;
  return p;
}

bool RawClient::ClearUnitAttentions(uint32_t lun, std::string* error) {
  for (int i = 0; i < 8; ++i) {
    RawCommand c;
    c.lun = lun;
    c.cdb.assign(6, 0);
    RawOutcome r = Execute(c);
    if (r.good()) return true;
    *error = "TEST UNIT READY: " + r.Describe();
    if (!r.completed) return false;
  }
  return false;
}

RawOutcome RawClient::Write(uint32_t lun, uint64_t lba, const std::vector<uint8_t>& data,
                            uint32_t block_size) {
  RawCommand c;
  c.lun = lun;
  c.cdb.assign(16, 0);
  c.cdb[0] = 0x8a;
  for (int i = 0; i < 8; ++i) c.cdb[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
  const uint32_t blocks = static_cast<uint32_t>(data.size() / block_size);
  for (int i = 0; i < 4; ++i) c.cdb[10 + i] = static_cast<uint8_t>(blocks >> (24 - 8 * i));
  c.data_out = data;
  return Execute(c);
}

RawOutcome RawClient::Read(uint32_t lun, uint64_t lba, uint32_t blocks, uint32_t block_size) {
  RawCommand c;
  c.lun = lun;
  c.cdb.assign(16, 0);
  c.cdb[0] = 0x88;
  for (int i = 0; i < 8; ++i) c.cdb[2 + i] = static_cast<uint8_t>(lba >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) c.cdb[10 + i] = static_cast<uint8_t>(blocks >> (24 - 8 * i));
  c.data_in_length = blocks * block_size;
  return Execute(c);
}

}  // namespace conformance
