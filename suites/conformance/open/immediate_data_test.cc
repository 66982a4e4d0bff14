// Write data transfer matrix (RFC 7143 §13.10 InitialR2T, §13.11 ImmediateData, §13.12-13.14
// MaxRecvDataSegmentLength / MaxBurstLength / FirstBurstLength, §13.17 MaxOutstandingR2T,
// §4.2.5.2-4.2.5.3 unsolicited and solicited data, §11.7-11.8 Data-In/R2T; TEST-PLAN S3, T20):
// each combination writes a pattern with the raw client following the negotiated rules
// (immediate data, unsolicited Data-Out, R2T-solicited Data-Out), checks every R2T and Data-In
// the target sends against those rules, and reads the pattern back.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "harness/suite_support/suite_test.h"
#include "suites/conformance/open/open_support.h"

namespace conformance {
namespace {

constexpr uint32_t kMax = (1u << 24) - 1;  // 2^24 - 1, the top of the length keys' range

struct Combo {
  bool imm;
  bool r2t;
  uint32_t fb;
  uint32_t mb;
  uint32_t mrdsl;
  uint32_t or2t;
  uint32_t bytes;  // the WRITE's length
};

std::string Size(uint32_t v) {
  if (v == kMax) return "max";
  if (v >= (1u << 20) && v % (1u << 20) == 0) return std::to_string(v >> 20) + "m";
  if (v >= 1024 && v % 1024 == 0) return std::to_string(v >> 10) + "k";
  return std::to_string(v);
}

// "imm_yes__r2t_no__fb_64k__mb_256k__mrdsl_8k__or2t_1__len_256k"
std::string ComboName(const ::testing::TestParamInfo<Combo>& info) {
  const Combo& c = info.param;
  return std::string("imm_") + (c.imm ? "yes" : "no") + "__r2t_" + (c.r2t ? "yes" : "no") +
         "__fb_" + Size(c.fb) + "__mb_" + Size(c.mb) + "__mrdsl_" + Size(c.mrdsl) + "__or2t_" +
         std::to_string(c.or2t) + "__len_" + Size(c.bytes);
}

std::vector<Combo> Combos() {
  return {
      // Defaults-like: immediate data, then R2Ts for the rest.
      {true, true, 65536, 262144, 8192, 1, 262144},
      // Everything solicited (FirstBurstLength is irrelevant).
      {false, true, 65536, 262144, 8192, 1, 262144},
      // Immediate data plus unsolicited Data-Out up to FirstBurstLength, then R2Ts.
      {true, false, 65536, 262144, 65536, 1, 262144},
      // Unsolicited Data-Out only, then R2Ts.
      {false, false, 65536, 262144, 65536, 1, 262144},
      // Every length key at its minimum (512): one-block PDUs, bursts and R2Ts.
      {true, false, 512, 512, 512, 1, 8192},
      // Every length key at its maximum (2^24 - 1).
      {true, true, kMax, kMax, kMax, 1, 1 << 20},
      // Small first burst, several R2Ts outstanding.
      {false, false, 8192, 16384, 4096, 4, 131072},
      // Bursts of 8 KiB, small Data-In PDUs, up to 8 R2Ts outstanding.
      {true, true, 8192, 8192, 1024, 8, 65536},
      // Immediate data limited by FirstBurstLength below MaxRecvDataSegmentLength.
      {true, false, 4096, 65536, 8192, 1, 65536},
      // The whole write unsolicited (shorter than FirstBurstLength): no R2T at all.
      {true, false, 262144, 262144, 262144, 2, 102400},
      // A write that is not a multiple of MaxBurstLength: the last burst is short.
      {false, true, 32768, 49152, 8192, 2, 204800},
      // A write that fits in the immediate data: no R2T at all.
      {true, true, 65536, 262144, 8192, 1, 4096},
      // MaxOutstandingR2T at its maximum.
      {false, false, 512, kMax, kMax, 65535, 1 << 20},
  };
}

class ImmediateData : public ::testing::TestWithParam<Combo> {};

TEST_P(ImmediateData, WriteReadBackFollowsNegotiatedRules) {
  const Combo& c = GetParam();
  HARNESS_REQUIRE_TARGET(t);
  HARNESS_CLAUSE(
      "RFC 7143 §13.10, §13.11, §13.12, §13.13, §13.14, §13.17 (negotiated data transfer), "
      "§4.2.5 (unsolicited and solicited data)");
  HARNESS_REQUIRE_CAPABILITY(t.allow_data_loss, "allow writes to its LUNs");
  OPEN_REQUIRE_INITIATOR(t, initiator, "matrix");
  const harness::suite::LunInfo* lun = t.WritableLun();
  ASSERT_NE(lun, nullptr);
  const uint32_t bs = lun->spec.block_size;
  ASSERT_EQ(c.bytes % bs, 0u);
  const KeyValues offer = {{"ImmediateData", c.imm ? "Yes" : "No"},
                           {"InitialR2T", c.r2t ? "Yes" : "No"},
                           {"FirstBurstLength", std::to_string(c.fb)},
                           {"MaxBurstLength", std::to_string(c.mb)},
                           {"MaxRecvDataSegmentLength", std::to_string(c.mrdsl)},
                           {"MaxOutstandingR2T", std::to_string(c.or2t)}};
  std::string err;
  auto client = RawClient::Open(t, initiator, offer, &err);
  ASSERT_TRUE(client) << err;
  const Negotiated& n = client->negotiated();
  for (const std::string& p : n.problems) ADD_FAILURE() << "negotiation: " << p;
  const uint32_t lun_no = static_cast<uint32_t>(lun->number);
  ASSERT_TRUE(client->ClearUnitAttentions(lun_no, &err)) << err;

  // Tests run one at a time, so every combination may use the same 1 MiB range.
  const uint64_t base = (8u << 20) / bs;
  const std::vector<uint8_t> data = Pattern(0x1d47a + c.bytes + c.fb, c.bytes);
  RawCommand w;
  w.lun = lun_no;
  w.cdb.assign(16, 0);
  w.cdb[0] = 0x8a;
  for (int i = 0; i < 8; ++i) w.cdb[2 + i] = static_cast<uint8_t>(base >> (56 - 8 * i));
  const uint32_t blocks = c.bytes / bs;
  for (int i = 0; i < 4; ++i) w.cdb[10 + i] = static_cast<uint8_t>(blocks >> (24 - 8 * i));
  w.data_out = data;
  w.r2t_gather = n.max_outstanding_r2t > 1 ? Ms(25) : Ms(0);
  RawOutcome wr = client->Execute(w);
  ASSERT_TRUE(wr.good()) << "WRITE: " << wr.Describe();
  EXPECT_TRUE(wr.violations.empty()) << wr.Describe();

  // How much the rules let us send unsolicited, and so how many R2Ts are needed at least.
  const uint32_t immediate =
      n.immediate_data ? std::min({c.bytes, n.first_burst, n.target_mrdsl}) : 0;
  const uint32_t unsolicited = n.initial_r2t ? immediate : std::min(c.bytes, n.first_burst);
  const uint32_t solicited = c.bytes - unsolicited;
  if (solicited == 0) {
    EXPECT_EQ(wr.r2ts, 0u) << "an R2T for data that was sent unsolicited";
  } else {
    EXPECT_GE(wr.r2ts, (solicited + n.max_burst - 1) / n.max_burst)
        << solicited << " solicited bytes need R2Ts of at most MaxBurstLength " << n.max_burst;
  }

  RawOutcome rd = client->Read(lun_no, base, blocks, bs);
  ASSERT_TRUE(rd.good()) << "READ: " << rd.Describe();
  EXPECT_TRUE(rd.violations.empty()) << rd.Describe();
  EXPECT_EQ(rd.data_in_bytes, c.bytes);
  EXPECT_TRUE(rd.data == data) << "read-back differs from the pattern written";
  EXPECT_EQ(client->Logout(0, 0, &err), 0) << err;
}

INSTANTIATE_TEST_SUITE_P(Matrix, ImmediateData, ::testing::ValuesIn(Combos()), ComboName);

}  // namespace
}  // namespace conformance
