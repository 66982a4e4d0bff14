#include "target/iscsi/login/chap.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "target/iscsi/login/test_md5.h"

namespace reftarget::iscsi::login {
namespace {

const ChapCredentials kOneWay{"iqn.1993-08.org.debian:01:init", "initiator-secret-16", "", ""};
const ChapCredentials kMutual{"iqn.1993-08.org.debian:01:init", "initiator-secret-16",
                              "iqn.2003-01.org.example:target", "target-secret-1234"};

std::string Value(const std::vector<KeyValue>& keys, const std::string& key) {
  for (const auto& kv : keys) {
    if (kv.key == key) return kv.value;
  }
  return "<absent>";
}

// Test-side encoders, independent of value_codec.
std::vector<uint8_t> FromHex(const std::string& text) {
  std::vector<uint8_t> out;
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string ToHex(const std::vector<uint8_t>& bytes, const char* prefix = "0x") {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out = prefix;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string ToBase64(const std::vector<uint8_t>& bytes, const char* prefix = "0b") {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = prefix;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = bytes[i] << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    uint32_t v = bytes[i] << 16 | bytes[i + 1] << 8;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

std::vector<uint8_t> Response(uint8_t id, const std::string& secret,
                              const std::vector<uint8_t>& challenge) {
  std::vector<uint8_t> message = {id};
  message.insert(message.end(), secret.begin(), secret.end());
  message.insert(message.end(), challenge.begin(), challenge.end());
  auto digest = testing::Md5(message);
  return std::vector<uint8_t>(digest.begin(), digest.end());
}

// Runs Start() and returns the identifier and challenge the target sent.
struct Challenge {
  uint8_t id = 0;
  std::vector<uint8_t> bytes;
};
Challenge StartOk(ChapAuthenticator* chap, const std::string& algorithms = "5") {
  std::vector<KeyValue> reply;
  auto failure = chap->Start({{"CHAP_A", algorithms}}, &reply);
  EXPECT_FALSE(failure.has_value()) << failure->reason;
  EXPECT_EQ(Value(reply, "CHAP_A"), "5");
  Challenge c;
  int id = std::stoi(Value(reply, "CHAP_I"));
  EXPECT_GE(id, 0);
  EXPECT_LE(id, 255);
  c.id = static_cast<uint8_t>(id);
  std::string hex = Value(reply, "CHAP_C");
  EXPECT_EQ(hex.substr(0, 2), "0x");
  c.bytes = FromHex(hex);
  EXPECT_EQ(c.bytes.size(), kChapChallengeLength);
  return c;
}

void ExpectAuthFailure(const std::optional<LoginFailure>& failure, const std::string& needle = "") {
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_class, 2);
  EXPECT_EQ(failure->status_detail, 1);
  if (!needle.empty()) {
    EXPECT_NE(failure->reason.find(needle), std::string::npos) << failure->reason;
  }
}

TEST(Md5, MatchesRfc1321Vectors) {
  auto hex = [](const std::string& s) {
    auto d = testing::Md5(std::vector<uint8_t>(s.begin(), s.end()));
    return ToHex(std::vector<uint8_t>(d.begin(), d.end()), "");
  };
  EXPECT_EQ(hex(""), "D41D8CD98F00B204E9800998ECF8427E");
  EXPECT_EQ(hex("abc"), "900150983CD24FB0D6963F7D28E17F72");
  EXPECT_EQ(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57EDF4A22BE3C955AC49DA2E2107B67A");
}

TEST(SelectAuthMethod, Rule) {
  EXPECT_EQ(SelectAuthMethod("CHAP,None", false, true), "CHAP");
  EXPECT_EQ(SelectAuthMethod("None,CHAP", false, true), "None");
  EXPECT_EQ(SelectAuthMethod("None,CHAP", true, true), "CHAP");
  EXPECT_EQ(SelectAuthMethod("CHAP,None", false, false), "None");
  EXPECT_EQ(SelectAuthMethod("CHAP", true, false), "Reject");  // required, not configured
  EXPECT_EQ(SelectAuthMethod("None", true, true), "Reject");
  EXPECT_EQ(SelectAuthMethod("SRP,KRB5,CHAP", false, true), "CHAP");
  EXPECT_EQ(SelectAuthMethod("SRP", false, true), "Reject");
  EXPECT_EQ(SelectAuthMethod("", false, false), "Reject");
}

TEST(Chap, OneWaySuccess) {
  ChapAuthenticator chap(kOneWay);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  auto failure = chap.Finish(
      {{"CHAP_N", kOneWay.userid}, {"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes))}},
      &reply);
  ASSERT_FALSE(failure.has_value()) << failure->reason;
  EXPECT_TRUE(chap.authenticated());
  EXPECT_TRUE(reply.empty());
}

TEST(Chap, OneWaySuccessWithBase64AndUppercasePrefixes) {
  for (const char* prefix : {"0b", "0B"}) {
    ChapAuthenticator chap(kOneWay);
    Challenge c = StartOk(&chap);
    std::vector<KeyValue> reply;
    EXPECT_FALSE(
        chap.Finish({{"CHAP_N", kOneWay.userid},
                     {"CHAP_R", ToBase64(Response(c.id, kOneWay.password, c.bytes), prefix)}},
                    &reply)
            .has_value());
  }
  ChapAuthenticator chap(kOneWay);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  EXPECT_FALSE(chap.Finish({{"CHAP_N", kOneWay.userid},
                            {"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes), "0X")}},
                           &reply)
                   .has_value());
}

TEST(Chap, MutualSuccess) {
  ChapAuthenticator chap(kMutual);
  Challenge c = StartOk(&chap);
  std::vector<uint8_t> initiator_challenge(32);
  for (size_t i = 0; i < initiator_challenge.size(); ++i)
    initiator_challenge[i] = uint8_t(i * 7 + 1);
  std::vector<KeyValue> reply;
  auto failure = chap.Finish({{"CHAP_N", kMutual.userid},
                              {"CHAP_R", ToHex(Response(c.id, kMutual.password, c.bytes))},
                              {"CHAP_I", "77"},
                              {"CHAP_C", ToHex(initiator_challenge)}},
                             &reply);
  ASSERT_FALSE(failure.has_value()) << failure->reason;
  EXPECT_EQ(Value(reply, "CHAP_N"), kMutual.mutual_userid);
  EXPECT_EQ(FromHex(Value(reply, "CHAP_R")),
            Response(77, kMutual.mutual_password, initiator_challenge));
}

TEST(Chap, MutualAccepts1024ByteChallengeAndRejects1025) {
  for (size_t size : {size_t{1024}, size_t{1025}}) {
    for (bool base64 : {false, true}) {
      ChapAuthenticator chap(kMutual);
      Challenge c = StartOk(&chap);
      std::vector<uint8_t> challenge(size, 0x5a);
      std::vector<KeyValue> reply;
      auto failure = chap.Finish({{"CHAP_N", kMutual.userid},
                                  {"CHAP_R", ToHex(Response(c.id, kMutual.password, c.bytes))},
                                  {"CHAP_I", "0xff"},
                                  {"CHAP_C", base64 ? ToBase64(challenge) : ToHex(challenge)}},
                                 &reply);
      if (size == 1024) {
        ASSERT_FALSE(failure.has_value()) << failure->reason;
        EXPECT_EQ(FromHex(Value(reply, "CHAP_R")),
                  Response(255, kMutual.mutual_password, challenge));
      } else {
        ExpectAuthFailure(failure, "CHAP_C");
      }
    }
  }
}

TEST(Chap, WrongSecret) {
  ChapAuthenticator chap(kOneWay);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", kOneWay.userid},
                                 {"CHAP_R", ToHex(Response(c.id, "wrong-secret-1234", c.bytes))}},
                                &reply),
                    "wrong CHAP_R");
  EXPECT_FALSE(chap.authenticated());
}

TEST(Chap, WrongIdentifierInResponse) {
  ChapAuthenticator chap(kOneWay);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(
      chap.Finish({{"CHAP_N", kOneWay.userid},
                   {"CHAP_R", ToHex(Response(uint8_t(c.id + 1), kOneWay.password, c.bytes))}},
                  &reply));
}

TEST(Chap, UnknownName) {
  ChapAuthenticator chap(kOneWay);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", "iqn.someone-else"},
                                 {"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes))}},
                                &reply),
                    "unknown CHAP_N");
}

TEST(Chap, MissingNameOrResponse) {
  {
    ChapAuthenticator chap(kOneWay);
    Challenge c = StartOk(&chap);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(
        chap.Finish({{"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes))}}, &reply),
        "CHAP_N");
  }
  {
    ChapAuthenticator chap(kOneWay);
    StartOk(&chap);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Finish({{"CHAP_N", kOneWay.userid}}, &reply), "CHAP_R");
  }
}

TEST(Chap, NotConfigured) {
  ChapAuthenticator chap(ChapCredentials{});
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(
      chap.Finish({{"CHAP_N", ""}, {"CHAP_R", ToHex(Response(c.id, "", c.bytes))}}, &reply));
}

TEST(Chap, ReflectedChallengeIsRefused) {
  // T07: the initiator echoes the target's own challenge as its mutual CHAP_C.
  ChapAuthenticator chap(kMutual);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", kMutual.userid},
                                 {"CHAP_R", ToHex(Response(c.id, kMutual.password, c.bytes))},
                                 {"CHAP_I", std::to_string(c.id)},
                                 {"CHAP_C", ToHex(c.bytes)}},
                                &reply),
                    "reflect");
  EXPECT_TRUE(reply.empty());
}

TEST(Chap, ChallengeIssuedToAnotherLoginIsRefusedToo) {
  ChapAuthenticator other(kMutual);
  Challenge from_other = StartOk(&other);
  ChapAuthenticator chap(kMutual);
  Challenge c = StartOk(&chap);
  EXPECT_TRUE(IsRecentChapChallenge(from_other.bytes));
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", kMutual.userid},
                                 {"CHAP_R", ToBase64(Response(c.id, kMutual.password, c.bytes))},
                                 {"CHAP_I", "1"},
                                 {"CHAP_C", ToBase64(from_other.bytes)}},
                                &reply),
                    "reflect");
}

TEST(Chap, Oversized1024And1025ByteResponses) {
  // T05: 1024 bytes decode (and are wrong for MD5), 1025 fail the length check, hex and base64.
  for (bool base64 : {false, true}) {
    for (size_t size : {size_t{1024}, size_t{1025}, size_t{4096}}) {
      ChapAuthenticator chap(kOneWay);
      StartOk(&chap);
      std::vector<uint8_t> big(size, 0xab);
      std::vector<KeyValue> reply;
      auto failure = chap.Finish(
          {{"CHAP_N", kOneWay.userid}, {"CHAP_R", base64 ? ToBase64(big) : ToHex(big)}}, &reply);
      ExpectAuthFailure(failure, size == 1024 ? "wrong CHAP_R" : "more than 1024");
    }
  }
}

TEST(Chap, MalformedResponses) {
  for (std::string bad :
       std::vector<std::string>{"0xabc", "0xzz" + std::string(30, '0'), "0x", "abcdef", "12345",
                                "0bAAA", "0b!!!!", "0b", "0y00"}) {
    ChapAuthenticator chap(kOneWay);
    StartOk(&chap);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Finish({{"CHAP_N", kOneWay.userid}, {"CHAP_R", bad}}, &reply), "CHAP_R");
  }
}

TEST(Chap, MutualIdentifierMustBeOneOctet) {
  for (std::string bad : {"256", "0x1FF", "", "-1", "abc", "1.0"}) {
    ChapAuthenticator chap(kMutual);
    Challenge c = StartOk(&chap);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Finish({{"CHAP_N", kMutual.userid},
                                   {"CHAP_R", ToHex(Response(c.id, kMutual.password, c.bytes))},
                                   {"CHAP_I", bad},
                                   {"CHAP_C", ToHex(std::vector<uint8_t>(16, 1))}},
                                  &reply),
                      "CHAP_I");
  }
}

TEST(Chap, MutualRequestedButNotConfigured) {
  ChapAuthenticator chap(kOneWay);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", kOneWay.userid},
                                 {"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes))},
                                 {"CHAP_I", "3"},
                                 {"CHAP_C", ToHex(std::vector<uint8_t>(16, 9))}},
                                &reply),
                    "mutual");
}

TEST(Chap, MutualSecretEqualToInitiatorSecretIsRefused) {
  ChapCredentials same = kMutual;
  same.mutual_password = same.password;
  ChapAuthenticator chap(same);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", same.userid},
                                 {"CHAP_R", ToHex(Response(c.id, same.password, c.bytes))},
                                 {"CHAP_I", "3"},
                                 {"CHAP_C", ToHex(std::vector<uint8_t>(16, 9))}},
                                &reply),
                    "secret");
}

TEST(Chap, MutualNeedsBothIdentifierAndChallenge) {
  ChapAuthenticator chap(kMutual);
  Challenge c = StartOk(&chap);
  std::vector<KeyValue> reply;
  ExpectAuthFailure(chap.Finish({{"CHAP_N", kMutual.userid},
                                 {"CHAP_R", ToHex(Response(c.id, kMutual.password, c.bytes))},
                                 {"CHAP_I", "3"}},
                                &reply));
}

TEST(Chap, DuplicateOrUnexpectedKeys) {
  {
    ChapAuthenticator chap(kOneWay);
    Challenge c = StartOk(&chap);
    std::string r = ToHex(Response(c.id, kOneWay.password, c.bytes));
    std::vector<KeyValue> reply;
    ExpectAuthFailure(
        chap.Finish({{"CHAP_N", kOneWay.userid}, {"CHAP_R", r}, {"CHAP_R", r}}, &reply), "twice");
  }
  {
    ChapAuthenticator chap(kOneWay);
    Challenge c = StartOk(&chap);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Finish({{"CHAP_N", kOneWay.userid},
                                   {"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes))},
                                   {"CHAP_A", "5"}},
                                  &reply));
  }
}

TEST(Chap, AlgorithmSelection) {
  // T06: only MD5 (5) is accepted, from anywhere in the list.
  for (const char* ok : {"5", "5,6,7,8", "7,5", "0x5", "junk,5"}) {
    ChapAuthenticator chap(kOneWay);
    StartOk(&chap, ok);
  }
  for (const char* bad : {"", "56", "6,7,8", "7", "05", ",", "MD5"}) {
    ChapAuthenticator chap(kOneWay);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Start({{"CHAP_A", bad}}, &reply));
    EXPECT_TRUE(reply.empty()) << bad;
  }
}

TEST(Chap, MissingAlgorithmIsMissingParameter) {
  ChapAuthenticator chap(kOneWay);
  std::vector<KeyValue> reply;
  auto failure = chap.Start({{"AuthMethod", "CHAP"}}, &reply);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status_class, 2);
  EXPECT_EQ(failure->status_detail, 7);
}

TEST(Chap, OutOfOrderSteps) {
  {
    ChapAuthenticator chap(kOneWay);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Finish({{"CHAP_N", "x"}, {"CHAP_R", "0x00"}}, &reply));
  }
  {
    ChapAuthenticator chap(kOneWay);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Start({{"CHAP_A", "5"}, {"CHAP_R", "0x00"}}, &reply));
  }
  {
    ChapAuthenticator chap(kOneWay);
    StartOk(&chap);
    std::vector<KeyValue> reply;
    ExpectAuthFailure(chap.Start({{"CHAP_A", "5"}}, &reply));
  }
  {
    // A second response after success is refused.
    ChapAuthenticator chap(kOneWay);
    Challenge c = StartOk(&chap);
    std::vector<KeyValue> keys = {{"CHAP_N", kOneWay.userid},
                                  {"CHAP_R", ToHex(Response(c.id, kOneWay.password, c.bytes))}};
    std::vector<KeyValue> reply;
    ASSERT_FALSE(chap.Finish(keys, &reply).has_value());
    ExpectAuthFailure(chap.Finish(keys, &reply));
  }
}

TEST(Chap, TenThousandChallengesNeverRepeat) {
  // T08: 10,000 challenges, 16 random bytes each, all distinct.
  std::set<std::vector<uint8_t>> seen;
  for (int i = 0; i < 10000; ++i) {
    ChapAuthenticator chap(kOneWay);
    Challenge c = StartOk(&chap);
    ASSERT_EQ(c.bytes.size(), 16u);
    EXPECT_TRUE(seen.insert(c.bytes).second) << "repeat at " << i;
  }
}

TEST(Chap, ChallengesFromManyThreadsAreDistinct) {
  constexpr int kThreads = 4;
  constexpr int kEach = 500;
  std::vector<std::vector<std::vector<uint8_t>>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ChapAuthenticator chap(kOneWay);
        std::vector<KeyValue> reply;
        if (!chap.Start({{"CHAP_A", "5"}}, &reply))
          results[t].push_back(FromHex(Value(reply, "CHAP_C")));
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::vector<uint8_t>> all;
  for (const auto& r : results) {
    EXPECT_EQ(r.size(), size_t{kEach});
    all.insert(r.begin(), r.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kEach});
}

TEST(Chap, Md5ResponseMatchesIndependentImplementation) {
  std::vector<uint8_t> challenge = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(ChapMd5Response(42, "secret", challenge), Response(42, "secret", challenge));
}

}  // namespace
}  // namespace reftarget::iscsi::login
