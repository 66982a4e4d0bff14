// One-way CHAP (RFC 7143 §12.1.3, RFC 1994) and its login status codes (§11.13.5); TEST-PLAN
// S11, S13, S14 and rows T05, T06, T08, T09: right and wrong secrets, unknown CHAP_N, missing
// keys, unsupported CHAP_A, oversized or malformed CHAP_R, fresh challenges on every login.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "harness/iscsi/cdb.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/auth/auth_support.h"

namespace conformance::auth {
namespace {

using namespace std::chrono_literals;
namespace hi = harness::iscsi;
namespace rp = harness::rawpdu;

// Binds `who` to the one-way CHAP initiator of `t`, skipping when there is none.
#define REQUIRE_ONEWAY(t, who)                                                       \
  HARNESS_REQUIRE_CAPABILITY((t).capabilities.chap, "require CHAP");                 \
  const InitiatorInfo* who##_ptr = (t).ChapInitiator(false);                         \
  if (who##_ptr == nullptr) GTEST_SKIP() << "the target file lists no one-way CHAP ACL"; \
  const InitiatorInfo& who = *who##_ptr

// REQUIRE_ONEWAY, then a raw login connection `login` as that initiator (the test fails if
// it cannot connect).
#define RAW_ONEWAY_LOGIN(t, who, login)                                   \
  REQUIRE_ONEWAY(t, who);                                                 \
  std::string login##_error;                                              \
  auto login = RawLoginSteps::Open(t, who.name, false, &login##_error);   \
  ASSERT_TRUE(login) << login##_error

// Expects a libiscsi login with `options` to fail with exactly `status`.
void ExpectLoginStatus(const hi::ConnectOptions& options, int status, const std::string& what) {
  auto session = hi::Session::Connect(options);
  ASSERT_FALSE(session.ok()) << what << ": the login succeeded but must not";
  EXPECT_EQ(session.status().code(), status)
      << what << ": expected " << StatusText(status) << ", got: " << session.error();
}

// Expects a raw login step to be a Login reject with one of `allowed`.
void ExpectRefused(const LoginStep& step, std::initializer_list<int> allowed,
                   const std::string& what) {
  EXPECT_TRUE(step.response && StatusIn(step.status, allowed))
      << what << ": expected a Login reject (" << [&] {
           std::string s;
           for (int a : allowed) s += (s.empty() ? "" : " or ") + StatusText(a);
           return s;
         }() << "), got: " << step.Describe();
}

TEST(ChapOneWay, RightSecretLogsIn) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3");
  REQUIRE_ONEWAY(t, who);
  auto session = hi::Session::Connect(OptionsFor(t, who, false));
  ASSERT_TRUE(session.ok()) << session.error();
  hi::CommandResult r = session.value()->Execute(hi::cdb::TestUnitReady(),
                                                  hi::DataDirection::kNone, {}, 0, 5000ms);
  EXPECT_TRUE(r.good()) << r.Describe();
}

// A libiscsi login as the one-way CHAP initiator with its credentials changed by `mutate`
// must fail with 0201h, and the target must go on serving.
void ExpectCredentialsRefused(const TargetUnderTest& t, const InitiatorInfo& who,
                              const std::function<void(hi::ConnectOptions*)>& mutate,
                              const std::string& what) {
  hi::ConnectOptions o = OptionsFor(t, who, false);
  mutate(&o);
  ExpectLoginStatus(o, kAuthFailure, what);
  ExpectTargetServes(t, "after " + what);
}

TEST(ChapOneWay, WrongSecretIsAuthFailure) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h)");
  REQUIRE_ONEWAY(t, who);
  ExpectCredentialsRefused(
      t, who, [](hi::ConnectOptions* o) { o->chap.secret = "NotTheSecret-16c"; },
      "a wrong CHAP secret");
}

TEST(ChapOneWay, UnknownChapNameIsAuthFailure) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h)");
  REQUIRE_ONEWAY(t, who);
  ExpectCredentialsRefused(
      t, who, [](hi::ConnectOptions* o) { o->chap.user = "nobody-configured-this-name"; },
      "an unknown CHAP_N");
}

TEST(ChapOneWay, NoCredentialsWhenChapRequiredIsAuthFailure) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1, §11.13.5 (0201h)");
  REQUIRE_ONEWAY(t, who);
  // Without credentials libiscsi offers AuthMethod=None.
  ExpectCredentialsRefused(
      t, who, [](hi::ConnectOptions* o) { o->chap = {}; },
      "AuthMethod=None for an ACL that requires CHAP");
}

TEST(ChapOneWay, RawAuthMethodNoneOnlyIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // RFC 7143 §6.2.1: an acceptor that cannot use any offered value answers Reject or ends
  // the negotiation; either way the security stage must not complete (§12.1, §11.13.5).
  HARNESS_CLAUSE("RFC 7143 §6.2.1, §12.1, §11.13.5 (0201h)");
  RAW_ONEWAY_LOGIN(t, who, login);
  LoginStep step = login->Send(0, 1, true, {{"AuthMethod", "None"}});
  ASSERT_TRUE(step.response) << step.Describe();
  if (step.status == 0) {
    EXPECT_EQ(rp::FindKey(step.keys, "AuthMethod"), "Reject")
        << "AuthMethod=None was accepted for an ACL that requires CHAP: " << step.Describe();
    EXPECT_FALSE(step.transit) << "the target left the security stage without authentication";
    // The initiator goes on regardless; the target must now fail the login.
    step = login->Send(0, 1, true, {});
    ExpectRefused(step, {kAuthFailure}, "a login that went on after AuthMethod=Reject");
  } else {
    ExpectRefused(step, {kAuthFailure}, "AuthMethod=None only");
  }
}

TEST(ChapOneWay, MissingChapResponseIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (CHAP_N and CHAP_R), §11.13.5 (0201h / 0207h)");
  RAW_ONEWAY_LOGIN(t, who, login);
  LoginStep challenge = login->StartChap();
  ASSERT_TRUE(challenge.response && challenge.status == 0) << challenge.Describe();
  LoginStep step = login->Send(0, 1, true, {{"CHAP_N", who.chap->userid}});
  ExpectRefused(step, {kAuthFailure, kMissingParameter}, "CHAP_N without CHAP_R");
  ExpectTargetServes(t, "after a missing CHAP_R");
}

TEST(ChapOneWay, MissingChapNameIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (CHAP_N and CHAP_R), §11.13.5 (0201h / 0207h)");
  RAW_ONEWAY_LOGIN(t, who, login);
  LoginStep challenge = login->StartChap();
  ASSERT_TRUE(challenge.response && challenge.status == 0) << challenge.Describe();
  auto id = rp::FindKey(challenge.keys, "CHAP_I");
  auto c = rp::FindKey(challenge.keys, "CHAP_C");
  auto c_bytes = c ? rp::DecodeBinaryValue(*c) : std::nullopt;
  ASSERT_TRUE(id && c_bytes) << "no usable CHAP_I / CHAP_C: " << challenge.Describe();
  // The right response, but without the name it belongs to.
  const std::string r = rp::ToHex(rp::ChapResponse(
      static_cast<uint8_t>(std::stoul(*id)), who.chap->password, *c_bytes));
  LoginStep step = login->Send(0, 1, true, {{"CHAP_R", r}});
  ExpectRefused(step, {kAuthFailure, kMissingParameter}, "CHAP_R without CHAP_N");
}

TEST(ChapOneWay, ChapResponseBeforeChallengeIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // RFC 7143 §12.1.3 fixes the order CHAP_A, then CHAP_N / CHAP_R.
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5");
  RAW_ONEWAY_LOGIN(t, who, login);
  LoginStep method = login->Send(0, 1, false, {{"AuthMethod", "CHAP"}});
  ASSERT_TRUE(method.response && method.status == 0) << method.Describe();
  LoginStep step = login->Send(
      0, 1, true, {{"CHAP_N", who.chap->userid}, {"CHAP_R", rp::ToHex(std::vector<uint8_t>(16))}});
  ExpectRefused(step, {kInitiatorError, kAuthFailure, kMissingParameter, 0x020b},
                "CHAP_N / CHAP_R before any challenge");
}

TEST(ChapOneWay, UnsupportedChapAlgorithmsAreRejected) {
  HARNESS_REQUIRE_TARGET(t);
  // §12.1.3: the target answers CHAP_A with one of the offered values; §6.2.1: with none it
  // can use, it answers CHAP_A=Reject or ends the negotiation. 200 and 250 are unassigned.
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §6.2.1");
  RAW_ONEWAY_LOGIN(t, who, login);
  LoginStep step = login->StartChap("200,250");
  ASSERT_TRUE(step.response) << step.Describe();
  if (step.status != 0) {
    ExpectRefused(step, {kAuthFailure, kMissingParameter, kInitiatorError},
                  "CHAP_A with only unassigned algorithms");
    return;
  }
  EXPECT_EQ(rp::FindKey(step.keys, "CHAP_A"), "Reject") << step.Describe();
  EXPECT_FALSE(rp::FindKey(step.keys, "CHAP_C").has_value())
      << "the target issued a challenge for an algorithm nobody offered: " << step.Describe();
  // Without an algorithm there is no way to authenticate: the login must fail.
  step = login->Send(0, 1, true, {{"CHAP_N", who.chap->userid},
                                  {"CHAP_R", rp::ToHex(std::vector<uint8_t>(16))}});
  ExpectRefused(step, {kAuthFailure, kMissingParameter, kInitiatorError},
                "a CHAP response after CHAP_A=Reject");
}

// Runs a raw one-way CHAP login whose CHAP_R is replaced by `value`; expects a Login reject
// with one of `allowed` and the target to keep serving.
void ExpectChapRRefused(const TargetUnderTest& t, const InitiatorInfo& who,
                        const std::string& value, std::initializer_list<int> allowed,
                        const std::string& what) {
  rp::RawLoginResult r = RawChapLogin(t, who, false, [&](KeyValues* response, const KeyValues&) {
    SetKey(response, "CHAP_R", value);
  });
  EXPECT_FALSE(r.full_feature) << what << ": reached Full Feature Phase";
  EXPECT_TRUE(r.status_received && StatusIn(r.status(), allowed))
      << what << ": expected a Login reject, got " << StatusText(r.status_received ? r.status() : -1)
      << " (" << r.error << ")";
}

TEST(ChapOneWay, OversizedChapResponseHexIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (CHAP_R at most 1024 bytes), §11.13.5");
  REQUIRE_ONEWAY(t, who);
  ExpectChapRRefused(t, who, rp::ToHex(std::vector<uint8_t>(1025, 0xab)),
                     {kInitiatorError, kAuthFailure, kMissingParameter}, "CHAP_R of 1025 bytes (hex)");
  ExpectTargetServes(t, "after a 1025-byte CHAP_R");
}

TEST(ChapOneWay, OversizedChapResponseBase64IsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (CHAP_R at most 1024 bytes), §6.1 (base64), §11.13.5");
  REQUIRE_ONEWAY(t, who);
  ExpectChapRRefused(t, who, rp::ToBase64(std::vector<uint8_t>(4096, 0x5a)),
                     {kInitiatorError, kAuthFailure, kMissingParameter},
                     "CHAP_R of 4096 bytes (base64)");
  ExpectTargetServes(t, "after a 4096-byte CHAP_R");
}

TEST(ChapOneWay, WrongChapResponseAtLengthLimitIsAuthFailure) {
  HARNESS_REQUIRE_TARGET(t);
  // 1024 bytes is a legal length, so this is a well-formed wrong response: 0201h only.
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h)");
  REQUIRE_ONEWAY(t, who);
  ExpectChapRRefused(t, who, rp::ToHex(std::vector<uint8_t>(1024, 0x3c)), {kAuthFailure},
                     "CHAP_R of 1024 bytes (hex)");
  ExpectChapRRefused(t, who, rp::ToBase64(std::vector<uint8_t>(1024, 0x3c)), {kAuthFailure},
                     "CHAP_R of 1024 bytes (base64)");
}

TEST(ChapOneWay, MalformedChapResponseIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §6.1 (binary-value encodings), §12.1.3, §11.13.5");
  REQUIRE_ONEWAY(t, who);
  const std::pair<const char*, std::string> cases[] = {
      {"odd number of hex digits", "0x" + std::string(31, 'a')},
      {"non-hex digits", "0xZZ" + std::string(30, '1')},
      {"prefix only", "0x"},
      {"no prefix", std::string(32, 'a')},
      {"base64 with invalid characters", "0b!!!!" + std::string(18, 'A')},
      {"NUL-free control bytes", "0x\x01\x02\x03"},
  };
  for (const auto& [what, value] : cases) {
    SCOPED_TRACE(what);
    ExpectChapRRefused(t, who, value, {kInitiatorError, kAuthFailure, kMissingParameter}, what);
  }
  ExpectTargetServes(t, "after malformed CHAP_R values");
}

TEST(ChapOneWay, ChallengeIsNeverRepeated) {
  HARNESS_REQUIRE_TARGET(t);
  // RFC 1994 §2.3 / RFC 7143 §9.2.1: the challenge must change on every authentication;
  // CHAP_I is one octet (RFC 1994 §4.1) in decimal or hex (§12.1.3, §6.1 numbers).
  HARNESS_CLAUSE("RFC 7143 §9.2.1, §12.1.3; RFC 1994 §2.3, §4.1");
  REQUIRE_ONEWAY(t, who);
  std::set<std::vector<uint8_t>> challenges;
  constexpr int kLogins = 50;
  for (int i = 0; i < kLogins; ++i) {
    std::string error;
    auto login = RawLoginSteps::Open(t, who.name, false, &error);
    ASSERT_TRUE(login) << "login " << i << ": " << error;
    LoginStep step = login->StartChap();
    ASSERT_TRUE(step.response && step.status == 0) << "login " << i << ": " << step.Describe();
    EXPECT_EQ(rp::FindKey(step.keys, "CHAP_A"), "5") << "login " << i << ": " << step.Describe();
    auto id = rp::FindKey(step.keys, "CHAP_I");
    ASSERT_TRUE(id.has_value()) << "login " << i << ": no CHAP_I";
    unsigned long id_value = 0;
    size_t used = 0;
    bool parsed = false;
    try {
      id_value = std::stoul(*id, &used, 0);
      parsed = used == id->size();
    } catch (const std::exception&) {
      parsed = false;
    }
    EXPECT_TRUE(parsed && id_value <= 255) << "login " << i << ": CHAP_I=" << *id
                                           << " is not a one-octet number";
    auto c = rp::FindKey(step.keys, "CHAP_C");
    auto bytes = c ? rp::DecodeBinaryValue(*c) : std::nullopt;
    ASSERT_TRUE(bytes && !bytes->empty()) << "login " << i << ": no usable CHAP_C";
    EXPECT_TRUE(challenges.insert(*bytes).second)
        << "login " << i << ": CHAP_C " << *c << " repeats an earlier challenge";
  }
  RecordProperty("challenges", std::to_string(challenges.size()));
}

}  // namespace
}  // namespace conformance::auth
