// Connection: the full feature phase's data path: CmdSN ordering, SCSI Command, Data-Out and
// R2T (RFC 7143 §4.2.2, §11.3, §11.7, §11.8), execution and Data-In / SCSI Response.
#include <algorithm>
#include <cstring>

#include "target/common/logging.h"
#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/serial_number.h"
#include "target/iscsi/session/task.h"
#include "target/scsi/dispatcher.h"
#include "target/scsi/logical_unit.h"
#include "target/scsi/sense.h"

namespace reftarget::iscsi {
namespace {

// Largest Expected Data Transfer Length the target buffers for one WRITE: matches the
// 8 MiB per-command limit the SCSI layer advertises in VPD B0h with margin.
constexpr uint32_t kMaxWriteTransfer = 32u << 20;

}  // namespace

bool Connection::InWindow(uint32_t cmd_sn) const {
  // RFC 7143 §4.2.2.1: valid CmdSNs lie in [ExpCmdSN, MaxCmdSN] in serial arithmetic.
  uint32_t size = max_cmd_sn_ - exp_cmd_sn_ + 1;  // 0 when the window is closed
  return cmd_sn - exp_cmd_sn_ < size;
}

bool Connection::AcceptCmdSn(bool immediate, uint32_t cmd_sn) {
  if (immediate) return true;
  if (!InWindow(cmd_sn) || pending_cmd_sns_.count(cmd_sn) != 0) {
    RT_LOG(kDebug, log_name_) << "ignoring CmdSN " << cmd_sn << " outside [" << exp_cmd_sn_
                              << ", " << max_cmd_sn_ << "] or duplicate";
    return false;
  }
  pending_cmd_sns_.insert(cmd_sn);
  return true;
}

void Connection::Admit(uint32_t cmd_sn, std::function<void()> action) {
  if (cmd_sn != exp_cmd_sn_) {
    ordered_[cmd_sn] = std::move(action);
    return;
  }
  pending_cmd_sns_.erase(cmd_sn);
  ++exp_cmd_sn_;
  action();
  DrainOrdered();
}

void Connection::DrainOrdered() {
  while (!closed()) {
    auto it = ordered_.find(exp_cmd_sn_);
    if (it == ordered_.end()) return;
    auto action = std::move(it->second);
    ordered_.erase(it);
    pending_cmd_sns_.erase(exp_cmd_sn_);
    ++exp_cmd_sn_;
    action();
  }
}

uint32_t Connection::CurrentMaxCmdSn() {
  uint32_t candidate = MaxCmdSn();
  // The window never shrinks once advertised (initiators ignore a lower MaxCmdSN anyway).
  if (SerialLess(max_cmd_sn_, candidate)) max_cmd_sn_ = candidate;
  return max_cmd_sn_;
}

std::unique_ptr<Connection::Task> Connection::TakeTask(uint32_t itt) {
  auto it = tasks_.find(itt);
  if (it == tasks_.end()) return nullptr;
  std::unique_ptr<Task> task = std::move(it->second);
  tasks_.erase(it);
  if (data_task_itt_ == itt) {
    data_task_itt_ = kReservedTag;
    sink_.dest = nullptr;
  }
  return task;
}

void Connection::BeginScsiCommand(const ScsiCommandPdu& pdu) {
  const uint32_t dsl = pdu.data_segment_length;
  if (session_kind_ == login::SessionKind::kDiscovery) {
    // RFC 7143 §4.3: a discovery session carries only Text, NOP and Logout.
    pending_reject_ = PendingReject::kProtocol;
    return;
  }
  if (dsl > 0 && !pdu.write) {
    pending_reject_ = PendingReject::kProtocol;
    return;
  }
  if (pdu.immediate && tasks_.size() >= cmdsn_depth_) {
    // Immediate commands bypass the CmdSN window; bound them by the same depth so that a
    // flood cannot hold unbounded buffers (RFC 7143 §11.17.1: Reject 0x06).
    pending_reject_ = PendingReject::kImmediateReject;
    return;
  }
  if (!AcceptCmdSn(pdu.immediate, pdu.cmd_sn)) return;  // silently ignored; payload discarded
  if (tasks_.count(pdu.itt) != 0) {
    if (!pdu.immediate) pending_cmd_sns_.erase(pdu.cmd_sn);
    pending_reject_ = PendingReject::kTaskInProgress;
    return;
  }
  auto task = std::make_unique<Task>();
  task->itt = pdu.itt;
  task->received_at = std::chrono::steady_clock::now();
  task->cmd_sn = pdu.cmd_sn;
  task->immediate = pdu.immediate;
  task->raw_lun = pdu.lun;
  scsi::ScsiCommand& cmd = task->command;
  cmd.nexus = nexus_;
  if (!DecodeLun(pdu.lun, &cmd.lun)) cmd.lun = UINT64_MAX;  // unmapped: 05/25/00
  if (auto mapped = luns_.find(cmd.lun); mapped != luns_.end() && mapped->second.unit) {
    // The command is in the unit's task set from now on: a reset before it runs aborts it.
    cmd.lu_generation = mapped->second.unit->TaskSetGeneration();
  }
  cmd.read = pdu.read;
  cmd.write = pdu.write;
  cmd.expected_length = pdu.expected_data_transfer_length;
  cmd.attribute = static_cast<scsi::TaskAttribute>(pdu.attribute);
  cmd.cdb.assign(pdu.cdb.begin(), pdu.cdb.end());
  // RFC 7143 §11.3.5: an Extended CDB AHS (type 1) carries CDB bytes beyond 16.
  for (uint32_t pos = 0; pos + 4 <= ahs_length_;) {
    uint16_t len = Load16(&ahs_[pos]);
    uint8_t type = ahs_[pos + 2];
    if (pos + 3 + len > ahs_length_) break;
    if (type == 1 && len > 1) cmd.cdb.insert(cmd.cdb.end(), &ahs_[pos + 4], &ahs_[pos + 3 + len]);
    pos += (3u + len + 3u) & ~3u;
  }
  Task* t = task.get();
  tasks_[pdu.itt] = std::move(task);
  command_created_task_ = true;
  if (pdu.write) {
    uint32_t edtl = pdu.expected_data_transfer_length;
    if (edtl > kMaxWriteTransfer) {
      t->failed = true;
      t->command.data_out = IoBuffer();
      RT_LOG(kWarn, log_name_) << "WRITE with EDTL " << edtl << " over the " << kMaxWriteTransfer
                               << "-byte limit";
      return;
    }
    t->command.data_out = IoBuffer(edtl);
    uint32_t first_burst = std::min(params_.first_burst_length, edtl);
    t->unsolicited_limit = params_.initial_r2t ? std::min(dsl, edtl) : first_burst;
  }
  if (dsl > 0) {
    bool allowed = params_.immediate_data && dsl <= params_.first_burst_length &&
                   dsl <= pdu.expected_data_transfer_length && !t->failed;
    if (!allowed) {
      t->failed = true;  // answered once admitted: unexpected unsolicited data
      return;
    }
    sink_.dest = t->command.data_out.data();
    sink_.length = dsl;
    data_task_itt_ = pdu.itt;
  }
}

void Connection::OnScsiCommandData(bool digest_ok) {
  auto it = tasks_.find(common_.itt);
  if (it == tasks_.end()) return;
  Task* task = it->second.get();
  uint32_t dsl = common_.data_segment_length;
  data_task_itt_ = kReservedTag;
  // RFC 7143 §11.4.7.2: the transport-level reason a command fails, if it does.
  scsi::SenseReason reason = scsi::SenseReason::kDataPhaseError;
  if (!digest_ok) {
    // RFC 7143 §7.8: Reject the PDU; the task ends with a CRC error.
    SendReject(RejectReason::kDataDigestError, bhs_);
    task->failed = true;
    reason = scsi::SenseReason::kProtocolServiceCrcError;
  } else if (task->failed) {
    reason = task->command.expected_length > kMaxWriteTransfer
                 ? scsi::SenseReason::kInvalidFieldInCdb
                 : scsi::SenseReason::kUnexpectedUnsolicitedData;
  } else if (dsl > 0) {
    task->received += dsl;
    task->unsolicited_received += dsl;
  }
  if (task->failed) task->fail_reason = reason;
  uint32_t itt = task->itt;
  auto start = [this, itt]() {
    auto found = tasks_.find(itt);
    if (found == tasks_.end()) return;
    Task* t = found->second.get();
    if (t->failed) return FailTask(t, t->fail_reason);
    StartTask(t);
  };
  if (task->immediate) {
    start();
  } else {
    Admit(task->cmd_sn, std::move(start));
  }
}

void Connection::StartTask(Task* task) {
  task->admitted = true;
  if (task->command.write) {
    task->next_solicit_offset = task->unsolicited_limit;
    SendR2Ts(task);
  }
  MaybeExecute(task);
}

void Connection::SendR2Ts(Task* task) {
  const uint32_t edtl = task->command.expected_length;
  while (task->r2ts.size() < std::max<uint32_t>(params_.max_outstanding_r2t, 1) &&
         task->next_solicit_offset < edtl) {
    uint32_t len = std::min(params_.max_burst_length, edtl - task->next_solicit_offset);
    uint32_t ttt = next_ttt_++;
    if (next_ttt_ == kReservedTag) next_ttt_ = 1;
    task->r2ts[ttt] = Task::R2tState{task->next_solicit_offset, len, 0, 0};
    R2TPdu r;
    r.lun = task->raw_lun;
    r.itt = task->itt;
    r.target_transfer_tag = ttt;
    r.stat_sn = stat_sn_;
    r.exp_cmd_sn = exp_cmd_sn_;
    r.max_cmd_sn = CurrentMaxCmdSn();
    r.r2t_sn = task->r2t_sn++;
    r.buffer_offset = task->next_solicit_offset;
    r.desired_data_transfer_length = len;
    Send(Encode(r));
    task->next_solicit_offset += len;
  }
}

void Connection::BeginDataOut(const DataOutPdu& d) {
  data_valid_ = false;
  data_task_itt_ = kReservedTag;
  auto it = tasks_.find(d.itt);
  // RFC 7143 §11.7: Data-Out for a task the target does not know (ignored or finished) is
  // discarded; its payload is read and dropped.
  if (it == tasks_.end()) return;
  Task* task = it->second.get();
  if (task->state != Task::State::kCollecting || task->failed) return;
  const uint32_t len = d.data_segment_length;
  const uint32_t edtl = task->command.expected_length;
  bool ok = task->command.write && len > 0 && d.buffer_offset <= edtl &&
            len <= edtl - d.buffer_offset;
  scsi::SenseReason reason = scsi::SenseReason::kDataPhaseError;
  if (ok && d.target_transfer_tag == kReservedTag) {
    // RFC 7143 §11.4.7.2: unsolicited data the session does not allow (InitialR2T=Yes, or
    // beyond FirstBurstLength) is "unexpected unsolicited data".
    if (params_.initial_r2t || uint64_t{d.buffer_offset} + len > task->unsolicited_limit) {
      ok = false;
      reason = scsi::SenseReason::kUnexpectedUnsolicitedData;
    } else {
      // DataPDUInOrder=Yes: each PDU starts where the previous one ended.
      ok = d.data_sn == task->next_unsolicited_data_sn &&
           d.buffer_offset == task->unsolicited_received;
    }
  } else if (ok) {
    auto r2t = task->r2ts.find(d.target_transfer_tag);
    ok = r2t != task->r2ts.end() && d.data_sn == r2t->second.next_data_sn &&
         d.buffer_offset == r2t->second.offset + r2t->second.received &&
         d.buffer_offset + len <= r2t->second.offset + r2t->second.length;
  }
  if (!ok) {
    // RFC 7143 §7.x (ERL 0): a sequence or offset error fails the task, never its data.
    RT_LOG(kWarn, log_name_) << "Data-Out for ITT " << d.itt << " rejected: DataSN " << d.data_sn
                             << ", offset " << d.buffer_offset << ", length " << len;
    task->failed = true;
    task->fail_reason = reason;
    if (task->admitted) FailTask(task, reason);
    return;
  }
  data_valid_ = true;
  data_task_itt_ = d.itt;
  data_ttt_ = d.target_transfer_tag;
  sink_.dest = task->command.data_out.data() + d.buffer_offset;
  sink_.length = len;
}

void Connection::OnDataOutData(bool digest_ok) {
  if (!data_valid_) return;
  data_valid_ = false;
  auto it = tasks_.find(data_task_itt_);
  data_task_itt_ = kReservedTag;
  if (it == tasks_.end()) return;
  Task* task = it->second.get();
  uint32_t len = common_.data_segment_length;
  if (!digest_ok) {
    SendReject(RejectReason::kDataDigestError, bhs_);
    task->failed = true;
    if (task->admitted) FailTask(task, scsi::SenseReason::kProtocolServiceCrcError);
    return;
  }
  task->received += len;
  if (data_ttt_ == kReservedTag) {
    task->unsolicited_received += len;
    ++task->next_unsolicited_data_sn;
  } else {
    auto r2t = task->r2ts.find(data_ttt_);
    r2t->second.received += len;
    ++r2t->second.next_data_sn;
    bool final = (bhs_[1] & 0x80) != 0;
    if (r2t->second.received >= r2t->second.length) {
      task->r2ts.erase(r2t);
    } else if (final) {
      // The initiator ended the sequence before sending what the R2T asked for.
      task->failed = true;
      if (task->admitted) {
        FailTask(task, scsi::SenseReason::kNotEnoughUnsolicitedData);
      }
      return;
    }
  }
  if (task->admitted) {
    SendR2Ts(task);
    MaybeExecute(task);
  }
}

void Connection::MaybeExecute(Task* task) {
  if (!task->admitted || task->failed || task->state != Task::State::kCollecting) return;
  if (task->command.write && task->received < task->command.expected_length) return;
  Execute(task);
}

void Connection::Execute(Task* task) {
  task->state = Task::State::kExecuting;
  context_.inflight_commands->fetch_add(1, std::memory_order_relaxed);
  scsi::ScsiCommand cmd = std::move(task->command);
  // Keep what the response needs.
  task->command.read = cmd.read;
  task->command.write = cmd.write;
  task->command.expected_length = cmd.expected_length;
  task->command.lun = cmd.lun;
  // The completion holds the connection: a closed connection stays until its commands have
  // returned, so session reinstatement can wait for them (RFC 7143 §6.3.5).
  auto self = shared_from_this();
  uint32_t itt = task->itt;
  net::Reactor* reactor = reactor_;
  auto* inflight = context_.inflight_commands;
  scsi::ExecuteCommand(luns_, std::move(cmd),
                       [self, itt, reactor, inflight](scsi::ScsiResponse response) {
                         auto holder = std::make_shared<scsi::ScsiResponse>(std::move(response));
                         reactor->Post([self, itt, holder, inflight] {
                           inflight->fetch_sub(1, std::memory_order_relaxed);
                           self->OnScsiDone(itt, std::move(*holder));
                         });
                       });
}

void Connection::OnScsiDone(uint32_t itt, scsi::ScsiResponse response) {
  auto it = tasks_.find(itt);
  if (it == tasks_.end()) return;
  Task* task = it->second.get();
  if (task->aborted || closed()) {
    std::unique_ptr<Task> done = TakeTask(itt);
    for (uint32_t tmf_itt : done->waiting_tmfs) TmfPartDone(tmf_itt);
    Flush();
    if (closed()) MaybeSessionEnded();
    return;
  }
  // A TASK ABORTED status here comes from another nexus's reset or CLEAR TASK SET: with
  // TAS=1 the initiator is told (SAM-5 §7.1); it goes out like any other status.
  SendScsiResult(task, std::move(response));
  Flush();
}

void Connection::FailTask(Task* task, scsi::SenseReason reason) {
  // The unit's control page decides the sense format (D_SENSE), as for the SCSI layer's own.
  auto mapped = luns_.find(task->command.lun);
  const bool descriptor =
      mapped != luns_.end() && mapped->second.unit && mapped->second.unit->DescriptorSense();
  scsi::ScsiResponse r;
  r.status = scsi::ScsiStatus::kCheckCondition;
  r.sense = scsi::BuildSense(reason, descriptor);
  SendScsiResult(task, std::move(r));
}

void Connection::SendScsiResult(Task* task_in, scsi::ScsiResponse response) {
  std::unique_ptr<Task> task = TakeTask(task_in->itt);
  if (!task) return;
  const scsi::ScsiCommand& cmd = task->command;
  const uint32_t edtl = cmd.expected_length;
  const bool good = response.status == scsi::ScsiStatus::kGood;
  uint32_t actual = 0;
  if (cmd.read && !cmd.write) actual = std::min(response.data_in_length, edtl);
  if (!response.data_in.empty()) actual = std::min<uint32_t>(actual, response.data_in.size());
  // SAM-5 §5.4.3 / RFC 7143 §11.4.5: residuals compare what the CDB asked for with EDTL.
  bool overflow = false, underflow = false;
  uint32_t residual = 0;
  if (response.cdb_transfer_length > edtl) {
    overflow = true;
    residual = response.cdb_transfer_length - edtl;
  } else if (cmd.read && !cmd.write && actual < edtl) {
    underflow = true;
    residual = edtl - actual;
  } else if (cmd.write && response.cdb_transfer_length < edtl) {
    underflow = true;
    residual = edtl - response.cdb_transfer_length;
  } else if (!cmd.read && !cmd.write && edtl > 0) {
    underflow = true;
    residual = edtl;
  }
  CountCommand(*task, good, actual);
  uint32_t max_cmd_sn = CurrentMaxCmdSn();
  if (actual > 0) {
    auto buffer = std::make_shared<IoBuffer>(std::move(response.data_in));
    const uint32_t segment = std::max<uint32_t>(params_.initiator_max_recv_data_segment_length, 512);
    const uint32_t burst = std::max<uint32_t>(params_.max_burst_length, segment);
    uint32_t offset = 0, data_sn = 0, in_burst = 0;
    while (offset < actual) {
      uint32_t len = std::min({segment, actual - offset, burst - in_burst});
      DataInPdu d;
      d.lun = task->raw_lun;
      d.itt = task->itt;
      d.exp_cmd_sn = exp_cmd_sn_;
      d.max_cmd_sn = max_cmd_sn;
      d.data_sn = data_sn++;
      d.buffer_offset = offset;
      offset += len;
      in_burst += len;
      bool last = offset == actual;
      // RFC 7143 §13.14: a Data-In sequence carries at most MaxBurstLength bytes.
      d.final = last || in_burst == burst;
      if (in_burst == burst) in_burst = 0;
      if (last && good) {
        // Phase collapse (RFC 7143 §11.7.4): status rides on the last Data-In.
        d.has_status = true;
        d.status = static_cast<uint8_t>(response.status);
        d.stat_sn = stat_sn_++;
        d.overflow = overflow;
        d.underflow = underflow;
        d.residual_count = residual;
      }
      Send(Encode(d), buffer, buffer->data() + d.buffer_offset, len);
    }
    if (good) return;
  }
  ScsiResponsePdu r;
  r.response = 0;
  r.status = static_cast<uint8_t>(response.status);
  r.itt = task->itt;
  r.stat_sn = stat_sn_++;
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = max_cmd_sn;
  r.overflow = overflow;
  r.underflow = underflow;
  r.residual_count = residual;
  if (response.status == scsi::ScsiStatus::kCheckCondition && !response.sense.empty()) {
    std::vector<uint8_t> data(2 + response.sense.size());
    Store16(data.data(), static_cast<uint16_t>(response.sense.size()));
    std::memcpy(data.data() + 2, response.sense.data(), response.sense.size());
    SendBytes(Encode(r), std::move(data));
  } else {
    Send(Encode(r));
  }
}

}  // namespace reftarget::iscsi
