// Discovery sessions and SendTargets (RFC 7143 §13.3 SendTargets, §13.8 TargetAddress,
// §13.21 SessionType, Appendix C "SendTargets Operation"; TEST-PLAN S15).
#include <gtest/gtest.h>

#include <string>

#include "harness/iscsi/session.h"
#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

using harness::rawpdu::DecodeKeys;
using harness::rawpdu::EncodeKeys;
using harness::rawpdu::FindKey;
using harness::rawpdu::RecvStatus;

// A raw Discovery session.
std::unique_ptr<RawClient> OpenDiscovery(const TargetUnderTest& t, const std::string& initiator,
                                         std::string* error) {
  auto conn = ConnectRaw(t, error);
  if (!conn) return nullptr;
  RawLoginOptions o;
  o.initiator_name = initiator;
  o.session_type = "Discovery";
  o.isid = harness::rawpdu::RandomIsid();
  o.timeout = kReplyLimit;
  LoginDriver driver(conn.get(), o);
  LoginReply last;
  if (!driver.LoginWith(
          {{"HeaderDigest", "None"}, {"DataDigest", "None"}, {"MaxRecvDataSegmentLength", "65536"}},
          nullptr, &last)) {
    *error = "discovery login failed: " + last.Describe();
    return nullptr;
  }
  Negotiated n;
  n.initiator_mrdsl = 65536;
  return std::make_unique<RawClient>(std::move(conn), driver.Result(), n);
}

// Sends SendTargets=`value` and gathers the whole (possibly continued) Text Response.
bool SendTargets(RawClient* c, const std::string& value, KeyValues* out, std::string* error) {
  std::vector<uint8_t> text;
  uint32_t ttt = harness::rawpdu::kReservedTag;
  const uint32_t itt = c->NextItt();
  for (int round = 0; round < 64; ++round) {
    Pdu req;
    req.bhs[0] = harness::rawpdu::kOpTextRequest;
    req.bhs[1] = 0x80;  // F
    req.Set32(16, itt);
    req.Set32(20, ttt);
    req.Set32(24, c->Consume());
    if (round == 0) req.data = EncodeKeys({{"SendTargets", value}});
    if (!c->Send(req, error)) return false;
    Pdu resp;
    const RecvStatus st =
        c->WaitFor(harness::rawpdu::kOpTextResponse, itt, &resp, kReplyLimit, error);
    if (st != RecvStatus::kPdu) {
      *error = std::string("waiting for the Text Response: ") + harness::rawpdu::RecvStatusName(st);
      return false;
    }
    text.insert(text.end(), resp.data.begin(), resp.data.end());
    const bool final_bit = (resp.flags() & 0x80) != 0;
    const bool continue_bit = (resp.flags() & 0x40) != 0;
    if (final_bit && !continue_bit) {
      *out = DecodeKeys(text);
      return true;
    }
    ttt = resp.Get32(20);
  }
  *error = "the Text Response never ended (64 continuations)";
  return false;
}

std::vector<std::string> Values(const KeyValues& keys, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : keys) {
    if (k == key) out.push_back(v);
  }
  return out;
}

// Returns true if some TargetAddress starts with "address:port,".
bool HasPortal(const std::vector<std::string>& addresses, const std::string& address, int port) {
  const std::string prefix = address + ":" + std::to_string(port) + ",";
  for (const std::string& a : addresses) {
    if (a.rfind(prefix, 0) == 0 && a.size() > prefix.size()) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out.empty() ? "(none)" : out;
}

TEST(Discovery, SendTargetsAllListsTarget) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.3, Appendix C (SendTargets=All lists every target and portal)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "discover");
  auto found = harness::iscsi::Session::Discover(t.portal.ToString(), initiator, {}, Ms(5000));
  ASSERT_TRUE(found.ok()) << found.error();
  const harness::iscsi::DiscoveredTarget* mine = nullptr;
  for (const auto& d : found.value()) {
    if (d.name == t.iqn) mine = &d;
  }
  ASSERT_NE(mine, nullptr) << t.iqn << " is not in the SendTargets=All reply";
  EXPECT_TRUE(HasPortal(mine->portals, t.portal.host, t.portal.port))
      << "TargetAddress " << t.portal.host << ":" << t.portal.port
      << ",<tpgt> missing; got: " << Join(mine->portals);
}

TEST(Discovery, SendTargetsAllListsIpv6Portal) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.8 (an IPv6 TargetAddress is bracketed), Appendix C");
  HARNESS_REQUIRE_CAPABILITY(t.ipv6_portal.has_value(), "listen on an IPv6 portal");
  OPEN_REQUIRE_INITIATOR(t, initiator, "discover6");
  std::string err;
  auto c = OpenDiscovery(t, initiator, &err);
  ASSERT_TRUE(c) << err;
  KeyValues keys;
  ASSERT_TRUE(SendTargets(c.get(), "All", &keys, &err)) << err;
  ASSERT_EQ(FindKey(keys, "TargetName").value_or(""), t.iqn);
  const auto addresses = Values(keys, "TargetAddress");
  EXPECT_TRUE(HasPortal(addresses, "[" + t.ipv6_portal->host + "]", t.ipv6_portal->port))
      << "no TargetAddress [" << t.ipv6_portal->host << "]:" << t.ipv6_portal->port
      << ",<tpgt>; got: " << Join(addresses);
  EXPECT_TRUE(HasPortal(addresses, t.portal.host, t.portal.port)) << Join(addresses);
  // The IPv6 portal itself accepts a discovery login and lists the target too.
  auto found =
      harness::iscsi::Session::Discover(t.ipv6_portal->ToString(), initiator, {}, Ms(5000));
  ASSERT_TRUE(found.ok()) << found.error();
  bool listed = false;
  for (const auto& d : found.value()) listed = listed || d.name == t.iqn;
  EXPECT_TRUE(listed) << "discovery through " << t.ipv6_portal->ToString() << " misses " << t.iqn;
}

TEST(Discovery, SendTargetsNamedTarget) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.3, Appendix C (SendTargets=<iSCSI-target-name>)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "discovername");
  std::string err;
  auto c = OpenDiscovery(t, initiator, &err);
  ASSERT_TRUE(c) << err;
  KeyValues keys;
  ASSERT_TRUE(SendTargets(c.get(), t.iqn, &keys, &err)) << err;
  const auto names = Values(keys, "TargetName");
  ASSERT_EQ(names.size(), 1u) << "exactly the named target: " << Join(names);
  EXPECT_EQ(names[0], t.iqn);
  EXPECT_TRUE(HasPortal(Values(keys, "TargetAddress"), t.portal.host, t.portal.port))
      << Join(Values(keys, "TargetAddress"));
  EXPECT_EQ(c->Logout(0, 0, &err), 0) << err;
}

TEST(Discovery, SendTargetsUnknownNameEmpty) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 Appendix C (SendTargets for a name the target does not have: empty)");
  OPEN_REQUIRE_INITIATOR(t, initiator, "discoverunknown");
  std::string err;
  auto c = OpenDiscovery(t, initiator, &err);
  ASSERT_TRUE(c) << err;
  KeyValues keys;
  ASSERT_TRUE(SendTargets(c.get(), t.iqn + ".no-such-target", &keys, &err)) << err;
  EXPECT_TRUE(Values(keys, "TargetName").empty()) << "got " << Join(Values(keys, "TargetName"));
  EXPECT_TRUE(Values(keys, "TargetAddress").empty());
  // The session is still usable.
  ASSERT_TRUE(SendTargets(c.get(), "All", &keys, &err)) << err;
  EXPECT_FALSE(Values(keys, "TargetName").empty());
}

TEST(Discovery, ScsiCommandInDiscoverySessionRejected) {
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE("RFC 7143 §13.21 (a Discovery session carries only Text and Logout), §11.17.1");
  OPEN_REQUIRE_INITIATOR(t, initiator, "discoverscsi");
  std::string err;
  auto c = OpenDiscovery(t, initiator, &err);
  ASSERT_TRUE(c) << err;
  RawCommand tur;
  tur.cdb.assign(6, 0);
  tur.limit = kSilence;
  RawOutcome r = c->Execute(tur);
  if (r.closed) return;  // dropping the connection is an allowed answer to a protocol error
  ASSERT_FALSE(r.completed) << "a SCSI command executed in a Discovery session: " << r.Describe();
  ASSERT_FALSE(r.rejects.empty()) << "expected a Reject PDU or a closed connection: "
                                  << r.Describe();
  const uint8_t reason = r.rejects.front().bhs[2];
  EXPECT_TRUE(reason == 0x04 || reason == 0x05 || reason == 0x09)
      << "Reject reason 0x" << std::hex << int{reason}
      << " (expected 04h protocol error, 05h command not supported or 09h invalid PDU field)";
}

}  // namespace
}  // namespace conformance
