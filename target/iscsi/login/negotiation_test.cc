#include "target/iscsi/login/negotiation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace reftarget::iscsi::login {
namespace {

using Params = std::map<std::string, std::string>;

// The TPG "parameters" of LIO's saveconfig.json (../shared/examples).
Params LioParams() {
  return {{"AuthMethod", "CHAP,None"},
          {"DataDigest", "CRC32C,None"},
          {"DataPDUInOrder", "Yes"},
          {"DataSequenceInOrder", "Yes"},
          {"DefaultTime2Retain", "20"},
          {"DefaultTime2Wait", "2"},
          {"ErrorRecoveryLevel", "0"},
          {"FirstBurstLength", "65536"},
          {"HeaderDigest", "CRC32C,None"},
          {"IFMarkInt", "Reject"},
          {"IFMarker", "No"},
          {"ImmediateData", "Yes"},
          {"InitialR2T", "Yes"},
          {"MaxBurstLength", "262144"},
          {"MaxConnections", "1"},
          {"MaxOutstandingR2T", "1"},
          {"MaxRecvDataSegmentLength", "8192"},
          {"MaxXmitDataSegmentLength", "262144"},
          {"OFMarkInt", "Reject"},
          {"OFMarker", "No"},
          {"TargetAlias", "LIO Target"}};
}

OperationalNegotiator Make(Params params = LioParams(), SessionKind kind = SessionKind::kNormal) {
  auto r = OperationalNegotiator::Create(params, kind);
  EXPECT_TRUE(r.ok()) << r.error();
  return std::move(r).value();
}

// Looks up `key` in `reply`; "<absent>" if missing.
std::string Answer(const std::vector<KeyValue>& reply, const std::string& key) {
  std::string found = "<absent>";
  int count = 0;
  for (const auto& kv : reply) {
    if (kv.key == key) {
      found = kv.value;
      ++count;
    }
  }
  EXPECT_LE(count, 1) << key << " answered more than once";
  return found;
}

// Negotiates one key and returns the answer.
std::string NegotiateOne(const std::string& key, const std::string& value,
                         Params params = LioParams(), SessionKind kind = SessionKind::kNormal) {
  OperationalNegotiator n = Make(params, kind);
  std::vector<KeyValue> reply;
  auto failure = n.Negotiate({{key, value}}, &reply);
  EXPECT_FALSE(failure.has_value()) << failure->reason;
  return Answer(reply, key);
}

// ---- Create ----

TEST(NegotiationConfig, AcceptsLioSaveconfigParameters) {
  Params p = LioParams();
  p["IFMarkInt"] = "2048~65535";
  p["OFMarkInt"] = "2048~65535";
  p["RDMAExtensions"] = "No";
  p["SomeFutureLioKey"] = "whatever";
  auto r = OperationalNegotiator::Create(p, SessionKind::kNormal);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().params().target_max_recv_data_segment_length, 8192u);
}

TEST(NegotiationConfig, EmptyParametersUseDefaults) {
  auto r = OperationalNegotiator::Create({}, SessionKind::kDiscovery);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().params().target_max_recv_data_segment_length, 8192u);
}

TEST(NegotiationConfig, InvalidValuesNameKeyAndValue) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"HeaderDigest", "MD5"},
      {"DataDigest", ""},
      {"MaxBurstLength", "abc"},
      {"MaxBurstLength", "511"},
      {"MaxRecvDataSegmentLength", "16777216"},
      {"ImmediateData", "maybe"},
      {"InitialR2T", "yes"},
      {"ErrorRecoveryLevel", "3"},
      {"DefaultTime2Wait", "3601"},
      {"MaxXmitDataSegmentLength", "100"},
      {"AuthMethod", "SRP"},
      {"IFMarkInt", "often"},
      {"IFMarker", "Sometimes"},
      {"TaskReporting", "FastAbort"},
      {"TargetAlias", std::string(256, 'a')}};
  for (const auto& [key, value] : bad) {
    Params p = LioParams();
    p[key] = value;
    auto r = OperationalNegotiator::Create(p, SessionKind::kNormal);
    ASSERT_FALSE(r.ok()) << key << "=" << value;
    EXPECT_NE(r.error().find(key), std::string::npos) << r.error();
  }
}

TEST(NegotiationConfig, FirstBurstAboveMaxBurstIsRejected) {
  Params p = LioParams();
  p["FirstBurstLength"] = "524288";
  auto r = OperationalNegotiator::Create(p, SessionKind::kNormal);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("FirstBurstLength"), std::string::npos) << r.error();
}

// ---- libiscsi's login (lib/login.c sends these in the operational stage) ----

std::vector<KeyValue> LibiscsiKeys(const std::string& header_digest) {
  return {{"HeaderDigest", header_digest},
          {"DataDigest", "None"},
          {"InitialR2T", "No"},
          {"ImmediateData", "Yes"},
          {"MaxBurstLength", "262144"},
          {"FirstBurstLength", "262144"},
          {"DefaultTime2Wait", "2"},
          {"DefaultTime2Retain", "0"},
          {"MaxOutstandingR2T", "1"},
          {"ErrorRecoveryLevel", "0"},
          {"IFMarker", "No"},
          {"OFMarker", "No"},
          {"MaxConnections", "1"},
          {"MaxRecvDataSegmentLength", "262144"},
          {"DataPDUInOrder", "Yes"},
          {"DataSequenceInOrder", "Yes"}};
}

TEST(Negotiation, LibiscsiDefaultsNegotiateCleanly) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate(LibiscsiKeys("None,CRC32C"), &reply).has_value());
  for (const auto& kv : reply) {
    EXPECT_NE(kv.value, "NotUnderstood") << kv.key;
    EXPECT_NE(kv.value, "Reject") << kv.key;
    EXPECT_NE(kv.value, "Irrelevant") << kv.key;
  }
  EXPECT_EQ(Answer(reply, "HeaderDigest"), "None");
  EXPECT_EQ(Answer(reply, "DataDigest"), "None");
  EXPECT_EQ(Answer(reply, "InitialR2T"), "Yes");
  EXPECT_EQ(Answer(reply, "ImmediateData"), "Yes");
  EXPECT_EQ(Answer(reply, "MaxBurstLength"), "262144");
  EXPECT_EQ(Answer(reply, "FirstBurstLength"), "65536");
  EXPECT_EQ(Answer(reply, "DefaultTime2Retain"), "0");
  EXPECT_EQ(Answer(reply, "MaxRecvDataSegmentLength"), "8192");  // the target's declaration
  EXPECT_EQ(Answer(reply, "IFMarker"), "No");

  bool offered = true;
  std::vector<KeyValue> offers;
  ASSERT_FALSE(n.AppendTargetOffers(&offers, &offered).has_value());
  EXPECT_FALSE(offered);
  EXPECT_TRUE(offers.empty());

  std::vector<KeyValue> final_reply;
  n.AppendTargetDeclarations(&final_reply);
  EXPECT_EQ(Answer(final_reply, "MaxRecvDataSegmentLength"), "<absent>");  // already declared
  EXPECT_EQ(Answer(final_reply, "TargetAlias"), "LIO Target");

  const SessionParams& p = n.params();
  EXPECT_FALSE(p.header_digest_crc32c);
  EXPECT_FALSE(p.data_digest_crc32c);
  EXPECT_EQ(p.initiator_max_recv_data_segment_length, 262144u);
  EXPECT_EQ(p.target_max_recv_data_segment_length, 8192u);
  EXPECT_EQ(p.max_burst_length, 262144u);
  EXPECT_EQ(p.first_burst_length, 65536u);
  EXPECT_TRUE(p.initial_r2t);
  EXPECT_TRUE(p.immediate_data);
  EXPECT_EQ(p.default_time2retain, 0u);
  EXPECT_EQ(p.error_recovery_level, 0u);
  EXPECT_EQ(p.max_connections, 1u);
}

TEST(Negotiation, LibiscsiWithCrc32cDigest) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate(LibiscsiKeys("CRC32C"), &reply).has_value());
  EXPECT_EQ(Answer(reply, "HeaderDigest"), "CRC32C");
  EXPECT_TRUE(n.params().header_digest_crc32c);
  EXPECT_FALSE(n.params().data_digest_crc32c);
}

// ---- List rule (digests) ----

TEST(Negotiation, DigestPicksTheInitiatorsFirstSupportedValue) {
  EXPECT_EQ(NegotiateOne("HeaderDigest", "CRC32C,None"), "CRC32C");
  EXPECT_EQ(NegotiateOne("HeaderDigest", "None,CRC32C"), "None");
  EXPECT_EQ(NegotiateOne("DataDigest", "Foo,CRC32C"), "CRC32C");  // unknown values ignored
  Params none_only = LioParams();
  none_only["HeaderDigest"] = "None";
  EXPECT_EQ(NegotiateOne("HeaderDigest", "CRC32C,None", none_only), "None");
}

TEST(Negotiation, DigestWithoutCommonValueIsRejectedWhenNoneIsAcceptable) {
  EXPECT_EQ(NegotiateOne("HeaderDigest", "Foo"), "Reject");
  Params none_only = LioParams();
  none_only["HeaderDigest"] = "None";
  EXPECT_EQ(NegotiateOne("HeaderDigest", "CRC32C", none_only), "Reject");
}

TEST(Negotiation, DigestRequiredByTargetFailsWhenInitiatorOffersOnlyNone) {
  Params crc_only = LioParams();
  crc_only["DataDigest"] = "CRC32C";
  OperationalNegotiator n = Make(crc_only);
  std::vector<KeyValue> reply;
  auto failure = n.Negotiate({{"DataDigest", "None"}}, &reply);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_class, 2);
  EXPECT_EQ(failure->status_detail, 0);
}

TEST(Negotiation, TaskReportingOnlyRfc3720) {
  EXPECT_EQ(NegotiateOne("TaskReporting", "FastAbort,RFC3720"), "RFC3720");
  EXPECT_EQ(NegotiateOne("TaskReporting", "FastAbort"), "Reject");
}

// ---- Numeric rules ----

TEST(Negotiation, MinimumRule) {
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "1048576"), "262144");
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "4096"), "4096");
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "0x1000"), "4096");
  EXPECT_EQ(NegotiateOne("MaxOutstandingR2T", "8"), "1");
  EXPECT_EQ(NegotiateOne("DefaultTime2Retain", "60"), "20");
}

TEST(Negotiation, MinimumRuleOutOfRangeOrMalformedIsRejected) {
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "511"), "Reject");
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "16777216"), "Reject");
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "abc"), "Reject");
  EXPECT_EQ(NegotiateOne("MaxBurstLength", ""), "Reject");
  EXPECT_EQ(NegotiateOne("MaxBurstLength", "08192"), "Reject");
  EXPECT_EQ(NegotiateOne("MaxConnections", "0"), "Reject");
  EXPECT_EQ(NegotiateOne("ErrorRecoveryLevel", "3"), "Reject");
  EXPECT_EQ(NegotiateOne("DefaultTime2Retain", "3601"), "Reject");
}

TEST(Negotiation, MaximumRule) {
  EXPECT_EQ(NegotiateOne("DefaultTime2Wait", "0"), "2");
  EXPECT_EQ(NegotiateOne("DefaultTime2Wait", "10"), "10");
  EXPECT_EQ(NegotiateOne("DefaultTime2Wait", "3601"), "Reject");
}

TEST(Negotiation, TargetSupportsOneConnectionAndErrorRecoveryLevelZero) {
  Params p = LioParams();
  p["MaxConnections"] = "8";
  p["ErrorRecoveryLevel"] = "2";
  EXPECT_EQ(NegotiateOne("MaxConnections", "4", p), "1");
  EXPECT_EQ(NegotiateOne("ErrorRecoveryLevel", "2", p), "0");
  EXPECT_EQ(NegotiateOne("iSCSIProtocolLevel", "2"), "1");
}

TEST(Negotiation, BooleanAndRule) {
  EXPECT_EQ(NegotiateOne("ImmediateData", "Yes"), "Yes");
  EXPECT_EQ(NegotiateOne("ImmediateData", "No"), "No");
  Params no = LioParams();
  no["ImmediateData"] = "No";
  EXPECT_EQ(NegotiateOne("ImmediateData", "Yes", no), "No");
  EXPECT_EQ(NegotiateOne("ImmediateData", "yes"), "Reject");
  EXPECT_EQ(NegotiateOne("RDMAExtensions", "Yes"), "No");
}

TEST(Negotiation, BooleanOrRule) {
  EXPECT_EQ(NegotiateOne("InitialR2T", "No"), "Yes");
  Params no = LioParams();
  no["InitialR2T"] = "No";
  EXPECT_EQ(NegotiateOne("InitialR2T", "No", no), "No");
  EXPECT_EQ(NegotiateOne("InitialR2T", "Yes", no), "Yes");
  // In-order data only: a TPG "No" still answers Yes.
  Params out_of_order = LioParams();
  out_of_order["DataPDUInOrder"] = "No";
  EXPECT_EQ(NegotiateOne("DataPDUInOrder", "No", out_of_order), "Yes");
  EXPECT_EQ(NegotiateOne("DataSequenceInOrder", "No"), "Yes");
}

TEST(Negotiation, FirstBurstNeverExceedsMaxBurst) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate({{"FirstBurstLength", "65536"}, {"MaxBurstLength", "16384"}}, &reply)
                   .has_value());
  EXPECT_EQ(Answer(reply, "MaxBurstLength"), "16384");
  EXPECT_EQ(Answer(reply, "FirstBurstLength"), "16384");
  EXPECT_EQ(n.params().first_burst_length, 16384u);
}

TEST(Negotiation, FirstBurstIrrelevantWithInitialR2TAndNoImmediateData) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(
      n.Negotiate({{"FirstBurstLength", "8192"}, {"InitialR2T", "Yes"}, {"ImmediateData", "No"}},
                  &reply)
          .has_value());
  EXPECT_EQ(Answer(reply, "FirstBurstLength"), "Irrelevant");
  EXPECT_EQ(n.params().first_burst_length, 65536u);
}

// ---- Declarative MaxRecvDataSegmentLength ----

TEST(Negotiation, MaxRecvDataSegmentLengthBounds) {
  for (const char* ok : {"512", "16777215", "0x200"}) {
    OperationalNegotiator n = Make();
    std::vector<KeyValue> reply;
    EXPECT_FALSE(n.Negotiate({{"MaxRecvDataSegmentLength", ok}}, &reply).has_value()) << ok;
  }
  for (const char* bad : {"511", "16777216", "0", "", "abc", "-1"}) {
    OperationalNegotiator n = Make();
    std::vector<KeyValue> reply;
    auto failure = n.Negotiate({{"MaxRecvDataSegmentLength", bad}}, &reply);
    ASSERT_TRUE(failure.has_value()) << bad;
    EXPECT_EQ(failure->status_class, 2);
    EXPECT_EQ(failure->status_detail, 0);
    EXPECT_NE(failure->reason.find("MaxRecvDataSegmentLength"), std::string::npos);
  }
}

TEST(Negotiation, InitiatorMaxRecvIsCappedByMaxXmitDataSegmentLength) {
  Params p = LioParams();
  p["MaxXmitDataSegmentLength"] = "65536";
  p["MaxRecvDataSegmentLength"] = "131072";
  OperationalNegotiator n = Make(p);
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate({{"MaxRecvDataSegmentLength", "1048576"}}, &reply).has_value());
  EXPECT_EQ(Answer(reply, "MaxRecvDataSegmentLength"), "131072");
  EXPECT_EQ(n.params().initiator_max_recv_data_segment_length, 65536u);
  EXPECT_EQ(n.params().target_max_recv_data_segment_length, 131072u);
}

TEST(Negotiation, TargetDeclaresMaxRecvWhenInitiatorDidNot) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  n.AppendTargetDeclarations(&reply);
  EXPECT_EQ(Answer(reply, "MaxRecvDataSegmentLength"), "8192");
  std::vector<KeyValue> again;
  n.AppendTargetDeclarations(&again);  // once only
  EXPECT_TRUE(again.empty());
}

// ---- Duplicates, unknown keys, reply bound ----

TEST(Negotiation, KeyTwiceInOneRequestFails) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  auto failure = n.Negotiate({{"MaxBurstLength", "8192"}, {"MaxBurstLength", "8192"}}, &reply);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_class, 2);
  EXPECT_EQ(failure->status_detail, 0);
  EXPECT_NE(failure->reason.find("MaxBurstLength"), std::string::npos);
}

TEST(Negotiation, KeyAgainInALaterRequestOfTheSameLoginFails) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate({{"ImmediateData", "Yes"}}, &reply).has_value());
  reply.clear();
  auto failure = n.Negotiate({{"ImmediateData", "No"}}, &reply);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_detail, 0);
  // Unknown and declarative keys count too.
  OperationalNegotiator m = Make();
  EXPECT_TRUE(m.Negotiate({{"Unknown", "1"}, {"Unknown", "1"}}, &reply).has_value());
  OperationalNegotiator k = Make();
  ASSERT_FALSE(k.Negotiate({{"MaxRecvDataSegmentLength", "8192"}}, &reply).has_value());
  EXPECT_TRUE(k.Negotiate({{"MaxRecvDataSegmentLength", "8192"}}, &reply).has_value());
}

TEST(Negotiation, UnknownKeysAreNotUnderstood) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(
      n.Negotiate({{"X-com.example.Foo", "1"}, {"headerdigest", "None"}, {"a", "b"}}, &reply)
          .has_value());
  EXPECT_EQ(Answer(reply, "X-com.example.Foo"), "NotUnderstood");
  EXPECT_EQ(Answer(reply, "headerdigest"), "NotUnderstood");  // key names are case sensitive
  EXPECT_EQ(Answer(reply, "a"), "NotUnderstood");
}

TEST(Negotiation, ManyUnknownKeysFailWithABoundedReply) {
  // T02: 2048 unknown keys.
  std::vector<KeyValue> keys;
  for (int i = 0; i < 2048; ++i) keys.push_back({"Unknown" + std::to_string(i), "b"});
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply = {{"TargetPortalGroupTag", "1"}};
  auto failure = n.Negotiate(keys, &reply);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_class, 2);
  EXPECT_EQ(failure->status_detail, 0);
  EXPECT_LE(EncodedSize(reply), kMaxReplyBytes - kReplyReserveBytes);
}

TEST(Negotiation, SomeUnknownKeysFitAndLeaveRoomForDeclarations) {
  std::vector<KeyValue> keys;
  for (int i = 0; i < 200; ++i) keys.push_back({"Unknown" + std::to_string(i), "b"});
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate(keys, &reply).has_value());
  EXPECT_EQ(reply.size(), 200u);
  bool offered = false;
  ASSERT_FALSE(n.AppendTargetOffers(&reply, &offered).has_value());
  n.AppendTargetDeclarations(&reply);
  EXPECT_LE(EncodedSize(reply), kMaxReplyBytes);
}

TEST(Negotiation, CallerKeysAreSkipped) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate({{"InitiatorName", "iqn.x"},
                            {"InitiatorAlias", "x"},
                            {"TargetName", "iqn.y"},
                            {"SessionType", "Normal"},
                            {"AuthMethod", "None"},
                            {"CHAP_A", "5"}},
                           &reply, LoginStage::kSecurity)
                   .has_value());
  EXPECT_TRUE(reply.empty());
}

TEST(Negotiation, OperationalKeysInTheSecurityStageFail) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  auto failure = n.Negotiate({{"HeaderDigest", "None"}}, &reply, LoginStage::kSecurity);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_detail, 0);
  OperationalNegotiator m = Make();
  ASSERT_FALSE(m.Negotiate({{"X-vendor", "1"}}, &reply, LoginStage::kSecurity).has_value());
}

TEST(Negotiation, TargetOnlyKeysFromTheInitiatorFail) {
  for (const char* key : {"TargetAlias", "TargetAddress", "TargetPortalGroupTag"}) {
    OperationalNegotiator n = Make();
    std::vector<KeyValue> reply;
    auto failure = n.Negotiate({{key, "1"}}, &reply);
    ASSERT_TRUE(failure.has_value()) << key;
    EXPECT_EQ(failure->status_class, 2);
  }
  EXPECT_EQ(NegotiateOne("SendTargets", "All"), "Reject");
}

TEST(Negotiation, ObsoleteMarkerKeys) {
  EXPECT_EQ(NegotiateOne("IFMarker", "Yes"), "No");
  EXPECT_EQ(NegotiateOne("OFMarker", "No"), "No");
  EXPECT_EQ(NegotiateOne("IFMarkInt", "2048~65535"), "Reject");
  EXPECT_EQ(NegotiateOne("OFMarkInt", "1"), "Reject");
  EXPECT_EQ(NegotiateOne("TargetRecvDataSegmentLength", "8192"), "Irrelevant");
}

// ---- Discovery sessions ----

TEST(Negotiation, SessionKeysAreIrrelevantForDiscovery) {
  OperationalNegotiator n = Make({}, SessionKind::kDiscovery);
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate(LibiscsiKeys("CRC32C,None"), &reply).has_value());
  for (const char* key :
       {"MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength", "FirstBurstLength",
        "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder"}) {
    EXPECT_EQ(Answer(reply, key), "Irrelevant") << key;
  }
  EXPECT_EQ(Answer(reply, "HeaderDigest"), "CRC32C");
  EXPECT_EQ(Answer(reply, "ErrorRecoveryLevel"), "0");
  EXPECT_EQ(Answer(reply, "DefaultTime2Wait"), "2");
  std::vector<KeyValue> final_reply;
  n.AppendTargetDeclarations(&final_reply);
  EXPECT_EQ(Answer(final_reply, "TargetAlias"), "<absent>");
}

// ---- Target offers ----

TEST(Negotiation, TargetOffersValuesWhoseDefaultItCannotAccept) {
  Params p = LioParams();
  p["MaxBurstLength"] = "65536";
  p["FirstBurstLength"] = "16384";
  p["ImmediateData"] = "No";
  p["HeaderDigest"] = "CRC32C";
  p["DefaultTime2Wait"] = "5";
  OperationalNegotiator n = Make(p);
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate({{"MaxRecvDataSegmentLength", "8192"}}, &reply).has_value());
  std::vector<KeyValue> offers;
  bool offered = false;
  ASSERT_FALSE(n.AppendTargetOffers(&offers, &offered).has_value());
  ASSERT_TRUE(offered);
  EXPECT_EQ(Answer(offers, "MaxBurstLength"), "65536");
  EXPECT_EQ(Answer(offers, "FirstBurstLength"), "16384");
  EXPECT_EQ(Answer(offers, "ImmediateData"), "No");
  EXPECT_EQ(Answer(offers, "HeaderDigest"), "CRC32C");
  EXPECT_EQ(Answer(offers, "DefaultTime2Wait"), "5");
  EXPECT_EQ(Answer(offers, "DataDigest"), "<absent>");
  EXPECT_EQ(Answer(offers, "InitialR2T"), "<absent>");

  reply.clear();
  ASSERT_FALSE(n.Negotiate({{"MaxBurstLength", "32768"},
                            {"FirstBurstLength", "16384"},
                            {"ImmediateData", "No"},
                            {"HeaderDigest", "CRC32C"},
                            {"DefaultTime2Wait", "5"}},
                           &reply)
                   .has_value());
  EXPECT_TRUE(reply.empty());  // answers need no answer
  ASSERT_FALSE(n.AppendTargetOffers(&offers, &offered).has_value());
  EXPECT_FALSE(offered);
  EXPECT_EQ(n.params().max_burst_length, 32768u);
  EXPECT_EQ(n.params().first_burst_length, 16384u);
  EXPECT_FALSE(n.params().immediate_data);
  EXPECT_TRUE(n.params().header_digest_crc32c);
  EXPECT_EQ(n.params().default_time2wait, 5u);
}

TEST(Negotiation, NeedsTargetOffersDoesNotOffer) {
  Params p = LioParams();
  p["ImmediateData"] = "No";
  OperationalNegotiator n = Make(p);
  EXPECT_TRUE(n.NeedsTargetOffers());
  EXPECT_TRUE(n.NeedsTargetOffers());  // no side effect
  std::vector<KeyValue> offers;
  bool offered = false;
  ASSERT_FALSE(n.AppendTargetOffers(&offers, &offered).has_value());
  EXPECT_TRUE(offered);
  EXPECT_FALSE(n.NeedsTargetOffers());  // offered, awaiting the answer
  EXPECT_FALSE(Make().NeedsTargetOffers());
}

TEST(Negotiation, InadmissibleAnswersToTargetOffersFail) {
  Params p = LioParams();
  p["MaxBurstLength"] = "65536";
  p["ImmediateData"] = "No";
  const std::vector<std::pair<std::string, std::string>> bad = {{"MaxBurstLength", "131072"},
                                                                {"MaxBurstLength", "Reject"},
                                                                {"MaxBurstLength", "x"},
                                                                {"ImmediateData", "Yes"},
                                                                {"ImmediateData", "NotUnderstood"}};
  for (const auto& [key, value] : bad) {
    OperationalNegotiator n = Make(p);
    std::vector<KeyValue> offers;
    bool offered = false;
    ASSERT_FALSE(n.AppendTargetOffers(&offers, &offered).has_value());
    ASSERT_TRUE(offered);
    std::vector<KeyValue> reply;
    auto failure = n.Negotiate({{key, value}}, &reply);
    ASSERT_TRUE(failure.has_value()) << key << "=" << value;
    EXPECT_EQ(failure->status_class, 2);
  }
}

TEST(Negotiation, UnansweredTargetOfferFails) {
  Params p = LioParams();
  p["ImmediateData"] = "No";
  OperationalNegotiator n = Make(p);
  std::vector<KeyValue> offers;
  bool offered = false;
  ASSERT_FALSE(n.AppendTargetOffers(&offers, &offered).has_value());
  ASSERT_TRUE(offered);
  auto failure = n.AppendTargetOffers(&offers, &offered);
  ASSERT_TRUE(failure.has_value());
  EXPECT_NE(failure->reason.find("ImmediateData"), std::string::npos);
}

TEST(Negotiation, NoOffersForKeysTheInitiatorRaised) {
  Params p = LioParams();
  p["MaxBurstLength"] = "65536";
  OperationalNegotiator n = Make(p);
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.Negotiate({{"MaxBurstLength", "1048576"}}, &reply).has_value());
  EXPECT_EQ(Answer(reply, "MaxBurstLength"), "65536");
  bool offered = true;
  ASSERT_FALSE(n.AppendTargetOffers(&reply, &offered).has_value());
  EXPECT_FALSE(offered);
}

// ---- Full feature phase Text negotiation ----

TEST(Negotiation, FullFeatureTextNegotiation) {
  OperationalNegotiator n = Make();
  std::vector<KeyValue> reply;
  ASSERT_FALSE(n.NegotiateFullFeature({{"SendTargets", "All"},
                                       {"MaxRecvDataSegmentLength", "65536"},
                                       {"HeaderDigest", "CRC32C"},
                                       {"InitiatorName", "iqn.x"},
                                       {"Unknown", "1"}},
                                      &reply)
                   .has_value());
  EXPECT_EQ(n.params().initiator_max_recv_data_segment_length, 65536u);
  EXPECT_EQ(Answer(reply, "MaxRecvDataSegmentLength"), "<absent>");
  EXPECT_EQ(Answer(reply, "HeaderDigest"), "Reject");
  EXPECT_EQ(Answer(reply, "InitiatorName"), "Reject");
  EXPECT_EQ(Answer(reply, "Unknown"), "NotUnderstood");
  EXPECT_FALSE(n.params().header_digest_crc32c);

  reply.clear();
  EXPECT_TRUE(n.NegotiateFullFeature({{"MaxRecvDataSegmentLength", "100"}}, &reply).has_value());
  EXPECT_TRUE(n.NegotiateFullFeature({{"A", "1"}, {"A", "1"}}, &reply).has_value());
  EXPECT_TRUE(n.NegotiateFullFeature({{"TargetAlias", "x"}}, &reply).has_value());
}

}  // namespace
}  // namespace reftarget::iscsi::login
