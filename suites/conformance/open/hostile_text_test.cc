// Text Request continuation abuse (TEST-PLAN T14; RFC 7143 §11.10 Text Request, §11.11 Text
// Response, §6.1): C=1 with an empty data segment, a chain of 1000 continuation PDUs, and a
// Target Transfer Tag the target never issued. Accumulation stays bounded (a Reject ends an
// over-long request) and the connection and target keep working.
#include <gtest/gtest.h>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/hostile_support.h"

namespace conformance::hostile {
namespace {

using namespace std::chrono_literals;
namespace rp = harness::rawpdu;
using Kind = RawFfp::Reaction::Kind;

// Waits for the answer to a Text Request with `itt`: a Text Response for it, a Reject, or
// the connection closing. Fails the test on silence or anything else.
RawFfp::Reaction AwaitTextAnswer(RawFfp* s, uint32_t itt, const std::string& what) {
  RawFfp::Reaction r = s->Await(3s);
  const bool text = r.kind == Kind::kPdu && r.pdu.opcode() == rp::kOpTextResponse &&
                    r.pdu.itt() == itt;
  const bool reject = r.kind == Kind::kPdu && r.pdu.opcode() == rp::kOpReject;
  EXPECT_TRUE(text || reject || r.kind == Kind::kClosed) << what << ": got " << r.Describe();
  return r;
}

TEST(HostileText, ContinueWithEmptyDataSegment) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.10.2: C=1 says the text is incomplete; §6.2: a target receiving a Text Request with
  // C=1 answers with a Text Response with no data segment, whose TTT the initiator copies into
  // the next part (§11.10.4, §11.11).
  HARNESS_CLAUSE("RFC 7143 §6.2, §11.10.2, §11.10.4, §11.11 (TEST-PLAN T14)");
  LOGIN_FFP(t, s, "t14empty", KeyValues{});
  const uint32_t itt = s->NextItt();
  std::string error;
  ASSERT_TRUE(s->Send(s->TextRequest(itt, rp::kReservedTag, false, true, {}), &error)) << error;
  RawFfp::Reaction r = AwaitTextAnswer(s.get(), itt, "C=1 with no data");
  if (r.kind == Kind::kPdu && r.pdu.opcode() == rp::kOpTextResponse) {
    EXPECT_FALSE(r.pdu.flags() & 0x80) << "§11.11: a partial request gets F=0";
    EXPECT_TRUE(r.pdu.data.empty()) << "§6.2: a request with C=1 gets a response with no data";
    EXPECT_NE(r.pdu.Get32(20), rp::kReservedTag) << "§11.11: a partial request gets a TTT";
    // Complete the request; the unknown key is answered NotUnderstood.
    ASSERT_TRUE(s->Send(s->TextRequest(itt, r.pdu.Get32(20), true, false,
                                       rp::EncodeKeys({{"X-reftarget-probe", "1"}})),
                        &error))
        << error;
    RawFfp::Reaction done = AwaitTextAnswer(s.get(), itt, "the final part");
    if (done.kind == Kind::kPdu && done.pdu.opcode() == rp::kOpTextResponse) {
      EXPECT_TRUE(done.pdu.flags() & 0x80) << "the final Text Response has F=0";
      EXPECT_EQ(rp::FindKey(rp::DecodeKeys(done.pdu.data), "X-reftarget-probe"), "NotUnderstood");
    }
  }
  if (r.kind != Kind::kClosed) {
    std::string why;
    EXPECT_TRUE(s->PingWorks(&why)) << why;
  }
  ExpectTargetServes(t, "after an empty Text continuation");
}

TEST(HostileText, ContinuationChainIsBounded) {
  HARNESS_REQUIRE_TARGET(t);
  // T14: 1000 continuation PDUs of 1 KiB each (1 MiB of one never-ending key). The target
  // may acknowledge every part or stop the request with a Reject (or close): what it must
  // not do is stall, answer with a giant response or take the target down.
  HARNESS_CLAUSE("RFC 7143 §6.2, §11.10.2, §11.17.1 (TEST-PLAN T14, S12)");
  LOGIN_FFP(t, s, "t14chain", KeyValues{});
  const uint32_t itt = s->NextItt();
  uint32_t ttt = rp::kReservedTag;
  std::vector<uint8_t> part(1024, 'k');
  std::string error;
  int acknowledged = 0;
  bool stopped = false;
  for (int i = 0; i < 1000 && !stopped; ++i) {
    if (!s->Send(s->TextRequest(itt, ttt, false, true, part), &error)) {
      stopped = true;  // the target closed the connection
      break;
    }
    RawFfp::Reaction r = AwaitTextAnswer(s.get(), itt, "continuation part " + std::to_string(i));
    if (r.kind != Kind::kPdu || r.pdu.opcode() != rp::kOpTextResponse) {
      stopped = true;
      if (r.kind == Kind::kPdu) {
        EXPECT_TRUE(r.IsReject({kRejectProtocolError, kRejectInvalidPduField, kRejectOutOfResources}))
            << r.Describe();
      }
      break;
    }
    EXPECT_TRUE(r.pdu.data.empty()) << "§6.2: part " << i << " (C=1) got " << r.pdu.data.size()
                                    << " bytes of response data";
    ttt = r.pdu.Get32(20);
    ++acknowledged;
  }
  RecordProperty("acknowledged_parts", std::to_string(acknowledged));
  ExpectTargetServes(t, "after a 1000-part Text continuation chain");
}

TEST(HostileText, UnknownTargetTransferTag) {
  HARNESS_REQUIRE_TARGET(t);
  // §11.10.4: a TTT other than 0xffffffff continues an exchange the target started. One it
  // never issued gets a Reject (04h / 09h), is treated as a new request, or ends the
  // connection; the session must stay consistent either way.
  HARNESS_CLAUSE("RFC 7143 §11.10.4, §11.17.1 (TEST-PLAN T14)");
  LOGIN_FFP(t, s, "t14ttt", KeyValues{});
  const uint32_t itt = s->NextItt();
  std::string error;
  ASSERT_TRUE(s->Send(s->TextRequest(itt, 0x13572468, true, false,
                                     rp::EncodeKeys({{"X-reftarget-probe", "1"}})),
                      &error))
      << error;
  RawFfp::Reaction r = AwaitTextAnswer(s.get(), itt, "unknown TTT");
  if (r.kind == Kind::kPdu && r.pdu.opcode() == rp::kOpReject) {
    EXPECT_TRUE(r.IsReject({kRejectProtocolError, kRejectInvalidPduField})) << r.Describe();
  }
  if (r.kind != Kind::kClosed) {
    std::string why;
    EXPECT_TRUE(s->PingWorks(&why)) << why;
  }
  ExpectTargetServes(t, "after an unknown Text TTT");
}

}  // namespace
}  // namespace conformance::hostile
