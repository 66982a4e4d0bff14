// Connection: one iSCSI connection (and, with MaxConnections=1, its session) on one reactor.
// Reads PDUs with a resumable state machine (BHS → AHS → header digest → data → data
// digest), drives login and the full feature phase, and writes PDUs in batches with writev.
// Every method runs on the owning reactor's thread; SCSI completions are posted back to it.
#pragma once

#include <sys/uio.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "target/common/io_buffer.h"
#include "target/iscsi/login/chap.h"
#include "target/iscsi/login/negotiation.h"
#include "target/iscsi/login/text_keys.h"
#include "target/iscsi/pdu/pdu.h"
#include "target/iscsi/session/live_session.h"
#include "target/iscsi/session/session_table.h"
#include "target/iscsi/session/target_registry.h"
#include "target/net/listener.h"
#include "target/net/reactor.h"
#include "target/scsi/command_gate.h"
#include "target/scsi/scsi_command.h"
#include "target/scsi/sense.h"

namespace reftarget::iscsi {

// What every connection shares: the configuration, the session table, counters.
struct ConnectionContext {
  TargetRegistry* registry = nullptr;
  SessionTable* sessions = nullptr;
  std::atomic<uint64_t>* inflight_commands = nullptr;  // process-wide, for draining on SIGTERM
  // Connections not yet in the full feature phase, process-wide (nullptr: not counted).
  // AttachAcceptor refuses connections beyond kMaxLoginPhaseConnections, so a flood of
  // connections that never log in cannot exhaust memory or descriptors (TEST-PLAN T26).
  std::atomic<uint32_t>* login_phase_connections = nullptr;
};

// At most this many connections may be logging in at once (each holds a descriptor and a
// small buffer until its login completes or times out, 15 s by default).
inline constexpr uint32_t kMaxLoginPhaseConnections = 1024;

class Connection : public std::enable_shared_from_this<Connection>, public LiveSession {
 public:
  // Takes ownership of `fd`. Call Start() on `reactor`'s thread.
  Connection(int fd, net::Endpoint peer, net::Endpoint local, net::Reactor* reactor,
             ConnectionContext context);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the reactor and starts reading. Reactor thread only.
  void Start();
  // Closes the socket and abandons the session; in-flight SCSI commands finish in the
  // background and their responses are dropped. Reactor thread only; idempotent.
  void Close(const std::string& reason);
  // Asks the connection to close from any thread (shutdown).
  void CloseAsync(const std::string& reason);
  // Closes the connection and runs `on_ended` (if any) once none of its commands is still
  // executing. Reactor thread only.
  void EndSession(const std::string& reason, std::function<void()> on_ended);

  // LiveSession (live_session.cc): thread-safe; the work runs on the reactor thread.
  void ReplaceView(std::shared_ptr<const TargetSnapshot> snapshot,
                   std::shared_ptr<const TpgRuntime> tpg, std::optional<scsi::LunMap> map,
                   std::function<void()> done) override;
  void Describe(std::function<void(SessionInfo)> done) override;

  bool closed() const { return fd_ < 0; }
  const net::Endpoint& peer() const { return peer_; }

 private:
  // ---- receive state machine (connection_io.cc) ----
  enum class RecvState { kBhs, kAhs, kHeaderDigest, kData, kDataDigest };
  // Where the data segment of the current PDU goes.
  struct DataSink {
    uint8_t* dest = nullptr;  // nullptr: discard
    uint32_t length = 0;      // bytes of payload (unpadded) to store at dest
  };
  void OnEvents(uint32_t events);
  void ReadAvailable();
  // Consumes up to `n` bytes from `p`; returns bytes consumed.
  size_t Consume(const uint8_t* p, size_t n);
  void OnHeaderComplete();
  void OnPduComplete(bool data_digest_ok);
  void ResetReceive();

  // ---- send path (connection_io.cc) ----
  struct OutPdu {
    std::array<uint8_t, kBhsLength + 4> header{};
    uint32_t header_length = kBhsLength;
    std::shared_ptr<const void> owner;  // keeps `data` alive
    const uint8_t* data = nullptr;
    uint32_t data_length = 0;
    std::array<uint8_t, 8> trailer{};  // padding then data digest
    uint32_t trailer_length = 0;
    size_t sent = 0;  // bytes of this PDU already written
    size_t total() const { return header_length + data_length + trailer_length; }
  };
  // Queues a PDU whose data segment is `data` (kept alive by `owner`); sets DataSegmentLength,
  // padding and digests. The bytes go out on the next Flush().
  void Send(const Bhs& bhs, std::shared_ptr<const void> owner = nullptr,
            const uint8_t* data = nullptr, uint32_t length = 0);
  void SendBytes(const Bhs& bhs, std::vector<uint8_t> data);
  void Flush();

  // ---- login (login_handler.cc) ----
  void HandleLoginPdu();
  void LoginFail(uint8_t status_class, uint8_t status_detail, const std::string& reason);
  void SendLoginResponse(bool transit, uint8_t csg, uint8_t nsg,
                         const std::vector<login::KeyValue>& keys);
  bool HandleSecurityKeys(const std::vector<login::KeyValue>& keys,
                          std::vector<login::KeyValue>* reply);
  bool LookUpTarget(const std::vector<login::KeyValue>& keys);
  // Registers the session (and its LUN map); `*reinstated` receives the terminator of the
  // session this login replaces. Returns false after failing the login.
  bool EnterFullFeaturePhase(SessionTable::Terminator* reinstated);
  uint32_t MaxCmdSn() const;

  // ---- full feature phase (command_handler.cc, control_handler.cc) ----
  struct Task;
  void HandleFfpPdu();
  // CmdSN ordering (RFC 7143 §4.2.2.1). Returns false if the PDU must be silently ignored.
  bool AcceptCmdSn(bool immediate, uint32_t cmd_sn);
  void Admit(uint32_t cmd_sn, std::function<void()> action);
  void DrainOrdered();
  void BeginScsiCommand(const ScsiCommandPdu& cmd);
  void OnScsiCommandData(bool digest_ok);
  void BeginDataOut(const DataOutPdu& d);
  void OnDataOutData(bool digest_ok);
  void StartTask(Task* task);
  void SendR2Ts(Task* task);
  void MaybeExecute(Task* task);
  void Execute(Task* task);
  void OnScsiDone(uint32_t itt, scsi::ScsiResponse response);
  void SendScsiResult(Task* task, scsi::ScsiResponse response);
  // Ends `task` with CHECK CONDITION for a transport error (RFC 7143 §11.4.7.2).
  void FailTask(Task* task, scsi::SenseReason reason);
  // Removes a task; if the current receive targets it, the rest of that payload is discarded.
  std::unique_ptr<Task> TakeTask(uint32_t itt);
  uint32_t CurrentMaxCmdSn();
  bool InWindow(uint32_t cmd_sn) const;
  void HandleNopOut(const NopOutPdu& nop);
  void HandleText(const TextRequestPdu& text);
  void HandleLogout(const LogoutRequestPdu& logout);
  void HandleTaskManagement(const TaskMgmtRequestPdu& tmf);
  void CompleteTmf(uint32_t itt, TmfResponse response);
  // One of the things TMF `tmf_itt` waits for is done; answers it after the last.
  void TmfPartDone(uint32_t tmf_itt);
  // Returns a callback, callable from any thread, that reports one part of `tmf_itt` done.
  std::function<void()> TmfWaiter(uint32_t tmf_itt);
  // TMF `tmf_itt` (the `serial`-th TMF of this connection) still waits for commands stuck
  // in a backstore: fences their units and answers it (CommandGate). Does nothing if that
  // TMF was answered already, even if a later TMF reuses its ITT.
  void TmfAnswerDue(uint32_t tmf_itt, uint64_t serial);
  // Runs the session-ended callbacks once the connection is closed and its tasks are gone.
  void MaybeSessionEnded();
  void SendReject(RejectReason reason, const Bhs& rejected);
  void SendNopInPing();
  void OnTick();
  std::vector<uint8_t> BuildSendTargets(const std::string& which) const;
  // Adds one finished command to its LUN's counters.
  void CountCommand(const Task& task, bool good, uint32_t data_in_bytes);
  SessionInfo DescribeNow() const;
  void SwapLunMap(scsi::LunMap map);

  // Gives back this connection's place among login-phase connections (once).
  void ReleaseLoginSlot();

  // ---- state ----
  int fd_;
  net::Endpoint peer_;
  net::Endpoint local_;
  net::Reactor* reactor_;
  ConnectionContext context_;
  std::string log_name_;

  RecvState recv_state_ = RecvState::kBhs;
  Bhs bhs_{};
  BhsCommon common_{};
  std::array<uint8_t, 1020> ahs_{};  // TotalAHSLength is 8 bits of 4-byte words
  uint32_t ahs_length_ = 0;
  std::array<uint8_t, 4> digest_{};
  size_t need_ = kBhsLength;  // bytes still wanted in the current state
  size_t have_ = 0;           // bytes gathered in the current state
  DataSink sink_;
  std::vector<uint8_t> pdu_data_;     // data segments of control PDUs (login, text, NOP)
  uint32_t data_crc_ = 0;             // running data digest over the segment and padding
  std::vector<uint8_t> recv_buffer_;  // staging for small PDUs
  size_t recv_begin_ = 0;
  size_t recv_end_ = 0;

  std::deque<OutPdu> out_;
  bool want_write_ = false;

  // Login
  enum class Phase { kLogin, kFullFeature, kLoggingOut };
  Phase phase_ = Phase::kLogin;
  uint8_t login_stage_ = 0;  // CSG the initiator is in
  bool security_done_ = false;
  bool login_started_ = false;
  std::vector<uint8_t> login_keys_;  // accumulated across PDUs with the C bit
  LoginRequestPdu first_login_{};
  std::optional<login::OperationalNegotiator> negotiator_;
  std::optional<login::ChapAuthenticator> chap_;
  enum class ChapStep { kNone, kAwaitAlgorithm, kAwaitResponse, kDone };
  ChapStep chap_step_ = ChapStep::kNone;
  bool auth_required_ = false;
  login::ChapCredentials auth_credentials_;
  login::SessionKind session_kind_ = login::SessionKind::kNormal;
  std::string initiator_name_;
  std::string initiator_alias_;
  std::string target_name_;
  std::shared_ptr<const TargetSnapshot> snapshot_;
  std::shared_ptr<const TpgRuntime> tpg_;
  std::chrono::steady_clock::time_point login_deadline_;
  // The final Login Response, held while a reinstated session ends.
  std::function<void()> finish_login_;
  bool login_slot_ = false;  // counted in context_.login_phase_connections

  // Session
  login::SessionParams params_{};
  std::array<uint8_t, 6> isid_{};
  uint16_t tsih_ = 0;
  SessionKey session_key_;
  bool registered_ = false;
  scsi::NexusId nexus_ = 0;
  scsi::LunMap luns_;
  std::unordered_map<uint64_t, LunCounters> lun_counters_;  // by LUN number
  uint32_t stat_sn_ = 0;
  uint32_t exp_cmd_sn_ = 0;
  uint32_t max_cmd_sn_ = 0;
  uint32_t cmdsn_depth_ = 128;
  std::map<uint32_t, std::function<void()>> ordered_;  // in-window, waiting for earlier CmdSNs

  // Tasks by ITT
  std::unordered_map<uint32_t, std::unique_ptr<Task>> tasks_;
  uint32_t next_ttt_ = 1;
  uint32_t data_task_itt_ = kReservedTag;  // the task the current Data-Out/immediate data feeds
  uint32_t data_ttt_ = kReservedTag;       // TTT of the current Data-Out
  bool data_valid_ = false;                // the current Data-Out passed every check
  enum class PendingReject {
    kNone,
    kProtocol,
    kInvalidField,
    kTaskInProgress,
    kNotSupported,
    kImmediateReject
  };
  PendingReject pending_reject_ = PendingReject::kNone;  // answer once the payload is read
  bool command_created_task_ = false;                    // this SCSI Command PDU created its task
  std::set<uint32_t> pending_cmd_sns_;  // in-window CmdSNs received but not yet admitted
  // A TMF waiting for its aborted commands (and reset units) to return.
  struct PendingTmf {
    uint32_t remaining = 0;  // commands and unit quiesces still to come
    uint64_t serial = 0;     // tells it from an earlier TMF with the same ITT
    // The units it keeps new commands from, fenced when its answer is due.
    std::vector<std::weak_ptr<scsi::CommandGate::Hold>> holds;
  };
  std::map<uint32_t, PendingTmf> tmf_pending_;           // by TMF ITT
  uint64_t tmf_serial_ = 0;                              // PendingTmf::serial of the last
  uint32_t close_after_tmf_ = kReservedTag;              // TARGET COLD RESET closes after answering
  std::vector<std::function<void()>> on_session_ended_;  // see EndSession

  // Text continuation
  std::vector<uint8_t> text_request_;
  std::vector<uint8_t> text_response_;
  size_t text_response_sent_ = 0;
  uint32_t text_ttt_ = kReservedTag;

  // Liveness
  std::chrono::steady_clock::time_point last_rx_;
  uint32_t ping_ttt_ = kReservedTag;
  std::chrono::steady_clock::time_point ping_sent_;
};

// Accepts connections on a listener and hands them to reactors round-robin.
void AttachAcceptor(net::Listener* listener, net::ReactorPool* pool, ConnectionContext context);

}  // namespace reftarget::iscsi
