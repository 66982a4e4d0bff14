// Discovery sessions under discovery CHAP (RFC 7143 §12.1.3, §11.13.5; SendTargets, Appendix
// C): TEST-PLAN S15 and rows T09, T10 (discovery side): no or wrong credentials get 0201h,
// normal-session credentials do not open discovery, and SendTargets lists only the targets
// the initiator may access.
#include <gtest/gtest.h>

#include <string>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/auth/auth_support.h"

namespace conformance::auth {
namespace {

using namespace std::chrono_literals;
namespace hi = harness::iscsi;

// Binds `creds` to the discovery CHAP credentials, skipping when the target has none.
#define REQUIRE_DISCOVERY_AUTH(t, creds)                                                  \
  HARNESS_REQUIRE_CAPABILITY((t).capabilities.discovery_auth, "require discovery CHAP");  \
  if (!(t).discovery_chap) GTEST_SKIP() << "the target file names no discovery CHAP";     \
  const hi::ChapCredentials creds{(t).discovery_chap->userid, (t).discovery_chap->password}

// Returns the initiator name discovery tests log in with: the one-way ACL's (a permitted
// initiator), or a fresh name when the target has no ACL with CHAP.
std::string DiscoveryInitiator(const TargetUnderTest& t) {
  const InitiatorInfo* who = t.ChapInitiator(false);
  return who != nullptr ? who->name : t.initiator_prefix + ":discovery";
}

bool Lists(const std::vector<hi::DiscoveredTarget>& targets, const std::string& iqn) {
  for (const auto& d : targets) {
    if (d.name == iqn) return true;
  }
  return false;
}

TEST(DiscoveryAuth, NoCredentialsIsAuthFailure) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h)");
  REQUIRE_DISCOVERY_AUTH(t, creds);
  auto found = hi::Session::Discover(t.portal.ToString(), DiscoveryInitiator(t), {}, 5000ms);
  ASSERT_FALSE(found.ok()) << "SendTargets answered a discovery session without CHAP ("
                           << found.value().size() << " targets)";
  EXPECT_EQ(found.status().code(), kAuthFailure) << found.error();
}

TEST(DiscoveryAuth, RightCredentialsListTheTarget) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3, Appendix C (SendTargets)");
  REQUIRE_DISCOVERY_AUTH(t, creds);
  auto found = hi::Session::Discover(t.portal.ToString(), DiscoveryInitiator(t), creds, 5000ms);
  ASSERT_TRUE(found.ok()) << found.error();
  ASSERT_TRUE(Lists(found.value(), t.iqn)) << "SendTargets=All does not list " << t.iqn;
  for (const auto& d : found.value()) {
    if (d.name == t.iqn) {
      EXPECT_FALSE(d.portals.empty()) << "no TargetAddress for " << t.iqn;
    }
  }
}

TEST(DiscoveryAuth, WrongSecretIsAuthFailure) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h)");
  REQUIRE_DISCOVERY_AUTH(t, creds);
  hi::ChapCredentials wrong = creds;
  wrong.secret = "NotTheDiscSecret";
  auto found = hi::Session::Discover(t.portal.ToString(), DiscoveryInitiator(t), wrong, 5000ms);
  ASSERT_FALSE(found.ok()) << "SendTargets answered after a wrong discovery secret";
  EXPECT_EQ(found.status().code(), kAuthFailure) << found.error();
  ExpectTargetServes(t, "after a wrong discovery secret");
}

TEST(DiscoveryAuth, NormalSessionCredentialsDoNotOpenDiscovery) {
  HARNESS_REQUIRE_TARGET(t);
  // Discovery CHAP is its own credential set: an ACL's CHAP secret proves nothing about it.
  HARNESS_CLAUSE("RFC 7143 §12.1.3, §11.13.5 (0201h)");
  REQUIRE_DISCOVERY_AUTH(t, creds);
  const InitiatorInfo* who = t.ChapInitiator(false);
  if (who == nullptr) GTEST_SKIP() << "the target file lists no one-way CHAP ACL";
  if (who->chap->userid == creds.user && who->chap->password == creds.secret) {
    GTEST_SKIP() << "the ACL's CHAP credentials equal the discovery ones";
  }
  auto found = hi::Session::Discover(t.portal.ToString(), who->name,
                                     {who->chap->userid, who->chap->password}, 5000ms);
  ASSERT_FALSE(found.ok()) << "a normal session's CHAP credentials opened a discovery session";
  EXPECT_EQ(found.status().code(), kAuthFailure) << found.error();
}

TEST(DiscoveryAuth, SendTargetsHidesTargetsFromUnlistedInitiators) {
  HARNESS_REQUIRE_TARGET(t);
  // RFC 7143 Appendix C: SendTargets returns the targets the requesting initiator is
  // authorized to access; refusing the discovery login (0201h / 0202h) also hides them.
  HARNESS_CLAUSE("RFC 7143 Appendix C (SendTargets), §11.13.5");
  HARNESS_REQUIRE_CAPABILITY(t.capabilities.acls, "restrict initiators with ACLs");
  if (t.initiators.empty()) GTEST_SKIP() << "the target runs without ACLs (demo mode)";
  hi::ChapCredentials creds;
  if (t.discovery_chap) creds = {t.discovery_chap->userid, t.discovery_chap->password};
  auto permitted = hi::Session::Discover(t.portal.ToString(), DiscoveryInitiator(t), creds, 5000ms);
  ASSERT_TRUE(permitted.ok()) << "discovery as a listed initiator failed: " << permitted.error();
  ASSERT_TRUE(Lists(permitted.value(), t.iqn)) << "SendTargets does not list " << t.iqn
                                               << " even to a listed initiator";
  const std::string stranger = UnlistedInitiator(t, "discovery");
  auto found = hi::Session::Discover(t.portal.ToString(), stranger, creds, 5000ms);
  if (!found.ok()) {
    EXPECT_TRUE(StatusIn(found.status().code(), {kAuthFailure, kAuthorizationFailure}))
        << "discovery by " << stranger << " failed in another way: " << found.error();
    return;
  }
  EXPECT_FALSE(Lists(found.value(), t.iqn))
      << "SendTargets listed " << t.iqn << " to " << stranger << ", whom no ACL admits";
}

}  // namespace
}  // namespace conformance::auth
