// Shared helpers for the hostile_*.cc tests of the "open" conformance program (TEST-PLAN
// T01-T27, protocol level): a raw connection logged in to Full Feature Phase, PDU builders,
// "what did the target do" after a hostile PDU, and the check every test ends with: the
// target process is alive and a separate healthy session still does verified I/O.
//
// Rows covered: T01-T04, T20 (hostile_login), T12, T26, T27 (hostile_connection), T14
// (hostile_text), T15, T16 (hostile_cmdsn), T17 (hostile_dataout), malformed BHS / SNACK
// (hostile_pdu); T05-T10 need CHAP and ACLs and live in the "auth" program. Not here: T11
// (XCOPY, a SCSI command set question), T13 (in-process fuzzers of the target's parsers),
// T18 (residuals) and T19, T21-T23 (digests, task management, reinstatement: the other
// open/ files), T24, T25 (need netfault) and T28-T46 (faultfs, process faults, soak).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/iscsi/command_result.h"
#include "harness/rawpdu/iscsi_pdu.h"
#include "harness/rawpdu/raw_connection.h"
#include "harness/rawpdu/raw_login.h"
#include "harness/suite_support/target_under_test.h"

namespace conformance::hostile {

using harness::rawpdu::KeyValues;
using harness::rawpdu::Pdu;
using harness::suite::TargetUnderTest;

// Reject reasons (RFC 7143 §11.17.1).
inline constexpr uint8_t kRejectDataDigest = 0x02;
inline constexpr uint8_t kRejectSnack = 0x03;
inline constexpr uint8_t kRejectProtocolError = 0x04;
inline constexpr uint8_t kRejectNotSupported = 0x05;
inline constexpr uint8_t kRejectImmediate = 0x06;
inline constexpr uint8_t kRejectTaskInProgress = 0x07;
inline constexpr uint8_t kRejectInvalidDataAck = 0x08;
inline constexpr uint8_t kRejectInvalidPduField = 0x09;
inline constexpr uint8_t kRejectOutOfResources = 0x0a;
inline constexpr uint8_t kRejectWaitingForLogout = 0x0c;


// Connects to t.portal without logging in; null with `*error` on failure.
std::unique_ptr<harness::rawpdu::RawConnection> ConnectRaw(const TargetUnderTest& t,
                                                           std::string* error);

// Returns login options for a Normal session on `t` as a fresh demo-mode initiator named
// after `tag`, with a fresh ISID; nullopt if the target admits no initiator without CHAP.
std::optional<harness::rawpdu::RawLoginOptions> OpenLoginOptions(const TargetUnderTest& t,
                                                                 const std::string& tag);

// A raw connection in Full Feature Phase with the sequence numbers a test needs.
class RawFfp {
 public:
  // Logs in on `t` as `tag` with `extra` operational keys (RawLoginOptions semantics).
  // Returns null with `*error` when the connection or the login fails.
  // The first LUN's pending unit attentions (a new I_T nexus sees 29h/00h) are consumed
  // with TEST UNIT READY, so that tests see only what their own PDUs cause.
  static std::unique_ptr<RawFfp> Login(const TargetUnderTest& t, const std::string& tag,
                                       const KeyValues& extra, std::string* error);

  harness::rawpdu::RawConnection* conn() { return conn_.get(); }
  const harness::rawpdu::RawLoginResult& login() const { return login_; }
  uint32_t lun() const { return lun_; }
  uint32_t block_size() const { return block_size_; }
  uint32_t cmd_sn() const { return cmd_sn_; }
  uint32_t exp_stat_sn() const { return exp_stat_sn_; }
  uint32_t max_cmd_sn() const { return max_cmd_sn_; }
  // The highest ExpCmdSN the target has reported (from login on).
  uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  // Sets the CmdSN the next non-immediate command uses.
  void set_cmd_sn(uint32_t cmd_sn) { cmd_sn_ = cmd_sn; }
  uint32_t NextItt() { return next_itt_++; }
  // Returns the CmdSN for a new non-immediate command and advances it.
  uint32_t TakeCmdSn() { return cmd_sn_++; }

  // Builds a SCSI Command (RFC 7143 §11.3) on the test LUN: non-immediate with the next
  // CmdSN unless `immediate`; F=1; R/W from `read` / `write`; `data` as immediate data.
  Pdu ScsiCommand(uint32_t itt, const std::vector<uint8_t>& cdb, bool read, bool write,
                  uint32_t edtl, std::vector<uint8_t> data = {}, bool immediate = false);
  // Builds a Data-Out (RFC 7143 §11.7) on the test LUN.
  Pdu DataOut(uint32_t itt, uint32_t ttt, uint32_t data_sn, uint32_t offset,
              std::vector<uint8_t> data, bool final) const;
  // Builds an immediate NOP-Out ping (RFC 7143 §11.18) with `itt`.
  Pdu NopPing(uint32_t itt, std::vector<uint8_t> data = {}) const;
  // Builds a Text Request (RFC 7143 §11.10), immediate, with F / C bits and `ttt`.
  Pdu TextRequest(uint32_t itt, uint32_t ttt, bool final, bool cont,
                  std::vector<uint8_t> data) const;

  // Sends `pdu`; false with `*error` if the connection refuses it.
  bool Send(const Pdu& pdu, std::string* error);
  // Sends raw bytes; false with `*error` if the connection refuses them.
  bool SendBytes(const std::vector<uint8_t>& bytes, std::string* error);

  // What the target did next, skipping (and answering) NOP-In pings and async messages.
  struct Reaction {
    enum class Kind { kPdu, kClosed, kSilence, kBroken };
    Kind kind = Kind::kSilence;
    Pdu pdu;             // when kPdu
    std::string detail;  // receive error text
    bool IsReject(std::initializer_list<uint8_t> reasons) const;
    bool IsScsiResponse() const;
    std::string Describe() const;
  };
  // Waits up to `wait` for the next PDU, tracking StatSN / ExpCmdSN / MaxCmdSN.
  Reaction Await(std::chrono::milliseconds wait);
  // Waits up to `wait` for the SCSI Response (or final Data-In) of `itt`, collecting Rejects
  // (and returning at the first one that quotes `itt` when `stop_at_reject`); R2Ts are not
  // answered. Returns the response, the Reject, or what ended the wait.
  Reaction AwaitResponse(uint32_t itt, std::chrono::milliseconds wait,
                         std::vector<Pdu>* rejects = nullptr, bool stop_at_reject = false);
  // True if an immediate NOP-Out ping still gets its NOP-In within 2 s on this connection.
  bool PingWorks(std::string* why);

 private:
  RawFfp() = default;
  void Track(const Pdu& pdu);

  std::unique_ptr<harness::rawpdu::RawConnection> conn_;
  harness::rawpdu::RawLoginResult login_;
  uint32_t lun_ = 0;
  uint32_t block_size_ = 512;
  uint32_t cmd_sn_ = 0;
  uint32_t exp_stat_sn_ = 0;
  uint32_t max_cmd_sn_ = 0;
  uint32_t exp_cmd_sn_ = 0;
  uint32_t next_itt_ = 0x100;
};

// Converts a SCSI Response PDU into the harness's CommandResult (for EXPECT_SCSI).
harness::iscsi::CommandResult ToCommandResult(const Pdu& response,
                                              const std::vector<uint8_t>& cdb,
                                              uint32_t expected_length = 0);

// Returns WRITE(16) / READ(16) CDBs.
std::vector<uint8_t> Write16Cdb(uint64_t lba, uint32_t blocks);
std::vector<uint8_t> Read16Cdb(uint64_t lba, uint32_t blocks);

// Writes `data` at `lba` of the test LUN through a healthy libiscsi session; reads blocks
// back through one. Both fail the test (non-fatally) and return false / {} on error.
bool HealthyWrite(const TargetUnderTest& t, uint64_t lba, const std::vector<uint8_t>& data);
std::vector<uint8_t> HealthyRead(const TargetUnderTest& t, uint64_t lba, uint32_t blocks);
// Returns `blocks` blocks of random bytes.
std::vector<uint8_t> RandomBlocks(const TargetUnderTest& t, uint32_t blocks);

// Expects the target process to be alive (kill(pid, 0) when known), a fresh healthy session
// to log in within 2 s and to write, read back and compare one block of the first LUN.
void ExpectTargetServes(const TargetUnderTest& t, const std::string& context);

}  // namespace conformance::hostile

// A raw session `s` in the Full Feature Phase as an initiator that needs no CHAP, with
// `extra` login keys; skips when the target has no such initiator, fails if login fails.
#define LOGIN_FFP(t, s, tag, extra)                                             \
  std::string s##_error;                                                        \
  auto s = ::conformance::hostile::RawFfp::Login((t), (tag), (extra), &s##_error); \
  if (!s && s##_error.find("no initiator without CHAP") != std::string::npos)   \
    GTEST_SKIP() << s##_error;                                                  \
  ASSERT_TRUE(s) << s##_error
