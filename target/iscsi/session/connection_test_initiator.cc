// The scripted initiator's login and SCSI exchanges (see connection_test_util.h).
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "target/iscsi/session/connection_test_util.h"

namespace reftarget::iscsi::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string Hex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::vector<uint8_t> FromHex(const std::string& text) {
  std::vector<uint8_t> out;
  size_t i = (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) ? 2 : 0;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (; i + 1 < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

// MD5(identifier || secret || challenge) through OpenSSL EVP (RFC 1994 §4.1).
std::vector<uint8_t> ChapResponse(uint8_t id, const std::string& secret,
                                  const std::vector<uint8_t>& challenge) {
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, &id, 1);
  EVP_DigestUpdate(ctx, secret.data(), secret.size());
  EVP_DigestUpdate(ctx, challenge.data(), challenge.size());
  EVP_DigestFinal_ex(ctx, out.data(), &length);
  EVP_MD_CTX_free(ctx);
  out.resize(length);
  return out;
}

std::string KeyString(const std::vector<login::KeyValue>& keys) {
  return login::EncodeTextKeys(keys);
}

}  // namespace

LoginRequestPdu Initiator::MakeLogin(uint8_t csg, uint8_t nsg, bool transit) const {
  LoginRequestPdu r;
  r.transit = transit;
  r.csg = csg;
  r.nsg = transit ? nsg : 0;
  r.isid = isid;
  r.tsih = tsih;
  r.itt = login_itt_;
  r.cmd_sn = cmd_sn;
  r.exp_stat_sn = exp_stat_sn;
  return r;
}

std::optional<Pdu> Initiator::LoginStep(const LoginRequestPdu& req, const std::string& keys) {
  std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(keys.data()), keys.size());
  if (!SendPdu(Encode(req), data)) return std::nullopt;
  return Recv();
}

LoginResult Initiator::Login(const LoginOptions& o) {
  LoginResult res;
  isid = o.isid;
  cmd_sn = o.cmd_sn;
  login_itt_ = NextItt();
  auto record = [&](const Pdu& pdu) -> bool {
    res.responses.push_back(pdu);
    auto decoded = DecodeLoginResponse(pdu.bhs);
    if (!decoded.ok()) {
      res.error = "not a Login Response: " + Describe(pdu);
      return false;
    }
    res.status_class = decoded.value().status_class;
    res.status_detail = decoded.value().status_detail;
    res.tsih = decoded.value().tsih;
    auto keys = login::ParseTextKeys(pdu.data);
    if (!keys.ok()) {
      res.error = "bad keys in a Login Response: " + keys.error();
      return false;
    }
    for (auto& kv : keys.value()) res.keys[kv.key] = kv.value;
    return res.status_class == 0;
  };
  auto step = [&](const LoginRequestPdu& req,
                  const std::vector<login::KeyValue>& keys) -> std::optional<LoginResponsePdu> {
    auto pdu = LoginStep(req, KeyString(keys));
    if (!pdu) {
      res.error = error_;
      return std::nullopt;
    }
    if (!record(*pdu)) return std::nullopt;
    return DecodeLoginResponse(pdu->bhs).value();
  };

  std::vector<login::KeyValue> leading = {{"InitiatorName", o.initiator_name}};
  if (o.discovery) {
    leading.push_back({"SessionType", "Discovery"});
  } else {
    leading.push_back({"TargetName", o.target_name});
  }
  uint8_t stage = o.security_stage ? 0 : 1;
  if (stage == 0) {
    std::vector<login::KeyValue> keys = leading;
    keys.push_back({"AuthMethod", o.chap_user.empty() ? "None" : "CHAP,None"});
    auto r = step(MakeLogin(0, 1, true), keys);
    if (!r) return res;
    if (!o.chap_user.empty()) {
      if (res.keys["AuthMethod"] != "CHAP") {
        res.error = "target chose AuthMethod=" + res.keys["AuthMethod"];
        return res;
      }
      std::vector<login::KeyValue> again;
      if (o.repeat_declarations) {
        again = leading;
        if (!o.repeated_initiator_name.empty()) again[0].value = o.repeated_initiator_name;
      }
      auto with_again = [&](std::vector<login::KeyValue> k) {
        k.insert(k.begin(), again.begin(), again.end());
        return k;
      };
      r = step(MakeLogin(0, 1, false), with_again({{"CHAP_A", "5"}}));
      if (!r) return res;
      uint8_t id = static_cast<uint8_t>(std::stoi(res.keys["CHAP_I"]));
      auto challenge = FromHex(res.keys["CHAP_C"]);
      auto answer = ChapResponse(id, o.chap_secret, challenge);
      r = step(MakeLogin(0, 1, true),
               with_again({{"CHAP_N", o.chap_user}, {"CHAP_R", Hex(answer)}}));
      if (!r) return res;
    }
    if (!r->transit || r->nsg != 1) {
      res.error = "security stage did not transit to the operational stage";
      return res;
    }
    leading.clear();
  }
  std::vector<login::KeyValue> keys = leading;
  for (const auto& kv : o.operational) {
    if (o.discovery &&
        (kv.key == "InitialR2T" || kv.key == "ImmediateData" || kv.key == "MaxBurstLength" ||
         kv.key == "FirstBurstLength" || kv.key == "MaxOutstandingR2T")) {
      continue;
    }
    keys.push_back(kv);
  }
  std::map<std::string, bool> sent;
  for (int round = 0; round < 4; ++round) {
    for (const auto& kv : keys) sent[kv.key] = true;
    auto r = step(MakeLogin(1, 3, true), keys);
    if (!r) return res;
    if (r->transit && r->nsg == 3) {
      res.ok = true;
      tsih = r->tsih;
      header_digest = res.keys["HeaderDigest"] == "CRC32C";
      data_digest = res.keys["DataDigest"] == "CRC32C";
      return res;
    }
    // The target made offers of its own: accept each value it proposed.
    keys.clear();
    auto parsed = login::ParseTextKeys(res.responses.back().data);
    for (const auto& kv : parsed.value()) {
      if (!sent[kv.key]) keys.push_back(kv);
    }
  }
  res.error = "login did not reach the full feature phase in 4 rounds";
  return res;
}

// ---- SCSI ----------------------------------------------------------------------------------

bool Initiator::SendDataOut(uint32_t itt, uint32_t ttt, uint32_t data_sn, uint32_t offset,
                            std::span<const uint8_t> data, bool final, uint64_t lun) {
  DataOutPdu d;
  d.final = final;
  d.lun = EncodeLun(lun);
  d.itt = itt;
  d.target_transfer_tag = ttt;
  d.exp_stat_sn = exp_stat_sn;
  d.data_sn = data_sn;
  d.buffer_offset = offset;
  d.data_segment_length = static_cast<uint32_t>(data.size());
  return SendPdu(Encode(d), data);
}

uint32_t Initiator::StartScsi(const ScsiRequest& rq) {
  ScsiCommandPdu c;
  c.immediate = rq.immediate;
  c.read = rq.read;
  c.write = rq.write;
  c.attribute = 1;  // SIMPLE
  c.lun = EncodeLun(rq.lun);
  c.itt = rq.itt != 0 ? rq.itt : NextItt();
  c.expected_data_transfer_length = rq.edtl;
  if (rq.cmd_sn) {
    c.cmd_sn = *rq.cmd_sn;
  } else {
    c.cmd_sn = cmd_sn;
    if (!rq.immediate) ++cmd_sn;
  }
  c.exp_stat_sn = exp_stat_sn;
  std::copy_n(rq.cdb.begin(), std::min<size_t>(rq.cdb.size(), 16), c.cdb.begin());
  uint32_t imm =
      std::min<uint32_t>(rq.immediate_bytes, static_cast<uint32_t>(rq.write_data.size()));
  // F: no unsolicited Data-Out follows.
  c.final = rq.unsolicited_bytes == 0;
  c.data_segment_length = imm;
  SendPdu(Encode(c), std::span<const uint8_t>(rq.write_data.data(), imm));
  uint32_t end =
      std::min<uint32_t>(imm + rq.unsolicited_bytes, static_cast<uint32_t>(rq.write_data.size()));
  uint32_t data_sn = 0;
  for (uint32_t off = imm; off < end;) {
    uint32_t len = std::min(rq.data_out_segment, end - off);
    SendDataOut(c.itt, kReservedTag, data_sn++, off, {rq.write_data.data() + off, len},
                off + len == end, rq.lun);
    off += len;
  }
  return c.itt;
}

ScsiResult Initiator::FinishScsi(uint32_t itt, const ScsiRequest& rq, int timeout_ms) {
  ScsiResult res;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!res.completed) {
    int left = RemainingMs(deadline);
    auto pdu = left > 0 ? Recv(left) : std::nullopt;
    if (!pdu) {
      res.error = left > 0 ? error_ : "timed out waiting for the status";
      return res;
    }
    const auto op = static_cast<Opcode>(pdu->opcode());
    if (pdu->itt() != itt) {
      res.others.push_back(std::move(*pdu));
      continue;
    }
    if (op == Opcode::kDataIn) {
      auto d = DecodeDataIn(pdu->bhs);
      if (!d.ok()) {
        res.error = d.error();
        return res;
      }
      DataInPdu di = d.value();
      di.data_segment_length = static_cast<uint32_t>(pdu->data.size());
      size_t end = static_cast<size_t>(di.buffer_offset) + pdu->data.size();
      if (res.data_in.size() < end) res.data_in.resize(end);
      std::copy(pdu->data.begin(), pdu->data.end(), res.data_in.begin() + di.buffer_offset);
      res.data_ins.push_back(di);
      if (di.has_status) {
        res.completed = true;
        res.status_in_data_in = true;
        res.status = di.status;
        res.underflow = di.underflow;
        res.overflow = di.overflow;
        res.residual = di.residual_count;
        res.max_cmd_sn = di.max_cmd_sn;
      }
    } else if (op == Opcode::kR2T) {
      auto r = DecodeR2T(pdu->bhs);
      if (!r.ok()) {
        res.error = r.error();
        return res;
      }
      res.r2ts.push_back(r.value());
      if (!rq.answer_r2ts) continue;
      const R2TPdu& r2t = r.value();
      uint32_t end = r2t.buffer_offset + r2t.desired_data_transfer_length;
      if (end > rq.write_data.size()) {
        res.error = "R2T beyond the write buffer";
        return res;
      }
      uint32_t data_sn = 0;
      for (uint32_t off = r2t.buffer_offset; off < end;) {
        uint32_t len = std::min(rq.data_out_segment, end - off);
        SendDataOut(itt, r2t.target_transfer_tag, data_sn++, off, {rq.write_data.data() + off, len},
                    off + len == end, rq.lun);
        off += len;
      }
    } else if (op == Opcode::kScsiResponse) {
      auto r = DecodeScsiResponse(pdu->bhs);
      if (!r.ok()) {
        res.error = r.error();
        return res;
      }
      res.completed = true;
      res.status = r.value().status;
      res.underflow = r.value().underflow;
      res.overflow = r.value().overflow;
      res.residual = r.value().residual_count;
      res.max_cmd_sn = r.value().max_cmd_sn;
      if (pdu->data.size() >= 2) {
        size_t n = std::min<size_t>(Load16(pdu->data.data()), pdu->data.size() - 2);
        res.sense.assign(pdu->data.begin() + 2, pdu->data.begin() + 2 + static_cast<long>(n));
      }
    } else {
      res.others.push_back(std::move(*pdu));
    }
  }
  return res;
}

ScsiResult Initiator::Scsi(const ScsiRequest& rq) {
  uint32_t itt = StartScsi(rq);
  return FinishScsi(itt, rq);
}

bool Initiator::ClearUnitAttention(uint64_t lun) {
  for (int i = 0; i < 4; ++i) {
    ScsiRequest rq;
    rq.cdb = TestUnitReadyCdb();
    rq.lun = lun;
    ScsiResult r = Scsi(rq);
    if (!r.completed) return false;
    if (r.status == 0) return true;
  }
  return false;
}

std::optional<Pdu> Initiator::RecvFor(uint8_t opcode, uint32_t itt, std::vector<Pdu>* others,
                                      int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = RemainingMs(deadline);
    if (left == 0) return std::nullopt;
    auto pdu = Recv(left);
    if (!pdu) return std::nullopt;
    if (pdu->opcode() == opcode && pdu->itt() == itt) return pdu;
    if (others != nullptr) others->push_back(std::move(*pdu));
  }
}

std::optional<Pdu> Initiator::Ping(std::span<const uint8_t> data, int timeout_ms) {
  NopOutPdu n;
  n.immediate = true;
  n.itt = NextItt();
  n.target_transfer_tag = kReservedTag;
  n.cmd_sn = cmd_sn;
  n.exp_stat_sn = exp_stat_sn;
  n.data_segment_length = static_cast<uint32_t>(data.size());
  if (!SendPdu(Encode(n), data)) return std::nullopt;
  return RecvFor(static_cast<uint8_t>(Opcode::kNopIn), n.itt, nullptr, timeout_ms);
}

}  // namespace reftarget::iscsi::testing
