#include "target/iscsi/login/chap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

#include "target/iscsi/login/chap_challenges.h"
#include "target/iscsi/login/value_codec.h"

namespace reftarget::iscsi::login {
namespace {

constexpr uint64_t kChapMd5 = 5;  // RFC 1994 / IANA PPP authentication algorithm 5: MD5

// Compares two strings without an early exit on the first difference.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string SelectAuthMethod(std::string_view offered, bool chap_required, bool chap_configured) {
  for (std::string_view method : SplitList(offered)) {
    if (method == "CHAP" && chap_configured) return "CHAP";
    if (method == "None" && !chap_required) return "None";
  }
  return "Reject";
}

std::vector<uint8_t> ChapMd5Response(uint8_t identifier, std::string_view secret,
                                     const std::vector<uint8_t>& challenge) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), &identifier, 1) != 1 ||
      EVP_DigestUpdate(ctx.get(), secret.data(), secret.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), challenge.data(), challenge.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return {};
  }
  return std::vector<uint8_t>(digest, digest + length);
}

ChapAuthenticator::ChapAuthenticator(ChapCredentials expected) : expected_(std::move(expected)) {}

std::optional<LoginFailure> ChapAuthenticator::Fail(std::string reason) {
  step_ = Step::kFailed;
  return LoginFailure{kStatusClassInitiatorError, kStatusDetailAuthenticationFailure,
                      "CHAP: " + std::move(reason)};
}

std::optional<LoginFailure> ChapAuthenticator::Start(const std::vector<KeyValue>& keys,
                                                     std::vector<KeyValue>* reply) {
  if (step_ != Step::kAwaitAlgorithm) return Fail("CHAP_A after the exchange started");
  const KeyValue* algorithms = nullptr;
  for (const KeyValue& kv : keys) {
    if (!kv.key.starts_with("CHAP_")) continue;
    if (kv.key != "CHAP_A") return Fail(kv.key + " before the target's challenge");
    if (algorithms != nullptr) return Fail("CHAP_A sent twice");
    algorithms = &kv;
  }
  if (algorithms == nullptr) {
    step_ = Step::kFailed;
    return LoginFailure{kStatusClassInitiatorError, kStatusDetailMissingParameter,
                        "CHAP: CHAP_A missing"};
  }
  if (algorithms->value.empty()) return Fail("CHAP_A is empty");
  bool md5 = false;
  // RFC 7143 §12.1.3: the target picks from the initiator's list; values it does not know
  // are ignored (RFC 7143 §6.2.1).
  for (std::string_view algorithm : SplitList(algorithms->value)) {
    if (ParseNumber(algorithm) == kChapMd5) md5 = true;
  }
  if (!md5) return Fail("CHAP_A=" + Printable(algorithms->value) + " does not offer MD5 (5)");

  uint8_t identifier = 0;
  auto challenge = IssueChapChallenge(kChapChallengeLength);
  if (!challenge || !FillRandom(std::span<uint8_t>(&identifier, 1))) {
    step_ = Step::kFailed;
    return LoginFailure{kStatusClassTargetError, kStatusDetailTargetError,
                        "CHAP: no random bytes for the challenge"};
  }
  identifier_ = identifier;
  challenge_ = std::move(*challenge);
  reply->push_back(KeyValue{"CHAP_A", "5"});
  reply->push_back(KeyValue{"CHAP_I", std::to_string(identifier_)});
  reply->push_back(KeyValue{"CHAP_C", EncodeHex(challenge_)});
  step_ = Step::kAwaitResponse;
  return std::nullopt;
}

std::optional<LoginFailure> ChapAuthenticator::Finish(const std::vector<KeyValue>& keys,
                                                      std::vector<KeyValue>* reply) {
  if (step_ != Step::kAwaitResponse) return Fail("CHAP response without a pending challenge");
  const KeyValue* name = nullptr;
  const KeyValue* response = nullptr;
  const KeyValue* mutual_id = nullptr;
  const KeyValue* mutual_challenge = nullptr;
  for (const KeyValue& kv : keys) {
    if (!kv.key.starts_with("CHAP_")) continue;
    const KeyValue** slot = kv.key == "CHAP_N"   ? &name
                            : kv.key == "CHAP_R" ? &response
                            : kv.key == "CHAP_I" ? &mutual_id
                            : kv.key == "CHAP_C" ? &mutual_challenge
                                                 : nullptr;
    if (slot == nullptr) return Fail(kv.key + " is not expected with the CHAP response");
    if (*slot != nullptr) return Fail(kv.key + " sent twice");
    *slot = &kv;
  }
  if (name == nullptr) return Fail("CHAP_N missing");
  if (response == nullptr) return Fail("CHAP_R missing");
  if ((mutual_id == nullptr) != (mutual_challenge == nullptr)) {
    return Fail("CHAP_I and CHAP_C must come together for mutual CHAP");
  }
  if (expected_.userid.empty() || expected_.password.empty()) {
    return Fail("no CHAP credentials configured for this initiator");
  }
  // RFC 7143 §12.1.3: binary length at most 1024 bytes, checked before decoding.
  auto decoded = DecodeBinary(response->value, kMaxChapBinaryLength);
  if (!decoded.ok()) return Fail("CHAP_R: " + decoded.error());

  std::vector<uint8_t> expected = ChapMd5Response(identifier_, expected_.password, challenge_);
  if (expected.empty()) {
    step_ = Step::kFailed;
    return LoginFailure{kStatusClassTargetError, kStatusDetailTargetError, "CHAP: MD5 unavailable"};
  }
  // Both checks run before either result is used, so timing shows neither.
  bool name_ok = ConstantTimeEquals(name->value, expected_.userid);
  const std::vector<uint8_t>& got = decoded.value();
  bool response_ok = got.size() == expected.size() &&
                     CRYPTO_memcmp(got.data(), expected.data(), expected.size()) == 0;
  if (!name_ok) return Fail("unknown CHAP_N \"" + Printable(name->value) + "\"");
  if (!response_ok) return Fail("wrong CHAP_R for \"" + Printable(name->value) + "\"");

  if (mutual_id != nullptr) {
    if (expected_.mutual_userid.empty() || expected_.mutual_password.empty()) {
      return Fail("mutual CHAP requested but no mutual credentials are configured");
    }
    // RFC 7143 §9.2.1: the same secret must not serve both directions.
    if (expected_.mutual_password == expected_.password) {
      return Fail("the mutual secret equals the initiator's secret");
    }
    // RFC 1994 §4.1: the Identifier is one octet.
    auto id = ParseNumber(mutual_id->value);
    if (!id || *id > 0xff)
      return Fail("CHAP_I=" + Printable(mutual_id->value) + " is not one octet");
    auto challenge = DecodeBinary(mutual_challenge->value, kMaxChapBinaryLength);
    if (!challenge.ok()) return Fail("CHAP_C: " + challenge.error());
    // RFC 7143 §9.2.1: a responder must detect a reflected challenge.
    if (challenge.value() == challenge_ || IsRecentChapChallenge(challenge.value())) {
      return Fail("the initiator's CHAP_C reflects a challenge this target issued");
    }
    std::vector<uint8_t> answer =
        ChapMd5Response(static_cast<uint8_t>(*id), expected_.mutual_password, challenge.value());
    if (answer.empty()) {
      step_ = Step::kFailed;
      return LoginFailure{kStatusClassTargetError, kStatusDetailTargetError,
                          "CHAP: MD5 unavailable"};
    }
    reply->push_back(KeyValue{"CHAP_N", expected_.mutual_userid});
    reply->push_back(KeyValue{"CHAP_R", EncodeHex(answer)});
  }
  step_ = Step::kDone;
  return std::nullopt;
}

}  // namespace reftarget::iscsi::login
