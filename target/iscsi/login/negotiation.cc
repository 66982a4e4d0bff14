// OperationalNegotiator: answering the initiator's keys (RFC 7143 §6.2, §13).
#include "target/iscsi/login/negotiation.h"

#include <algorithm>

#include "target/iscsi/login/value_codec.h"

namespace reftarget::iscsi::login {
namespace {

constexpr uint64_t kMinSegment = 512;
constexpr uint64_t kMaxSegment = (1u << 24) - 1;

LoginFailure InitiatorError(std::string reason) {
  return LoginFailure{kStatusClassInitiatorError, kStatusDetailInitiatorError, std::move(reason)};
}

size_t Index(KeyId id) { return static_cast<size_t>(id); }

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out.push_back(',');
    out += item;
  }
  return out;
}

bool IsReservedAnswer(std::string_view value) {
  return value == "Reject" || value == "Irrelevant" || value == "NotUnderstood";
}

}  // namespace

bool OperationalNegotiator::Append(std::vector<KeyValue>* reply, size_t* bytes, std::string key,
                                   std::string value, std::optional<LoginFailure>* failure) const {
  size_t size = key.size() + value.size() + 2;
  if (*bytes + size > kMaxReplyBytes - kReplyReserveBytes) {
    *failure = InitiatorError("the answer to the initiator's keys would exceed " +
                              std::to_string(kMaxReplyBytes - kReplyReserveBytes) + " bytes (" +
                              std::to_string(raised_.size()) + " keys raised)");
    return false;
  }
  *bytes += size;
  reply->push_back(KeyValue{std::move(key), std::move(value)});
  return true;
}

std::optional<LoginFailure> OperationalNegotiator::Negotiate(const std::vector<KeyValue>& keys,
                                                             std::vector<KeyValue>* reply,
                                                             LoginStage stage) {
  std::optional<LoginFailure> failure;
  size_t bytes = EncodedSize(*reply);
  const std::string* first_burst = nullptr;
  for (const KeyValue& kv : keys) {
    if (IsCallerHandledLoginKey(kv.key)) continue;
    // RFC 7143 §6.2: a key may not be declared or negotiated twice during login.
    if (!raised_.insert(kv.key).second) {
      return InitiatorError(kv.key + " sent twice during login (RFC 7143 §6.2)");
    }
    const KeySpec* spec = FindKeySpec(kv.key);
    if (spec == nullptr) {
      if (!Append(reply, &bytes, kv.key, "NotUnderstood", &failure)) return failure;
      continue;
    }
    if (spec->rule == KeyRule::kTargetOnly) {
      return InitiatorError(kv.key + " may only be sent by a target (RFC 7143 §13)");
    }
    if (stage == LoginStage::kSecurity) {
      return InitiatorError(kv.key + " is an operational key, not allowed in the security stage");
    }
    if (!offered_[Index(spec->id)].empty()) {
      if (auto f = AcceptAnswer(*spec, kv.value)) return f;
      continue;
    }
    if (spec->id == KeyId::kFirstBurstLength && kind_ == SessionKind::kNormal) {
      // Answered after the whole request: it depends on InitialR2T, ImmediateData and
      // MaxBurstLength, which may follow it.
      first_burst = &kv.value;
      continue;
    }
    std::optional<std::string> answer = Answer(*spec, kv.value, &failure);
    if (failure) return failure;
    if (answer && !Append(reply, &bytes, kv.key, std::move(*answer), &failure)) return failure;
  }
  if (first_burst != nullptr &&
      !Append(reply, &bytes, "FirstBurstLength", AnswerFirstBurst(*first_burst), &failure)) {
    return failure;
  }
  Settle();
  return std::nullopt;
}

std::optional<std::string> OperationalNegotiator::Answer(const KeySpec& spec,
                                                         const std::string& value,
                                                         std::optional<LoginFailure>* failure) {
  const TargetValue& target = target_[Index(spec.id)];
  if (spec.only_normal_sessions && kind_ == SessionKind::kDiscovery) return "Irrelevant";
  switch (spec.rule) {
    case KeyRule::kList:
      return AnswerList(spec, value, failure);
    case KeyRule::kMinimum:
    case KeyRule::kMaximum: {
      auto n = ParseNumber(value);
      if (!n || *n < spec.min_value || *n > spec.max_value) return "Reject";
      uint64_t result = spec.rule == KeyRule::kMinimum ? std::min(*n, target.number)
                                                       : std::max(*n, target.number);
      ApplyNumber(spec.id, result);
      return std::to_string(result);
    }
    case KeyRule::kBooleanAnd:
    case KeyRule::kBooleanOr: {
      auto b = ParseBoolean(value);
      if (!b) return "Reject";
      bool result =
          spec.rule == KeyRule::kBooleanAnd ? (*b && target.boolean) : (*b || target.boolean);
      ApplyBoolean(spec.id, result);
      return std::string(BooleanText(result));
    }
    case KeyRule::kDeclarative: {
      if (auto f = DeclareInitiatorMaxRecv(value)) {
        *failure = std::move(f);
        return std::nullopt;
      }
      // Each side declares its own (RFC 7143 §13.12): the target's goes in the same reply.
      if (max_recv_declared_) return std::nullopt;
      max_recv_declared_ = true;
      return std::to_string(target.number);
    }
    case KeyRule::kObsoleteMarker:
      // RFC 7143 §13.25: "No" is allowed and is what RFC 3720 initiators understand.
      return "No";
    case KeyRule::kObsoleteMarkInt:
    case KeyRule::kFullFeatureOnly:
      return "Reject";
    case KeyRule::kIrrelevant:
      return "Irrelevant";
    case KeyRule::kTargetOnly:
      break;
  }
  *failure = InitiatorError(std::string(spec.name) + " may only be sent by a target");
  return std::nullopt;
}

std::optional<std::string> OperationalNegotiator::AnswerList(const KeySpec& spec,
                                                             const std::string& value,
                                                             std::optional<LoginFailure>* failure) {
  const std::vector<std::string>& allowed = target_[Index(spec.id)].list;
  // RFC 7143 §6.2.1: the first value in the originator's order that the responder supports;
  // values it does not understand are ignored.
  for (std::string_view offered : SplitList(value)) {
    if (std::find(allowed.begin(), allowed.end(), offered) != allowed.end()) {
      ApplyList(spec.id, std::string(offered));
      return std::string(offered);
    }
  }
  if (std::find(allowed.begin(), allowed.end(), spec.rfc_default) != allowed.end()) {
    return "Reject";  // the key keeps its default, which the target accepts
  }
  *failure = InitiatorError(std::string(spec.name) + "=" + Printable(value) +
                            ": the target requires one of " + Join(allowed));
  return std::nullopt;
}

std::string OperationalNegotiator::AnswerFirstBurst(const std::string& value) {
  const KeySpec& spec = Spec(KeyId::kFirstBurstLength);
  // RFC 7143 §13.14: irrelevant when InitialR2T=Yes and ImmediateData=No.
  if (FirstBurstIrrelevant()) return "Irrelevant";
  auto n = ParseNumber(value);
  if (!n || *n < spec.min_value || *n > spec.max_value) return "Reject";
  // Minimum rule, and FirstBurstLength must not exceed MaxBurstLength: an answer below the
  // offer is always legal.
  uint64_t result = std::min(
      {*n, target_[Index(spec.id)].number, static_cast<uint64_t>(params_.max_burst_length)});
  ApplyNumber(spec.id, result);
  return std::to_string(result);
}

std::optional<LoginFailure> OperationalNegotiator::AcceptAnswer(const KeySpec& spec,
                                                                const std::string& value) {
  std::string offer = std::move(offered_[Index(spec.id)]);
  offered_[Index(spec.id)].clear();
  auto refuse = [&](std::string_view why) {
    return InitiatorError("answer " + std::string(spec.name) + "=" + Printable(value) +
                          " to the target's offer " + offer + ": " + std::string(why));
  };
  if (value == "Irrelevant" && spec.id == KeyId::kFirstBurstLength && FirstBurstIrrelevant()) {
    return std::nullopt;
  }
  if (IsReservedAnswer(value)) return refuse("the target cannot run with the default");
  switch (spec.rule) {
    case KeyRule::kMinimum:
    case KeyRule::kMaximum: {
      auto n = ParseNumber(value);
      auto o = ParseNumber(offer);
      bool legal = n && o && *n >= spec.min_value && *n <= spec.max_value &&
                   (spec.rule == KeyRule::kMinimum ? *n <= *o : *n >= *o);
      if (!legal) return refuse("not admissible under the key's rule");
      ApplyNumber(spec.id, *n);
      break;
    }
    case KeyRule::kBooleanAnd:
    case KeyRule::kBooleanOr: {
      auto b = ParseBoolean(value);
      auto o = ParseBoolean(offer);
      // AND with an offered No must be No; OR with an offered Yes must be Yes.
      bool legal = b && o && (spec.rule == KeyRule::kBooleanAnd ? (*o || !*b) : (!*o || *b));
      if (!legal) return refuse("not admissible under the key's rule");
      ApplyBoolean(spec.id, *b);
      break;
    }
    case KeyRule::kList: {
      std::vector<std::string_view> offered = SplitList(offer);
      if (std::find(offered.begin(), offered.end(), value) == offered.end()) {
        return refuse("not one of the offered values");
      }
      ApplyList(spec.id, value);
      break;
    }
    default:
      return refuse("unexpected");
  }
  Settle();
  return std::nullopt;
}

std::optional<LoginFailure> OperationalNegotiator::DeclareInitiatorMaxRecv(
    const std::string& value) {
  auto n = ParseNumber(value);
  if (!n || *n < kMinSegment || *n > kMaxSegment) {
    return InitiatorError("MaxRecvDataSegmentLength=" + Printable(value) +
                          " is outside 512..16777215 (RFC 7143 §13.12)");
  }
  initiator_declared_max_recv_ = static_cast<uint32_t>(*n);
  params_.initiator_max_recv_data_segment_length =
      std::min(initiator_declared_max_recv_, max_xmit_data_segment_length_);
  return std::nullopt;
}

std::vector<KeyValue> OperationalNegotiator::TargetOffers() const {
  std::vector<KeyValue> offers;
  for (const KeySpec& spec : KeyTable()) {
    if (!spec.target_may_offer || raised_.contains(std::string(spec.name))) continue;
    if (!offered_[Index(spec.id)].empty()) continue;
    if (spec.only_normal_sessions && kind_ == SessionKind::kDiscovery) continue;
    const TargetValue& target = target_[Index(spec.id)];
    std::string offer;
    switch (spec.rule) {
      case KeyRule::kMinimum: {
        uint64_t limit = target.number;
        if (spec.id == KeyId::kFirstBurstLength) {
          if (FirstBurstIrrelevant()) break;
          limit = std::min<uint64_t>(limit, params_.max_burst_length);
        }
        if (CurrentNumber(spec.id) > limit) offer = std::to_string(limit);
        break;
      }
      case KeyRule::kMaximum:
        if (CurrentNumber(spec.id) < target.number) offer = std::to_string(target.number);
        break;
      case KeyRule::kBooleanAnd:
        if (CurrentBoolean(spec.id) && !target.boolean) offer = "No";
        break;
      case KeyRule::kList:
        if (std::find(target.list.begin(), target.list.end(), spec.rfc_default) ==
            target.list.end()) {
          offer = Join(target.list);
        }
        break;
      default:
        break;
    }
    if (!offer.empty()) offers.push_back(KeyValue{std::string(spec.name), std::move(offer)});
  }
  return offers;
}

bool OperationalNegotiator::NeedsTargetOffers() const { return !TargetOffers().empty(); }

std::optional<LoginFailure> OperationalNegotiator::AppendTargetOffers(std::vector<KeyValue>* reply,
                                                                      bool* offered) {
  *offered = false;
  for (const KeySpec& spec : KeyTable()) {
    if (!offered_[Index(spec.id)].empty()) {
      return InitiatorError("no answer to the target's offer " + std::string(spec.name) + "=" +
                            offered_[Index(spec.id)]);
    }
  }
  for (KeyValue& offer : TargetOffers()) {
    offered_[Index(FindKeySpec(offer.key)->id)] = offer.value;
    reply->push_back(std::move(offer));
    *offered = true;
  }
  return std::nullopt;
}

void OperationalNegotiator::AppendTargetDeclarations(std::vector<KeyValue>* reply) {
  if (declarations_done_) return;
  declarations_done_ = true;
  if (!max_recv_declared_) {
    max_recv_declared_ = true;
    reply->push_back(
        KeyValue{"MaxRecvDataSegmentLength",
                 std::to_string(target_[Index(KeyId::kMaxRecvDataSegmentLength)].number)});
  }
  if (kind_ == SessionKind::kNormal && !target_alias_.empty()) {
    reply->push_back(KeyValue{"TargetAlias", target_alias_});
  }
  Settle();
}

std::optional<LoginFailure> OperationalNegotiator::NegotiateFullFeature(
    const std::vector<KeyValue>& keys, std::vector<KeyValue>* reply) {
  std::optional<LoginFailure> failure;
  size_t bytes = EncodedSize(*reply);
  std::set<std::string_view> seen;
  for (const KeyValue& kv : keys) {
    if (kv.key == "SendTargets" || kv.key == "InitiatorAlias") continue;
    if (!seen.insert(kv.key).second) {
      return InitiatorError(kv.key + " sent twice in one Text request (RFC 7143 §6.2)");
    }
    const KeySpec* spec = FindKeySpec(kv.key);
    if (spec == nullptr && !IsCallerHandledLoginKey(kv.key)) {
      if (!Append(reply, &bytes, kv.key, "NotUnderstood", &failure)) return failure;
      continue;
    }
    if (spec != nullptr && spec->rule == KeyRule::kTargetOnly) {
      return InitiatorError(kv.key + " may only be sent by a target (RFC 7143 §13)");
    }
    if (spec != nullptr && spec->id == KeyId::kMaxRecvDataSegmentLength) {
      // RFC 7143 §13.12: Use ALL; a declaration needs no answer.
      if (auto f = DeclareInitiatorMaxRecv(kv.value)) return f;
      continue;
    }
    // Every other key is usable only during login (RFC 7143 §13 "Use: LO/IO").
    if (!Append(reply, &bytes, kv.key, "Reject", &failure)) return failure;
  }
  return std::nullopt;
}

bool OperationalNegotiator::FirstBurstIrrelevant() const {
  return params_.initial_r2t && !params_.immediate_data;
}

void OperationalNegotiator::Settle() {
  params_.first_burst_length = std::min(params_.first_burst_length, params_.max_burst_length);
}

void OperationalNegotiator::ApplyNumber(KeyId id, uint64_t value) {
  auto v = static_cast<uint32_t>(value);  // every numeric key's range fits in 32 bits
  switch (id) {
    case KeyId::kMaxConnections:
      params_.max_connections = v;
      break;
    case KeyId::kMaxBurstLength:
      params_.max_burst_length = v;
      break;
    case KeyId::kFirstBurstLength:
      params_.first_burst_length = v;
      break;
    case KeyId::kDefaultTime2Wait:
      params_.default_time2wait = v;
      break;
    case KeyId::kDefaultTime2Retain:
      params_.default_time2retain = v;
      break;
    case KeyId::kMaxOutstandingR2T:
      params_.max_outstanding_r2t = v;
      break;
    case KeyId::kErrorRecoveryLevel:
      params_.error_recovery_level = v;
      break;
    case KeyId::kIscsiProtocolLevel:
      params_.iscsi_protocol_level = v;
      break;
    default:
      break;
  }
  Settle();
}

void OperationalNegotiator::ApplyBoolean(KeyId id, bool value) {
  switch (id) {
    case KeyId::kInitialR2T:
      params_.initial_r2t = value;
      break;
    case KeyId::kImmediateData:
      params_.immediate_data = value;
      break;
    case KeyId::kDataPduInOrder:
      params_.data_pdu_in_order = value;
      break;
    case KeyId::kDataSequenceInOrder:
      params_.data_sequence_in_order = value;
      break;
    default:
      break;
  }
}

void OperationalNegotiator::ApplyList(KeyId id, const std::string& value) {
  switch (id) {
    case KeyId::kHeaderDigest:
      params_.header_digest_crc32c = value == "CRC32C";
      break;
    case KeyId::kDataDigest:
      params_.data_digest_crc32c = value == "CRC32C";
      break;
    case KeyId::kTaskReporting:
      params_.task_reporting = value;
      break;
    default:
      break;
  }
}

uint64_t OperationalNegotiator::CurrentNumber(KeyId id) const {
  switch (id) {
    case KeyId::kMaxConnections:
      return params_.max_connections;
    case KeyId::kMaxBurstLength:
      return params_.max_burst_length;
    case KeyId::kFirstBurstLength:
      return params_.first_burst_length;
    case KeyId::kDefaultTime2Wait:
      return params_.default_time2wait;
    case KeyId::kDefaultTime2Retain:
      return params_.default_time2retain;
    case KeyId::kMaxOutstandingR2T:
      return params_.max_outstanding_r2t;
    case KeyId::kErrorRecoveryLevel:
      return params_.error_recovery_level;
    case KeyId::kIscsiProtocolLevel:
      return params_.iscsi_protocol_level;
    default:
      return 0;
  }
}

bool OperationalNegotiator::CurrentBoolean(KeyId id) const {
  switch (id) {
    case KeyId::kInitialR2T:
      return params_.initial_r2t;
    case KeyId::kImmediateData:
      return params_.immediate_data;
    case KeyId::kDataPduInOrder:
      return params_.data_pdu_in_order;
    case KeyId::kDataSequenceInOrder:
      return params_.data_sequence_in_order;
    default:
      return false;
  }
}

}  // namespace reftarget::iscsi::login
