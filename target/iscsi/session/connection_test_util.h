// Test harness for the iSCSI session layer: a Connection on one end of a socketpair, driven
// by a small blocking initiator on the other end. Every wait is bounded (kWaitMs), so a target
// that never answers fails the test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "target/backstore/faulty_backstore.h"
#include "target/iscsi/login/text_keys.h"
#include "target/iscsi/pdu/pdu.h"
#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/session_table.h"
#include "target/iscsi/session/target_registry.h"
#include "target/net/reactor.h"
#include "target/scsi/logical_unit.h"

namespace reftarget::iscsi::testing {

inline constexpr char kTargetName[] = "iqn.2026-01.org.reftarget:session-test";
inline constexpr char kInitiatorName[] = "iqn.2026-01.org.example:initiator";
inline constexpr uint32_t kBlockSize = 512;
inline constexpr uint64_t kLun0Bytes = 4u << 20;  // ramdisk
inline constexpr uint64_t kLun1Bytes = 1u << 20;  // faulty over ramdisk
// Upper bound of every wait for the target.
inline constexpr int kWaitMs = 5000;
// How long "the target sends nothing" is watched for.
inline constexpr int kQuietMs = 150;

// One PDU as the initiator received it.
struct Pdu {
  Bhs bhs{};
  std::vector<uint8_t> data;
  uint8_t opcode() const { return bhs[0] & 0x3f; }
  uint32_t itt() const { return Load32(&bhs[16]); }
  uint32_t stat_sn() const { return Load32(&bhs[24]); }
  uint32_t exp_cmd_sn() const { return Load32(&bhs[28]); }
  uint32_t max_cmd_sn() const { return Load32(&bhs[32]); }
};

// Returns the milliseconds left until `deadline`, at least 0.
int RemainingMs(std::chrono::steady_clock::time_point deadline);

// Returns "Reject(0x04)" / "SCSI Response" style names for failure messages.
std::string Describe(const Pdu& pdu);

struct LoginOptions {
  std::string initiator_name = kInitiatorName;
  std::string target_name = kTargetName;  // ignored for discovery
  bool discovery = false;
  // true: CSG 0 (AuthMethod) then CSG 1; false: straight to the operational stage.
  bool security_stage = true;
  std::array<uint8_t, 6> isid = {0x80, 0x12, 0x34, 0x56, 0x78, 0x01};
  uint32_t cmd_sn = 1;
  // Operational keys sent in the operational stage. Defaults() gives a sane set.
  std::vector<login::KeyValue> operational = Defaults();
  // Non-empty user: AuthMethod=CHAP with this one-way secret.
  std::string chap_user;
  std::string chap_secret;
  // Repeat InitiatorName and SessionType/TargetName in every security-stage PDU, as
  // libiscsi 1.19 does in a CHAP discovery login; `repeated_initiator_name` overrides the
  // repeated InitiatorName's value.
  bool repeat_declarations = false;
  std::string repeated_initiator_name;

  static std::vector<login::KeyValue> Defaults();
  // Sets (or adds) key `k` in `operational`.
  LoginOptions& Set(const std::string& k, const std::string& v);
};

struct LoginResult {
  bool ok = false;  // the session reached the full feature phase
  uint8_t status_class = 0;
  uint8_t status_detail = 0;
  uint16_t tsih = 0;
  std::vector<Pdu> responses;               // every Login Response, in order
  std::map<std::string, std::string> keys;  // every key the target sent
  std::string error;                        // test-side problem (timeout, close, ...)
  uint16_t status() const { return static_cast<uint16_t>(status_class << 8 | status_detail); }
};

// A SCSI command as the test wants it sent.
struct ScsiRequest {
  std::vector<uint8_t> cdb;
  uint64_t lun = 0;
  bool read = false;
  bool write = false;
  uint32_t edtl = 0;
  std::vector<uint8_t> write_data;   // the whole Data-Out buffer (write only)
  uint32_t immediate_bytes = 0;      // sent as immediate data in the command PDU
  uint32_t unsolicited_bytes = 0;    // then sent as unsolicited Data-Out (TTT ffffffff)
  uint32_t data_out_segment = 4096;  // size of each Data-Out PDU
  bool answer_r2ts = true;           // FinishScsi answers R2Ts from write_data
  bool immediate = false;            // the I bit
  std::optional<uint32_t> cmd_sn;    // explicit CmdSN (the counter is not advanced)
  uint32_t itt = 0;                  // 0: the next free tag
};

struct ScsiResult {
  bool completed = false;  // a status arrived
  uint8_t status = 0xff;
  bool status_in_data_in = false;  // phase collapse
  std::vector<uint8_t> sense;      // without the 2-byte SenseLength
  std::vector<uint8_t> data_in;    // assembled by Buffer Offset
  std::vector<DataInPdu> data_ins;
  std::vector<R2TPdu> r2ts;
  std::vector<Pdu> others;  // PDUs for other tasks (Rejects, NOP-In, ...)
  bool underflow = false;
  bool overflow = false;
  uint32_t residual = 0;
  uint32_t max_cmd_sn = 0;
  std::string error;  // timeout, close, protocol surprise
  uint8_t sense_key() const { return sense.size() > 2 ? sense[2] & 0x0f : 0; }
  uint8_t asc() const { return sense.size() > 12 ? sense[12] : 0; }
  uint8_t ascq() const { return sense.size() > 13 ? sense[13] : 0; }
};

// CDB builders.
std::vector<uint8_t> TestUnitReadyCdb();
std::vector<uint8_t> Read10Cdb(uint32_t lba, uint16_t blocks);
std::vector<uint8_t> Write10Cdb(uint32_t lba, uint16_t blocks);
// Returns `n` bytes of a pattern that differs per `seed`.
std::vector<uint8_t> Pattern(size_t n, uint32_t seed);

// The initiator side of one connection. Blocking sends and receives, each bounded.
class Initiator {
 public:
  explicit Initiator(int fd);
  ~Initiator();
  Initiator(const Initiator&) = delete;
  Initiator& operator=(const Initiator&) = delete;

  // ---- raw transport ----
  bool SendRaw(std::span<const uint8_t> bytes);
  // Sends `bhs` (DataSegmentLength and TotalAHSLength filled in) with `ahs`, `data`, padding
  // and the negotiated digests; `corrupt_*` flips one bit of the respective digest.
  bool SendPdu(Bhs bhs, std::span<const uint8_t> data = {}, std::span<const uint8_t> ahs = {},
               bool corrupt_header_digest = false, bool corrupt_data_digest = false);
  // Receives one PDU, verifying digests; nullopt on timeout, close or a bad digest (error()).
  std::optional<Pdu> Recv(int timeout_ms = kWaitMs);
  // Returns true if the target closes the connection within `timeout_ms`; PDUs received
  // meanwhile are kept in discarded().
  bool WaitForClose(int timeout_ms = kWaitMs);
  // Returns true if nothing (no byte, no close) arrives within `ms`.
  bool Quiet(int ms = kQuietMs);
  bool closed() const { return closed_; }
  const std::string& error() const { return error_; }
  const std::vector<Pdu>& discarded() const { return discarded_; }
  int fd() const { return fd_; }

  // ---- login ----
  // Builds a Login Request for this initiator's ISID/ITT/CmdSN.
  LoginRequestPdu MakeLogin(uint8_t csg, uint8_t nsg, bool transit) const;
  // Sends one Login Request with `keys` and waits for its response.
  std::optional<Pdu> LoginStep(const LoginRequestPdu& req, const std::string& keys);
  // Runs a whole login as `options` say; on success enables the negotiated digests.
  LoginResult Login(const LoginOptions& options);

  // ---- full feature phase ----
  uint32_t NextItt() { return next_itt_++; }
  // Sends the command PDU (+ immediate data) and its unsolicited Data-Out; returns the ITT.
  uint32_t StartScsi(const ScsiRequest& request);
  // Answers R2Ts and collects Data-In until the status of `itt` arrives.
  ScsiResult FinishScsi(uint32_t itt, const ScsiRequest& request, int timeout_ms = kWaitMs);
  ScsiResult Scsi(const ScsiRequest& request);
  // Sends one Data-Out PDU.
  bool SendDataOut(uint32_t itt, uint32_t ttt, uint32_t data_sn, uint32_t offset,
                   std::span<const uint8_t> data, bool final, uint64_t lun = 0);
  // TEST UNIT READY until GOOD (clears the power-on unit attention); false if never GOOD.
  bool ClearUnitAttention(uint64_t lun);
  // Immediate NOP-Out ping with `data`; returns the NOP-In (or nullopt).
  std::optional<Pdu> Ping(std::span<const uint8_t> data = {}, int timeout_ms = kWaitMs);
  // Waits for a PDU with `opcode` and `itt`; other PDUs go to `*others` (may be null).
  std::optional<Pdu> RecvFor(uint8_t opcode, uint32_t itt, std::vector<Pdu>* others,
                             int timeout_ms = kWaitMs);

  // Session state as the initiator tracks it.
  uint32_t cmd_sn = 1;  // the next non-immediate CmdSN
  uint32_t exp_stat_sn = 0;
  uint32_t last_exp_cmd_sn = 0;  // from the last PDU that carried it
  uint32_t last_max_cmd_sn = 0;
  std::vector<uint32_t> max_cmd_sn_history;
  bool header_digest = false;
  bool data_digest = false;
  uint16_t tsih = 0;
  std::array<uint8_t, 6> isid = {0x80, 0x12, 0x34, 0x56, 0x78, 0x01};

 private:
  enum class ReadStatus { kOk, kTimeout, kClosed };
  ReadStatus ReadExact(uint8_t* p, size_t n, int timeout_ms);
  void Track(const Pdu& pdu);

  int fd_;
  bool closed_ = false;
  std::string error_;
  std::vector<Pdu> discarded_;
  uint32_t next_itt_ = 0x100;
  uint32_t login_itt_ = 0;
};

struct TargetConfig {
  bool generate_node_acls = true;
  bool require_chap = false;
  login::ChapCredentials tpg_auth;
  std::vector<std::string> acl_initiators;  // each gets LUN 0 and LUN 1
  std::map<std::string, std::string> parameters;
  uint32_t cmdsn_depth = 16;
  net::Endpoint portal{"127.0.0.1", 3260, false};
};

// The fixture: a reactor, a registry with one TPG (LUN 0: ramdisk, LUN 1: FaultyBackstore over
// a ramdisk), a session table, and connections made from socketpairs.
class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Publishes a new configuration snapshot (new logins see it).
  void Configure(const TargetConfig& config);
  // Makes a Connection on a fresh socketpair and returns the initiator end.
  std::unique_ptr<Initiator> Connect();
  // Connects and logs in with `options`; the test fails if the login does.
  std::unique_ptr<Initiator> LoggedIn(const LoginOptions& options = {});
  // Runs `fn` on the reactor thread and waits for it (bounded).
  bool RunOnReactor(std::function<void()> fn);
  // Returns how many of the connections made so far are still open (asked on the reactor).
  size_t OpenConnections();

  TargetConfig config_;
  net::Reactor reactor_{"session-test"};  // outlives every member that posts to it
  TargetRegistry registry_;
  SessionTable sessions_;
  std::atomic<uint64_t> inflight_{0};
  std::shared_ptr<scsi::LogicalUnit> lun0_;
  std::shared_ptr<scsi::LogicalUnit> lun1_;
  backstore::FaultyBackstore* faulty_ = nullptr;  // owned by lun1_
  std::vector<std::shared_ptr<Connection>> connections_;
};

}  // namespace reftarget::iscsi::testing
