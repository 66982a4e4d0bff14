// CHAP authentication, target side (RFC 7143 §12.1.3, RFC 1994), with MD5 (CHAP_A=5) through
// OpenSSL EVP. Challenges come from getrandom(2) (16 bytes, never reused) and every challenge
// this process issues is remembered in a bounded, thread-safe set so that an initiator echoing
// one back as its own mutual challenge (a reflection attack, RFC 7143 §9.2.1) is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "target/iscsi/login/negotiation.h"
#include "target/iscsi/login/text_keys.h"

namespace reftarget::iscsi::login {

// RFC 7143 §12.1.3: CHAP_C and CHAP_R carry at most 1024 bytes of binary data.
inline constexpr size_t kMaxChapBinaryLength = 1024;
// Length of the challenges this target issues (as LIO does).
inline constexpr size_t kChapChallengeLength = 16;
// How many recently issued challenges are kept for reflection checks (process-wide).
inline constexpr size_t kRecentChallengeCount = 4096;

struct ChapCredentials {
  std::string userid;
  std::string password;
  std::string mutual_userid;    // the target's name towards the initiator (mutual CHAP)
  std::string mutual_password;  // the target's secret (mutual CHAP)
};

// Chooses the answer to the initiator's AuthMethod list (RFC 7143 §12.1): the first method in
// the initiator's order that this target accepts -- "CHAP" if `chap_configured`, "None" if
// !`chap_required` -- ignoring methods it does not implement (SRP, KRB5, SPKM*). Returns
// "Reject" if none is acceptable (the caller fails the login with 0x0201). CHAP required but
// not configured can never succeed, so it yields "Reject" as well.
std::string SelectAuthMethod(std::string_view offered, bool chap_required, bool chap_configured);

// Returns true if `challenge` is one this process issued recently (thread-safe).
bool IsRecentChapChallenge(const std::vector<uint8_t>& challenge);

// Returns MD5(identifier || secret || challenge), the CHAP response (RFC 1994 §4.1), or an
// empty vector if the digest is unavailable.
std::vector<uint8_t> ChapMd5Response(uint8_t identifier, std::string_view secret,
                                     const std::vector<uint8_t>& challenge);

// The target side of one login's CHAP exchange: Start() answers CHAP_A, Finish() checks the
// response and, for mutual CHAP, answers the initiator's challenge.
class ChapAuthenticator {
 public:
  // `expected` holds the credentials the initiator must prove (and the target's, for mutual).
  explicit ChapAuthenticator(ChapCredentials expected);

  // Handles the initiator's CHAP_A=<list>: appends CHAP_A=5, CHAP_I (decimal) and CHAP_C
  // (hex). Fails with 0x0207 if CHAP_A is missing, 0x0201 if it is empty or does not offer MD5
  // (5), if other CHAP keys come first, or if called twice; 0x0300 if no random bytes.
  std::optional<LoginFailure> Start(const std::vector<KeyValue>& keys,
                                    std::vector<KeyValue>* reply);

  // Handles CHAP_N, CHAP_R and, for mutual CHAP, CHAP_I and CHAP_C. Checks the name equals the
  // configured userid and the response (constant time); then for mutual CHAP appends
  // CHAP_N=mutual_userid and CHAP_R. Fails with 0x0201 on: no Start() first, a second call,
  // missing CHAP_N/CHAP_R, a duplicate CHAP key, malformed or oversized (> 1024 bytes) CHAP_R or
  // CHAP_C (hex 0x/0X or base64 0b/0B, length checked before decoding), wrong name or secret,
  // CHAP_I without CHAP_C or the reverse, mutual requested but not configured, CHAP_I not one
  // octet, an empty or reflected CHAP_C, or a mutual secret equal to the initiator secret.
  std::optional<LoginFailure> Finish(const std::vector<KeyValue>& keys,
                                     std::vector<KeyValue>* reply);

  // Returns true once Finish() has accepted the initiator.
  bool authenticated() const { return step_ == Step::kDone; }

 private:
  enum class Step { kAwaitAlgorithm, kAwaitResponse, kDone, kFailed };

  std::optional<LoginFailure> Fail(std::string reason);

  ChapCredentials expected_;
  Step step_ = Step::kAwaitAlgorithm;
  uint8_t identifier_ = 0;
  std::vector<uint8_t> challenge_;
};

}  // namespace reftarget::iscsi::login
