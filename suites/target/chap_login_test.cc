// CHAP authentication (RFC 7143 §12.1.3, RFC 1994) on a TPG with authentication=1 and node
// ACLs carrying CHAP secrets (rtslib's chap_userid / chap_password / chap_mutual_*):
//  - libiscsi: right secrets log in (one-way and mutual); a wrong secret, an unknown user
//    and no credentials get login status 0x0201 (RFC 7143 §11.13.5 Authentication failure);
//    a wrong mutual secret on the initiator side is caught by libiscsi's check of CHAP_R;
//  - the raw client (its own MD5 CHAP): mutual CHAP verified independently; a reflected
//    challenge (initiator's CHAP_C = target's CHAP_C, RFC 7143 §12.1.3) and oversized or
//    malformed CHAP_R / CHAP_C (TEST-PLAN T05, T07) never yield a session: 0x0201 (or, for
//    the reflection, a closed connection) and the target stays up for the next login.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "suites/target/support/libiscsi_client.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "suites/target/support/target_process.h"
#include "suites/target/support/temp_dir.h"

namespace itest {

using namespace harness::rawpdu;  // NOLINT: the raw PDU client is the suites' vocabulary
namespace {

constexpr uint16_t kAuthFailure = 0x0201;
constexpr const char* kOneWayIqn = "iqn.2003-01.org.reftarget.itest:chap-oneway";
constexpr const char* kOneWayUser = "itest-oneway";
constexpr const char* kOneWaySecret = "OneWaySecret-16c";
constexpr const char* kMutualIqn = "iqn.2003-01.org.reftarget.itest:chap-mutual";
constexpr const char* kMutualUser = "itest-mutual";
constexpr const char* kMutualSecret = "MutualInitSecr1";
constexpr const char* kTargetUser = "itest-target";
constexpr const char* kTargetSecret = "MutualTgtSecret2";

class ChapLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok()) << dir_.error();
    StorageObjectSpec so;
    so.name = "disk0";
    so.plugin = "ramdisk";
    so.size = 16 << 20;
    TargetSpec spec;
    spec.storage_objects = {so};
    spec.luns = {{0, "disk0"}};
    spec.authentication = true;
    spec.generate_node_acls = false;
    NodeAclSpec oneway;
    oneway.node_wwn = kOneWayIqn;
    oneway.chap_userid = kOneWayUser;
    oneway.chap_password = kOneWaySecret;
    oneway.mapped_luns = {{0, 0, false}};
    NodeAclSpec mutual;
    mutual.node_wwn = kMutualIqn;
    mutual.chap_userid = kMutualUser;
    mutual.chap_password = kMutualSecret;
    mutual.chap_mutual_userid = kTargetUser;
    mutual.chap_mutual_password = kTargetSecret;
    mutual.mapped_luns = {{0, 0, false}};
    spec.node_acls = {oneway, mutual};
    std::string error;
    target_ = TargetProcess::Start(spec, &error);
    ASSERT_TRUE(target_) << error;
  }

  LibiscsiLogin OneWay() const {
    LibiscsiLogin l;
    l.initiator = kOneWayIqn;
    l.portal = target_->portal();
    l.target = target_->iqn();
    l.lun = target_->Lun(0);
    l.user = kOneWayUser;
    l.secret = kOneWaySecret;
    return l;
  }

  LibiscsiLogin Mutual() const {
    LibiscsiLogin l = OneWay();
    l.initiator = kMutualIqn;
    l.user = kMutualUser;
    l.secret = kMutualSecret;
    l.target_user = kTargetUser;
    l.target_secret = kTargetSecret;
    return l;
  }

  // Expects the login to fail with status 0x0201.
  void ExpectAuthFailure(const LibiscsiLogin& login) {
    std::string error;
    IscsiContextPtr ctx = LibiscsiConnect(login, &error);
    ASSERT_FALSE(ctx) << "login succeeded but must not";
    EXPECT_EQ(LoginStatusFromError(error), kAuthFailure) << "libiscsi said: " << error;
  }

  // Expects a good one-way login and TEST UNIT READY, proving the target still serves.
  void ExpectGoodLogin() {
    std::string error;
    IscsiContextPtr ctx = LibiscsiConnect(OneWay(), &error);
    ASSERT_TRUE(ctx) << error;
    ScsiTaskPtr task(iscsi_testunitready_sync(ctx.get(), target_->Lun(0)));
    ASSERT_TRUE(task);
    EXPECT_EQ(task->status, SCSI_STATUS_GOOD) << DescribeTask(ctx.get(), task.get());
  }

  RawLoginOptions RawMutual() const {
    RawLoginOptions o;
    o.initiator_name = kMutualIqn;
    o.target_name = target_->iqn();
    o.chap = ChapSecrets{kMutualUser, kMutualSecret, kTargetUser, kTargetSecret};
    return o;
  }

  // Runs a raw login with `options`; returns its result.
  RawLoginResult RawAttempt(const RawLoginOptions& options) {
    std::string error;
    auto conn =
        RawConnection::Connect(target_->host(), target_->port(), std::chrono::seconds(5), &error);
    if (!conn) {
      RawLoginResult r;
      r.error = error;
      return r;
    }
    return RawLogin(conn.get(), options);
  }

  // Expects a hostile CHAP response to end in 0x0201 and the target to stay up.
  void ExpectRawAuthFailure(const std::function<void(KeyValues*, const KeyValues&)>& mutator,
                            bool mutual, const std::string& what) {
    RawLoginOptions o = RawMutual();
    if (!mutual) {
      o.initiator_name = kOneWayIqn;
      o.chap = ChapSecrets{kOneWayUser, kOneWaySecret, "", ""};
    }
    o.chap_mutator = mutator;
    RawLoginResult r = RawAttempt(o);
    EXPECT_FALSE(r.full_feature) << what << ": reached Full Feature Phase";
    EXPECT_TRUE(r.status_received) << what << ": no login status (" << r.error << ")";
    EXPECT_EQ(r.status(), kAuthFailure) << what << ": " << r.error;
    ASSERT_TRUE(target_->Alive()) << what << ": " << target_->DescribeState();
    ExpectGoodLogin();
  }

  TempDir dir_{"itest-chap-"};
  std::unique_ptr<TargetProcess> target_;
};

void SetKey(KeyValues* keys, const std::string& key, const std::string& value) {
  for (auto& kv : *keys) {
    if (kv.first == key) {
      kv.second = value;
      return;
    }
  }
  keys->emplace_back(key, value);
}

TEST_F(ChapLoginTest, OneWayRightSecretLogsIn) { ExpectGoodLogin(); }

TEST_F(ChapLoginTest, MutualRightSecretsLogIn) {
  std::string error;
  IscsiContextPtr ctx = LibiscsiConnect(Mutual(), &error);
  ASSERT_TRUE(ctx) << error;
  ScsiTaskPtr task(iscsi_testunitready_sync(ctx.get(), target_->Lun(0)));
  ASSERT_TRUE(task);
  EXPECT_EQ(task->status, SCSI_STATUS_GOOD);
}

TEST_F(ChapLoginTest, WrongSecretIsAuthFailure) {
  LibiscsiLogin l = OneWay();
  l.secret = "WrongSecret-16ch";
  ExpectAuthFailure(l);
  ExpectGoodLogin();
}

TEST_F(ChapLoginTest, UnknownUserIsAuthFailure) {
  LibiscsiLogin l = OneWay();
  l.user = "nobody-here";
  ExpectAuthFailure(l);
  ExpectGoodLogin();
}

TEST_F(ChapLoginTest, OtherAclsUserIsAuthFailure) {
  // Right user and secret, but they belong to another initiator's ACL.
  LibiscsiLogin l = OneWay();
  l.user = kMutualUser;
  l.secret = kMutualSecret;
  ExpectAuthFailure(l);
}

TEST_F(ChapLoginTest, NoCredentialsWhenRequiredIsAuthFailure) {
  LibiscsiLogin l = OneWay();
  l.user.clear();
  l.secret.clear();
  ExpectAuthFailure(l);
  ExpectGoodLogin();
}

TEST_F(ChapLoginTest, WrongMutualSecretIsCaughtByTheInitiator) {
  LibiscsiLogin l = Mutual();
  l.target_secret = "NotTheTargetSec";
  std::string error;
  IscsiContextPtr ctx = LibiscsiConnect(l, &error);
  EXPECT_FALSE(ctx) << "libiscsi accepted a target CHAP_R made with another secret";
  ExpectGoodLogin();
}

TEST_F(ChapLoginTest, RawMutualChapVerifiesTheTarget) {
  RawLoginResult r = RawAttempt(RawMutual());
  EXPECT_TRUE(r.full_feature) << r.error;
}

TEST_F(ChapLoginTest, RawReflectedChallengeIsRefused) {
  RawLoginOptions o = RawMutual();
  o.chap_mutator = [](KeyValues* response, const KeyValues& challenge) {
    SetKey(response, "CHAP_I", FindKey(challenge, "CHAP_I").value_or("0"));
    SetKey(response, "CHAP_C", FindKey(challenge, "CHAP_C").value_or("0x00"));
  };
  RawLoginResult r = RawAttempt(o);
  EXPECT_FALSE(r.full_feature) << "a reflected CHAP_C was accepted";
  // RFC 7143 §12.1.3: the target must not answer a challenge equal to its own.
  EXPECT_TRUE((r.status_received && r.status() == kAuthFailure) || r.connection_closed)
      << "expected status 0x0201 or a closed connection, got: " << r.error;
  ASSERT_TRUE(target_->Alive()) << target_->DescribeState();
  ExpectGoodLogin();
}

TEST_F(ChapLoginTest, RawOversizedChapResponseHex) {
  ExpectRawAuthFailure(
      [](KeyValues* response, const KeyValues&) {
        SetKey(response, "CHAP_R", ToHex(std::vector<uint8_t>(1025, 0xab)));
      },
      false, "CHAP_R of 1025 bytes in hex");
}

TEST_F(ChapLoginTest, RawOversizedChapResponseBase64) {
  ExpectRawAuthFailure(
      [](KeyValues* response, const KeyValues&) {
        SetKey(response, "CHAP_R", harness::rawpdu::ToBase64(std::vector<uint8_t>(4096, 0x5a)));
      },
      false, "CHAP_R of 4096 bytes in base64");
}

TEST_F(ChapLoginTest, RawMalformedChapResponse) {
  ExpectRawAuthFailure(
      [](KeyValues* response, const KeyValues&) { SetKey(response, "CHAP_R", "0xZZ12"); }, false,
      "CHAP_R with non-hex digits");
  ExpectRawAuthFailure(
      [](KeyValues* response, const KeyValues&) { SetKey(response, "CHAP_R", "0x"); }, false,
      "empty CHAP_R");
}

TEST_F(ChapLoginTest, RawOversizedMutualChallenge) {
  ExpectRawAuthFailure(
      [](KeyValues* response, const KeyValues&) {
        SetKey(response, "CHAP_C", ToHex(std::vector<uint8_t>(1025, 0x11)));
      },
      true, "mutual CHAP_C of 1025 bytes");
}

}  // namespace
}  // namespace itest
