#include "target/iscsi/login/login_fuzz_target.h"

#include <map>
#include <span>
#include <string>
#include <vector>

#include "target/iscsi/login/chap.h"
#include "target/iscsi/login/negotiation.h"
#include "target/iscsi/login/text_keys.h"
#include "target/iscsi/login/value_codec.h"

namespace reftarget::iscsi::login {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckReply(const std::vector<KeyValue>& reply) {
  Check(EncodedSize(reply) <= kMaxReplyBytes);
  for (const auto& kv : reply) {
    Check(!kv.key.empty());
    Check(kv.key.find('\0') == std::string::npos && kv.value.find('\0') == std::string::npos);
  }
}

void CheckParams(const SessionParams& p) {
  Check(p.first_burst_length <= p.max_burst_length);
  Check(p.max_burst_length >= 512 && p.max_burst_length < (1u << 24));
  Check(p.initiator_max_recv_data_segment_length >= 512 &&
        p.initiator_max_recv_data_segment_length < (1u << 24));
  Check(p.target_max_recv_data_segment_length >= 512 &&
        p.target_max_recv_data_segment_length < (1u << 24));
  Check(p.error_recovery_level == 0 && p.max_connections == 1);
}

const std::string* Find(const std::vector<KeyValue>& keys, std::string_view name) {
  for (const auto& kv : keys) {
    if (kv.key == name) return &kv.value;
  }
  return nullptr;
}

// Replaces or adds CHAP_N/CHAP_R with the correct answer to the challenge in `challenge_reply`.
void AnswerChallenge(const std::vector<KeyValue>& challenge_reply, const ChapCredentials& creds,
                     std::vector<KeyValue>* keys) {
  const std::string* id = Find(challenge_reply, "CHAP_I");
  const std::string* challenge = Find(challenge_reply, "CHAP_C");
  if (id == nullptr || challenge == nullptr) return;
  auto id_value = ParseNumber(*id);
  auto bytes = DecodeBinary(*challenge, kMaxChapBinaryLength);
  Check(id_value.has_value() && *id_value <= 0xff && bytes.ok());
  std::vector<uint8_t> response =
      ChapMd5Response(static_cast<uint8_t>(*id_value), creds.password, bytes.value());
  std::erase_if(*keys, [](const KeyValue& kv) { return kv.key == "CHAP_N" || kv.key == "CHAP_R"; });
  keys->push_back({"CHAP_N", creds.userid});
  keys->push_back({"CHAP_R", EncodeHex(response)});
}

}  // namespace

void RunLoginFuzzInput(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t flags = data[0];
  std::vector<std::span<const uint8_t>> segments;
  size_t start = 1;
  for (size_t i = 1; i <= size && segments.size() < 4; ++i) {
    if (i == size || data[i] == 0xff) {
      segments.emplace_back(data + start, i - start);
      start = i + 1;
    }
  }
  std::vector<std::vector<KeyValue>> parsed;
  for (auto segment : segments) {
    auto keys = ParseTextKeys(segment);
    if (keys.ok()) {
      // Encoding what was parsed must parse back to the same pairs.
      std::string encoded = EncodeTextKeys(keys.value());
      auto again = ParseTextKeys(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(encoded.data()), encoded.size()));
      Check(again.ok() && again.value().size() == keys.value().size());
      parsed.push_back(std::move(keys).value());
    } else {
      Check(!keys.error().empty());
      parsed.emplace_back();
    }
  }
  parsed.resize(4);

  std::map<std::string, std::string> tpg;
  for (const auto& kv : parsed[0]) tpg[kv.key] = kv.value;
  SessionKind kind = (flags & kFuzzDiscovery) ? SessionKind::kDiscovery : SessionKind::kNormal;
  auto negotiator = OperationalNegotiator::Create(tpg, kind);
  if (!negotiator.ok()) {
    Check(!negotiator.error().empty());
    negotiator = OperationalNegotiator::Create({}, kind);
    Check(negotiator.ok());
  }
  OperationalNegotiator& n = negotiator.value();

  // Security stage: AuthMethod choice, CHAP, then any other keys.
  ChapCredentials creds{"iqn.1993-08.org.debian:01:fuzz", "initiator-secret-16",
                        (flags & kFuzzMutual) ? "iqn.2003-01.org.example:target" : "",
                        (flags & kFuzzMutual) ? ((flags & kFuzzSameSecret) ? "initiator-secret-16"
                                                                           : "target-secret-1234")
                                              : ""};
  std::vector<KeyValue> reply;
  if (const std::string* method = Find(parsed[1], "AuthMethod")) {
    std::string choice =
        SelectAuthMethod(*method, flags & kFuzzChapRequired, flags & kFuzzChapConfigured);
    Check(choice == "CHAP" || choice == "None" || choice == "Reject");
  }
  // The security segment feeds both CHAP steps: CHAP_A (and non-CHAP keys) to Start(), the
  // rest to Finish(), as an initiator's two Login requests would carry them.
  std::vector<KeyValue> algorithm_keys;
  std::vector<KeyValue> response;
  for (const auto& kv : parsed[1]) {
    bool response_key =
        kv.key == "CHAP_N" || kv.key == "CHAP_R" || kv.key == "CHAP_I" || kv.key == "CHAP_C";
    (response_key ? response : algorithm_keys).push_back(kv);
  }
  ChapAuthenticator chap(creds);
  std::vector<KeyValue> chap_reply;
  if (!chap.Start(algorithm_keys, &chap_reply)) {
    CheckReply(chap_reply);
    if (flags & kFuzzAnswerChap) AnswerChallenge(chap_reply, creds, &response);
    std::vector<KeyValue> finish_reply;
    auto failure = chap.Finish(response, &finish_reply);
    Check(failure.has_value() != chap.authenticated());
    CheckReply(finish_reply);
  }
  auto failure = n.Negotiate(parsed[1], &reply, LoginStage::kSecurity);
  CheckReply(reply);
  if (!failure) {
    reply.clear();
    failure = n.Negotiate(parsed[2], &reply, LoginStage::kOperational);
    CheckReply(reply);
    CheckParams(n.params());
  }
  if (!failure) {
    reply.clear();
    bool offered = false;
    failure = n.AppendTargetOffers(&reply, &offered);
    if (!failure && offered) {
      // Answer every offer with its first value: always admissible.
      std::vector<KeyValue> answers = reply;
      for (auto& kv : answers) kv.value = std::string(SplitList(kv.value).front());
      reply.clear();
      failure = n.Negotiate(answers, &reply);
      Check(!failure.has_value());
      failure = n.AppendTargetOffers(&reply, &offered);
      Check(!failure.has_value() && !offered);
    }
    n.AppendTargetDeclarations(&reply);
    CheckReply(reply);
    CheckParams(n.params());
  }
  if (!failure) {
    reply.clear();
    failure = n.NegotiateFullFeature(parsed[3], &reply);
    CheckReply(reply);
    CheckParams(n.params());
  }
}

}  // namespace reftarget::iscsi::login
