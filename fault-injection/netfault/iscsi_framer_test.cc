// The iSCSI framer on a login and full-feature exchange built byte by byte (RFC 7143 §11),
// fed whole and in odd chunks, and pdu_byte flips through the rule engine.
#include "fault-injection/netfault/iscsi_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fault-injection/netfault/rule_engine.h"

namespace reftarget::netfault {
namespace {

constexpr uint8_t kScsiCommand = 0x01;
constexpr uint8_t kScsiResponse = 0x21;
constexpr uint8_t kLoginRequest = 0x03;
constexpr uint8_t kLoginResponse = 0x23;
constexpr uint8_t kFinalToFullFeature = 0x80 | 0x04 | 0x03;  // T=1, CSG=1, NSG=3
constexpr uint8_t kNotYet = 0x04 | 0x03;                     // T=0

struct PduParts {
  uint8_t opcode = 0;
  uint8_t flags = 0;
  uint8_t ahs_words = 0;
  std::string data;
  uint8_t status_class = 0;
  bool header_digest = false;
  bool data_digest = false;
};

// Returns one PDU as it travels: BHS, AHS, header digest, padded data, data digest (the
// digests' values do not matter to the framer).
std::string Pdu(const PduParts& p) {
  std::string bhs(48, '\0');
  bhs[0] = static_cast<char>(p.opcode);
  bhs[1] = static_cast<char>(p.flags);
  bhs[4] = static_cast<char>(p.ahs_words);
  const size_t n = p.data.size();
  bhs[5] = static_cast<char>((n >> 16) & 0xff);
  bhs[6] = static_cast<char>((n >> 8) & 0xff);
  bhs[7] = static_cast<char>(n & 0xff);
  bhs[36] = static_cast<char>(p.status_class);
  std::string out = bhs + std::string(p.ahs_words * 4u, 'A');
  if (p.header_digest) out += "HDGT";
  out += p.data + std::string((4 - n % 4) % 4, '\0');
  if (p.data_digest && n > 0) out += "DDGT";
  return out;
}

std::string Text(std::initializer_list<std::string> pairs) {
  std::string out;
  for (const auto& p : pairs) out += p + '\0';
  return out;
}

struct Exchange {
  std::string up, down;
  std::vector<uint64_t> up_starts, down_starts;
};

// A login negotiating HeaderDigest=CRC32C and DataDigest=`data_digest`, then two commands
// (one with 513 bytes of immediate data, one with an AHS) and their responses.
Exchange LoginAndCommands(bool data_digest) {
  Exchange x;
  auto up = [&](const std::string& pdu) {
    x.up_starts.push_back(x.up.size());
    x.up += pdu;
  };
  auto down = [&](const std::string& pdu) {
    x.down_starts.push_back(x.down.size());
    x.down += pdu;
  };
  const std::string dd = data_digest ? "CRC32C" : "None";
  up(Pdu({kLoginRequest, kFinalToFullFeature, 0,
          Text({"HeaderDigest=CRC32C,None", "DataDigest=CRC32C,None"}), 0, false, false}));
  down(Pdu({kLoginResponse, kFinalToFullFeature, 0,
            Text({"HeaderDigest=CRC32C", "DataDigest=" + dd}), 0, false, false}));
  up(Pdu({kScsiCommand, 0xa0, 0, std::string(513, 'w'), 0, true, data_digest}));
  up(Pdu({kScsiCommand, 0xc0, 2, "", 0, true, data_digest}));
  down(Pdu({kScsiResponse, 0x80, 0, std::string(18, 's'), 0, true, data_digest}));
  down(Pdu({kScsiResponse, 0x80, 0, "", 0, true, data_digest}));
  return x;
}

// Feeds `bytes` to `framer` in pieces of `chunk` and returns every PDU start reported.
std::vector<uint64_t> FeedInChunks(IscsiFramer* framer, const std::string& bytes, size_t chunk) {
  std::vector<uint64_t> starts;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    for (const PduStart& s : framer->Feed(std::string_view(bytes).substr(i, chunk))) {
      starts.push_back(s.offset);
    }
  }
  return starts;
}

TEST(IscsiFramer, FollowsLoginThenDigestsWhateverTheChunking) {
  for (bool data_digest : {false, true}) {
    const Exchange x = LoginAndCommands(data_digest);
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{48}, size_t{100000}}) {
      IscsiNegotiation negotiation;
      IscsiFramer up(Direction::kUp, &negotiation);
      IscsiFramer down(Direction::kDown, &negotiation);
      // The proxy sees each login request before its response, and the response before the
      // initiator's next PDU.
      const size_t login_up = x.up_starts[1];
      EXPECT_EQ(FeedInChunks(&up, x.up.substr(0, login_up), chunk), (std::vector<uint64_t>{0}));
      EXPECT_FALSE(up.full_feature());
      const std::vector<uint64_t> down_starts = FeedInChunks(&down, x.down, chunk);
      EXPECT_TRUE(negotiation.full_feature);
      EXPECT_TRUE(negotiation.header_digest);
      EXPECT_EQ(negotiation.data_digest, data_digest);
      std::vector<uint64_t> up_starts = {0};
      for (uint64_t s : FeedInChunks(&up, x.up.substr(login_up), chunk)) up_starts.push_back(s);
      EXPECT_EQ(up_starts, x.up_starts) << "chunk " << chunk << " data digest " << data_digest;
      EXPECT_EQ(down_starts, x.down_starts) << "chunk " << chunk;
    }
  }
}

TEST(IscsiFramer, LoginEndsOnlyWithTheTargetsSuccessfulFinalResponse) {
  // A final request answered with T=0, then a rejected login: still in login, no digests.
  IscsiNegotiation negotiation;
  IscsiFramer up(Direction::kUp, &negotiation);
  IscsiFramer down(Direction::kDown, &negotiation);
  up.Feed(
      Pdu({kLoginRequest, kFinalToFullFeature, 0, Text({"HeaderDigest=CRC32C"}), 0, false, false}));
  down.Feed(Pdu({kLoginResponse, kNotYet, 0, Text({"HeaderDigest=CRC32C"}), 0, false, false}));
  EXPECT_FALSE(negotiation.full_feature);
  down.Feed(Pdu({kLoginResponse, kFinalToFullFeature, 0, "", 2, false, false}));
  EXPECT_FALSE(negotiation.full_feature) << "Status-Class 2 ends the connection, not login";
  // Without digests two header-only PDUs sit 48 bytes apart.
  const std::string two = Pdu({kLoginRequest, 0, 0, "", 0, false, false}) +
                          Pdu({kLoginRequest, 0, 0, "", 0, false, false});
  std::vector<PduStart> starts = up.Feed(two);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].offset - starts[0].offset, 48u);
  EXPECT_EQ(starts[0].opcode, kLoginRequest);
}

TEST(IscsiFramer, LoginTextBeyondTheCapIsSkippedNotParsed) {
  IscsiNegotiation negotiation;
  IscsiFramer down(Direction::kDown, &negotiation);
  const std::string filler(IscsiFramer::kMaxLoginText, 'x');
  const std::string pdu =
      Pdu({kLoginResponse, kFinalToFullFeature, 0,
           Text({"X-filler=" + filler, "HeaderDigest=CRC32C"}), 0, false, false});
  std::vector<PduStart> starts =
      down.Feed(pdu + Pdu({kScsiResponse, 0x80, 0, "", 0, false, false}));
  EXPECT_FALSE(negotiation.header_digest) << "the key lay past the cap";
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].offset, pdu.size());
}

// The initiator -> target stream of LoginAndCommands as the engine sees it: its login
// request first, then (once the response has passed down) the commands.
struct EngineBed {
  RuleEngine engine;
  IscsiNegotiation negotiation;
  StreamState up{1, Direction::kUp, &negotiation};
  StreamState down{1, Direction::kDown, &negotiation};
  Exchange x = LoginAndCommands(false);

  // Runs the whole exchange through the engine in `chunk`-byte pieces; returns what the
  // target receives.
  std::string Run(size_t chunk, std::vector<FaultEvent>* faults) {
    std::string out;
    auto push = [&](StreamState* s, const std::string& bytes, std::string* sink) {
      for (size_t i = 0; i < bytes.size(); i += chunk) {
        Plan plan = engine.Process(s, bytes.substr(i, chunk), TimePoint{});
        for (const Step& step : plan.steps) {
          if (sink != nullptr && step.kind == Step::Kind::kData) *sink += step.data;
        }
        faults->insert(faults->end(), plan.faults.begin(), plan.faults.end());
      }
    };
    push(&up, x.up.substr(0, x.up_starts[1]), &out);
    push(&down, x.down, nullptr);
    push(&up, x.up.substr(x.up_starts[1]), &out);
    return out;
  }
};

TEST(IscsiFramer, PduByteFlipHitsTheChosenHeaderByteWhateverTheChunking) {
  for (size_t chunk : {size_t{1}, size_t{13}, size_t{4096}}) {
    EngineBed bed;
    RuleSpec spec;
    spec.action = Action::kFlip;
    spec.dir = DirSelector::kUp;
    spec.pdu_byte = 32;  // CDB byte 0
    spec.opcode = kScsiCommand;
    spec.count = 1;
    spec.mask = 0x80;
    ASSERT_TRUE(bed.engine.Add(spec).ok());
    std::vector<FaultEvent> faults;
    const std::string received = bed.Run(chunk, &faults);
    std::string expected = bed.x.up;
    const uint64_t target = bed.x.up_starts[1] + 32;  // the first SCSI Command
    expected[target] = static_cast<char>(expected[target] ^ 0x80);
    EXPECT_EQ(received, expected) << "chunk " << chunk;
    ASSERT_EQ(faults.size(), 1u) << "chunk " << chunk;
    EXPECT_EQ(faults[0].offset, target);
    EXPECT_EQ(faults[0].detail, "mask=0x80 pdu_byte=32");
    EXPECT_EQ(bed.engine.List()[0].hits, 1u);
  }
}

TEST(IscsiFramer, PduByteFlipWithoutCountHitsEveryMatchingPdu) {
  EngineBed bed;
  RuleSpec spec;
  spec.action = Action::kFlip;
  spec.dir = DirSelector::kUp;
  spec.pdu_byte = 0;
  ASSERT_TRUE(bed.engine.Add(spec).ok());
  std::vector<FaultEvent> faults;
  const std::string received = bed.Run(5, &faults);
  ASSERT_EQ(faults.size(), bed.x.up_starts.size()) << "every PDU going up, login included";
  for (size_t i = 0; i < faults.size(); ++i) EXPECT_EQ(faults[i].offset, bed.x.up_starts[i]);
}

TEST(IscsiFramer, PduByteRulesAreValidated) {
  RuleSpec spec;
  spec.action = Action::kFlip;
  spec.pdu_byte = 48;
  EXPECT_NE(ValidateRule(spec).message().find("pdu_byte"), std::string::npos);
  spec.pdu_byte = 3;
  spec.at = 10;
  EXPECT_NE(ValidateRule(spec).message().find("exclude"), std::string::npos);
  spec.at.reset();
  spec.opcode = 0x40;
  EXPECT_NE(ValidateRule(spec).message().find("opcode"), std::string::npos);
  spec.opcode = 0x01;
  EXPECT_TRUE(ValidateRule(spec).ok());
  spec.pdu_byte.reset();
  EXPECT_NE(ValidateRule(spec).message().find("needs 'pdu_byte'"), std::string::npos);
}

}  // namespace
}  // namespace reftarget::netfault
