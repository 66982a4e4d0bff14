#include "suites/conformance/open/open_login.h"

#include <cstdio>

#include "suites/conformance/open/open_pdu_names.h"

namespace conformance {

namespace {

constexpr uint32_t kLoginItt = 0x1000;
constexpr int kMaxLoginExchanges = 6;
constexpr uint32_t kMaxSegment = (1u << 24) - 1;

std::optional<uint64_t> Number(const std::optional<std::string>& v) {
  if (!v || v->empty() || v->size() > 12) return std::nullopt;
  uint64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// The raw client's default offer: what RawLogin offers, so that tests that only care about

}  // namespace

std::string LoginReply::Describe() const {
  if (received) {
    return "Login Response status " + StatusHex(status()) + (transit() ? " T=1" : " T=0") +
           " CSG=" + std::to_string(csg()) + " NSG=" + std::to_string(nsg());
  }
  if (closed) return "connection closed by the target (" + error + ")";
  return error.empty() ? "no Login Response" : error;
}

::testing::AssertionResult LoginRejectedWith(const LoginReply& r,
                                             std::initializer_list<uint16_t> statuses) {
  std::string want;
  for (uint16_t s : statuses) {
    if (r.received && r.status() == s) return ::testing::AssertionSuccess();
    want += (want.empty() ? "" : " or ") + StatusHex(s);
  }
  return ::testing::AssertionFailure()
         << "expected a Login Response with status " << want << ", got " << r.Describe();
}

bool RawLogout(RawConnection* conn, const RawLoginResult& login, std::string* error) {
  Pdu p;
  p.bhs[0] = harness::rawpdu::kOpLogoutRequest | harness::rawpdu::kImmediateBit;
  p.bhs[1] = 0x80;  // reason 0: close the session
  p.Set32(16, login.next_itt);
  p.Set32(24, login.cmd_sn);
  p.Set32(28, login.exp_stat_sn);
  if (!conn->SendPdu(p, error)) return false;
  const auto deadline = Clock::now() + kReplyLimit;
  while (true) {
    Pdu in;
    const RecvStatus st = conn->Recv(&in, TimeLeft(deadline), error);
    if (st != RecvStatus::kPdu) {
      *error = std::string("waiting for the Logout Response: ") + RecvStatusName(st);
      return false;
    }
    if (in.opcode() == harness::rawpdu::kOpLogoutResponse) {
      if (in.bhs[2] != 0) *error = "Logout Response " + std::to_string(in.bhs[2]);
      return in.bhs[2] == 0;
    }
  }
}

// ---------------------------------------------------------------------------------------
// LoginDriver

LoginDriver::LoginDriver(RawConnection* conn, RawLoginOptions options)
    : conn_(conn), options_(std::move(options)) {
  leading_ = {{"InitiatorName", options_.initiator_name}, {"SessionType", options_.session_type}};
  if (!options_.target_name.empty()) leading_.emplace_back("TargetName", options_.target_name);
}

LoginReply LoginDriver::Exchange(int csg, int nsg, bool transit, const KeyValues& keys) {
  LoginReply reply;
  KeyValues all = keys;
  if (first_) all.insert(all.begin(), leading_.begin(), leading_.end());
  Pdu req = harness::rawpdu::MakeLoginRequest(options_, csg, nsg, transit, kLoginItt,
                                              options_.initial_cmd_sn, exp_stat_sn_, all);
  req.bhs[2] = version_max_;
  req.bhs[3] = version_min_;
  req.Set16(14, tsih_);
  std::string err;
  if (!conn_->SendPdu(req, &err)) {
    reply.closed = true;
    reply.error = "sending Login Request: " + err;
    return reply;
  }
  first_ = false;
  const RecvStatus st = conn_->Recv(&reply.pdu, options_.timeout, &err);
  if (st != RecvStatus::kPdu) {
    reply.closed = st == RecvStatus::kClosed;
    reply.error = std::string("waiting for a Login Response: ") + RecvStatusName(st) +
                  (err.empty() ? "" : " " + err);
    return reply;
  }
  if (reply.pdu.opcode() != kOpLoginResponse) {
    reply.error =
        "expected a Login Response, got " + harness::rawpdu::OpcodeName(reply.pdu.opcode());
    return reply;
  }
  reply.received = true;
  reply.keys = DecodeKeys(reply.pdu.data);
  all_keys_.insert(all_keys_.end(), reply.keys.begin(), reply.keys.end());
  exp_stat_sn_ = reply.pdu.Get32(24) + 1;
  exp_cmd_sn_ = reply.pdu.Get32(28);
  max_cmd_sn_ = reply.pdu.Get32(32);
  got_tsih_ = reply.pdu.Get16(14);
  return reply;
}

LoginReply LoginDriver::SecurityNone() {
  LoginReply r = Exchange(kSecurityStage, kOperationalStage, true, {{"AuthMethod", "None"}});
  for (int i = 0; i < kMaxLoginExchanges && r.success() && !r.transit(); ++i) {
    r = Exchange(kSecurityStage, kOperationalStage, true, {});
  }
  return r;
}

LoginReply LoginDriver::Operational(const KeyValues& keys, KeyValues* answers) {
  LoginReply r = Exchange(kOperationalStage, kFullFeaturePhase, true, keys);
  if (answers != nullptr) answers->insert(answers->end(), r.keys.begin(), r.keys.end());
  for (int i = 0; i < kMaxLoginExchanges && r.success() && !r.transit(); ++i) {
    r = Exchange(kOperationalStage, kFullFeaturePhase, true, {});
    if (answers != nullptr) answers->insert(answers->end(), r.keys.begin(), r.keys.end());
  }
  return r;
}

bool LoginDriver::LoginWith(const KeyValues& keys, KeyValues* answers, LoginReply* last) {
  LoginReply r = SecurityNone();
  if (r.success() && (!r.transit() || r.nsg() != kOperationalStage)) {
    r.error = "the target did not transit from the security stage to the operational stage";
    r.received = false;
  }
  if (r.success()) r = Operational(keys, answers);
  const bool ok = r.success() && r.transit() && r.nsg() == kFullFeaturePhase;
  if (ok) {
    // RFC 7143 §13.1: negotiated digests apply from the first Full Feature Phase PDU.
    conn_->SetDigests(FindKey(all_keys_, "HeaderDigest") == "CRC32C",
                      FindKey(all_keys_, "DataDigest") == "CRC32C");
  }
  if (last != nullptr) *last = r;
  return ok;
}

RawLoginResult LoginDriver::Result() const {
  RawLoginResult r;
  r.full_feature = true;
  r.target_keys = all_keys_;
  r.tsih = got_tsih_;
  r.cmd_sn = exp_cmd_sn_;
  r.exp_stat_sn = exp_stat_sn_;
  r.max_cmd_sn = max_cmd_sn_;
  r.next_itt = kLoginItt + 1;
  return r;
}

Negotiated ComputeNegotiated(const KeyValues& offered, const KeyValues& answers) {
  Negotiated n;
  auto boolean = [&](const std::string& key, bool is_or, bool* out) {
    const std::string offer = FindKey(offered, key).value_or("Yes");
    const auto answer = FindKey(answers, key);
    const bool offer_yes = offer == "Yes";
    // RFC 7143 §6.2.2: OR with Yes and AND with No are decided by the offer alone.
    const bool decided = is_or ? offer_yes : !offer_yes;
    if (!answer) {
      if (!decided) n.problems.push_back(key + "=" + offer + " got no answer");
      *out = offer_yes;
      return;
    }
    if (*answer != "Yes" && *answer != "No") {
      n.problems.push_back(key + " answered '" + *answer + "'");
      *out = offer_yes;
      return;
    }
    const bool a = *answer == "Yes";
    if (decided && a != offer_yes) n.problems.push_back(key + "=" + offer + " answered " + *answer);
    *out = a;
  };
  boolean("ImmediateData", false, &n.immediate_data);
  boolean("InitialR2T", true, &n.initial_r2t);
  auto minimum = [&](const std::string& key, uint64_t lo, uint64_t hi, uint32_t* out) {
    const auto offer = Number(FindKey(offered, key));
    const auto answer_text = FindKey(answers, key);
    const auto answer = Number(answer_text);
    if (!answer) {
      n.problems.push_back(key + " answered '" + answer_text.value_or("(nothing)") + "'");
      if (offer) *out = static_cast<uint32_t>(*offer);
      return;
    }
    if (*answer < lo || *answer > hi || (offer && *answer > *offer)) {
      n.problems.push_back(key + "=" + std::to_string(offer.value_or(0)) + " answered " +
                           std::to_string(*answer) + " (Minimum rule, range " + std::to_string(lo) +
                           ".." + std::to_string(hi) + ")");
    }
    *out = static_cast<uint32_t>(*answer);
  };
  // RFC 7143 §13.14: FirstBurstLength is Irrelevant when InitialR2T=Yes and ImmediateData=No.
  if (n.initial_r2t && !n.immediate_data && FindKey(answers, "FirstBurstLength") == "Irrelevant") {
    n.first_burst = 0;
  } else {
    minimum("FirstBurstLength", 512, kMaxSegment, &n.first_burst);
  }
  minimum("MaxBurstLength", 512, kMaxSegment, &n.max_burst);
  minimum("MaxOutstandingR2T", 1, 65535, &n.max_outstanding_r2t);
  const bool first_burst_relevant = !(n.initial_r2t && !n.immediate_data);
  if (first_burst_relevant && n.first_burst > n.max_burst) {
    n.problems.push_back("FirstBurstLength " + std::to_string(n.first_burst) +
                         " exceeds MaxBurstLength " + std::to_string(n.max_burst));
  }
  const auto declared = FindKey(answers, "MaxRecvDataSegmentLength");
  if (declared) {
    const auto v = Number(declared);
    if (!v || *v < 512 || *v > kMaxSegment) {
      n.problems.push_back("target declared MaxRecvDataSegmentLength=" + *declared);
    } else {
      n.target_mrdsl = static_cast<uint32_t>(*v);
    }
  }
  n.initiator_mrdsl =
      static_cast<uint32_t>(Number(FindKey(offered, "MaxRecvDataSegmentLength")).value_or(8192));
  auto digest = [&](const std::string& key, bool* out) {
    const std::string offer = FindKey(offered, key).value_or("None");
    const auto answer = FindKey(answers, key);
    if (!answer) {
      if (offer != "None") n.problems.push_back(key + "=" + offer + " got no answer");
      *out = false;
      return;
    }
    if (offer.find(*answer) == std::string::npos || answer->find(',') != std::string::npos) {
      n.problems.push_back(key + "=" + offer + " answered " + *answer);
    }
    *out = *answer == "CRC32C";
  };
  digest("HeaderDigest", &n.header_digest);
  digest("DataDigest", &n.data_digest);
  return n;
}

}  // namespace conformance
