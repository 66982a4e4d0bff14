// A raw Full Feature Phase client (RFC 7143 §11.3-11.8, §11.14, §11.18) that honours the
// negotiated ImmediateData / InitialR2T / FirstBurstLength / MaxBurstLength /
// MaxRecvDataSegmentLength / MaxOutstandingR2T rules (RFC 7143 §13) while checking the
// target's side of them, with hooks to break those rules on purpose.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/iscsi/command_result.h"
#include "suites/conformance/open/open_common.h"
#include "suites/conformance/open/open_login.h"

namespace conformance {

// What one raw SCSI command produced, plus the target's protocol violations seen meanwhile.
struct RawOutcome {
  uint32_t itt = 0;        // the command's Initiator Task Tag
  uint32_t cmd_sn = 0;     // the CmdSN it carried
  bool completed = false;  // SCSI Response, or Data-In with status
  bool closed = false;     // the connection closed before that
  bool timed_out = false;
  uint8_t response = 0;
  uint8_t status = 0xff;
  std::vector<uint8_t> sense;  // sense bytes without SenseLength
  std::vector<uint8_t> data;   // Data-In placed at its offsets
  uint32_t data_in_bytes = 0;  // payload bytes received in Data-In PDUs
  size_t data_in_pdus = 0;
  size_t r2ts = 0;
  bool underflow = false;
  bool overflow = false;
  uint32_t residual = 0;
  std::vector<Pdu> rejects;
  std::vector<std::string> violations;  // rules the target broke (RFC 7143 §11.7-11.8)
  std::string error;

  bool good() const { return completed && status == 0; }
  // Returns "GOOD", "CHECK CONDITION 0B/47/05", "closed", "timeout: ...".
  std::string Describe() const;
  // The result in the harness's CommandResult form, for EXPECT_SCSI.
  harness::iscsi::CommandResult ToCommandResult(const std::vector<uint8_t>& cdb) const;
};

// One command for RawClient::Execute.
struct RawCommand {
  uint32_t lun = 0;
  std::vector<uint8_t> cdb;
  std::vector<uint8_t> data_out;          // WRITE data (W bit when not empty)
  uint32_t data_in_length = 0;            // READ buffer (R bit when > 0)
  std::optional<uint32_t> edtl;           // Expected Data Transfer Length override
  std::optional<uint32_t> cmd_sn;         // CmdSN override (the client's counter is kept)
  bool immediate = false;                 // I bit (RFC 7143 §4.2.2.1)
  bool expect_reply = true;               // false: send and return at once
  uint32_t max_data_pdu = 0;              // cap on our Data-Out / immediate segment (0: MRDSL)
  bool corrupt_immediate_digest = false;  // invert the data digest of the immediate data
  bool corrupt_first_data_out_digest = false;
  bool corrupt_header_digest = false;  // invert the header digest of the command PDU
  // Called with the Data-Out PDUs of each burst (unsolicited first, then per R2T) before
  // they are sent; may change, reorder, drop or add PDUs.
  std::function<void(std::vector<Pdu>*)> rewrite_burst;
  // Wait after an R2T for further R2Ts (to count outstanding ones) before answering.
  Ms r2t_gather{0};
  Ms limit = kReplyLimit;
};

class RawClient {
 public:
  // Connects to t.portal and logs in with `keys` (added to the raw login's defaults).
  // Returns null with `*error` set unless Full Feature Phase was reached.
  static std::unique_ptr<RawClient> Open(const TargetUnderTest& t, const std::string& initiator,
                                         const KeyValues& keys, std::string* error,
                                         std::optional<std::array<uint8_t, 6>> isid = {},
                                         uint32_t initial_cmd_sn = 1,
                                         const std::string& header_digest = "None",
                                         const std::string& data_digest = "None");
  // Wraps an already logged-in connection.
  RawClient(std::unique_ptr<RawConnection> conn, const harness::rawpdu::RawLoginResult& login,
            Negotiated negotiated);

  // Runs one command (RFC 7143 §11.3-11.8), honouring the negotiated data rules.
  RawOutcome Execute(const RawCommand& command);
  // Sends TEST UNIT READY until GOOD (at most 8 times), consuming unit attentions.
  bool ClearUnitAttentions(uint32_t lun, std::string* error);
  // WRITE(16) / READ(16) conveniences.
  RawOutcome Write(uint32_t lun, uint64_t lba, const std::vector<uint8_t>& data,
                   uint32_t block_size);
  RawOutcome Read(uint32_t lun, uint64_t lba, uint32_t blocks, uint32_t block_size);

  // Sends a PDU (ExpStatSN filled in); with `corrupt_header_digest` the header digest is
  // inverted.
  bool Send(Pdu pdu, std::string* error, bool corrupt_data_digest = false,
            bool corrupt_header_digest = false);
  // Receives the next PDU within `limit`, answering NOP-In pings and tracking
  // StatSN / ExpCmdSN / MaxCmdSN.
  harness::rawpdu::RecvStatus Next(Pdu* out, Ms limit, std::string* error);
  // Receives until a PDU with `opcode` (and `itt`, unless kReservedTag) arrives; other PDUs
  // go to `*others` if given.
  harness::rawpdu::RecvStatus WaitFor(uint8_t opcode, uint32_t itt, Pdu* out, Ms limit,
                                      std::string* error, std::vector<Pdu>* others = nullptr);
  // True if nothing but NOP-In pings arrives for `window` (the connection stays open).
  bool Quiet(Ms window, std::vector<Pdu>* arrived);

  // Sends a Logout Request (RFC 7143 §11.14) with `reason` and `cid` and waits for the
  // Logout Response. Returns its Response field (RFC 7143 §11.15.1), or -1 with `*error` set.
  int Logout(uint8_t reason, uint16_t cid, std::string* error, Pdu* response = nullptr);

  // How one command ended, as Collect saw it.
  struct Ended {
    uint8_t response = 0;
    uint8_t status = 0;
    std::vector<uint8_t> sense;
  };
  // Receives until every tag in `itts` has ended (SCSI Response, or Data-In with status) or
  // `limit` passes. Data-In payloads are dropped; unrelated PDUs go to `*others` if given.
  // `*closed` (if given) tells whether the connection closed meanwhile.
  std::map<uint32_t, Ended> Collect(const std::set<uint32_t>& itts, Ms limit,
                                    std::vector<Pdu>* others = nullptr, bool* closed = nullptr);
  // Every response so far whose MaxCmdSN was below ExpCmdSN - 1 (RFC 7143 §4.2.2.1 allows
  // that only as "ignore this pair"; a target must never shrink the window below empty).
  const std::vector<std::string>& window_problems() const { return window_problems_; }

  // Task management request (RFC 7143 §11.5), immediate, CmdSN = the current CmdSN.
  Pdu TaskManagement(uint8_t function, uint32_t lun, uint32_t referenced_itt, uint32_t ref_cmd_sn,
                     uint32_t itt) const;
  // Logout request (RFC 7143 §11.14) with `reason` (0-2) and `cid`.
  Pdu LogoutRequest(uint8_t reason, uint16_t cid, uint32_t itt) const;
  // NOP-Out (RFC 7143 §11.18).
  Pdu NopOut(uint32_t itt, uint32_t ttt, const std::vector<uint8_t>& data) const;
  // Builds a SCSI Command PDU without sending it.
  Pdu ScsiCommand(const RawCommand& command, uint32_t itt, uint32_t cmd_sn, bool final_bit) const;

  uint32_t NextItt() { return next_itt_++; }
  // The CmdSN the next non-immediate command carries; Consume() advances it.
  uint32_t cmd_sn() const { return cmd_sn_; }
  uint32_t Consume() { return cmd_sn_++; }
  uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  uint32_t max_cmd_sn() const { return max_cmd_sn_; }
  uint32_t exp_stat_sn() const { return exp_stat_sn_; }
  const Negotiated& negotiated() const { return negotiated_; }
  const harness::rawpdu::RawLoginResult& login() const { return login_; }
  RawConnection* conn() { return conn_.get(); }
  uint16_t tsih() const { return login_.tsih; }

 private:
  void Track(const Pdu& pdu);
  // Sends the Data-Out PDUs for [offset, offset + length) of `data`.
  std::vector<Pdu> BuildDataOut(const RawCommand& c, uint32_t itt, uint32_t ttt, uint32_t offset,
                                uint32_t length) const;

  std::unique_ptr<RawConnection> conn_;
  harness::rawpdu::RawLoginResult login_;
  Negotiated negotiated_;
  uint32_t cmd_sn_;
  uint32_t exp_cmd_sn_;
  uint32_t max_cmd_sn_;
  uint32_t exp_stat_sn_;
  uint32_t next_itt_;
  std::vector<std::string> window_problems_;
};

}  // namespace conformance
