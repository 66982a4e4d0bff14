// The login-key fuzz harness body, shared by the libFuzzer binary (login_keys_fuzz.cc) and the
// always-built corpus replay test.
//
// Input layout: byte 0 holds flags; the rest is split at 0xFF bytes into up to four text
// segments: [TPG parameters] 0xFF [security-stage request] 0xFF [operational request] 0xFF
// [full-feature Text request]. Each segment goes through ParseTextKeys; the security request
// also drives ChapAuthenticator (Start with its CHAP_A, then Finish with its CHAP_N/R/I/C,
// optionally with a correct CHAP_R computed by the harness so the success and mutual paths are
// reached).
#pragma once

#include <cstddef>
#include <cstdint>

namespace reftarget::iscsi::login {

// Flag bits of byte 0.
inline constexpr uint8_t kFuzzDiscovery = 0x01;       // SessionKind::kDiscovery
inline constexpr uint8_t kFuzzMutual = 0x02;          // credentials include mutual CHAP
inline constexpr uint8_t kFuzzAnswerChap = 0x04;      // harness supplies the correct CHAP_R
inline constexpr uint8_t kFuzzSameSecret = 0x08;      // mutual secret equals the initiator's
inline constexpr uint8_t kFuzzChapRequired = 0x10;    // SelectAuthMethod: CHAP required
inline constexpr uint8_t kFuzzChapConfigured = 0x20;  // SelectAuthMethod: CHAP configured

// Runs one input; aborts (traps) if an invariant breaks: a reply over kMaxReplyBytes,
// FirstBurstLength > MaxBurstLength, or a segment length outside 512..2^24-1.
void RunLoginFuzzInput(const uint8_t* data, size_t size);

}  // namespace reftarget::iscsi::login
