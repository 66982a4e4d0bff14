#include "harness/iscsi/outgoing_pdu.h"

#include <gtest/gtest.h>

#include <array>

namespace harness::iscsi {
namespace {

TEST(OutgoingPduTest, ScsiCommandFields) {
  // RFC 7143 §11.3: opcode 01h, F+R flags, DSL 0, LUN 0, ITT, EDTL, CmdSN, ExpStatSN, CDB.
  std::array<uint8_t, 48> bhs{};
  bhs[0] = 0x01;
  bhs[1] = 0xc1;
  bhs[19] = 0x07;              // ITT 7
  bhs[22] = 0x02;              // EDTL 512
  bhs[27] = 0x05;              // CmdSN 5
  bhs[32] = 0x28;              // READ(10)
  OutgoingPdu pdu(std::span<uint8_t, 48>(bhs), {}, 0);
  EXPECT_EQ(pdu.opcode(), pdu_opcode::kScsiCommand);
  EXPECT_FALSE(pdu.immediate());
  EXPECT_EQ(pdu.flags(), 0xc1);
  EXPECT_EQ(pdu.itt(), 7u);
  EXPECT_EQ(pdu.expected_data_transfer_length(), 512u);
  EXPECT_EQ(pdu.cmdsn(), 5u);
  EXPECT_EQ(pdu.cdb()[0], 0x28);
  pdu.set_expected_data_transfer_length(256);
  EXPECT_EQ(bhs[22], 0x01);
  EXPECT_EQ(bhs[23], 0x00);
  pdu.set_cmdsn(0x01020304);
  EXPECT_EQ(bhs[24], 1);
  EXPECT_EQ(bhs[27], 4);
  pdu.set_data_segment_length(0x123456);
  EXPECT_EQ(bhs[5], 0x12);
  EXPECT_EQ(bhs[7], 0x56);
  EXPECT_EQ(pdu.data_segment_length(), 0x123456u);
  pdu.set_lun(0x0001000000000000ULL);
  EXPECT_EQ(bhs[9], 0x01);
  EXPECT_EQ(pdu.lun(), 0x0001000000000000ULL);
  EXPECT_NE(pdu.Describe().find("SCSI Command"), std::string::npos);
  EXPECT_NE(pdu.Describe().find("edtl=256"), std::string::npos);
}

TEST(OutgoingPduTest, DataOutFields) {
  std::array<uint8_t, 48> bhs{};
  bhs[0] = 0x05;
  OutgoingPdu pdu(std::span<uint8_t, 48>(bhs), {}, 4096);
  pdu.set_ttt(0xabcd);
  pdu.set_data_sn(3);
  pdu.set_buffer_offset(8192);
  EXPECT_EQ(pdu.ttt(), 0xabcdu);
  EXPECT_EQ(bhs[39], 3);
  EXPECT_EQ(pdu.buffer_offset(), 8192u);
  EXPECT_EQ(pdu.payload_length(), 4096u);
  EXPECT_NE(pdu.Describe().find("Data-Out"), std::string::npos);
}

TEST(OutgoingPduTest, OpcodeNames) {
  EXPECT_EQ(PduOpcodeName(pdu_opcode::kTaskManagement), "Task Management Request");
  EXPECT_EQ(PduOpcodeName(0x3e), "opcode 0x3e");
}

}  // namespace
}  // namespace harness::iscsi
