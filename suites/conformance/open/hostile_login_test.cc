// Hostile login input (TEST-PLAN T01-T04, T20; RFC 7143 §6.1 text format and limits, §6.2
// negotiation, §11.12-11.13 Login Request / Response, §13 key definitions): text without NUL
// at the 8192-byte limit, thousands of unknown keys, over-long names and values, entries
// without '=', non-UTF-8 bytes, an AHS on a login, absurd lengths, out-of-range operational
// values and duplicated keys. The target answers as RFC 7143 allows (a Login reject, Reject
// or NotUnderstood, a bounded reply, or closing that connection) and keeps serving others.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/hostile_support.h"

namespace conformance::hostile {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;

constexpr size_t kLoginLimit = 8192;  // RFC 7143 §13.12: MaxRecvDataSegmentLength default
constexpr size_t kMaxKeyName = 63;    // RFC 7143 §6.1
constexpr size_t kMaxValue = 255;     // RFC 7143 §6.1 (CHAP binary values excepted)

#define REQUIRE_OPEN_LOGIN(t, options, tag)                                              \
  auto options##_opt = OpenLoginOptions((t), (tag));                                     \
  if (!options##_opt) GTEST_SKIP() << "the target admits no initiator without CHAP";     \
  rp::RawLoginOptions& options = *options##_opt

// What one Login Request got back.
struct LoginReply {
  bool response = false;
  bool closed = false;
  int status = -1;  // Status-Class << 8 | Status-Detail
  uint8_t flags = 0;
  size_t data_size = 0;
  KeyValues keys;
  std::string error;

  bool Rejected() const { return response && (status >> 8) == 2; }
  std::string Describe() const {
    if (closed) return "the target closed the connection";
    if (!response) return "no Login Response: " + error;
    char buf[96];
    std::snprintf(buf, sizeof(buf), "Login Response status 0x%04x, flags 0x%02x, %zu data bytes",
                  status, flags, data_size);
    return buf;
  }
};

// Returns "InitiatorName=...\0SessionType=Normal\0TargetName=...\0AuthMethod=None\0".
std::vector<uint8_t> LeadingKeys(const rp::RawLoginOptions& o) {
  return rp::EncodeKeys({{"InitiatorName", o.initiator_name},
                         {"SessionType", "Normal"},
                         {"TargetName", o.target_name},
                         {"AuthMethod", "None"}});
}

void Append(std::vector<uint8_t>* out, const std::vector<uint8_t>& more) {
  out->insert(out->end(), more.begin(), more.end());
}

// Sends a security-stage Login Request (CSG 0, NSG 1) carrying exactly `data`, with T=1, or
// C=1 when `cont`, and reads one response within 5 s.
LoginReply SendLogin(rp::RawConnection* conn, const rp::RawLoginOptions& o,
                     std::vector<uint8_t> data, bool cont = false) {
  LoginReply reply;
  rp::Pdu p = rp::MakeLoginRequest(o, 0, 1, !cont, 0x77, 1, 0, {});
  if (cont) p.bhs[1] |= 0x40;
  p.data = std::move(data);
  if (!conn->SendPdu(p, &reply.error)) {
    reply.closed = true;
    return reply;
  }
  rp::Pdu resp;
  rp::RecvStatus st = conn->Recv(&resp, 5s, &reply.error);
  if (st == rp::RecvStatus::kClosed) {
    reply.closed = true;
    return reply;
  }
  if (st != rp::RecvStatus::kPdu) {
    reply.error = std::string(rp::RecvStatusName(st)) + " " + reply.error;
    return reply;
  }
  if (resp.opcode() != rp::kOpLoginResponse) {
    reply.error = "got " + rp::OpcodeName(resp.opcode()) + " instead of a Login Response";
    return reply;
  }
  reply.response = true;
  reply.status = resp.bhs[36] << 8 | resp.bhs[37];
  reply.flags = resp.flags();
  reply.data_size = resp.data.size();
  reply.keys = rp::DecodeKeys(resp.data);
  return reply;
}

// Reads the rest of a reply the target split with C=1 (RFC 7143 §11.13.2: the initiator
// answers each part with an empty Login Request), checking every part against the 8192-byte
// limit. Returns the last part.
LoginReply CollectContinuation(rp::RawConnection* conn, const rp::RawLoginOptions& o,
                               LoginReply reply, KeyValues* all) {
  all->insert(all->end(), reply.keys.begin(), reply.keys.end());
  for (int i = 0; i < 64 && reply.response && reply.status == 0 && (reply.flags & 0x40); ++i) {
    EXPECT_LE(reply.data_size, kLoginLimit) << "a login reply part exceeds 8192 bytes";
    reply = SendLogin(conn, o, {}, false);
    all->insert(all->end(), reply.keys.begin(), reply.keys.end());
  }
  if (reply.response) {
    EXPECT_LE(reply.data_size, kLoginLimit) << "a login reply part exceeds 8192 bytes";
  }
  return reply;
}

// Expects `reply` to be a Login Response (any status) or a closed connection: not silence.
void ExpectAnswered(const LoginReply& reply, const std::string& what) {
  EXPECT_TRUE(reply.response || reply.closed) << what << ": " << reply.Describe();
}

// Expects no key in `keys` longer than 63 bytes and no value longer than 255 (the target's
// own text must follow RFC 7143 §6.1 whatever it was sent).
void ExpectWellFormedKeys(const KeyValues& keys, const std::string& what) {
  for (const auto& [k, v] : keys) {
    EXPECT_LE(k.size(), kMaxKeyName) << what << ": the target sent a key of " << k.size()
                                     << " bytes: " << k.substr(0, 80);
    EXPECT_LE(v.size(), kMaxValue) << what << ": the target sent a value of " << v.size()
                                   << " bytes for " << k.substr(0, 80);
  }
}

TEST(HostileLogin, TextWithoutFinalNulAtTheLimit) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.1: every key=value pair, the last included, ends with a NUL; a Login Request carries
  // at most 8192 bytes. T01: 8189..8192 bytes whose last pair has no NUL.
  HARNESS_CLAUSE("RFC 7143 §6.1, §11.12.5 (TEST-PLAN T01)");
  for (size_t total = 8189; total <= 8192; ++total) {
    SCOPED_TRACE("DataSegmentLength " + std::to_string(total));
    REQUIRE_OPEN_LOGIN(t, o, "t01");
    std::string error;
    auto conn = ConnectRaw(t, &error);
    ASSERT_TRUE(conn) << error;
    std::vector<uint8_t> data = LeadingKeys(o);
    const std::string tail = "X-reftarget-tail=";
    // Fill with 24-byte unknown keys, leaving room for the tail and at least 8 value bytes.
    for (int i = 0; data.size() + 24 + tail.size() + 8 <= total; ++i) {
      char key[40];
      std::snprintf(key, sizeof(key), "X-reftarget-fill-%04d", i);
      Append(&data, rp::EncodeKeys({{key, "1"}}));
    }
    data.insert(data.end(), tail.begin(), tail.end());
    data.resize(total, 'a');  // the last value runs to the end of the segment: no NUL
    ASSERT_EQ(data.back(), 'a');
    LoginReply reply = SendLogin(conn.get(), o, data);
    ExpectAnswered(reply, "8192-byte limit, no final NUL");
    KeyValues all;
    reply = CollectContinuation(conn.get(), o, reply, &all);
    ExpectWellFormedKeys(all, "reply to a text without final NUL");
  }
  ExpectTargetServes(t, "after login text without a final NUL");
}

TEST(HostileLogin, ThousandsOfUnknownKeysGetABoundedReply) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.2: each unknown key is answered key=NotUnderstood; text longer than one PDU is split
  // with C=1 (§11.12.2, §11.13.2), and a target receiving a Login Request with C=1 answers
  // with no data segment. T02: 2048 unknown keys, a reply of every part within 8192 bytes.
  HARNESS_CLAUSE("RFC 7143 §6.2, §11.12.2, §11.13.2 (TEST-PLAN T02)");
  REQUIRE_OPEN_LOGIN(t, o, "t02");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  std::vector<uint8_t> text = LeadingKeys(o);
  for (int i = 0; i < 2048; ++i) {
    char key[24];
    std::snprintf(key, sizeof(key), "X-k%04d", i);
    Append(&text, rp::EncodeKeys({{key, "b"}}));
  }
  // Send the text in parts of at most 8192 bytes, C=1 on all but the last.
  LoginReply reply;
  for (size_t off = 0; off < text.size();) {
    const size_t n = std::min(kLoginLimit, text.size() - off);
    const bool last = off + n == text.size();
    reply = SendLogin(conn.get(), o, std::vector<uint8_t>(text.begin() + static_cast<long>(off),
                                                          text.begin() + static_cast<long>(off + n)),
                      !last);
    off += n;
    if (!reply.response || reply.status != 0) break;
    if (!last) {
      EXPECT_EQ(reply.data_size, 0u) << "§6.2: a Login Request with C=1 gets no response data";
    }
  }
  ExpectAnswered(reply, "2048 unknown keys");
  if (reply.response && reply.status == 0) {
    KeyValues all;
    reply = CollectContinuation(conn.get(), o, reply, &all);
    ExpectWellFormedKeys(all, "reply to 2048 unknown keys");
    for (const auto& [k, v] : all) {
      if (k.rfind("X-k", 0) == 0) {
        EXPECT_EQ(v, "NotUnderstood") << "unknown key " << k << " answered " << v;
      }
    }
  } else if (reply.response) {
    EXPECT_TRUE(reply.Rejected()) << reply.Describe();
  }
  ExpectTargetServes(t, "after 2048 unknown login keys");
}

TEST(HostileLogin, OverlongKeyNamesAreNotEchoed) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.1: key names are at most 63 bytes. T03: 64, 255 and 4096-byte names: NotUnderstood
  // (without echoing an invalid name), Reject, or a Login reject.
  HARNESS_CLAUSE("RFC 7143 §6.1, §6.2 (TEST-PLAN T03)");
  for (size_t length : {kMaxKeyName + 1, size_t{255}, size_t{4096}}) {
    SCOPED_TRACE("key name of " + std::to_string(length) + " bytes");
    REQUIRE_OPEN_LOGIN(t, o, "t03");
    std::string error;
    auto conn = ConnectRaw(t, &error);
    ASSERT_TRUE(conn) << error;
    std::vector<uint8_t> data = LeadingKeys(o);
    std::string name = "X-" + std::string(length - 2, 'k');
    Append(&data, rp::EncodeKeys({{name, "v"}}));
    LoginReply reply = SendLogin(conn.get(), o, data);
    ExpectAnswered(reply, "over-long key name");
    ExpectWellFormedKeys(reply.keys, "reply to an over-long key name");
  }
  ExpectTargetServes(t, "after over-long key names");
}

TEST(HostileLogin, OverlongValueIsNotSelected) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.1: a value is at most 255 bytes; §6.2.1: a responder ignores list values it does not
  // understand and picks from the rest (or answers Reject). T03: a 256-byte value.
  HARNESS_CLAUSE("RFC 7143 §6.1, §6.2.1, §13.1 (TEST-PLAN T03)");
  REQUIRE_OPEN_LOGIN(t, o, "t03v");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  std::vector<uint8_t> data = rp::EncodeKeys({{"InitiatorName", o.initiator_name},
                                              {"SessionType", "Normal"},
                                              {"TargetName", o.target_name}});
  // Straight to the operational stage (no security negotiation in demo mode).
  Append(&data, rp::EncodeKeys({{"HeaderDigest", std::string(kMaxValue + 1, 'Z') + ",None"}}));
  rp::Pdu p = rp::MakeLoginRequest(o, 1, 3, false, 0x78, 1, 0, {});
  p.data = data;
  ASSERT_TRUE(conn->SendPdu(p, &error)) << error;
  rp::Pdu resp;
  rp::RecvStatus st = conn->Recv(&resp, 5s, &error);
  ASSERT_TRUE(st == rp::RecvStatus::kPdu || st == rp::RecvStatus::kClosed)
      << "no answer to a 256-byte value: " << rp::RecvStatusName(st) << " " << error;
  if (st == rp::RecvStatus::kPdu) {
    ASSERT_EQ(resp.opcode(), rp::kOpLoginResponse) << rp::OpcodeName(resp.opcode());
    const int status = resp.bhs[36] << 8 | resp.bhs[37];
    KeyValues keys = rp::DecodeKeys(resp.data);
    ExpectWellFormedKeys(keys, "reply to a 256-byte value");
    if (status == 0) {
      auto digest = rp::FindKey(keys, "HeaderDigest");
      EXPECT_TRUE(digest == "None" || digest == "Reject")
          << "HeaderDigest answered " << digest.value_or("(nothing)");
    } else {
      EXPECT_EQ(status >> 8, 2) << "status 0x" << std::hex << status;
    }
  }
  ExpectTargetServes(t, "after a 256-byte value");
}

TEST(HostileLogin, EntryWithoutEqualsSignIsAnswered) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.1: text is key=value pairs. An entry without '=' is malformed: a Login reject (0200h /
  // 020Bh), NotUnderstood / Reject for it, or ignoring it all leave no session corrupted.
  HARNESS_CLAUSE("RFC 7143 §6.1, §11.13.5");
  REQUIRE_OPEN_LOGIN(t, o, "noeq");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  std::vector<uint8_t> data = LeadingKeys(o);
  const std::string broken = "BrokenEntryWithoutEquals";
  data.insert(data.end(), broken.begin(), broken.end());
  data.push_back(0);
  Append(&data, rp::EncodeKeys({{"X-after", "1"}}));
  LoginReply reply = SendLogin(conn.get(), o, data);
  ExpectAnswered(reply, "entry without '='");
  ExpectWellFormedKeys(reply.keys, "reply to an entry without '='");
  if (reply.response && reply.status != 0) {
    EXPECT_TRUE(reply.Rejected()) << reply.Describe();
  }
  ExpectTargetServes(t, "after an entry without '='");
}

TEST(HostileLogin, NonUtf8KeyAndValueAreAnswered) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.1: key names use a restricted ASCII set and text values are UTF-8. Invalid bytes get
  // NotUnderstood / Reject or a Login reject, never a crash or a stall.
  HARNESS_CLAUSE("RFC 7143 §6.1, §6.2, §11.13.5");
  REQUIRE_OPEN_LOGIN(t, o, "utf8");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  std::vector<uint8_t> data = LeadingKeys(o);
  const std::vector<uint8_t> bad_key = {'X', '-', 0xff, 0xfe, 0xc0, 0x80, '=', '1', 0};
  const std::vector<uint8_t> bad_alias = {'I', 'n', 'i', 't', 'i', 'a', 't', 'o', 'r', 'A', 'l',
                                          'i', 'a', 's', '=', 0xed, 0xa0, 0x80, 0xf8, 0x88, 0};
  Append(&data, bad_key);
  Append(&data, bad_alias);
  LoginReply reply = SendLogin(conn.get(), o, data);
  ExpectAnswered(reply, "non-UTF-8 key and value");
  if (reply.response && reply.status != 0) {
    EXPECT_TRUE(reply.Rejected()) << reply.Describe();
  }
  ExpectTargetServes(t, "after non-UTF-8 login text");
}

TEST(HostileLogin, LoginWithAdditionalHeaderSegments) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.2.1.5: TotalAHSLength counts 4-byte words; a Login Request defines no AHS. T04:
  // TotalAHSLength 255 (1020 bytes) followed by a normal login text.
  HARNESS_CLAUSE("RFC 7143 §11.2.1.5, §11.12 (TEST-PLAN T04)");
  REQUIRE_OPEN_LOGIN(t, o, "t04ahs");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  rp::Pdu p = rp::MakeLoginRequest(o, 0, 1, true, 0x79, 1, 0, {});
  p.ahs.assign(255 * 4, 0);
  p.ahs[0] = 0x03;  // AHSLength 1020 - 3 = 1017 bytes of an unassigned type 0x3f
  p.ahs[1] = 0xf9;
  p.ahs[2] = 0x3f;
  p.data = LeadingKeys(o);
  ASSERT_TRUE(conn->SendPdu(p, &error)) << error;
  rp::Pdu resp;
  rp::RecvStatus st = conn->Recv(&resp, 5s, &error);
  EXPECT_TRUE(st == rp::RecvStatus::kClosed ||
              (st == rp::RecvStatus::kPdu && resp.opcode() == rp::kOpLoginResponse))
      << "a login with 1020 bytes of AHS got: " << rp::RecvStatusName(st) << " " << error;
  ExpectTargetServes(t, "after a login with TotalAHSLength 255");
}

TEST(HostileLogin, DataSegmentLengthBeyondLoginLimitIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // §13.12 / §6.1: before negotiation a PDU carries at most 8192 bytes. T04: a header that
  // claims 16 MiB - 1 (and sends 64 bytes) is refused before anything is allocated for it:
  // a Login reject or closing the connection, within the test's bound.
  HARNESS_CLAUSE("RFC 7143 §6.1, §13.12 (TEST-PLAN T04)");
  REQUIRE_OPEN_LOGIN(t, o, "t04dsl");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  rp::Pdu p = rp::MakeLoginRequest(o, 0, 1, true, 0x7a, 1, 0, {});
  std::vector<uint8_t> bytes = rp::SerializePdu(p, false, false);
  bytes[5] = 0xff;  // DataSegmentLength 0xFFFFFF
  bytes[6] = 0xff;
  bytes[7] = 0xff;
  bytes.resize(bytes.size() + 64, 'x');
  ASSERT_TRUE(conn->SendBytes(bytes.data(), bytes.size(), 2s, &error)) << error;
  rp::Pdu resp;
  rp::RecvStatus st = conn->Recv(&resp, 5s, &error);
  const bool rejected = st == rp::RecvStatus::kPdu && resp.opcode() == rp::kOpLoginResponse &&
                        resp.bhs[36] == 2;
  EXPECT_TRUE(st == rp::RecvStatus::kClosed || rejected)
      << "a 16 MiB login claim got: " << rp::RecvStatusName(st) << " " << error;
  ExpectTargetServes(t, "after a 16 MiB login claim");
}

// Runs a whole raw login with `extra` operational keys; returns the result.
rp::RawLoginResult LoginWith(const TargetUnderTest& t, const std::string& tag,
                             const KeyValues& extra) {
  rp::RawLoginResult r;
  auto o = OpenLoginOptions(t, tag);
  if (!o) {
    r.error = "the target admits no initiator without CHAP";
    return r;
  }
  o->extra_operational_keys = extra;
  auto conn = ConnectRaw(t, &r.error);
  if (!conn) return r;
  return rp::RawLogin(conn.get(), *o);
}

TEST(HostileLogin, OutOfRangeMaxRecvDataSegmentLength) {
  HARNESS_REQUIRE_TARGET(t);
  // §13.12: MaxRecvDataSegmentLength is 512..2^24-1. §6.2 / §6.2.2: a value out of range is
  // answered key=Reject or ends the negotiation (Login reject); it is never silently adopted.
  HARNESS_CLAUSE("RFC 7143 §13.12, §6.2 (TEST-PLAN T20)");
  for (const char* value : {"511", "16777216", "0", "4294967296"}) {
    SCOPED_TRACE(std::string("MaxRecvDataSegmentLength=") + value);
    rp::RawLoginResult r = LoginWith(t, "t20", {{"MaxRecvDataSegmentLength", value}});
    if (r.status_received) {
      EXPECT_EQ(r.status_class, 2) << r.error;
    } else if (r.full_feature) {
      EXPECT_EQ(rp::FindKey(r.target_keys, "MaxRecvDataSegmentLength"), "Reject")
          << "the login completed without rejecting MaxRecvDataSegmentLength=" << value;
    } else {
      EXPECT_TRUE(r.connection_closed) << "login neither finished nor was refused: " << r.error;
    }
  }
  ExpectTargetServes(t, "after out-of-range MaxRecvDataSegmentLength");
}

TEST(HostileLogin, KeyNegotiatedTwiceIsRefused) {
  HARNESS_REQUIRE_TARGET(t);
  // §6.3: an attempt to renegotiate or redeclare a parameter during login must be detected;
  // the target answers with a Login reject (initiator error). T20 / Calsoft tc_login_11.
  HARNESS_CLAUSE("RFC 7143 §6.3 (TEST-PLAN S12, T20)");
  REQUIRE_OPEN_LOGIN(t, o, "twice");
  std::string error;
  auto conn = ConnectRaw(t, &error);
  ASSERT_TRUE(conn) << error;
  std::vector<uint8_t> data = rp::EncodeKeys({{"InitiatorName", o.initiator_name},
                                              {"SessionType", "Normal"},
                                              {"TargetName", o.target_name},
                                              {"MaxBurstLength", "262144"},
                                              {"MaxBurstLength", "512"}});
  rp::Pdu p = rp::MakeLoginRequest(o, 1, 3, false, 0x7b, 1, 0, {});
  p.data = data;
  ASSERT_TRUE(conn->SendPdu(p, &error)) << error;
  rp::Pdu resp;
  rp::RecvStatus st = conn->Recv(&resp, 5s, &error);
  ASSERT_TRUE(st == rp::RecvStatus::kPdu || st == rp::RecvStatus::kClosed)
      << rp::RecvStatusName(st) << " " << error;
  if (st == rp::RecvStatus::kPdu) {
    ASSERT_EQ(resp.opcode(), rp::kOpLoginResponse);
    const int status = resp.bhs[36] << 8 | resp.bhs[37];
    KeyValues keys = rp::DecodeKeys(resp.data);
    size_t answers = 0;
    for (const auto& [k, v] : keys) answers += k == "MaxBurstLength" ? 1 : 0;
    EXPECT_EQ(status >> 8, 2) << "a key negotiated twice was not refused: status 0x" << std::hex
                              << status << ", MaxBurstLength answered " << std::dec << answers
                              << " time(s)";
  }
  ExpectTargetServes(t, "after a key negotiated twice");
}

}  // namespace
}  // namespace conformance::hostile
