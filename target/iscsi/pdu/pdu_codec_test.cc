// PDU codec, decode side: every initiator PDU field at the offset of its RFC 7143 §11 figure,
// every rule the decoders enforce (and the nearby cases the RFC allows), the common fields,
// opcode names and the SAM-5 LUN field. BHSs are written byte by byte here, without the
// codec's Store helpers, so that a wrong offset in the codec cannot hide in the test.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "target/iscsi/pdu/pdu.h"

namespace reftarget::iscsi {
namespace {

void Put(Bhs& bhs, size_t offset, std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) bhs.at(offset++) = b;
}

Bhs Header(uint8_t byte0, uint8_t byte1) {
  Bhs bhs{};
  bhs[0] = byte0;
  bhs[1] = byte1;
  return bhs;
}

// RFC 3720 B.4 / RFC 7143 B.4: a READ(10) of 2 blocks, ITT 0x14000000, EDTL 1024.
constexpr Bhs kRfcReadCommand = {
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

// ---- Common fields -------------------------------------------------------------------------

TEST(BhsCommon, RfcReadCommand) {
  const BhsCommon c = DecodeCommon(kRfcReadCommand);
  EXPECT_EQ(c.opcode, 0x01);
  EXPECT_FALSE(c.immediate);
  EXPECT_TRUE(c.final);
  EXPECT_EQ(c.total_ahs_length, 0);
  EXPECT_EQ(c.data_segment_length, 0u);
  EXPECT_EQ(c.itt, 0x14000000u);
}

TEST(BhsCommon, EveryBitSet) {
  Bhs bhs;
  bhs.fill(0xff);
  const BhsCommon c = DecodeCommon(bhs);
  EXPECT_EQ(c.opcode, 0x3f);  // bit 7 of byte 0 is reserved, not part of the opcode
  EXPECT_TRUE(c.immediate);
  EXPECT_TRUE(c.final);
  EXPECT_EQ(c.total_ahs_length, 0xff);
  EXPECT_EQ(c.data_segment_length, kMaxDataSegmentLength);
  EXPECT_EQ(c.itt, kReservedTag);
}

TEST(BhsCommon, DataSegmentLengthIsBigEndian24Bits) {
  Bhs bhs{};
  Put(bhs, 4, {0x07, 0x01, 0x02, 0x03});
  EXPECT_EQ(DecodeCommon(bhs).total_ahs_length, 7);
  EXPECT_EQ(DecodeCommon(bhs).data_segment_length, 0x010203u);
}

TEST(BhsCommon, PaddedLength) {
  EXPECT_EQ(PaddedLength(0), 0u);
  EXPECT_EQ(PaddedLength(1), 4u);
  EXPECT_EQ(PaddedLength(3), 4u);
  EXPECT_EQ(PaddedLength(4), 4u);
  EXPECT_EQ(PaddedLength(5), 8u);
  EXPECT_EQ(PaddedLength(kMaxDataSegmentLength), 1u << 24);
}

TEST(OpcodeName, KnownAndUnknown) {
  EXPECT_EQ(OpcodeName(0x01), "SCSI Command");
  EXPECT_EQ(OpcodeName(0x03), "Login Request");
  EXPECT_EQ(OpcodeName(0x25), "SCSI Data-In");
  EXPECT_EQ(OpcodeName(0x3f), "Reject");
  EXPECT_EQ(OpcodeName(0x1c), "opcode 0x1c");
  EXPECT_EQ(OpcodeName(0x3e), "opcode 0x3e");
}

// ---- Every decoder accepts its own opcode and only that one ---------------------------------

template <typename Pdu>
bool Accepts(Result<Pdu> (*decode)(const Bhs&), const Bhs& bhs) {
  return decode(bhs).ok();
}

TEST(Decoders, AcceptOnlyTheirOpcode) {
  struct Row {
    uint8_t opcode;
    bool (*accepts)(const Bhs&);
  };
  const Row rows[] = {
      {0x00, [](const Bhs& b) { return Accepts(&DecodeNopOut, b); }},
      {0x01, [](const Bhs& b) { return Accepts(&DecodeScsiCommand, b); }},
      {0x02, [](const Bhs& b) { return Accepts(&DecodeTaskMgmtRequest, b); }},
      {0x03, [](const Bhs& b) { return Accepts(&DecodeLoginRequest, b); }},
      {0x04, [](const Bhs& b) { return Accepts(&DecodeTextRequest, b); }},
      {0x05, [](const Bhs& b) { return Accepts(&DecodeDataOut, b); }},
      {0x06, [](const Bhs& b) { return Accepts(&DecodeLogoutRequest, b); }},
      {0x10, [](const Bhs& b) { return Accepts(&DecodeSnackRequest, b); }},
      {0x20, [](const Bhs& b) { return Accepts(&DecodeNopIn, b); }},
      {0x21, [](const Bhs& b) { return Accepts(&DecodeScsiResponse, b); }},
      {0x22, [](const Bhs& b) { return Accepts(&DecodeTaskMgmtResponse, b); }},
      {0x23, [](const Bhs& b) { return Accepts(&DecodeLoginResponse, b); }},
      {0x24, [](const Bhs& b) { return Accepts(&DecodeTextResponse, b); }},
      {0x25, [](const Bhs& b) { return Accepts(&DecodeDataIn, b); }},
      {0x26, [](const Bhs& b) { return Accepts(&DecodeLogoutResponse, b); }},
      {0x31, [](const Bhs& b) { return Accepts(&DecodeR2T, b); }},
      {0x32, [](const Bhs& b) { return Accepts(&DecodeAsyncMessage, b); }},
      {0x3f, [](const Bhs& b) { return Accepts(&DecodeReject, b); }},
  };
  for (const Row& row : rows) {
    for (uint8_t opcode = 0; opcode < 64; ++opcode) {
      // I=1 and F=1 with everything else zero is valid for every PDU type.
      const Bhs bhs = Header(static_cast<uint8_t>(0x40 | opcode), 0x80);
      EXPECT_EQ(row.accepts(bhs), opcode == row.opcode)
          << "decoder for " << OpcodeName(row.opcode) << " given " << OpcodeName(opcode);
    }
  }
}

TEST(Decoders, WrongOpcodeErrorNamesBoth) {
  const Result<ScsiCommandPdu> r = DecodeScsiCommand(Header(0x43, 0x80));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "SCSI Command: opcode 0x03 (Login Request) is not 0x01");
}

// ---- SCSI Command (§11.3) -------------------------------------------------------------------

TEST(ScsiCommand, RfcReadCommand) {
  const Result<ScsiCommandPdu> r = DecodeScsiCommand(kRfcReadCommand);
  ASSERT_TRUE(r.ok()) << r.error();
  const ScsiCommandPdu& p = r.value();
  EXPECT_TRUE(p.final);
  EXPECT_TRUE(p.read);
  EXPECT_FALSE(p.write);
  EXPECT_FALSE(p.immediate);
  EXPECT_EQ(p.attribute, 0);
  EXPECT_EQ(p.lun, 0u);
  EXPECT_EQ(p.itt, 0x14000000u);
  EXPECT_EQ(p.expected_data_transfer_length, 1024u);
  EXPECT_EQ(p.cmd_sn, 0x14u);
  EXPECT_EQ(p.exp_stat_sn, 0x18u);
  EXPECT_EQ(p.cdb[0], 0x28);  // READ(10)
  EXPECT_EQ(p.cdb[8], 0x02);  // TRANSFER LENGTH 2
}

TEST(ScsiCommand, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x41, 0x20 | 0x01);          // I; W, F=0 (unsolicited data follows), ATTR simple
  Put(bhs, 4, {0x02, 0x00, 0x02, 0x00});        // AHS 2 words, DSL 512
  Put(bhs, 8, {0x40, 0x05, 0, 0, 0, 0, 0, 0});  // LUN (flat 5)
  Put(bhs, 16, {0xa1, 0xa2, 0xa3, 0xa4});       // ITT
  Put(bhs, 20, {0x00, 0x01, 0x00, 0x00});       // EDTL 65536
  Put(bhs, 24, {0xb1, 0xb2, 0xb3, 0xb4});       // CmdSN
  Put(bhs, 28, {0xc1, 0xc2, 0xc3, 0xc4});       // ExpStatSN
  Put(bhs, 32, {0x2a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});  // CDB
  const Result<ScsiCommandPdu> r = DecodeScsiCommand(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const ScsiCommandPdu& p = r.value();
  EXPECT_TRUE(p.immediate);
  EXPECT_FALSE(p.final);
  EXPECT_FALSE(p.read);
  EXPECT_TRUE(p.write);
  EXPECT_EQ(p.attribute, 1);
  EXPECT_EQ(p.total_ahs_length, 2);
  EXPECT_EQ(p.data_segment_length, 512u);
  EXPECT_EQ(p.lun, 0x4005000000000000ull);
  EXPECT_EQ(p.itt, 0xa1a2a3a4u);
  EXPECT_EQ(p.expected_data_transfer_length, 65536u);
  EXPECT_EQ(p.cmd_sn, 0xb1b2b3b4u);
  EXPECT_EQ(p.exp_stat_sn, 0xc1c2c3c4u);
  const std::array<uint8_t, 16> cdb = {0x2a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(p.cdb, cdb);
}

TEST(ScsiCommand, RejectsFinalClearWithoutWrite) {
  for (uint8_t flags : {0x00, 0x40}) {  // no W: with and without R
    const Result<ScsiCommandPdu> r = DecodeScsiCommand(Header(0x01, flags));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "SCSI Command: F bit clear with W clear");
  }
}

TEST(ScsiCommand, AllowsReadAndWriteWithZeroTransferLength) {
  // §11.3.1.1 allows R and W both set (bidirectional) and either with EDTL 0.
  const Result<ScsiCommandPdu> r = DecodeScsiCommand(Header(0x01, 0x80 | 0x40 | 0x20));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.value().read);
  EXPECT_TRUE(r.value().write);
  EXPECT_EQ(r.value().expected_data_transfer_length, 0u);
}

TEST(ScsiCommand, TaskAttributes) {
  for (uint8_t attr = 0; attr < 8; ++attr) {
    const Result<ScsiCommandPdu> r = DecodeScsiCommand(Header(0x01, 0x80 | attr));
    if (attr <= 4) {
      ASSERT_TRUE(r.ok()) << r.error();
      EXPECT_EQ(r.value().attribute, attr);
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error(), "SCSI Command: ATTR " + std::to_string(attr) + " is reserved");
    }
  }
}

TEST(ScsiCommand, IgnoresReservedBits) {
  Bhs bhs = kRfcReadCommand;
  bhs[0] |= 0x80;             // byte 0 bit 7
  bhs[1] |= 0x18;             // byte 1 bits 4..3
  Put(bhs, 2, {0xff, 0xff});  // bytes 2..3
  const Result<ScsiCommandPdu> a = DecodeScsiCommand(kRfcReadCommand);
  const Result<ScsiCommandPdu> b = DecodeScsiCommand(bhs);
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(a.value(), b.value());
}

// ---- Task Management Function Request (§11.5) ------------------------------------------------

TEST(TaskMgmtRequest, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x42, 0x80 | 0x01);  // I, ABORT TASK
  Put(bhs, 8, {0x00, 0x03, 0, 0, 0, 0, 0, 0});
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});  // ITT
  Put(bhs, 20, {0x21, 0x22, 0x23, 0x24});  // RTT
  Put(bhs, 24, {0x31, 0x32, 0x33, 0x34});  // CmdSN
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});  // ExpStatSN
  Put(bhs, 32, {0x51, 0x52, 0x53, 0x54});  // RefCmdSN
  Put(bhs, 36, {0x61, 0x62, 0x63, 0x64});  // ExpDataSN
  const Result<TaskMgmtRequestPdu> r = DecodeTaskMgmtRequest(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const TaskMgmtRequestPdu& p = r.value();
  EXPECT_TRUE(p.immediate);
  EXPECT_EQ(p.function, static_cast<uint8_t>(TmfFunction::kAbortTask));
  EXPECT_EQ(p.lun, 0x0003000000000000ull);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.referenced_task_tag, 0x21222324u);
  EXPECT_EQ(p.cmd_sn, 0x31323334u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
  EXPECT_EQ(p.ref_cmd_sn, 0x51525354u);
  EXPECT_EQ(p.exp_data_sn, 0x61626364u);
}

TEST(TaskMgmtRequest, FinalBitMustBeOne) {
  const Result<TaskMgmtRequestPdu> r = DecodeTaskMgmtRequest(Header(0x02, 0x05));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Task Management Request: F bit must be 1");
}

TEST(TaskMgmtRequest, UnknownFunctionIsLeftToTheTmfLayer) {
  // §11.6.1 answers an unknown function with "Task management function not supported".
  for (uint8_t function : {0x00, 0x09, 0x7f}) {
    const Result<TaskMgmtRequestPdu> r =
        DecodeTaskMgmtRequest(Header(0x02, static_cast<uint8_t>(0x80 | function)));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.value().function, function);
  }
}

// ---- SCSI Data-Out (§11.7) -------------------------------------------------------------------

TEST(DataOut, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x05, 0x80);
  Put(bhs, 5, {0x00, 0x20, 0x00});  // DSL 8192
  Put(bhs, 8, {0x00, 0x01, 0, 0, 0, 0, 0, 0});
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});  // ITT
  Put(bhs, 20, {0x21, 0x22, 0x23, 0x24});  // TTT
  Put(bhs, 24, {0xee, 0xee, 0xee, 0xee});  // reserved
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});  // ExpStatSN
  Put(bhs, 32, {0xee, 0xee, 0xee, 0xee});  // reserved
  Put(bhs, 36, {0x00, 0x00, 0x00, 0x07});  // DataSN
  Put(bhs, 40, {0x00, 0x01, 0x00, 0x00});  // Buffer Offset
  Put(bhs, 44, {0xee, 0xee, 0xee, 0xee});  // reserved
  const Result<DataOutPdu> r = DecodeDataOut(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const DataOutPdu& p = r.value();
  EXPECT_TRUE(p.final);
  EXPECT_EQ(p.data_segment_length, 8192u);
  EXPECT_EQ(p.lun, 0x0001000000000000ull);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.target_transfer_tag, 0x21222324u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
  EXPECT_EQ(p.data_sn, 7u);
  EXPECT_EQ(p.buffer_offset, 65536u);
}

TEST(DataOut, FinalBitMayBeEither) {
  ASSERT_TRUE(DecodeDataOut(Header(0x05, 0x00)).ok());
  EXPECT_FALSE(DecodeDataOut(Header(0x05, 0x00)).value().final);
  EXPECT_TRUE(DecodeDataOut(Header(0x05, 0x80)).value().final);
}

// ---- NOP-Out (§11.18) ------------------------------------------------------------------------

TEST(NopOut, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x40, 0x80);
  Put(bhs, 5, {0x00, 0x00, 0x10});
  Put(bhs, 8, {0x00, 0x02, 0, 0, 0, 0, 0, 0});
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});
  Put(bhs, 20, {0xff, 0xff, 0xff, 0xff});
  Put(bhs, 24, {0x31, 0x32, 0x33, 0x34});
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});
  const Result<NopOutPdu> r = DecodeNopOut(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const NopOutPdu& p = r.value();
  EXPECT_TRUE(p.immediate);
  EXPECT_EQ(p.data_segment_length, 16u);
  EXPECT_EQ(p.lun, 0x0002000000000000ull);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.target_transfer_tag, kReservedTag);
  EXPECT_EQ(p.cmd_sn, 0x31323334u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
}

TEST(NopOut, FinalBitMustBeOne) {
  const Result<NopOutPdu> r = DecodeNopOut(Header(0x40, 0x00));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "NOP-Out: F bit must be 1");
}

TEST(NopOut, ReservedTagNeedsImmediate) {
  Bhs bhs = Header(0x00, 0x80);
  Put(bhs, 16, {0xff, 0xff, 0xff, 0xff});
  const Result<NopOutPdu> r = DecodeNopOut(bhs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "NOP-Out: ITT 0xffffffff with I bit clear");
  bhs[0] = 0x40;
  EXPECT_TRUE(DecodeNopOut(bhs).ok());
  // A ping (valid ITT) may be non-immediate.
  EXPECT_TRUE(DecodeNopOut(Header(0x00, 0x80)).ok());
}

// ---- Login Request (§11.12) ------------------------------------------------------------------

TEST(LoginRequest, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x43, 0x80 | 0x04 | 0x03);         // T, CSG 1, NSG 3
  Put(bhs, 2, {0x00, 0x00});                          // Version-max, Version-min
  Put(bhs, 5, {0x00, 0x01, 0x23});                    // DSL 291
  Put(bhs, 8, {0x80, 0x12, 0x34, 0x56, 0x78, 0x9a});  // ISID
  Put(bhs, 14, {0x00, 0x07});                         // TSIH
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});             // ITT
  Put(bhs, 20, {0x00, 0x05});                         // CID
  Put(bhs, 24, {0x31, 0x32, 0x33, 0x34});             // CmdSN
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});             // ExpStatSN
  const Result<LoginRequestPdu> r = DecodeLoginRequest(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const LoginRequestPdu& p = r.value();
  EXPECT_TRUE(p.transit);
  EXPECT_FALSE(p.continue_);
  EXPECT_EQ(p.csg, 1);
  EXPECT_EQ(p.nsg, 3);
  EXPECT_EQ(p.version_max, 0);
  EXPECT_EQ(p.version_min, 0);
  EXPECT_EQ(p.data_segment_length, 291u);
  const std::array<uint8_t, 6> isid = {0x80, 0x12, 0x34, 0x56, 0x78, 0x9a};
  EXPECT_EQ(p.isid, isid);
  EXPECT_EQ(p.tsih, 7);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.cid, 5);
  EXPECT_EQ(p.cmd_sn, 0x31323334u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
}

TEST(LoginRequest, VersionBytes) {
  Bhs bhs = Header(0x43, 0x00);
  Put(bhs, 2, {0x05, 0x02});
  const Result<LoginRequestPdu> r = DecodeLoginRequest(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().version_max, 5);
  EXPECT_EQ(r.value().version_min, 2);
}

TEST(LoginRequest, ImmediateBitMustBeOne) {
  const Result<LoginRequestPdu> r = DecodeLoginRequest(Header(0x03, 0x81));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Login Request: I bit must be 1");
}

TEST(LoginRequest, TransitAndContinueBothSet) {
  const Result<LoginRequestPdu> r = DecodeLoginRequest(Header(0x43, 0x80 | 0x40 | 0x01));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Login Request: T and C both set");
  EXPECT_TRUE(DecodeLoginRequest(Header(0x43, 0x40)).ok());  // C alone: more text follows
}

TEST(LoginRequest, ReservedStages) {
  Result<LoginRequestPdu> r = DecodeLoginRequest(Header(0x43, 0x08));  // CSG 2
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Login Request: CSG 2 is reserved");
  r = DecodeLoginRequest(Header(0x43, 0x80 | 0x02));  // T, NSG 2
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Login Request: NSG 2 is reserved");
  // Without T the NSG field is reserved, hence ignored (§11.12.3).
  r = DecodeLoginRequest(Header(0x43, 0x02));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE(r.value().transit);
}

TEST(LoginRequest, StageOrderIsLeftToTheLoginLayer) {
  // CSG 3 or a backward T transition are legal encodings; the login state machine answers
  // them with an Initiator Error status rather than the codec dropping the PDU.
  EXPECT_TRUE(DecodeLoginRequest(Header(0x43, 0x0c)).ok());
  EXPECT_TRUE(DecodeLoginRequest(Header(0x43, 0x80 | 0x04 | 0x00)).ok());
}

// ---- Text Request (§11.10) -------------------------------------------------------------------

TEST(TextRequest, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x44, 0x80);
  Put(bhs, 5, {0x00, 0x00, 0x10});
  Put(bhs, 8, {0, 0, 0, 0, 0, 0, 0, 9});
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});
  Put(bhs, 20, {0xff, 0xff, 0xff, 0xff});
  Put(bhs, 24, {0x31, 0x32, 0x33, 0x34});
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});
  const Result<TextRequestPdu> r = DecodeTextRequest(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const TextRequestPdu& p = r.value();
  EXPECT_TRUE(p.immediate);
  EXPECT_TRUE(p.final);
  EXPECT_FALSE(p.continue_);
  EXPECT_EQ(p.data_segment_length, 16u);
  EXPECT_EQ(p.lun, 9u);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.target_transfer_tag, kReservedTag);
  EXPECT_EQ(p.cmd_sn, 0x31323334u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
}

TEST(TextRequest, FinalAndContinueBothSet) {
  const Result<TextRequestPdu> r = DecodeTextRequest(Header(0x04, 0xc0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Text Request: F and C both set");
  ASSERT_TRUE(DecodeTextRequest(Header(0x04, 0x40)).ok());
  EXPECT_TRUE(DecodeTextRequest(Header(0x04, 0x40)).value().continue_);
  EXPECT_TRUE(DecodeTextRequest(Header(0x04, 0x00)).ok());  // more requests to come
}

// ---- Logout Request (§11.14) -----------------------------------------------------------------

TEST(LogoutRequest, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x46, 0x80 | 0x01);  // close the connection
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});
  Put(bhs, 20, {0x00, 0x03});
  Put(bhs, 24, {0x31, 0x32, 0x33, 0x34});
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});
  const Result<LogoutRequestPdu> r = DecodeLogoutRequest(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const LogoutRequestPdu& p = r.value();
  EXPECT_TRUE(p.immediate);
  EXPECT_EQ(p.reason_code, 1);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.cid, 3);
  EXPECT_EQ(p.cmd_sn, 0x31323334u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
}

TEST(LogoutRequest, FinalBitMustBeOne) {
  const Result<LogoutRequestPdu> r = DecodeLogoutRequest(Header(0x46, 0x00));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Logout Request: F bit must be 1");
}

TEST(LogoutRequest, ReasonCodes) {
  for (uint8_t reason : {0, 1, 2}) {
    EXPECT_TRUE(DecodeLogoutRequest(Header(0x46, static_cast<uint8_t>(0x80 | reason))).ok());
  }
  for (uint8_t reason : {3, 0x7f}) {
    const Result<LogoutRequestPdu> r =
        DecodeLogoutRequest(Header(0x46, static_cast<uint8_t>(0x80 | reason)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "Logout Request: reason code " + std::to_string(reason) + " is reserved");
  }
}

// ---- SNACK Request (§11.16) ------------------------------------------------------------------

TEST(SnackRequest, EveryFieldAtItsOffset) {
  Bhs bhs = Header(0x10, 0x80 | 0x03);  // R-Data
  Put(bhs, 8, {0x00, 0x04, 0, 0, 0, 0, 0, 0});
  Put(bhs, 16, {0x11, 0x12, 0x13, 0x14});
  Put(bhs, 20, {0x21, 0x22, 0x23, 0x24});
  Put(bhs, 28, {0x41, 0x42, 0x43, 0x44});
  Put(bhs, 40, {0x51, 0x52, 0x53, 0x54});
  Put(bhs, 44, {0x61, 0x62, 0x63, 0x64});
  const Result<SnackRequestPdu> r = DecodeSnackRequest(bhs);
  ASSERT_TRUE(r.ok()) << r.error();
  const SnackRequestPdu& p = r.value();
  EXPECT_EQ(p.type, 3);
  EXPECT_EQ(p.lun, 0x0004000000000000ull);
  EXPECT_EQ(p.itt, 0x11121314u);
  EXPECT_EQ(p.target_transfer_tag, 0x21222324u);
  EXPECT_EQ(p.exp_stat_sn, 0x41424344u);
  EXPECT_EQ(p.beg_run, 0x51525354u);
  EXPECT_EQ(p.run_length, 0x61626364u);
}

TEST(SnackRequest, FixedBitAndReservedTypes) {
  Result<SnackRequestPdu> r = DecodeSnackRequest(Header(0x10, 0x00));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "SNACK Request: F bit must be 1");
  r = DecodeSnackRequest(Header(0x10, 0x84));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "SNACK Request: type 4 is reserved");
  EXPECT_TRUE(DecodeSnackRequest(Header(0x10, 0x82)).ok());  // DataACK
}

// ---- LUN (SAM-5 §4.7) ------------------------------------------------------------------------

TEST(Lun, PeripheralAddressing) {
  uint64_t lun = 99;
  ASSERT_TRUE(DecodeLun(0, &lun));
  EXPECT_EQ(lun, 0u);
  ASSERT_TRUE(DecodeLun(0x00ff000000000000ull, &lun));
  EXPECT_EQ(lun, 255u);
  EXPECT_FALSE(DecodeLun(0x0105000000000000ull, &lun)) << "bus identifier 1 is another bus";
}

TEST(Lun, FlatSpaceAddressing) {
  uint64_t lun = 99;
  ASSERT_TRUE(DecodeLun(0x4000000000000000ull, &lun));
  EXPECT_EQ(lun, 0u);
  ASSERT_TRUE(DecodeLun(0x4105000000000000ull, &lun));
  EXPECT_EQ(lun, 0x105u);
  ASSERT_TRUE(DecodeLun(0x7fff000000000000ull, &lun));
  EXPECT_EQ(lun, kMaxFlatLun);
}

TEST(Lun, RejectsOtherMethodsAndSecondLevels) {
  uint64_t lun = 0;
  EXPECT_FALSE(DecodeLun(0x8001000000000000ull, &lun));  // logical unit addressing
  EXPECT_FALSE(DecodeLun(0xc101000000000000ull, &lun));  // well-known LU (extended)
  EXPECT_FALSE(DecodeLun(0xd200000100000000ull, &lun));  // extended flat space
  EXPECT_FALSE(DecodeLun(kInvalidLunField, &lun));
  EXPECT_FALSE(DecodeLun(0x0005000100000000ull, &lun));  // second level present
  EXPECT_FALSE(DecodeLun(0x0005000000000001ull, &lun));
}

TEST(Lun, Encode) {
  EXPECT_EQ(EncodeLun(0), 0u);
  EXPECT_EQ(EncodeLun(1), 0x0001000000000000ull);
  EXPECT_EQ(EncodeLun(255), 0x00ff000000000000ull);
  EXPECT_EQ(EncodeLun(256), 0x4100000000000000ull);
  EXPECT_EQ(EncodeLun(kMaxFlatLun), 0x7fff000000000000ull);
  EXPECT_EQ(EncodeLun(kMaxFlatLun + 1), kInvalidLunField);
}

TEST(Lun, RoundTripsEveryEncodableLun) {
  for (uint64_t lun = 0; lun <= kMaxFlatLun; ++lun) {
    uint64_t back = ~lun;
    ASSERT_TRUE(DecodeLun(EncodeLun(lun), &back)) << lun;
    ASSERT_EQ(back, lun);
  }
}

}  // namespace
}  // namespace reftarget::iscsi
