// RawSession: SCSI commands over a logged-in RawConnection (RFC 7143 §11.3-11.8): immediate
// data, R2T / Data-Out, Data-In collection, SCSI Response and sense, Reject PDUs, and
// answers to NOP-In pings. One command at a time; ERL 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"

namespace harness::rawpdu {

struct RawScsiResult {
  bool completed = false;  // a SCSI Response (or Data-In with status) arrived
  uint8_t response = 0;    // iSCSI response code (byte 2)
  uint8_t status = 0xff;   // SCSI status
  std::optional<Sense> sense;
  std::vector<uint8_t> data;  // Data-In payload placed at its buffer offsets
  std::vector<Pdu> rejects;   // Reject PDUs seen while the command ran
  std::string error;          // transport problem (timeout, close, digest), if any
};

struct CommandOptions {
  bool corrupt_data_digest = false;      // invert the data digest of the immediate data
  bool corrupt_data_out_digest = false;  // invert the data digest of the first Data-Out
  std::chrono::milliseconds timeout{10000};
};

// Returns "GOOD", "CHECK CONDITION 06/29/00" or the transport error, for messages.
std::string DescribeResult(const RawScsiResult& result);

class RawSession {
 public:
  // REQUIRES: login.full_feature.
  RawSession(RawConnection* conn, const RawLoginResult& login);

  // Runs `cdb` on `lun`, sending `data_out` (immediate data, then Data-Out per R2T) and
  // accepting up to `data_in_length` bytes.
  RawScsiResult Execute(uint32_t lun, const std::vector<uint8_t>& cdb,
                        const std::vector<uint8_t>& data_out, uint32_t data_in_length,
                        const CommandOptions& options = {});
  // WRITE(16) of `data` (a whole number of blocks) at `lba`.
  RawScsiResult Write16(uint32_t lun, uint64_t lba, const std::vector<uint8_t>& data,
                        uint32_t block_size, const CommandOptions& options = {});
  // READ(16) of `blocks` blocks at `lba`.
  RawScsiResult Read16(uint32_t lun, uint64_t lba, uint32_t blocks, uint32_t block_size,
                       const CommandOptions& options = {});
  // Sends TEST UNIT READY until it returns GOOD (at most 5 times), consuming the unit
  // attentions a new I_T nexus may have pending (SPC-4 §5.14, power on / reset 29h/00h).
  // Returns false with `*error` if it never does.
  bool ClearUnitAttentions(uint32_t lun, std::string* error);
  // Logout (close the session) and wait for the response. Returns false with `*error`.
  bool Logout(std::chrono::milliseconds timeout, std::string* error);

  uint32_t cmd_sn() const { return cmd_sn_; }
  uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  uint32_t exp_stat_sn() const { return exp_stat_sn_; }

 private:
  // Tracks StatSN / ExpCmdSN / MaxCmdSN from a target PDU.
  void Track(const Pdu& pdu);
  // Answers a NOP-In that asks for a reply (TTT != 0xffffffff).
  bool AnswerNopIn(const Pdu& nop, std::string* error);
  bool SendDataOut(uint32_t lun, uint32_t itt, uint32_t ttt, const std::vector<uint8_t>& data,
                   uint32_t offset, uint32_t length, bool corrupt_first, std::string* error);

  RawConnection* conn_;
  uint32_t cmd_sn_;
  uint32_t exp_cmd_sn_;
  uint32_t max_cmd_sn_;
  uint32_t exp_stat_sn_;
  uint32_t next_itt_;
  uint32_t max_send_segment_;
  uint32_t first_burst_;
  bool immediate_data_;
};

}  // namespace harness::rawpdu
