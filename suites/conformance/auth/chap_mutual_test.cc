// Mutual CHAP (RFC 7143 §12.1.3, §9.2.1; RFC 1994): TEST-PLAN S13, S14 and rows T06, T07:
// the target proves the mutual secret, the initiator refuses a wrong one, a reflected
// challenge and malformed initiator challenges (CHAP_I / CHAP_C) never yield a session.
#include <gtest/gtest.h>

#include <string>

#include "harness/iscsi/cdb.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/auth/auth_support.h"

namespace conformance::auth {
namespace {

using namespace std::chrono_literals;
namespace hi = harness::iscsi;
namespace rp = harness::rawpdu;

// Binds `who` to the mutual CHAP initiator of `t`, skipping when there is none.
#define REQUIRE_MUTUAL(t, who)                                                      \
  HARNESS_REQUIRE_CAPABILITY((t).capabilities.mutual_chap, "require mutual CHAP");  \
  const InitiatorInfo* who##_ptr = (t).ChapInitiator(true);                         \
  if (who##_ptr == nullptr) GTEST_SKIP() << "the target file lists no mutual CHAP ACL"; \
  const InitiatorInfo& who = *who##_ptr

// Runs a raw mutual login whose CHAP response keys `mutate` rewrites; expects no session and
// a Login reject with one of `allowed` (or, when `close_allowed`, a closed connection).
void ExpectMutualRefused(const TargetUnderTest& t, const InitiatorInfo& who,
                         const std::function<void(KeyValues*, const KeyValues&)>& mutate,
                         std::initializer_list<int> allowed, bool close_allowed,
                         const std::string& what) {
  rp::RawLoginResult r = RawChapLogin(t, who, true, mutate);
  EXPECT_FALSE(r.full_feature) << what << ": reached Full Feature Phase";
  const bool rejected = r.status_received && StatusIn(r.status(), allowed);
  if (!r.status_received && !r.connection_closed) {
    ADD_FAILURE() << what << ": the target did not refuse; it answered the initiator's challenge ("
                  << r.error << ")";
  } else {
    EXPECT_TRUE(rejected || (close_allowed && r.connection_closed))
        << what << ": expected a Login reject" << (close_allowed ? " or a closed connection" : "")
        << ", got " << StatusText(r.status_received ? r.status() : -1) << " (" << r.error << ")";
  }
  ExpectTargetServes(t, what);
}

TEST(ChapMutual, RightSecretsLogIn) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (mutual CHAP)");
  REQUIRE_MUTUAL(t, who);
  auto session = hi::Session::Connect(OptionsFor(t, who, true));
  ASSERT_TRUE(session.ok()) << session.error();
  hi::CommandResult r = session.value()->Execute(hi::cdb::TestUnitReady(),
                                                  hi::DataDirection::kNone, {}, 0, 5000ms);
  EXPECT_TRUE(r.good()) << r.Describe();
}

TEST(ChapMutual, TargetResponseProvesTheMutualSecret) {
  HARNESS_REQUIRE_TARGET(t);
  // §12.1.3: the target answers the initiator's CHAP_I / CHAP_C with CHAP_N = its own name
  // and CHAP_R = MD5(CHAP_I || target secret || CHAP_C). The raw client checks both itself.
  HARNESS_CLAUSE("RFC 7143 §12.1.3; RFC 1994 §4.1");
  REQUIRE_MUTUAL(t, who);
  rp::RawLoginResult right = RawChapLogin(t, who, true);
  EXPECT_TRUE(right.full_feature) << "the target's CHAP_N / CHAP_R did not verify against the "
                                     "mutual secret: " << right.error;
  // The same check with a secret the target does not hold must fail, or it checks nothing.
  InitiatorInfo wrong = who;
  wrong.chap->mutual_password = "NotTheTargetSec1";
  rp::RawLoginResult refused = RawChapLogin(t, wrong, true);
  EXPECT_FALSE(refused.full_feature)
      << "a CHAP_R verified against a secret the target was never given";
  EXPECT_NE(refused.error.find("mutual CHAP"), std::string::npos) << refused.error;
}

TEST(ChapMutual, WrongTargetSecretIsRefusedByTheInitiator) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (target authentication fails: the initiator terminates)");
  REQUIRE_MUTUAL(t, who);
  hi::ConnectOptions o = OptionsFor(t, who, true);
  o.mutual.secret = "NotTheTargetSec1";
  auto session = hi::Session::Connect(o);
  EXPECT_FALSE(session.ok()) << "libiscsi accepted a target CHAP_R made with another secret";
  ExpectTargetServes(t, "after the initiator refused the target");
}

TEST(ChapMutual, ReflectedChallengeIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // §12.1.3 / §9.2.1: an originator must not reuse the responder's challenge; responders
  // must detect it and close the connection. A Login reject (initiator error class, 02xxh)
  // before closing also denies the session.
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §9.2.1 (reflected challenge)");
  REQUIRE_MUTUAL(t, who);
  ExpectMutualRefused(
      t, who,
      [](KeyValues* response, const KeyValues& challenge) {
        SetKey(response, "CHAP_I", rp::FindKey(challenge, "CHAP_I").value_or("0"));
        SetKey(response, "CHAP_C", rp::FindKey(challenge, "CHAP_C").value_or("0x00"));
      },
      {kInitiatorError, kAuthFailure, kMissingParameter}, /*close_allowed=*/true,
      "the target's own CHAP_C sent back");
}

TEST(ChapMutual, OversizedInitiatorChallengeIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3 (CHAP_C at most 1024 bytes), §11.13.5");
  REQUIRE_MUTUAL(t, who);
  ExpectMutualRefused(
      t, who,
      [](KeyValues* response, const KeyValues&) {
        SetKey(response, "CHAP_C", rp::ToHex(std::vector<uint8_t>(1025, 0x11)));
      },
      {kInitiatorError, kAuthFailure, kMissingParameter}, false, "CHAP_C of 1025 bytes (hex)");
  ExpectMutualRefused(
      t, who,
      [](KeyValues* response, const KeyValues&) {
        SetKey(response, "CHAP_C", rp::ToBase64(std::vector<uint8_t>(4096, 0x22)));
      },
      {kInitiatorError, kAuthFailure, kMissingParameter}, false, "CHAP_C of 4096 bytes (base64)");
}

TEST(ChapMutual, InitiatorIdentifierOutOfRangeIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // RFC 1994 §4.1: the Identifier is one octet; T06: CHAP_I=256, 0x1FF, empty.
  HARNESS_CLAUSE("RFC 7143 §12.1.3; RFC 1994 §4.1");
  REQUIRE_MUTUAL(t, who);
  for (const char* id : {"256", "0x1FF", "", "-1"}) {
    SCOPED_TRACE(std::string("CHAP_I=") + id);
    ExpectMutualRefused(
        t, who, [&](KeyValues* response, const KeyValues&) { SetKey(response, "CHAP_I", id); },
        {kInitiatorError, kAuthFailure, kMissingParameter}, false,
        std::string("CHAP_I=") + id);
  }
}

TEST(ChapMutual, ChallengeWithoutIdentifierIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // §12.1.3: an initiator that authenticates the target sends CHAP_I and CHAP_C together.
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h / 0207h)");
  REQUIRE_MUTUAL(t, who);
  ExpectMutualRefused(
      t, who, [](KeyValues* response, const KeyValues&) { DropKey(response, "CHAP_I"); },
      {kInitiatorError, kAuthFailure, kMissingParameter}, false, "CHAP_C without CHAP_I");
}

}  // namespace
}  // namespace conformance::auth
