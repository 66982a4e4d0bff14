// Session: one iSCSI session (one connection) to a target through libiscsi 1.19, owned as
// RAII over `struct iscsi_context`. Every call is bounded in time: libiscsi's own *_sync
// calls block until the target answers, so everything here runs on the async API and a
// poll(2) loop that calls iscsi_service(), with the caller's limit as a hard deadline.
//
// Threading: a Session is used by one thread at a time. Nothing runs in the background;
// the connection is serviced only inside the calls below (Execute, Poll, Service, ...), so a
// test that wants the session to answer the target's NOP-In pings while it waits calls
// Service(duration).
//
// Auto-reconnect is off: a dropped connection ends the commands in flight with
// Outcome::kConnectionLost and marks the session broken(); Reconnect() is explicit.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/command_result.h"
#include "harness/common/status.h"

struct iscsi_context;
struct scsi_task;

namespace harness::iscsi {

// HeaderDigest offer (RFC 7143 §13.1): the value list the initiator proposes.
enum class HeaderDigest {
  kNone,             // "None"
  kCrc32c,           // "CRC32C"
  kNoneThenCrc32c,   // "None,CRC32C": either, None preferred
  kCrc32cThenNone,   // "CRC32C,None": either, CRC32C preferred
};

struct ChapCredentials {
  std::string user;
  std::string secret;
  bool empty() const { return user.empty(); }
};

// ISID (RFC 7143 §11.12.5) of type "random" (T = 10b): 24 random bits and a 16-bit
// qualifier. Two sessions with the same initiator name and ISID are the same I_T nexus,
// which is how a test provokes session reinstatement.
struct Isid {
  uint32_t random = 0;     // low 24 bits used
  uint16_t qualifier = 0;
};

struct ConnectOptions {
  std::string portal;  // "127.0.0.1:3260" or "[::1]:3260"
  std::string target;  // target IQN
  int lun = 0;         // default LUN for Execute; checked at login if check_lun
  std::string initiator = "iqn.2003-01.org.reftarget.harness:initiator";
  std::string alias;          // InitiatorAlias; empty: not sent
  std::optional<Isid> isid;   // nullopt: a random one, kept for Reconnect (see options())
  ChapCredentials chap;       // CHAP the target checks (one-way); empty: no CHAP offered
  ChapCredentials mutual;     // CHAP the initiator checks (mutual); needs `chap` too
  HeaderDigest header_digest = HeaderDigest::kNone;
  // Login keys libiscsi 1.19 lets an application choose (iscsi_set_immediate_data,
  // iscsi_set_initial_r2t); nullopt keeps libiscsi's offer (ImmediateData=Yes,
  // InitialR2T=No). MaxBurstLength, FirstBurstLength and MaxRecvDataSegmentLength have no
  // setter in libiscsi 1.19: it always offers 262144 / 262144 / 262144.
  std::optional<bool> immediate_data;
  std::optional<bool> initial_r2t;
  // iscsi_set_timeout(): libiscsi's own per-PDU timeout in seconds (0: off). The
  // harness's deadlines do not need it; a test of libiscsi's timeout path may set it.
  int libiscsi_timeout_s = 0;
  // True: after login, TEST UNIT READY on `lun` until it is GOOD, consuming up to 8 unit
  // attentions (what libiscsi's full connect does); any other answer fails Connect. False:
  // login only, so the first command sees any pending unit attention (POWER ON, RESET).
  bool check_lun = true;
  std::chrono::milliseconds connect_limit{10000};  // TCP connect + login (+ LUN check)
  std::chrono::milliseconds close_limit{2000};     // logout on destruction
  bool logout_on_close = true;
};

// One command for Execute or Submit.
struct CommandRequest {
  Cdb cdb;
  DataDirection direction = DataDirection::kNone;
  std::vector<uint8_t> data_out;  // the Data-Out buffer (kWrite); EDTL = its size
  uint32_t data_in_length = 0;    // the Data-In buffer size (kRead); EDTL = this
  std::optional<int> lun;         // nullopt: ConnectOptions::lun
  std::chrono::milliseconds limit{30000};
};

using CommandId = uint64_t;

struct Completion {
  CommandId id = 0;
  CommandResult result;
};

// Task management functions (RFC 7143 §11.5.1).
enum class TmfFunction : uint8_t {
  kAbortTask = 1,
  kAbortTaskSet = 2,
  kClearAca = 3,
  kClearTaskSet = 4,
  kLogicalUnitReset = 5,
  kTargetWarmReset = 6,
  kTargetColdReset = 7,
};

// Task Management Function Response codes (RFC 7143 §11.6.1).
namespace tmf_response {
inline constexpr uint8_t kFunctionComplete = 0;
inline constexpr uint8_t kTaskDoesNotExist = 1;
inline constexpr uint8_t kLunDoesNotExist = 2;
inline constexpr uint8_t kTaskStillAllegiant = 3;
inline constexpr uint8_t kReassignmentNotSupported = 4;
inline constexpr uint8_t kNotSupported = 5;
inline constexpr uint8_t kAuthorizationFailed = 6;
inline constexpr uint8_t kRejected = 255;
}  // namespace tmf_response

// Returns "Function complete", "Task does not exist", ...
std::string TmfResponseName(uint8_t response);

struct TmfResult {
  uint8_t response = 0;  // tmf_response::*
  std::chrono::microseconds duration{0};
};

struct NopResult {
  std::vector<uint8_t> data;  // the ping data the NOP-In echoed
  std::chrono::microseconds duration{0};
};

struct DiscoveredTarget {
  std::string name;                  // TargetName
  std::vector<std::string> portals;  // TargetAddress values ("127.0.0.1:3260,1")
};

class Session {
 public:
  // Connects and logs in within options.connect_limit. A failure's message carries
  // libiscsi's iscsi_get_error() text and, for a login reject, "login status 0xCCDD";
  // its code() is that status (0x0201 for an authentication failure), else -1.
  static Result<std::unique_ptr<Session>> Connect(const ConnectOptions& options);

  // Runs a SendTargets=All discovery session (RFC 7143 §12.3 and Appendix C) on `portal`,
  // logging in with `chap` if not empty, within `limit`.
  static Result<std::vector<DiscoveredTarget>> Discover(
      const std::string& portal, const std::string& initiator, const ChapCredentials& chap = {},
      std::chrono::milliseconds limit = std::chrono::milliseconds(10000));

  // Logs out (bounded by close_limit, if logged in and logout_on_close) and destroys the
  // libiscsi context; commands still in flight end there.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one command and waits for it, at most request.limit. Never throws or blocks
  // past the limit; a timeout is Outcome::kTimeout and the session stays usable (the
  // command stays in libiscsi until its response arrives or the session ends).
  CommandResult Execute(const CommandRequest& request);
  // Shorthand for Execute({cdb, direction, out, in_len, nullopt, limit}).
  CommandResult Execute(const Cdb& cdb, DataDirection direction, std::span<const uint8_t> out,
                        size_t in_len, std::chrono::milliseconds limit);

  // Queues a command without waiting. Its deadline is now + request.limit. Fails if the
  // session is broken or libiscsi refuses the command.
  Result<CommandId> Submit(CommandRequest request);
  // Services the connection until at least one command completes (or times out) or `wait`
  // passes; returns every completion available (possibly none).
  std::vector<Completion> Poll(std::chrono::milliseconds wait);
  // Returns the number of submitted commands not yet returned by Poll.
  size_t Outstanding() const;

  // Sends a task management function and waits for its response within `limit`.
  // For ABORT TASK, `referenced` names the task (its ITT and CmdSN are sent).
  // After "Function complete", commands the function terminated end locally as
  // Outcome::kCancelled (RFC 7143 §4.2.3.5: the target sends no response for them).
  Result<TmfResult> TaskManagement(TmfFunction function, std::optional<int> lun,
                                   std::optional<CommandId> referenced,
                                   std::chrono::milliseconds limit);
  // Same, with a raw Referenced Task Tag and RefCmdSN (tests of unknown tasks).
  Result<TmfResult> TaskManagementRaw(TmfFunction function, int lun, uint32_t referenced_itt,
                                      uint32_t ref_cmdsn, std::chrono::milliseconds limit);
  Result<TmfResult> AbortTask(CommandId id, std::chrono::milliseconds limit);
  Result<TmfResult> AbortTaskSet(int lun, std::chrono::milliseconds limit);
  Result<TmfResult> ClearTaskSet(int lun, std::chrono::milliseconds limit);
  Result<TmfResult> LunReset(int lun, std::chrono::milliseconds limit);
  Result<TmfResult> TargetWarmReset(std::chrono::milliseconds limit);
  Result<TmfResult> TargetColdReset(std::chrono::milliseconds limit);

  // Sends a NOP-Out ping (ITT != 0xffffffff, RFC 7143 §11.18) carrying `data` and waits
  // for the NOP-In within `limit`.
  Result<NopResult> NopOut(std::span<const uint8_t> data, std::chrono::milliseconds limit);
  // Services the connection for `duration`: libiscsi answers the target's NOP-In pings
  // (TTT != 0xffffffff) and reads asynchronous messages. Returns false if the connection
  // failed meanwhile.
  bool Service(std::chrono::milliseconds duration);

  // Logs out (reason: close the session) and waits for the Logout Response.
  Status Logout(std::chrono::milliseconds limit);
  // Drops the connection (no Logout, like a failed initiator) and logs in again with the
  // same options and the same ISID, so the target sees the same I_T nexus log in again
  // (session reinstatement, RFC 7143 §6.3.5). Commands in flight end as
  // Outcome::kConnectionLost (available from Poll); PduRewriteGuards on the old connection
  // are detached (active() turns false). libiscsi's own iscsi_reconnect() is not used: it
  // builds a fresh context that forgets the ISID, alias and ImmediateData / InitialR2T
  // choices, silently re-issues SCSI commands, and only works after iscsi_full_connect.
  Status Reconnect(std::chrono::milliseconds limit);

  // True while logged in (and not broken).
  bool logged_in() const;
  // True once the connection failed; only Reconnect() or destruction make sense then.
  bool broken() const { return broken_; }
  // Returns the last libiscsi error text seen.
  const std::string& last_error() const { return last_error_; }
  // Returns how many commands timed out whose response never came.
  size_t abandoned() const;
  const ConnectOptions& options() const { return options_; }
  // The libiscsi context, for PduRewriteGuard and tests that need libiscsi directly.
  iscsi_context* context() const { return ctx_; }

 private:
  struct Pending;
  struct Op;
  using Clock = std::chrono::steady_clock;

  explicit Session(ConnectOptions options);
  static void OnCommandDone(iscsi_context* ctx, int status, void* command_data, void* private_data);
  static void OnOpDone(iscsi_context* ctx, int status, void* command_data, void* private_data);

  Status Configure(bool discovery);
  Status WaitForConnect(Op* op, Clock::time_point deadline);
  // TCP connect, login and (if options_.check_lun) the LUN check, before `deadline`.
  Status LoginAndCheck(Clock::time_point deadline);
  // Services the connection once, waiting at most until `until`. False if it failed.
  bool ServiceOnce(Clock::time_point until);
  // Services until `done()` or `deadline`; returns done().
  template <typename Done>
  bool PumpUntil(Done done, Clock::time_point deadline);
  Op* NewOp();
  // Waits for `op` until `deadline`; on timeout marks it abandoned (freed by its callback).
  bool WaitOp(Op* op, Clock::time_point deadline);
  void ReleaseOp(Op* op);
  void ExpireDeadlines(Clock::time_point now);
  void MarkBroken(const std::string& why);
  // Ends locally every pending command the TMF terminated.
  void CancelTerminated(TmfFunction function, int lun, std::optional<CommandId> referenced);
  void Finish(Pending* pending, CommandResult result);
  std::optional<Completion> TakeCompletion(CommandId id);

  ConnectOptions options_;
  iscsi_context* ctx_ = nullptr;
  bool broken_ = false;
  bool logged_out_ = false;
  std::string last_error_;
  CommandId next_id_ = 1;
  std::map<CommandId, std::unique_ptr<Pending>> pending_;  // until libiscsi's callback
  std::deque<Completion> completed_;                       // ready for Poll/Execute
  std::map<uint64_t, std::unique_ptr<Op>> ops_;
  uint64_t next_op_ = 1;
  std::vector<scsi_task*> graveyard_;  // cancelled tasks, freed after the context
};

}  // namespace harness::iscsi
