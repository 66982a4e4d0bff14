// Every RFC 7143 §13 operational key offered alone (RFC 7143 §6.2, §13.1-13.25; TEST-PLAN
// S12, T20): a legal value is answered by the key's rule (list, Minimum, Maximum, AND, OR,
// declarative), an illegal or out-of-range value gets "Reject", an admissible value or a
// login reject (initiator error), never an echo of the bad value or NotUnderstood.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

using harness::rawpdu::FindKey;

enum class Rule { kList, kMinimum, kMaximum, kAnd, kOr, kDeclarative };

struct KeyCase {
  const char* key;
  const char* clause;
  Rule rule;
  const char* legal;  // a legal offer whose result the offer alone does not decide
  uint64_t lo = 0;    // numeric range (kMinimum, kMaximum, kDeclarative)
  uint64_t hi = 0;
  const char* illegal;  // a value outside the key's type
};

constexpr uint64_t kMaxSeg = (1u << 24) - 1;

const std::vector<KeyCase>& Keys() {
  static const std::vector<KeyCase> keys = {
      {"HeaderDigest", "RFC 7143 §13.1", Rule::kList, "CRC32C,None", 0, 0, "MD5"},
      {"DataDigest", "RFC 7143 §13.1", Rule::kList, "CRC32C,None", 0, 0, "MD5"},
      {"MaxConnections", "RFC 7143 §13.2", Rule::kMinimum, "4", 1, 65535, "four"},
      {"InitialR2T", "RFC 7143 §13.10", Rule::kOr, "No", 0, 0, "Maybe"},
      {"ImmediateData", "RFC 7143 §13.11", Rule::kAnd, "Yes", 0, 0, "Maybe"},
      {"MaxRecvDataSegmentLength", "RFC 7143 §13.12", Rule::kDeclarative, "65536", 512, kMaxSeg,
       "big"},
      {"MaxBurstLength", "RFC 7143 §13.13", Rule::kMinimum, "262144", 512, kMaxSeg, "-1"},
      {"FirstBurstLength", "RFC 7143 §13.14", Rule::kMinimum, "65536", 512, kMaxSeg, "0x"},
      {"DefaultTime2Wait", "RFC 7143 §13.15", Rule::kMaximum, "2", 0, 3600, "two"},
      {"DefaultTime2Retain", "RFC 7143 §13.16", Rule::kMinimum, "20", 0, 3600, "twenty"},
      {"MaxOutstandingR2T", "RFC 7143 §13.17", Rule::kMinimum, "4", 1, 65535, "1.5"},
      {"DataPDUInOrder", "RFC 7143 §13.18", Rule::kOr, "No", 0, 0, "Perhaps"},
      {"DataSequenceInOrder", "RFC 7143 §13.19", Rule::kOr, "No", 0, 0, "Perhaps"},
      {"ErrorRecoveryLevel", "RFC 7143 §13.20", Rule::kMinimum, "2", 0, 2, "high"},
      {"TaskReporting", "RFC 7143 §13.23", Rule::kList, "RFC3720", 0, 0, "NoSuchReporting"},
  };
  return keys;
}

std::optional<uint64_t> Numeric(const std::string& v) {
  if (v.empty() || v.size() > 10) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// One login offering `key=value` alone in the operational stage.
struct Trial {
  bool ffp = false;
  LoginReply last;
  KeyValues answers;
  std::optional<std::string> answer;
};

Trial TryKey(const TargetUnderTest& t, const std::string& initiator, const KeyValues& keys,
             const std::string& key) {
  Trial trial;
  std::string err;
  auto conn = ConnectRaw(t, &err);
  if (!conn) {
    trial.last.error = err;
    return trial;
  }
  LoginDriver driver(conn.get(), NormalLogin(t, initiator));
  trial.ffp = driver.LoginWith(keys, &trial.answers, &trial.last);
  trial.answer = FindKey(trial.answers, key);
  if (trial.ffp) RawLogout(conn.get(), driver.Result(), &err);
  return trial;
}

std::string Describe(const Trial& trial, const std::string& key) {
  return (trial.ffp ? std::string("login reached FFP") : trial.last.Describe()) + "; answer " +
         key + "=" + trial.answer.value_or("(none)");
}

// Succeeds if the outcome of offering a value the key does not admit is one the RFC allows:
// "Reject" (RFC 7143 §6.2.2, §6.2.1), an admissible value in [lo, hi] (numeric and boolean
// keys, §6.2.2), or a login reject with an initiator-error status.
::testing::AssertionResult RefusedOrAdmissible(const Trial& trial, const KeyCase& k,
                                               const std::string& offered) {
  if (!trial.ffp) {
    auto r = LoginRejectedWith(trial.last, kInitiatorErrors);
    if (!r) return r << " (" << Describe(trial, k.key) << ")";
    return r;
  }
  if (k.rule == Rule::kDeclarative) {
    // A declaration is not answered, so the target's own MaxRecvDataSegmentLength may be in
    // the reply; only an explicit Reject refuses ours.
    for (const auto& [key, value] : trial.answers) {
      if (key == k.key && value == "Reject") return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << k.key << "=" << offered << " was accepted silently; expected Reject or a login "
           << "reject";
  }
  if (!trial.answer) {
    return ::testing::AssertionFailure() << k.key << "=" << offered << " got no answer";
  }
  const std::string& a = *trial.answer;
  if (a == "Reject") return ::testing::AssertionSuccess();
  if (a == offered) {
    return ::testing::AssertionFailure()
           << "the inadmissible value was echoed: " << k.key << "=" << a;
  }
  switch (k.rule) {
    case Rule::kMinimum:
    case Rule::kMaximum:
    case Rule::kDeclarative: {
      auto n = Numeric(a);
      if (n && *n >= k.lo && *n <= k.hi) return ::testing::AssertionSuccess();
      break;
    }
    case Rule::kAnd:
    case Rule::kOr:
      if (a == "Yes" || a == "No") return ::testing::AssertionSuccess();
      break;
    case Rule::kList:
      break;  // §6.2.1: a value that was not offered is a protocol error
  }
  return ::testing::AssertionFailure()
         << k.key << "=" << offered << " answered '" << a << "'; expected Reject"
         << (k.rule == Rule::kList ? "" : " or an admissible value") << " or a login reject";
}

class LoginKeys : public ::testing::TestWithParam<KeyCase> {};

std::string KeyName(const ::testing::TestParamInfo<KeyCase>& info) { return info.param.key; }

// A legal offer is answered by the key's rule.
TEST_P(LoginKeys, LegalValueAnsweredPerRule) {
  const KeyCase& k = GetParam();
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(std::string(k.clause) + ", §6.2 (legal offer answered by the key's rule)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "keys");
  const Trial trial = TryKey(t, initiator, {{k.key, k.legal}}, k.key);
  ASSERT_TRUE(trial.ffp) << "a legal offer must not fail the login: " << Describe(trial, k.key);
  const std::string offered = k.legal;
  if (k.rule == Rule::kDeclarative) {
    // The target declares its own value (or keeps the default); it never answers the offer.
    if (trial.answer) {
      auto n = Numeric(*trial.answer);
      EXPECT_TRUE(n && *n >= k.lo && *n <= k.hi)
          << "the target declared " << k.key << "=" << *trial.answer;
    }
    return;
  }
  ASSERT_TRUE(trial.answer.has_value())
      << k.key << "=" << offered << " must be answered (the offer does not decide the result)";
  const std::string& a = *trial.answer;
  EXPECT_NE(a, "NotUnderstood") << "RFC 7143 keys MUST NOT be answered NotUnderstood";
  switch (k.rule) {
    case Rule::kList: {
      // §6.2.1: the first offered value the target supports, or Reject.
      EXPECT_NE(a, "Reject") << "the offer includes a value every target must support";
      EXPECT_EQ(a.find(','), std::string::npos) << "the answer is one value: " << a;
      EXPECT_NE(offered.find(a), std::string::npos) << "answer " << a << " was not offered";
      break;
    }
    case Rule::kMinimum: {
      auto n = Numeric(a);
      ASSERT_TRUE(n.has_value()) << k.key << " answered '" << a << "'";
      EXPECT_GE(*n, k.lo);
      EXPECT_LE(*n, *Numeric(offered)) << "Minimum: the answer may not exceed the offer";
      break;
    }
    case Rule::kMaximum: {
      auto n = Numeric(a);
      ASSERT_TRUE(n.has_value()) << k.key << " answered '" << a << "'";
      EXPECT_LE(*n, k.hi);
      EXPECT_GE(*n, *Numeric(offered)) << "Maximum: the answer may not be below the offer";
      break;
    }
    case Rule::kAnd:
    case Rule::kOr:
      EXPECT_TRUE(a == "Yes" || a == "No") << k.key << " answered '" << a << "'";
      break;
    case Rule::kDeclarative:
      break;
  }
}

// A value outside the key's type is refused, never echoed.
TEST_P(LoginKeys, IllegalValueRefused) {
  const KeyCase& k = GetParam();
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(std::string(k.clause) + ", §6.2.1-6.2.2 (inadmissible value: Reject)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "illegal");
  const Trial trial = TryKey(t, initiator, {{k.key, k.illegal}}, k.key);
  EXPECT_TRUE(RefusedOrAdmissible(trial, k, k.illegal));
  EXPECT_NE(trial.answer.value_or(""), "NotUnderstood") << "the key itself is known";
}

INSTANTIATE_TEST_SUITE_P(Rfc7143Keys, LoginKeys, ::testing::ValuesIn(Keys()), KeyName);

// Numerical values outside the key's range.
struct RangeCase {
  const char* name;
  const char* key;
  const char* value;
};

class LoginKeysRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(LoginKeysRange, OutOfRangeValueRefused) {
  const RangeCase& rc = GetParam();
  const KeyCase* k = nullptr;
  for (const KeyCase& c : Keys()) {
    if (std::string(c.key) == rc.key) k = &c;
  }
  ASSERT_NE(k, nullptr);
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(std::string(k->clause) + " (range " + std::to_string(k->lo) + ".." +
                 std::to_string(k->hi) + "), §6.2.2 (Reject or an admissible value)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "range");
  const Trial trial = TryKey(t, initiator, {{rc.key, rc.value}}, rc.key);
  EXPECT_TRUE(RefusedOrAdmissible(trial, *k, rc.value));
  EXPECT_NE(trial.answer.value_or(""), "NotUnderstood");
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7143Keys, LoginKeysRange,
    ::testing::Values(RangeCase{"MaxConnections_0", "MaxConnections", "0"},
                      RangeCase{"MaxConnections_65536", "MaxConnections", "65536"},
                      RangeCase{"MaxBurstLength_511", "MaxBurstLength", "511"},
                      RangeCase{"MaxBurstLength_16777216", "MaxBurstLength", "16777216"},
                      RangeCase{"FirstBurstLength_511", "FirstBurstLength", "511"},
                      RangeCase{"FirstBurstLength_16777216", "FirstBurstLength", "16777216"},
                      RangeCase{"DefaultTime2Wait_3601", "DefaultTime2Wait", "3601"},
                      RangeCase{"DefaultTime2Retain_3601", "DefaultTime2Retain", "3601"},
                      RangeCase{"MaxOutstandingR2T_0", "MaxOutstandingR2T", "0"},
                      RangeCase{"MaxOutstandingR2T_65536", "MaxOutstandingR2T", "65536"},
                      RangeCase{"ErrorRecoveryLevel_3", "ErrorRecoveryLevel", "3"}),
    [](const ::testing::TestParamInfo<RangeCase>& info) { return info.param.name; });

// Boolean offers whose result the offer alone decides (AND with No, OR with Yes): the answer
// may be omitted, and if given it is that result (RFC 7143 §6.2.2).
struct DecidedCase {
  const char* key;
  const char* clause;
  const char* offer;
};

class LoginKeysDecided : public ::testing::TestWithParam<DecidedCase> {};

TEST_P(LoginKeysDecided, DecidedBooleanOfferKept) {
  const DecidedCase& d = GetParam();
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(std::string(d.clause) + ", §6.2.2 (Boolean result decided by the offer)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "decided");
  const Trial trial = TryKey(t, initiator, {{d.key, d.offer}}, d.key);
  ASSERT_TRUE(trial.ffp) << Describe(trial, d.key);
  if (trial.answer) {
    EXPECT_EQ(*trial.answer, d.offer) << d.key << " result is decided by the offer";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7143Keys, LoginKeysDecided,
    ::testing::Values(DecidedCase{"ImmediateData", "RFC 7143 §13.11", "No"},
                      DecidedCase{"InitialR2T", "RFC 7143 §13.10", "Yes"},
                      DecidedCase{"DataPDUInOrder", "RFC 7143 §13.18", "Yes"},
                      DecidedCase{"DataSequenceInOrder", "RFC 7143 §13.19", "Yes"}),
    [](const ::testing::TestParamInfo<DecidedCase>& info) { return info.param.key; });

// RFC 7143 §13.25: IFMarker/OFMarker SHOULD be answered Reject (No is allowed);
// IFMarkInt/OFMarkInt MUST be answered Reject.
struct ObsoleteCase {
  const char* key;
  const char* offer;
  bool no_allowed;
};

class LoginKeysObsolete : public ::testing::TestWithParam<ObsoleteCase> {};

TEST_P(LoginKeysObsolete, ObsoleteKeyAnsweredReject) {
  const ObsoleteCase& o = GetParam();
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.25 (obsoleted marker keys)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "obsolete");
  const Trial trial = TryKey(t, initiator, {{o.key, o.offer}}, o.key);
  ASSERT_TRUE(trial.ffp) << "an obsolete key must not fail the login: " << Describe(trial, o.key);
  ASSERT_TRUE(trial.answer.has_value()) << o.key << " got no answer";
  if (o.no_allowed) {
    EXPECT_TRUE(*trial.answer == "Reject" || *trial.answer == "No") << *trial.answer;
  } else {
    EXPECT_EQ(*trial.answer, "Reject");
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc7143Keys, LoginKeysObsolete,
                         ::testing::Values(ObsoleteCase{"IFMarker", "Yes", true},
                                           ObsoleteCase{"OFMarker", "Yes", true},
                                           ObsoleteCase{"IFMarkInt", "2048", false},
                                           ObsoleteCase{"OFMarkInt", "2048", false}),
                         [](const ::testing::TestParamInfo<ObsoleteCase>& info) {
                           return info.param.key;
                         });

}  // namespace
}  // namespace conformance
