// SessionWorker: one iSCSI session of the load generator and the thread that drives it.
//
// Why one thread per session rather than one event loop over every session: Session's
// recovery calls (Reconnect, and the ABORT TASK that settles a timed-out command) block
// for up to their limits, as a Linux initiator's per-session error handling does; in a
// shared loop one session's outage would stall every other session's I/O and show up as
// latency on LUNs that did nothing wrong, which is exactly what the isolation suites
// (TEST-PLAN T31/T32) measure. A thread per session keeps each session's outage its own,
// lets Poll() sleep in poll(2) on that session's socket instead of spinning over several,
// and keeps each libiscsi context confined to one thread (libiscsi is not thread-safe).
// What the threads share (block maps, time series, journal, samples) is behind mutexes
// that are held for a few microseconds per command.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness/iscsi/session.h"
#include "harness/loadgen/block_map.h"
#include "harness/loadgen/config.h"
#include "harness/loadgen/run_context.h"
#include "harness/loadgen/run_result.h"

namespace harness::loadgen {

class SessionWorker {
 public:
  SessionWorker(int index, std::unique_ptr<iscsi::Session> session);
  SessionWorker(const SessionWorker&) = delete;
  SessionWorker& operator=(const SessionWorker&) = delete;

  // Drives `run` until its end (duration, I/O count or stop flag) and until every
  // command it issued has completed, failed or been given up. `slices[i]` is this
  // session's LBA range of run.luns[i]. Runs on the caller's thread.
  void Run(RunContext& run, const std::vector<LbaRange>& slices);

  // After Run(): this session's figures for the run.
  const SessionResult& result() const { return result_; }
  // After Run(): unit attentions seen, by (LUN, "06/29/03").
  const std::map<std::pair<int, std::string>, uint64_t>& unit_attentions() const { return uas_; }

  int index() const { return index_; }
  iscsi::Session& session() { return *session_; }

 private:
  struct Io {
    size_t lun_index = 0;
    IoOp op = IoOp::kRead;
    uint64_t lba = 0;
    uint32_t blocks = 0;
    uint64_t generation = 0;  // writes
    bool fua = false;         // writes: FUA=1 (Workload.fua, or drawn by fua_percent)
    ReadSnapshot snapshot;    // reads: retaken on every submission
    Clock::time_point first_submit;
    Clock::time_point due;  // when a backed-off retry may go
    int retries = 0;
    int busy_retries = 0;
  };
  struct Stream {
    LbaRange slice;
    int owned = 0;  // I/Os of this stream in flight, backing off or waiting for a reconnect
    uint64_t issued = 0;
    uint64_t cursor = 0;
    std::mt19937_64 rng;
    // Workload.rate_iops: when the next new I/O may be issued. A stream that fell behind
    // (the target was slow) does not catch up in a burst: at most one interval of backlog
    // is kept, so its rate after a slowdown measures the target, not the backlog.
    Clock::time_point rate_next{};
    // Workload.sync_interval: acknowledged writes not yet durable (journaled again as
    // durable once a SYNCHRONIZE CACHE sent after them ends GOOD), when the next one is
    // due, and whether one is in flight (one at a time per stream).
    std::vector<JournalRecord> undurable;
    Clock::time_point next_sync{};
    bool sync_in_flight = false;
  };
  // A SYNCHRONIZE CACHE in flight and the writes it makes durable.
  struct Sync {
    size_t lun_index = 0;
    std::vector<JournalRecord> covers;
  };

  bool Stopping(const RunContext& run, Clock::time_point now) const;
  bool AllIssued(const RunContext& run) const;
  void Fill(RunContext& run, Clock::time_point now);
  // Picks the next new I/O of stream `i`; nullopt if every try hit a block with a write in
  // flight.
  std::optional<Io> Pick(RunContext& run, size_t i);
  // Submits (or resubmits) `io`. On a broken session the I/O waits for the reconnect.
  void Submit(RunContext& run, Io io);
  void SubmitDue(RunContext& run, Clock::time_point now);
  void Handle(RunContext& run, iscsi::Completion completion);
  void Complete(RunContext& run, Io& io, const iscsi::CommandResult& result, Clock::time_point now);
  // Ends `io` as failed; `event` (an error kind, or kRetry for none) is recorded.
  void Fail(RunContext& run, Io& io, Event event, const std::string& detail);
  // Makes sure a timed-out command can no longer change the medium: ABORT TASK, and if
  // that does not answer, drop and re-establish the session (reinstatement ends its tasks,
  // RFC 7143 §6.3.5).
  void Settle(RunContext& run, iscsi::CommandId command);
  // Reconnects after a connection loss (or a forced reset) and resubmits what was lost;
  // gives up after reconnect_limit.
  void Recover(RunContext& run);
  void Record(RunContext& run, size_t lun_index, Event event, uint64_t n = 1);
  // Sends the SYNCHRONIZE CACHE of every stream whose sync_interval has passed.
  void SyncDue(RunContext& run, Clock::time_point now);
  // Ends a SYNCHRONIZE CACHE: GOOD journals what it covers as durable; anything else leaves
  // those writes not durable (a later one covers them).
  void EndSync(RunContext& run, Sync& sync, const iscsi::CommandResult& result);

  const int index_;
  std::unique_ptr<iscsi::Session> session_;
  std::vector<Stream> streams_;
  std::unordered_map<iscsi::CommandId, Io> in_flight_;
  std::unordered_map<iscsi::CommandId, Sync> syncs_;
  std::vector<Io> backing_off_;
  std::vector<Io> lost_;  // waiting for a reconnect
  bool need_reset_ = false;
  bool dead_ = false;
  SessionResult result_;
  std::map<std::pair<int, std::string>, uint64_t> uas_;
};

// Returns the ISID of `isid` as 12 hex digits ("80" type byte, 24 random bits, qualifier).
std::string FormatIsid(const iscsi::Isid& isid);

}  // namespace harness::loadgen
