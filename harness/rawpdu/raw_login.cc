#include "harness/rawpdu/raw_login.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <random>

namespace harness::rawpdu {
namespace {

constexpr int kSecurityStage = 0;
constexpr int kOperationalStage = 1;
constexpr int kFullFeaturePhase = 3;
constexpr int kMaxExchanges = 8;

struct Exchange {
  bool ok = false;
  Pdu response;
};

KeyValues OperationalKeys(const RawLoginOptions& o) {
  KeyValues keys = {{"HeaderDigest", o.header_digest}, {"DataDigest", o.data_digest}};
  if (o.session_type == "Normal") {
    KeyValues normal = {{"ErrorRecoveryLevel", "0"},   {"InitialR2T", "Yes"},
                        {"ImmediateData", "Yes"},      {"MaxBurstLength", "262144"},
                        {"FirstBurstLength", "65536"}, {"MaxRecvDataSegmentLength", "65536"},
                        {"MaxConnections", "1"},       {"MaxOutstandingR2T", "1"},
                        {"DataPDUInOrder", "Yes"},     {"DataSequenceInOrder", "Yes"},
                        {"DefaultTime2Wait", "0"},     {"DefaultTime2Retain", "0"}};
    keys.insert(keys.end(), normal.begin(), normal.end());
  } else {
    keys.emplace_back("MaxRecvDataSegmentLength", "65536");
  }
  for (const auto& [k, v] : o.extra_operational_keys) {
    bool replaced = false;
    for (auto& kv : keys) {
      if (kv.first == k) {
        kv.second = v;
        replaced = true;
      }
    }
    if (!replaced) keys.emplace_back(k, v);
  }
  return keys;
}

uint32_t ParseNumber(const std::optional<std::string>& v, uint32_t fallback) {
  if (!v) return fallback;
  try {
    return static_cast<uint32_t>(std::stoul(*v));
  } catch (...) {
    return fallback;
  }
}

}  // namespace

std::vector<uint8_t> ChapResponse(uint8_t id, const std::string& secret,
                                  const std::vector<uint8_t>& challenge) {
  std::vector<uint8_t> input;
  input.push_back(id);
  input.insert(input.end(), secret.begin(), secret.end());
  input.insert(input.end(), challenge.begin(), challenge.end());
  std::vector<uint8_t> digest(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &len, EVP_md5(), nullptr);
  digest.resize(len);
  return digest;
}

Pdu MakeLoginRequest(const RawLoginOptions& o, int csg, int nsg, bool transit, uint32_t itt,
                     uint32_t cmd_sn, uint32_t exp_stat_sn, const KeyValues& keys) {
  Pdu p;
  p.bhs[0] = kOpLoginRequest | kImmediateBit;
  p.bhs[1] = static_cast<uint8_t>((transit ? 0x80 : 0) | (csg & 3) << 2 | (transit ? nsg & 3 : 0));
  p.bhs[2] = 0;  // VersionMax
  p.bhs[3] = 0;  // VersionMin
  for (int i = 0; i < 6; ++i) p.bhs[8 + i] = o.isid[i];
  p.Set16(14, 0);  // TSIH 0: a new session
  p.Set32(16, itt);
  p.Set16(20, 0);  // CID
  p.Set32(24, cmd_sn);
  p.Set32(28, exp_stat_sn);
  p.data = EncodeKeys(keys);
  return p;
}

std::array<uint8_t, 6> RandomIsid() {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const uint64_t v = rng();
  // T = 10b (random) in the top bits of byte 0; A reserved; B, C and D random.
  return {0x80,
          static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 24),
          static_cast<uint8_t>(v >> 32),
          static_cast<uint8_t>(v >> 40)};
}

RawLoginResult RawLogin(RawConnection* conn, const RawLoginOptions& o) {
  RawLoginResult r;
  const uint32_t itt = 0x1000;
  uint32_t exp_stat_sn = 0;
  bool first = true;

  // Sends one Login Request and reads its response; records status and keys.
  auto exchange = [&](int csg, int nsg, bool transit, const KeyValues& keys) -> Exchange {
    Exchange ex;
    KeyValues all = keys;
    if (first) {
      KeyValues leading = {{"InitiatorName", o.initiator_name}, {"SessionType", o.session_type}};
      if (!o.target_name.empty()) leading.emplace_back("TargetName", o.target_name);
      all.insert(all.begin(), leading.begin(), leading.end());
    }
    Pdu req = MakeLoginRequest(o, csg, nsg, transit, itt, o.initial_cmd_sn, exp_stat_sn, all);
    std::string err;
    if (!conn->SendPdu(req, &err)) {
      r.error = "sending login request: " + err;
      r.connection_closed = true;
      return ex;
    }
    first = false;
    Pdu resp;
    RecvStatus st = conn->Recv(&resp, o.timeout, &err);
    if (st != RecvStatus::kPdu) {
      r.connection_closed = st == RecvStatus::kClosed;
      r.error = std::string("waiting for login response: ") + RecvStatusName(st) + " " + err;
      return ex;
    }
    if (resp.opcode() != kOpLoginResponse) {
      r.error = "expected Login-Response, got " + OpcodeName(resp.opcode());
      return ex;
    }
    exp_stat_sn = resp.Get32(24) + 1;
    r.exp_stat_sn = exp_stat_sn;
    r.cmd_sn = resp.Get32(28);
    r.max_cmd_sn = resp.Get32(32);
    r.tsih = resp.Get16(14);
    r.status_class = resp.bhs[36];
    r.status_detail = resp.bhs[37];
    KeyValues got = DecodeKeys(resp.data);
    r.target_keys.insert(r.target_keys.end(), got.begin(), got.end());
    if (r.status_class != 0) {
      r.status_received = true;
      r.error = "login rejected with status 0x" + [&] {
        char b[8];
        std::snprintf(b, sizeof(b), "%04x", r.status());
        return std::string(b);
      }();
      return ex;
    }
    ex.ok = true;
    ex.response = std::move(resp);
    return ex;
  };

  // Security stage.
  if (o.chap) {
    Exchange ex = exchange(kSecurityStage, kOperationalStage, false, {{"AuthMethod", "CHAP,None"}});
    if (!ex.ok) return r;
    auto method = FindKey(DecodeKeys(ex.response.data), "AuthMethod");
    if (method != "CHAP") {
      r.error = "target chose AuthMethod=" + method.value_or("(none)");
      return r;
    }
    ex = exchange(kSecurityStage, kOperationalStage, false, {{"CHAP_A", "5"}});
    if (!ex.ok) return r;
    KeyValues challenge = DecodeKeys(ex.response.data);
    auto chap_i = FindKey(challenge, "CHAP_I");
    auto chap_c = FindKey(challenge, "CHAP_C");
    auto chap_c_bytes = chap_c ? DecodeBinaryValue(*chap_c) : std::nullopt;
    if (!chap_i || !chap_c_bytes) {
      r.error = "target sent no usable CHAP_I/CHAP_C";
      return r;
    }
    uint8_t id = static_cast<uint8_t>(ParseNumber(chap_i, 0));
    KeyValues response = {{"CHAP_N", o.chap->user},
                          {"CHAP_R", ToHex(ChapResponse(id, o.chap->secret, *chap_c_bytes))}};
    std::vector<uint8_t> my_challenge(16);
    uint8_t my_id = 0;
    const bool mutual = !o.chap->target_user.empty();
    if (mutual) {
      RAND_bytes(my_challenge.data(), static_cast<int>(my_challenge.size()));
      RAND_bytes(&my_id, 1);
      response.emplace_back("CHAP_I", std::to_string(my_id));
      response.emplace_back("CHAP_C", ToHex(my_challenge));
    }
    if (o.chap_mutator) o.chap_mutator(&response, challenge);
    ex = exchange(kSecurityStage, kOperationalStage, true, response);
    if (!ex.ok) return r;
    if (mutual) {
      KeyValues got = DecodeKeys(ex.response.data);
      auto n = FindKey(got, "CHAP_N");
      auto rr = FindKey(got, "CHAP_R");
      auto rbytes = rr ? DecodeBinaryValue(*rr) : std::nullopt;
      if (n != o.chap->target_user || !rbytes ||
          *rbytes != ChapResponse(my_id, o.chap->target_secret, my_challenge)) {
        r.error = "target failed mutual CHAP (CHAP_N or CHAP_R wrong)";
        return r;
      }
    }
    if (!(ex.response.flags() & 0x80)) {
      r.error = "target did not transit after the CHAP response";
      return r;
    }
  } else {
    Exchange ex = exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
    if (!ex.ok) return r;
    if (!(ex.response.flags() & 0x80)) {
      r.error = "target did not transit from the security stage with AuthMethod=None";
      return r;
    }
  }

  // Operational stage, until the target transits to Full Feature Phase.
  KeyValues keys = OperationalKeys(o);
  for (int i = 0; i < kMaxExchanges; ++i) {
    Exchange ex = exchange(kOperationalStage, kFullFeaturePhase, true, keys);
    if (!ex.ok) return r;
    keys.clear();
    const uint8_t flags = ex.response.flags();
    if ((flags & 0x80) && (flags & 0x03) == kFullFeaturePhase) {
      r.full_feature = true;
      break;
    }
  }
  if (!r.full_feature) {
    r.error = "target never transited to Full Feature Phase";
    return r;
  }
  const bool hd = FindKey(r.target_keys, "HeaderDigest") == "CRC32C";
  const bool dd = FindKey(r.target_keys, "DataDigest") == "CRC32C";
  conn->SetDigests(hd, dd);
  r.target_max_recv_data_segment =
      ParseNumber(FindKey(r.target_keys, "MaxRecvDataSegmentLength"), 8192);
  r.first_burst_length =
      std::min<uint32_t>(ParseNumber(FindKey(r.target_keys, "FirstBurstLength"), 65536), 65536);
  auto imm = FindKey(r.target_keys, "ImmediateData");
  r.immediate_data = !imm || *imm == "Yes";
  r.next_itt = itt + 1;
  return r;
}

}  // namespace harness::rawpdu
