#include "harness/loadgen/session_worker.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "harness/iscsi/cdb.h"
#include "harness/loadgen/block_format.h"
#include "harness/loadgen/block_verify.h"
#include "harness/loadgen/retry_policy.h"

namespace harness::loadgen {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kMaxWait{100};  // longest sleep in Poll / Service
constexpr int kPickTries = 8;

uint64_t RealtimeNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

std::string FormatIsid(const iscsi::Isid& isid) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "80%06x%04x", isid.random & 0xffffff, isid.qualifier);
  return buf;
}

SessionWorker::SessionWorker(int index, std::unique_ptr<iscsi::Session> session)
    : index_(index), session_(std::move(session)) {}

bool SessionWorker::Stopping(const RunContext& run, Clock::time_point now) const {
  return dead_ || run.stop.load(std::memory_order_relaxed) || (run.end && now >= *run.end);
}

bool SessionWorker::AllIssued(const RunContext& run) const {
  if (run.workload.io_count == 0) return false;
  return std::all_of(streams_.begin(), streams_.end(),
                     [&run](const Stream& s) { return s.issued >= run.workload.io_count; });
}

void SessionWorker::Record(RunContext& run, size_t lun_index, Event event, uint64_t n) {
  run.luns[lun_index].series->AddEvent(run.Seconds(Clock::now()), event, n);
}

void SessionWorker::Run(RunContext& run, const std::vector<LbaRange>& slices) {
  result_ = SessionResult{};
  result_.session = index_;
  if (session_->options().isid) result_.isid = FormatIsid(*session_->options().isid);
  uas_.clear();
  streams_.clear();
  for (size_t i = 0; i < slices.size(); ++i) {
    Stream s;
    s.slice = slices[i];
    s.cursor = slices[i].first;
    s.rng.seed(run.seed ^ (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(index_ + 1)) ^
               (0xc2b2ae3d27d4eb4full * (i + 1)));
    s.rate_next = run.start;
    s.next_sync = run.start + run.workload.sync_interval;
    streams_.push_back(s);
  }
  dead_ = false;
  for (;;) {
    Clock::time_point now = Clock::now();
    if (!Stopping(run, now)) Fill(run, now);
    if (!Stopping(run, now) && run.workload.sync_interval.count() > 0) SyncDue(run, now);
    SubmitDue(run, now);
    if (dead_) {
      // Gave up reconnecting: whatever still waits for the connection fails.
      for (iscsi::Completion& c : session_->Poll(milliseconds(0))) Handle(run, std::move(c));
      std::vector<Io> lost = std::move(lost_);
      lost_.clear();
      for (Io& io : lost) Fail(run, io, Event::kRetriesExhausted, "session gave up reconnecting");
      // A dead session reports nothing more about what it still had.
      for (auto& [id, io] : in_flight_)
        Fail(run, io, Event::kRetriesExhausted, "session gave up reconnecting");
      in_flight_.clear();
      for (auto& [id, sync] : syncs_) streams_[sync.lun_index].sync_in_flight = false;
      syncs_.clear();  // what they covered stays not durable
    } else if (session_->broken() || need_reset_ || !lost_.empty()) {
      Recover(run);
      continue;
    }
    if (in_flight_.empty() && syncs_.empty() && backing_off_.empty() &&
        (Stopping(run, now) || AllIssued(run))) {
      break;
    }
    now = Clock::now();
    milliseconds wait = kMaxWait;
    for (const Io& io : backing_off_) {
      wait = std::min(wait, duration_cast<milliseconds>(io.due - now) + milliseconds(1));
    }
    if (run.end && now < *run.end) {
      wait = std::min(wait, duration_cast<milliseconds>(*run.end - now) + milliseconds(1));
    }
    if (run.workload.rate_iops > 0 && !Stopping(run, now)) {
      for (const Stream& s : streams_) {
        if (s.owned >= run.config->queue_depth) continue;
        wait = std::min(wait, duration_cast<milliseconds>(s.rate_next - now) + milliseconds(1));
      }
    }
    if (run.workload.sync_interval.count() > 0 && !Stopping(run, now)) {
      for (const Stream& s : streams_) {
        if (s.sync_in_flight) continue;
        wait = std::min(wait, duration_cast<milliseconds>(s.next_sync - now) + milliseconds(1));
      }
    }
    wait = std::max(wait, milliseconds(0));
    if (in_flight_.empty() && syncs_.empty()) {
      // Nothing to wait for but time (back-off, or writes blocked by another session's
      // writes): keep answering the target's NOP-Ins meanwhile.
      if (wait.count() > 0) session_->Service(wait);
    } else {
      for (iscsi::Completion& c : session_->Poll(wait)) Handle(run, std::move(c));
    }
    if (run.journal != nullptr) run.journal->MaybeFlush();
  }
}

void SessionWorker::Fill(RunContext& run, Clock::time_point now) {
  const int qd = run.config->queue_depth;
  for (size_t i = 0; i < streams_.size(); ++i) {
    Stream& s = streams_[i];
    while (s.owned < qd && (run.workload.io_count == 0 || s.issued < run.workload.io_count)) {
      if (run.workload.rate_iops > 0) {
        if (now < s.rate_next) break;  // ahead of the rate; the loop waits until rate_next
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(1.0 / run.workload.rate_iops));
        s.rate_next = std::max(s.rate_next + interval, now - interval);
      }
      std::optional<Io> io = Pick(run, i);
      if (!io) break;
      ++s.owned;
      ++s.issued;
      io->first_submit = now;
      Submit(run, std::move(*io));
      if (session_->broken()) return;
    }
  }
}

std::optional<SessionWorker::Io> SessionWorker::Pick(RunContext& run, size_t i) {
  Stream& s = streams_[i];
  LunShared& lun = run.luns[i];
  const Workload& w = run.workload;
  Io io;
  io.lun_index = i;
  io.op = static_cast<int>(s.rng() % 100) < w.read_percent ? IoOp::kRead : IoOp::kWrite;
  uint64_t total_weight = 0;
  for (const BlockSizeWeight& b : w.block_sizes) total_weight += b.weight;
  uint64_t pick = s.rng() % total_weight;
  uint32_t bytes = w.block_sizes.front().bytes;
  for (const BlockSizeWeight& b : w.block_sizes) {
    if (pick < b.weight) {
      bytes = b.bytes;
      break;
    }
    pick -= b.weight;
  }
  io.blocks = bytes / lun.block_size;
  const uint64_t end = s.slice.first + s.slice.count;
  for (int attempt = 0; attempt < kPickTries; ++attempt) {
    uint64_t lba;
    if (w.sequential) {
      if (s.cursor + io.blocks > end) s.cursor = s.slice.first;
      lba = s.cursor;
    } else {
      const uint64_t slots = s.slice.count / io.blocks;
      lba = s.slice.first + (s.rng() % slots) * io.blocks;
    }
    if (io.op == IoOp::kWrite) {
      std::optional<uint64_t> gen = lun.map->BeginWrite(lba, io.blocks);
      if (!gen) {
        if (w.sequential) return std::nullopt;  // wait for the write ahead of us
        continue;
      }
      io.generation = *gen;
      // Drawn only when asked for, so that a seed gives the same I/Os as before fua_percent.
      io.fua = w.fua || (w.fua_percent > 0 && static_cast<int>(s.rng() % 100) < w.fua_percent);
    }
    if (w.sequential) s.cursor = lba + io.blocks;
    io.lba = lba;
    return io;
  }
  return std::nullopt;
}

void SessionWorker::Submit(RunContext& run, Io io) {
  if (dead_) {
    Fail(run, io, Event::kRetriesExhausted, "session gave up reconnecting");
    return;
  }
  LunShared& lun = run.luns[io.lun_index];
  const uint32_t bytes = io.blocks * lun.block_size;
  iscsi::CommandRequest req;
  req.lun = lun.lun;
  req.limit = run.config->retry.command_limit;
  if (io.op == IoOp::kRead) {
    io.snapshot = lun.map->BeginRead(io.lba, io.blocks);
    req.cdb = iscsi::cdb::Read16(io.lba, io.blocks);
    req.direction = iscsi::DataDirection::kRead;
    req.data_in_length = bytes;
  } else {
    iscsi::RwFlags flags;
    flags.fua = io.fua;
    req.cdb = iscsi::cdb::Write16(io.lba, io.blocks, flags);
    req.direction = iscsi::DataDirection::kWrite;
    // Encoded again on a retry rather than kept: the bytes are the same, and a retry is rare.
    req.data_out.resize(bytes);
    BlockHeader h;
    h.lun = static_cast<uint16_t>(lun.lun);
    h.writer = static_cast<uint16_t>(index_);
    h.lba = io.lba;
    h.generation = io.generation;
    h.run_id = run.run_id;
    EncodeBlocks(h, lun.block_size, req.data_out);
  }
  Result<iscsi::CommandId> id = session_->Submit(std::move(req));
  if (!id.ok()) {
    if (session_->broken()) {
      lost_.push_back(std::move(io));  // resubmitted after the reconnect
      return;
    }
    Fail(run, io, Event::kTransportError, "not sent: " + id.error());
    return;
  }
  in_flight_.emplace(id.value(), std::move(io));
}

void SessionWorker::SubmitDue(RunContext& run, Clock::time_point now) {
  if (backing_off_.empty()) return;
  std::vector<Io> due;
  auto split = std::stable_partition(backing_off_.begin(), backing_off_.end(),
                                     [now](const Io& io) { return io.due > now; });
  std::move(split, backing_off_.end(), std::back_inserter(due));
  backing_off_.erase(split, backing_off_.end());
  for (Io& io : due) Submit(run, std::move(io));
}

void SessionWorker::Handle(RunContext& run, iscsi::Completion completion) {
  if (auto sync = syncs_.find(completion.id); sync != syncs_.end()) {
    Sync ended = std::move(sync->second);
    syncs_.erase(sync);
    EndSync(run, ended, completion.result);
    if (completion.result.outcome == iscsi::Outcome::kTimeout) Settle(run, completion.id);
    return;
  }
  auto it = in_flight_.find(completion.id);
  if (it == in_flight_.end()) return;
  Io io = std::move(it->second);
  in_flight_.erase(it);
  const iscsi::CommandResult& r = completion.result;
  const Clock::time_point now = Clock::now();
  const auto elapsed = duration_cast<milliseconds>(now - io.first_submit);
  RetryDecision d = DecideRetry(r, io.retries, io.busy_retries, elapsed, run.config->retry);
  const uint32_t bytes = io.blocks * run.luns[io.lun_index].block_size;
  if (d.action == RetryAction::kDone && io.op == IoOp::kRead && r.data_in.size() != bytes) {
    d.action = RetryAction::kFail;
    d.event = Event::kTransportError;
    d.reason = "GOOD with " + std::to_string(r.data_in.size()) + " of " + std::to_string(bytes) +
               " Data-In bytes";
  }
  switch (d.action) {
    case RetryAction::kDone:
      Complete(run, io, r, now);
      return;
    case RetryAction::kRetry: {
      Record(run, io.lun_index, d.event);
      Record(run, io.lun_index, Event::kRetry);
      if (d.event == Event::kUnitAttention) {
        ++uas_[{run.luns[io.lun_index].lun, r.decoded.Triple()}];
      }
      if (d.event == Event::kBusy || d.event == Event::kTaskSetFull ||
          d.event == Event::kNotReady) {
        ++io.busy_retries;
      } else {
        ++io.retries;
      }
      if (d.backoff.count() > 0) {
        io.due = now + d.backoff;
        backing_off_.push_back(std::move(io));
      } else {
        Submit(run, std::move(io));
      }
      return;
    }
    case RetryAction::kReconnectRetry:
      lost_.push_back(std::move(io));  // counted once per outage by Recover()
      return;
    case RetryAction::kAbortRetry:
    case RetryAction::kFail:
      break;
  }
  // A real failure: count it, keep a sample.
  Record(run, io.lun_index, d.event);
  IoErrorSample sample;
  sample.t_s = run.Seconds(now);
  sample.session = index_;
  sample.lun = run.luns[io.lun_index].lun;
  sample.op = io.op;
  sample.lba = io.lba;
  sample.blocks = io.blocks;
  sample.kind = d.event;
  sample.detail = r.cdb.Name() + ": " + d.reason;
  run.AddErrorSample(std::move(sample));
  if (d.event == Event::kTimeout || r.outcome == iscsi::Outcome::kTimeout) {
    Settle(run, completion.id);
  }
  if (d.action == RetryAction::kAbortRetry && !Stopping(run, now)) {
    ++io.retries;
    Record(run, io.lun_index, Event::kRetry);
    Submit(run, std::move(io));  // waits in lost_ if Settle() broke the session
    return;
  }
  Fail(run, io, Event::kRetry, d.reason);
}

void SessionWorker::Complete(RunContext& run, Io& io, const iscsi::CommandResult& r,
                             Clock::time_point now) {
  LunShared& lun = run.luns[io.lun_index];
  const uint32_t bytes = io.blocks * lun.block_size;
  const double t = run.Seconds(now);
  const auto latency = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - io.first_submit).count());
  if (io.op == IoOp::kWrite) {
    lun.map->EndWrite(io.lba, io.blocks, io.generation, true);
    if (run.journal != nullptr) {
      JournalRecord rec;
      rec.lun = static_cast<uint16_t>(lun.lun);
      rec.writer = static_cast<uint16_t>(index_);
      rec.lba = io.lba;
      rec.blocks = io.blocks;
      rec.block_size = lun.block_size;
      rec.generation = io.generation;
      rec.time_ns = RealtimeNs();
      rec.flags = io.fua ? kJournalDurable : 0;
      run.journal->Append(rec);
      if (!io.fua && run.workload.sync_interval.count() > 0) {
        streams_[io.lun_index].undurable.push_back(rec);
      }
    }
  } else {
    const std::vector<BlockExpectation> expect = lun.map->Complete(io.snapshot);
    std::vector<VerifyError> errors;
    const uint64_t checked =
        VerifyBlocks(r.data_in, lun.block_size, static_cast<uint16_t>(lun.lun), io.lba, run.run_id,
                     expect, run.config->assume_zeroed, &errors);
    if (checked > 0) lun.series->AddEvent(t, Event::kVerifiedBlock, checked);
    if (!errors.empty()) lun.series->AddEvent(t, Event::kVerifyError, errors.size());
    for (VerifyError& e : errors) {
      e.session = index_;
      e.t_s = t;
      run.AddVerifySample(std::move(e));
    }
  }
  lun.series->AddIo(t, io.op, bytes, latency);
  --streams_[io.lun_index].owned;
}

void SessionWorker::Fail(RunContext& run, Io& io, Event event, const std::string& detail) {
  if (event != Event::kRetry) {
    Record(run, io.lun_index, event);
    IoErrorSample sample;
    sample.t_s = run.Seconds(Clock::now());
    sample.session = index_;
    sample.lun = run.luns[io.lun_index].lun;
    sample.op = io.op;
    sample.lba = io.lba;
    sample.blocks = io.blocks;
    sample.kind = event;
    sample.detail = detail;
    run.AddErrorSample(std::move(sample));
  }
  // The blocks may hold the new generation or the old one (SBC-3 §4.x: a failed WRITE
  // leaves the medium indeterminate), and are free for the next write.
  if (io.op == IoOp::kWrite) {
    run.luns[io.lun_index].map->EndWrite(io.lba, io.blocks, io.generation, false);
  }
  --streams_[io.lun_index].owned;
}

void SessionWorker::SyncDue(RunContext& run, Clock::time_point now) {
  for (size_t i = 0; i < streams_.size(); ++i) {
    Stream& s = streams_[i];
    if (s.sync_in_flight || now < s.next_sync || session_->broken()) continue;
    s.next_sync = now + run.workload.sync_interval;
    iscsi::CommandRequest req;
    req.lun = run.luns[i].lun;
    req.limit = run.config->retry.command_limit;
    // LBA 0 and NUMBER OF LOGICAL BLOCKS 0: the whole LUN (SBC-3 §5.24).
    req.cdb = iscsi::cdb::SynchronizeCache10(0, 0);
    req.direction = iscsi::DataDirection::kNone;
    Result<iscsi::CommandId> id = session_->Submit(std::move(req));
    if (!id.ok()) continue;  // a broken session: the writes stay not durable
    Sync sync;
    sync.lun_index = i;
    sync.covers = std::move(s.undurable);
    s.undurable.clear();
    s.sync_in_flight = true;
    syncs_.emplace(id.value(), std::move(sync));
  }
}

void SessionWorker::EndSync(RunContext& run, Sync& sync, const iscsi::CommandResult& r) {
  Stream& s = streams_[sync.lun_index];
  s.sync_in_flight = false;
  if (r.good()) {
    if (run.journal != nullptr) {
      for (JournalRecord& rec : sync.covers) {
        rec.flags |= kJournalDurable;
        run.journal->Append(rec);
      }
    }
    return;
  }
  // Not durable: a later SYNCHRONIZE CACHE (sent after them too) may still cover them.
  s.undurable.insert(s.undurable.begin(), sync.covers.begin(), sync.covers.end());
  const RetryDecision d = DecideRetry(r, 0, 0, milliseconds(0), run.config->retry);
  if (d.action == RetryAction::kRetry || d.action == RetryAction::kReconnectRetry) return;
  Record(run, sync.lun_index, d.event);
  IoErrorSample sample;
  sample.t_s = run.Seconds(Clock::now());
  sample.session = index_;
  sample.lun = run.luns[sync.lun_index].lun;
  sample.op = IoOp::kWrite;
  sample.kind = d.event;
  sample.detail = r.cdb.Name() + ": " + d.reason;
  run.AddErrorSample(std::move(sample));
}

void SessionWorker::Settle(RunContext& run, iscsi::CommandId command) {
  // The reconnect (a dead connection, or an earlier abort that failed) ends it: one failed
  // ABORT TASK is enough to escalate, so the others of a burst of timeouts are not each
  // waited for in turn on a connection that answers nothing.
  if (session_->broken() || need_reset_) return;
  // The abort gets the time a command gets: an initiator's error handler does not wait
  // longer for a TMF than for the command it aborts before it escalates.
  const auto limit = std::min(session_->options().connect_limit, run.config->retry.command_limit);
  Result<iscsi::TmfResult> tmf = session_->AbortTask(command, limit);
  // Session refuses (sending nothing) to abort a command whose response has arrived since,
  // for instance while it waited for an earlier ABORT TASK: that command is settled. Session
  // says so only in its message.
  if (!tmf.ok() && tmf.error().find("is not in flight") != std::string::npos) return;
  ++result_.aborts_sent;
  // "Function complete" (aborted) and "Task does not exist" (already done, or never
  // arrived and its CmdSN now filled, RFC 7143 §11.5.1) both settle the command.
  if (tmf.ok() && (tmf.value().response == iscsi::tmf_response::kFunctionComplete ||
                   tmf.value().response == iscsi::tmf_response::kTaskDoesNotExist)) {
    return;
  }
  // Anything else: escalate as the midlayer does (abort, then reset): reinstate the
  // session, which ends every task of the old one (RFC 7143 §6.3.5).
  result_.last_error =
      tmf.ok() ? "ABORT TASK: " + iscsi::TmfResponseName(tmf.value().response) : tmf.error();
  need_reset_ = true;
}

void SessionWorker::Recover(RunContext& run) {
  // Everything the dead connection still reports ends up in lost_ (or completes).
  for (iscsi::Completion& c : session_->Poll(milliseconds(0))) Handle(run, std::move(c));
  const bool loss = session_->broken();
  if (!loss && !need_reset_) {
    std::vector<Io> lost = std::move(lost_);
    lost_.clear();
    for (Io& io : lost) Submit(run, std::move(io));
    return;
  }
  // A SYNCHRONIZE CACHE the dead connection did not report back ended without GOOD.
  for (auto& [id, sync] : syncs_) {
    Stream& s = streams_[sync.lun_index];
    s.sync_in_flight = false;
    s.undurable.insert(s.undurable.begin(), sync.covers.begin(), sync.covers.end());
  }
  syncs_.clear();
  const Clock::time_point outage_start = Clock::now();
  if (loss) {
    ++result_.connection_losses;
    result_.last_error = session_->last_error();
    // Counted once per outage, on every LUN that had commands in the air.
    std::vector<bool> hit(run.luns.size(), false);
    for (const Io& io : lost_) hit[io.lun_index] = true;
    for (size_t i = 0; i < hit.size(); ++i) {
      if (hit[i]) Record(run, i, Event::kConnectionLoss);
    }
    IoErrorSample sample;
    sample.t_s = run.Seconds(outage_start);
    sample.session = index_;
    sample.lun = -1;  // the whole session
    sample.kind = Event::kConnectionLoss;
    sample.detail = "connection lost (" + std::to_string(lost_.size()) +
                    " commands in flight): " + session_->last_error();
    run.AddErrorSample(std::move(sample));
  }
  need_reset_ = false;
  bool ok = false;
  if (!dead_) {
    milliseconds pause{100};
    for (;;) {
      Status st = session_->Reconnect(run.config->connect_limit);
      if (st.ok()) {
        ok = true;
        break;
      }
      result_.last_error = st.message();
      const bool out_of_time = Clock::now() - outage_start >= run.config->reconnect_limit;
      if (out_of_time || run.stop.load()) break;
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, milliseconds(1000));
    }
  }
  result_.outage_s += std::chrono::duration<double>(Clock::now() - outage_start).count();
  std::vector<Io> lost = std::move(lost_);
  lost_.clear();
  if (ok) {
    ++result_.reconnects;
    for (Io& io : lost) {
      Record(run, io.lun_index, Event::kRetry);
      Submit(run, std::move(io));
    }
    return;
  }
  dead_ = true;
  result_.gave_up = true;
  for (Io& io : lost) {
    Fail(run, io, Event::kRetriesExhausted,
         "no reconnect within " + std::to_string(run.config->reconnect_limit.count()) +
             " ms: " + result_.last_error);
  }
  for (Io& io : backing_off_) {
    Fail(run, io, Event::kRetriesExhausted, "session gave up reconnecting");
  }
  backing_off_.clear();
}

}  // namespace harness::loadgen
