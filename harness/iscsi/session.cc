#include "harness/iscsi/session.h"

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "harness/iscsi/pdu_rewrite_guard.h"
#include "harness/iscsi/session_internal.h"

namespace harness::iscsi {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

int ToXferDir(DataDirection d) {
  switch (d) {
    case DataDirection::kNone:
      return SCSI_XFER_NONE;
    case DataDirection::kRead:
      return SCSI_XFER_READ;
    case DataDirection::kWrite:
      return SCSI_XFER_WRITE;
  }
  return SCSI_XFER_NONE;
}

}  // namespace

Session::Session(ConnectOptions options) : options_(std::move(options)) {}

Session::~Session() {
  if (ctx_ == nullptr) return;
  internal::DetachPduHooks(ctx_);
  if (options_.logout_on_close && logged_in()) {
    (void)Logout(options_.close_limit);
  }
  // libiscsi cancels what is still queued (callbacks may run here, while pending_ and ops_
  // are alive), then frees its PDUs.
  iscsi_destroy_context(ctx_);
  ctx_ = nullptr;
  for (auto& [id, pending] : pending_) {
    if (pending->task != nullptr) scsi_free_scsi_task(pending->task);
  }
  for (scsi_task* task : graveyard_) scsi_free_scsi_task(task);
}

void Session::OnOpDone(iscsi_context* /*ctx*/, int status, void* command_data, void* private_data) {
  auto* op = static_cast<Op*>(private_data);
  op->done = true;
  op->status = status;
  if (status == SCSI_STATUS_GOOD && command_data != nullptr) {
    switch (op->kind) {
      case OpKind::kTmf:
        op->response = *static_cast<uint32_t*>(command_data);
        break;
      case OpKind::kNop: {
        auto* d = static_cast<iscsi_data*>(command_data);
        if (d->data != nullptr) op->data.assign(d->data, d->data + d->size);
        break;
      }
      case OpKind::kDiscovery:
        for (auto* a = static_cast<iscsi_discovery_address*>(command_data); a != nullptr;
             a = a->next) {
          DiscoveredTarget t;
          if (a->target_name != nullptr) t.name = a->target_name;
          for (iscsi_target_portal* p = a->portals; p != nullptr; p = p->next) {
            if (p->portal != nullptr) t.portals.emplace_back(p->portal);
          }
          op->targets.push_back(std::move(t));
        }
        break;
      case OpKind::kPlain:
        break;
    }
  }
  if (op->abandoned) op->session->ops_.erase(op->id);  // frees op
}

Session::Op* Session::NewOp() {
  auto op = std::make_unique<Op>();
  op->session = this;
  op->id = next_op_++;
  op->start = Clock::now();
  Op* raw = op.get();
  ops_[raw->id] = std::move(op);
  return raw;
}

void Session::ReleaseOp(Op* op) { ops_.erase(op->id); }

bool Session::WaitOp(Op* op, Clock::time_point deadline) {
  const uint64_t id = op->id;
  PumpUntil([this, id] { return ops_.at(id)->done; }, deadline);
  if (op->done) return true;
  op->abandoned = true;
  return false;
}

bool Session::ServiceOnce(Clock::time_point until) {
  if (ctx_ == nullptr) return false;
  const int fd = iscsi_get_fd(ctx_);
  // The exact time left, not whole milliseconds: truncated to 0 ms, the last sub-millisecond
  // of every wait became a loop of non-blocking polls (a rate-limited stream waits about 1 ms
  // between I/Os, so the load generator spun a core and starved the target it measured).
  const auto wait = std::clamp(duration_cast<nanoseconds>(until - Clock::now()), nanoseconds(0),
                               duration_cast<nanoseconds>(kMaxPollSlice));
  const timespec timeout{static_cast<time_t>(wait.count() / 1'000'000'000),
                         static_cast<long>(wait.count() % 1'000'000'000)};
  int revents = 0;
  if (fd >= 0) {
    pollfd pfd{};
    pfd.fd = fd;
    pfd.events = static_cast<short>(iscsi_which_events(ctx_));
    const int rc = ppoll(&pfd, 1, &timeout, nullptr);
    if (rc < 0 && errno != EINTR) {
      MarkBroken(std::string("poll: ") + std::strerror(errno));
      return false;
    }
    if (rc > 0) revents = pfd.revents;
  } else if (wait.count() > 0) {
    ppoll(nullptr, 0, &timeout, nullptr);
  }
  if (iscsi_service(ctx_, revents) < 0) {
    MarkBroken(iscsi_get_error(ctx_));
    return false;
  }
  ExpireDeadlines(Clock::now());
  return true;
}

void Session::MarkBroken(const std::string& why) {
  last_error_ = why;
  if (broken_) return;
  broken_ = true;
  // Commands still waiting will not get a response on this connection.
  for (auto& [id, pending] : pending_) {
    if (pending->delivered) continue;
    CommandResult r;
    r.outcome = Outcome::kConnectionLost;
    r.error = why;
    Finish(pending.get(), std::move(r));
  }
}

void Session::Finish(Pending* p, CommandResult r) {
  r.cdb = p->request.cdb;
  r.lun = p->lun;
  if (p->task != nullptr) r.expected_length = static_cast<uint32_t>(p->task->expxferlen);
  r.duration = duration_cast<microseconds>(Clock::now() - p->start);
  p->delivered = true;
  completed_.push_back(Completion{p->id, std::move(r)});
}

void Session::ExpireDeadlines(Clock::time_point now) {
  for (auto& [id, pending] : pending_) {
    if (pending->delivered || now < pending->deadline) continue;
    CommandResult r;
    r.outcome = Outcome::kTimeout;
    r.error = "no response within " + Ms(pending->request.limit);
    Finish(pending.get(), std::move(r));
  }
}

void Session::OnCommandDone(iscsi_context* ctx, int status, void* /*command_data*/,
                            void* private_data) {
  auto* p = static_cast<Pending*>(private_data);
  Session* s = p->session;
  scsi_task* task = p->task;
  const CommandId id = p->id;
  if (!p->delivered) {
    CommandResult r;
    if (status >= 0 && status < 0x100 && status != SCSI_STATUS_REDIRECT) {
      r.outcome = Outcome::kCompleted;
      r.status = static_cast<uint8_t>(status);
      if (status == SCSI_STATUS_CHECK_CONDITION) {
        // RFC 7143 §11.4.7: the data segment is SenseLength (2 bytes) + sense data.
        const size_t size = static_cast<size_t>(task->datain.size);
        if (task->datain.data != nullptr && size >= 2) {
          const size_t len = (size_t{task->datain.data[0]} << 8) | task->datain.data[1];
          const size_t n = std::min(len, size - 2);
          r.sense.assign(task->datain.data + 2, task->datain.data + 2 + n);
        }
        r.decoded = DecodeSense(r.sense);
      } else if (task->datain.data != nullptr && task->datain.size > 0) {
        r.data_in.assign(task->datain.data, task->datain.data + task->datain.size);
      }
      if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW) {
        r.residual = {Residual::Kind::kUnderflow, task->residual};
      } else if (task->residual_status == SCSI_RESIDUAL_OVERFLOW) {
        r.residual = {Residual::Kind::kOverflow, task->residual};
      }
    } else if (status == SCSI_STATUS_CANCELLED) {
      if (!p->cancel_reason.empty()) {
        r.outcome = Outcome::kCancelled;
        r.error = p->cancel_reason;
      } else {
        // With auto-reconnect off, libiscsi cancels every command when the connection
        // fails (iscsi_defer_reconnect); the session is unusable until Reconnect().
        r.outcome = Outcome::kConnectionLost;
        r.error = std::string("cancelled by libiscsi: ") + iscsi_get_error(ctx);
        s->broken_ = true;
        s->last_error_ = r.error;
      }
    } else if (status == SCSI_STATUS_TIMEOUT) {
      r.outcome = Outcome::kTimeout;
      r.error = "libiscsi timeout (iscsi_set_timeout)";
    } else {
      r.outcome = Outcome::kTransportError;
      r.error = iscsi_get_error(ctx);
    }
    s->Finish(p, std::move(r));
  }
  // A cancelled task may still be referenced by Data-Out PDUs libiscsi has queued; keep it
  // until the context is gone.
  if (status == SCSI_STATUS_CANCELLED) {
    s->graveyard_.push_back(task);
  } else {
    scsi_free_scsi_task(task);
  }
  s->pending_.erase(id);  // frees p
}

Result<CommandId> Session::Submit(CommandRequest request) {
  if (ctx_ == nullptr || broken_) {
    return Status::Error("session is broken: " + last_error_);
  }
  if (request.cdb.empty()) return Status::Error("CommandRequest.cdb is empty");
  auto p = std::make_unique<Pending>();
  p->session = this;
  p->id = next_id_++;
  p->lun = request.lun.value_or(options_.lun);
  p->request = std::move(request);
  const CommandRequest& req = p->request;
  int expxferlen = 0;
  if (req.direction == DataDirection::kWrite) expxferlen = static_cast<int>(req.data_out.size());
  if (req.direction == DataDirection::kRead) expxferlen = static_cast<int>(req.data_in_length);
  unsigned char cdb_bytes[Cdb::kMaxSize] = {};
  std::copy(req.cdb.bytes().begin(), req.cdb.bytes().end(), cdb_bytes);
  p->task = scsi_create_task(static_cast<int>(req.cdb.size()), cdb_bytes, ToXferDir(req.direction),
                             expxferlen);
  if (p->task == nullptr) return Status::Error("scsi_create_task failed for " + req.cdb.Name());
  iscsi_data out{};
  iscsi_data* out_ptr = nullptr;
  if (req.direction == DataDirection::kWrite && !req.data_out.empty()) {
    out.size = p->request.data_out.size();
    out.data = p->request.data_out.data();
    out_ptr = &out;
  }
  p->start = Clock::now();
  p->deadline = p->start + req.limit;
  Pending* raw = p.get();
  pending_[raw->id] = std::move(p);
  if (iscsi_scsi_command_async(ctx_, raw->lun, raw->task, &Session::OnCommandDone, out_ptr, raw) !=
      0) {
    const std::string error = iscsi_get_error(ctx_);
    scsi_free_scsi_task(raw->task);
    pending_.erase(raw->id);
    return Status::Error("cannot queue " + req.cdb.Name() + ": " + error);
  }
  return raw->id;
}

std::optional<Completion> Session::TakeCompletion(CommandId id) {
  for (auto it = completed_.begin(); it != completed_.end(); ++it) {
    if (it->id == id) {
      Completion c = std::move(*it);
      completed_.erase(it);
      return c;
    }
  }
  return std::nullopt;
}

CommandResult Session::Execute(const CommandRequest& request) {
  Result<CommandId> id = Submit(request);
  if (!id.ok()) {
    CommandResult r;
    r.outcome = Outcome::kNotSent;
    r.cdb = request.cdb;
    r.lun = request.lun.value_or(options_.lun);
    r.error = id.error();
    return r;
  }
  const CommandId want = id.value();
  const auto has = [this, want] {
    return std::any_of(completed_.begin(), completed_.end(),
                       [want](const Completion& c) { return c.id == want; });
  };
  // The command's own deadline ends the wait: ExpireDeadlines reports the timeout.
  while (!has()) {
    if (!ServiceOnce(Clock::now() + kMaxPollSlice) && !has()) break;
  }
  if (std::optional<Completion> c = TakeCompletion(want)) return std::move(c->result);
  CommandResult r;  // unreachable unless the context vanished
  r.outcome = Outcome::kConnectionLost;
  r.cdb = request.cdb;
  r.error = last_error_;
  return r;
}

CommandResult Session::Execute(const Cdb& cdb, DataDirection direction,
                               std::span<const uint8_t> out, size_t in_len,
                               std::chrono::milliseconds limit) {
  CommandRequest req;
  req.cdb = cdb;
  req.direction = direction;
  req.data_out.assign(out.begin(), out.end());
  req.data_in_length = static_cast<uint32_t>(in_len);
  req.limit = limit;
  return Execute(req);
}

std::vector<Completion> Session::Poll(std::chrono::milliseconds wait) {
  const Clock::time_point deadline = Clock::now() + wait;
  PumpUntil([this] { return !completed_.empty() || Outstanding() == 0; }, deadline);
  // One more non-blocking pass collects whatever else is ready.
  if (!broken_ && ctx_ != nullptr) ServiceOnce(Clock::now());
  std::vector<Completion> out(std::make_move_iterator(completed_.begin()),
                              std::make_move_iterator(completed_.end()));
  completed_.clear();
  return out;
}

size_t Session::Outstanding() const {
  size_t n = completed_.size();
  for (const auto& [id, p] : pending_) {
    if (!p->delivered) ++n;
  }
  return n;
}

size_t Session::abandoned() const {
  size_t n = 0;
  for (const auto& [id, p] : pending_) {
    if (p->delivered) ++n;
  }
  return n;
}

bool Session::logged_in() const {
  return ctx_ != nullptr && !broken_ && !logged_out_ && iscsi_is_logged_in(ctx_) != 0;
}

}  // namespace harness::iscsi
