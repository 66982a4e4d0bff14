// PDU codec, encode side: every target PDU compared byte for byte with a BHS written by hand
// from the RFC 7143 §11 figures (so reserved bytes are checked to be zero too), the bits the
// encoders force, and decode(encode(x)) == x for every PDU type in both directions.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>

#include "target/iscsi/pdu/pdu.h"

namespace reftarget::iscsi {
namespace {

void Put(Bhs& bhs, size_t offset, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) bhs.at(offset++) = b;
}

Bhs Expected(uint8_t byte0, uint8_t byte1) {
  Bhs bhs{};
  bhs[0] = byte0;
  bhs[1] = byte1;
  return bhs;
}

// Fills the three sequence numbers most target PDUs carry at bytes 24, 28 and 32.
void PutSequenceNumbers(Bhs& bhs) {
  Put(bhs, 24, {0x31, 0x32, 0x33, 0x34});
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});
  Put(bhs, 32, {0x51, 0x52, 0x53, 0x54});
}
template <typename Pdu>
void SetSequenceNumbers(Pdu& pdu) {
  pdu.stat_sn = 0x31323334;
  pdu.exp_cmd_sn = 0x41424344;
  pdu.max_cmd_sn = 0x51525354;
}

// ---- Target PDUs, byte for byte ------------------------------------------------------------

TEST(Encode, ScsiResponse) {
  ScsiResponsePdu pdu;
  pdu.underflow = true;
  pdu.response = 0x01;
  pdu.status = 0x02;  // CHECK CONDITION
  pdu.data_segment_length = 20;
  pdu.itt = 0x11121314;
  pdu.snack_tag = 0x21222324;
  SetSequenceNumbers(pdu);
  pdu.exp_data_sn = 0x61626364;
  pdu.bidi_read_residual_count = 0x71727374;
  pdu.residual_count = 0x81828384;
  Bhs want = Expected(0x21, 0x82);
  Put(want, 2, {0x01, 0x02});
  Put(want, 5, {0x00, 0x00, 0x14});
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  Put(want, 20, {0x21, 0x22, 0x23, 0x24});
  PutSequenceNumbers(want);
  Put(want, 36, {0x61, 0x62, 0x63, 0x64});
  Put(want, 40, {0x71, 0x72, 0x73, 0x74});
  Put(want, 44, {0x81, 0x82, 0x83, 0x84});
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, ScsiResponseResidualFlags) {
  const auto flags = [](bool o, bool u, bool big_o, bool big_u) {
    ScsiResponsePdu pdu;
    pdu.bidi_overflow = o;
    pdu.bidi_underflow = u;
    pdu.overflow = big_o;
    pdu.underflow = big_u;
    return Encode(pdu)[1];
  };
  EXPECT_EQ(flags(false, false, false, false), 0x80);
  EXPECT_EQ(flags(true, false, false, false), 0x90);
  EXPECT_EQ(flags(false, true, false, false), 0x88);
  EXPECT_EQ(flags(false, false, true, false), 0x84);
  EXPECT_EQ(flags(false, false, false, true), 0x82);
}

TEST(Encode, TaskMgmtResponse) {
  TaskMgmtResponsePdu pdu;
  pdu.response = static_cast<uint8_t>(TmfResponse::kFunctionRejected);
  pdu.itt = 0x11121314;
  SetSequenceNumbers(pdu);
  Bhs want = Expected(0x22, 0x80);
  want[2] = 0xff;
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  PutSequenceNumbers(want);
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, DataInWithoutStatusZeroesTheStatusFields) {
  DataInPdu pdu;
  pdu.final = false;
  pdu.acknowledge = true;
  pdu.overflow = true;  // meaningless without S: not sent
  pdu.status = 0x02;    // likewise
  pdu.stat_sn = 0x31323334;
  pdu.residual_count = 9;
  pdu.data_segment_length = 8192;
  pdu.lun = 0x0001000000000000ull;
  pdu.itt = 0x11121314;
  pdu.target_transfer_tag = 0x21222324;
  pdu.exp_cmd_sn = 0x41424344;
  pdu.max_cmd_sn = 0x51525354;
  pdu.data_sn = 0x61626364;
  pdu.buffer_offset = 0x71727374;
  Bhs want = Expected(0x25, 0x40);
  Put(want, 5, {0x00, 0x20, 0x00});
  Put(want, 8, {0x00, 0x01});
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  Put(want, 20, {0x21, 0x22, 0x23, 0x24});
  Put(want, 28, {0x41, 0x42, 0x43, 0x44});
  Put(want, 32, {0x51, 0x52, 0x53, 0x54});
  Put(want, 36, {0x61, 0x62, 0x63, 0x64});
  Put(want, 40, {0x71, 0x72, 0x73, 0x74});
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, DataInWithStatusForcesFinal) {
  DataInPdu pdu;
  pdu.has_status = true;  // F left false on purpose: S implies F (§11.7.4)
  pdu.underflow = true;
  pdu.status = 0x00;
  pdu.itt = 1;
  pdu.stat_sn = 0x31323334;
  pdu.residual_count = 0x81828384;
  const Bhs bhs = Encode(pdu);
  EXPECT_EQ(bhs[1], 0x80 | 0x02 | 0x01);
  EXPECT_EQ(bhs[3], 0x00);
  EXPECT_EQ(Load32(&bhs[20]), kReservedTag);  // default TTT
  EXPECT_EQ(Load32(&bhs[24]), 0x31323334u);
  EXPECT_EQ(Load32(&bhs[44]), 0x81828384u);
}

TEST(Encode, R2T) {
  R2TPdu pdu;
  pdu.lun = 0x0002000000000000ull;
  pdu.itt = 0x11121314;
  pdu.target_transfer_tag = 0x21222324;
  SetSequenceNumbers(pdu);
  pdu.r2t_sn = 0x61626364;
  pdu.buffer_offset = 0x71727374;
  pdu.desired_data_transfer_length = 0x81828384;
  Bhs want = Expected(0x31, 0x80);
  Put(want, 8, {0x00, 0x02});
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  Put(want, 20, {0x21, 0x22, 0x23, 0x24});
  PutSequenceNumbers(want);
  Put(want, 36, {0x61, 0x62, 0x63, 0x64});
  Put(want, 40, {0x71, 0x72, 0x73, 0x74});
  Put(want, 44, {0x81, 0x82, 0x83, 0x84});
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, NopInDefaultsAreAnUnsolicitedPingWithoutResponse) {
  NopInPdu pdu;
  SetSequenceNumbers(pdu);
  Bhs want = Expected(0x20, 0x80);
  Put(want, 16, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});  // ITT and TTT
  PutSequenceNumbers(want);
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, LoginResponse) {
  LoginResponsePdu pdu;
  pdu.transit = true;
  pdu.csg = 1;
  pdu.nsg = 3;
  pdu.version_max = 0;
  pdu.version_active = 0;
  pdu.data_segment_length = 0x123;
  pdu.isid = {0x80, 0x12, 0x34, 0x56, 0x78, 0x9a};
  pdu.tsih = 0x0102;
  pdu.itt = 0x11121314;
  SetSequenceNumbers(pdu);
  pdu.status_class = 0x02;
  pdu.status_detail = 0x01;
  Bhs want = Expected(0x23, 0x87);
  Put(want, 5, {0x00, 0x01, 0x23});
  Put(want, 8, {0x80, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x01, 0x02});
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  PutSequenceNumbers(want);
  Put(want, 36, {0x02, 0x01});
  EXPECT_EQ(Encode(pdu), want);
  pdu.transit = false;
  pdu.continue_ = true;
  pdu.csg = 0;
  pdu.nsg = 0;
  EXPECT_EQ(Encode(pdu)[1], 0x40);
}

TEST(Encode, TextResponse) {
  TextResponsePdu pdu;
  pdu.continue_ = true;
  pdu.data_segment_length = 4;
  pdu.itt = 0x11121314;
  pdu.target_transfer_tag = 0x21222324;  // more to come: a real TTT (§11.11.4)
  SetSequenceNumbers(pdu);
  Bhs want = Expected(0x24, 0x40);
  Put(want, 5, {0x00, 0x00, 0x04});
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  Put(want, 20, {0x21, 0x22, 0x23, 0x24});
  PutSequenceNumbers(want);
  EXPECT_EQ(Encode(pdu), want);
  pdu.continue_ = false;
  pdu.final = true;
  EXPECT_EQ(Encode(pdu)[1], 0x80);
}

TEST(Encode, LogoutResponse) {
  LogoutResponsePdu pdu;
  pdu.response = 1;
  pdu.itt = 0x11121314;
  SetSequenceNumbers(pdu);
  pdu.time2wait = 0x0203;
  pdu.time2retain = 0x0405;
  Bhs want = Expected(0x26, 0x80);
  want[2] = 1;
  Put(want, 16, {0x11, 0x12, 0x13, 0x14});
  PutSequenceNumbers(want);
  Put(want, 40, {0x02, 0x03, 0x04, 0x05});
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, Reject) {
  RejectPdu pdu;
  pdu.reason = static_cast<uint8_t>(RejectReason::kProtocolError);
  SetSequenceNumbers(pdu);
  pdu.data_sn_or_r2t_sn = 0x61626364;
  Bhs want = Expected(0x3f, 0x80);
  want[2] = 0x04;
  Put(want, 5, {0x00, 0x00, 0x30});  // the rejected 48-byte BHS follows
  Put(want, 16, {0xff, 0xff, 0xff, 0xff});
  PutSequenceNumbers(want);
  Put(want, 36, {0x61, 0x62, 0x63, 0x64});
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, AsyncMessage) {
  AsyncMessagePdu pdu;
  pdu.lun = 0x0007000000000000ull;
  SetSequenceNumbers(pdu);
  pdu.async_event = 1;  // logout requested
  pdu.async_vcode = 0x22;
  pdu.parameter1 = 0x0102;
  pdu.parameter2 = 0x0304;
  pdu.parameter3 = 0x0506;
  Bhs want = Expected(0x32, 0x80);
  Put(want, 8, {0x00, 0x07});
  Put(want, 16, {0xff, 0xff, 0xff, 0xff});
  PutSequenceNumbers(want);
  Put(want, 36, {0x01, 0x22, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06});
  EXPECT_EQ(Encode(pdu), want);
}

// ---- Initiator PDUs: forced bits and the RFC's own example --------------------------------

TEST(Encode, RfcReadCommand) {
  ScsiCommandPdu pdu;
  pdu.final = true;
  pdu.read = true;
  pdu.itt = 0x14000000;
  pdu.expected_data_transfer_length = 1024;
  pdu.cmd_sn = 0x14;
  pdu.exp_stat_sn = 0x18;
  pdu.cdb = {0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0};
  Bhs want = Expected(0x01, 0xc0);
  Put(want, 16, {0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18, 0x28});
  Put(want, 40, {0x02});
  EXPECT_EQ(Encode(pdu), want);
}

TEST(Encode, InitiatorFixedBits) {
  EXPECT_EQ(Encode(NopOutPdu{})[1], 0x80);
  EXPECT_EQ(Encode(TaskMgmtRequestPdu{})[1], 0x80);
  EXPECT_EQ(Encode(LogoutRequestPdu{})[1], 0x80);
  EXPECT_EQ(Encode(SnackRequestPdu{})[1], 0x80);
  EXPECT_EQ(Encode(LoginRequestPdu{})[0], 0x43);  // always immediate
  EXPECT_EQ(Encode(DataOutPdu{})[1], 0x00);
  EXPECT_EQ(Encode(TextRequestPdu{})[1], 0x00);
}

TEST(Encode, NarrowFieldsAreMasked) {
  ScsiCommandPdu cmd;
  cmd.final = true;
  cmd.attribute = 0xff;
  EXPECT_EQ(Encode(cmd)[1], 0x80 | 0x07);
  TaskMgmtRequestPdu tmf;
  tmf.function = 0xff;
  EXPECT_EQ(Encode(tmf)[1], 0xff);
  LoginRequestPdu login;
  login.csg = 0xff;
  login.nsg = 0xff;
  EXPECT_EQ(Encode(login)[1], 0x0f);
}

// ---- Round trips ---------------------------------------------------------------------------

template <typename Pdu>
void ExpectRoundTrip(const Pdu& pdu, Result<Pdu> (*decode)(const Bhs&)) {
  const Result<Pdu> back = decode(Encode(pdu));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_TRUE(back.value() == pdu);
}

TEST(RoundTrip, InitiatorPdus) {
  ScsiCommandPdu cmd;
  cmd.immediate = true;
  cmd.write = true;
  cmd.attribute = 2;
  cmd.total_ahs_length = 3;
  cmd.data_segment_length = kMaxDataSegmentLength;
  cmd.lun = EncodeLun(300);
  cmd.itt = 1;
  cmd.expected_data_transfer_length = 0xffffffff;
  cmd.cmd_sn = 2;
  cmd.exp_stat_sn = 3;
  cmd.cdb.fill(0xa5);
  ExpectRoundTrip(cmd, &DecodeScsiCommand);

  ExpectRoundTrip(TaskMgmtRequestPdu{true, 5, EncodeLun(1), 1, 2, 3, 4, 5, 6, 0},
                  &DecodeTaskMgmtRequest);
  ExpectRoundTrip(DataOutPdu{true, 512, EncodeLun(2), 1, 2, 3, 4, 5}, &DecodeDataOut);
  ExpectRoundTrip(NopOutPdu{true, 8, 0, kReservedTag, 7, 8, 9}, &DecodeNopOut);
  ExpectRoundTrip(LoginRequestPdu{true, false, 0, 1, 0, 0, 100, {1, 2, 3, 4, 5, 6}, 0, 7, 1, 9, 10},
                  &DecodeLoginRequest);
  ExpectRoundTrip(TextRequestPdu{false, false, true, 10, 0, 1, kReservedTag, 2, 3},
                  &DecodeTextRequest);
  ExpectRoundTrip(LogoutRequestPdu{true, 2, 0, 1, 2, 3, 4}, &DecodeLogoutRequest);
  ExpectRoundTrip(SnackRequestPdu{1, EncodeLun(3), 1, 2, 3, 4, 5}, &DecodeSnackRequest);
}

TEST(RoundTrip, TargetPdus) {
  ExpectRoundTrip(ScsiResponsePdu{true, true, true, true, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                  &DecodeScsiResponse);
  ExpectRoundTrip(TaskMgmtResponsePdu{5, 1, 2, 3, 4}, &DecodeTaskMgmtResponse);
  DataInPdu data_in;
  data_in.final = true;
  data_in.has_status = true;
  data_in.overflow = true;
  data_in.status = 0x08;
  data_in.stat_sn = 5;
  data_in.residual_count = 512;
  data_in.data_sn = 3;
  ExpectRoundTrip(data_in, &DecodeDataIn);
  ExpectRoundTrip(R2TPdu{EncodeLun(4), 1, 2, 3, 4, 5, 6, 7, 8}, &DecodeR2T);
  ExpectRoundTrip(NopInPdu{4, 0, 1, kReservedTag, 2, 3, 4}, &DecodeNopIn);
  ExpectRoundTrip(
      LoginResponsePdu{true, false, 1, 3, 0, 0, 50, {6, 5, 4, 3, 2, 1}, 9, 1, 2, 3, 4, 0, 0},
      &DecodeLoginResponse);
  ExpectRoundTrip(TextResponsePdu{true, false, 7, 0, 1, kReservedTag, 2, 3, 4},
                  &DecodeTextResponse);
  ExpectRoundTrip(LogoutResponsePdu{0, 1, 2, 3, 4, 2, 20}, &DecodeLogoutResponse);
  ExpectRoundTrip(RejectPdu{9, kBhsLength, 1, 2, 3, 4}, &DecodeReject);
  ExpectRoundTrip(AsyncMessagePdu{8, EncodeLun(5), 1, 2, 3, 0, 0, 1, 2, 3}, &DecodeAsyncMessage);
}

TEST(RoundTrip, TargetDecodersCheckFixedFields) {
  Bhs bhs = Encode(DataInPdu{});
  bhs[1] = 0x01;  // S without F
  ASSERT_FALSE(DecodeDataIn(bhs).ok());
  EXPECT_EQ(DecodeDataIn(bhs).error(), "SCSI Data-In: S bit set with F clear");
  bhs = Encode(R2TPdu{});
  bhs[1] = 0;
  EXPECT_EQ(DecodeR2T(bhs).error(), "R2T: F bit must be 1");
  bhs = Encode(LoginResponsePdu{});
  bhs[1] = 0xc0;
  EXPECT_EQ(DecodeLoginResponse(bhs).error(), "Login Response: T and C both set");
  bhs = Encode(TextResponsePdu{});
  bhs[1] = 0xc0;
  EXPECT_EQ(DecodeTextResponse(bhs).error(), "Text Response: F and C both set");
}

}  // namespace
}  // namespace reftarget::iscsi
