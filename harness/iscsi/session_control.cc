#include "harness/iscsi/session.h"

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <algorithm>

#include "harness/iscsi/session_internal.h"

namespace harness::iscsi {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string TmfResponseName(uint8_t response) {
  switch (response) {
    case tmf_response::kFunctionComplete: return "Function complete";
    case tmf_response::kTaskDoesNotExist: return "Task does not exist";
    case tmf_response::kLunDoesNotExist: return "LUN does not exist";
    case tmf_response::kTaskStillAllegiant: return "Task still allegiant";
    case tmf_response::kReassignmentNotSupported: return "Task allegiance reassignment not supported";
    case tmf_response::kNotSupported: return "Task management function not supported";
    case tmf_response::kAuthorizationFailed: return "Function authorization failed";
    case tmf_response::kRejected: return "Function rejected";
    default: return "response " + std::to_string(response);
  }
}

Result<TmfResult> Session::TaskManagementRaw(TmfFunction function, int lun,
                                             uint32_t referenced_itt, uint32_t ref_cmdsn,
                                             std::chrono::milliseconds limit) {
  if (!logged_in()) return Status::Error("TMF: session not logged in (" + last_error_ + ")");
  Op* op = NewOp();
  op->kind = OpKind::kTmf;
  // iscsi_task_mgmt_async (not the _abort_task_ wrappers) so that libiscsi does not cancel
  // anything locally before the target has answered.
  if (iscsi_task_mgmt_async(ctx_, lun, static_cast<iscsi_task_mgmt_funcs>(function),
                            referenced_itt, ref_cmdsn, &Session::OnOpDone, op) != 0) {
    ReleaseOp(op);
    return Status::Error("TMF " + std::to_string(static_cast<int>(function)) +
                         ": cannot queue: " + iscsi_get_error(ctx_));
  }
  if (!WaitOp(op, Clock::now() + limit)) {
    return Status::Error("TMF " + std::to_string(static_cast<int>(function)) +
                         ": no response within " + Ms(limit));
  }
  TmfResult result;
  result.response = static_cast<uint8_t>(op->response);
  result.duration = duration_cast<microseconds>(Clock::now() - op->start);
  const int status = op->status;
  ReleaseOp(op);
  if (status != SCSI_STATUS_GOOD) {
    return Status::Error("TMF " + std::to_string(static_cast<int>(function)) + " failed: " +
                         iscsi_get_error(ctx_));
  }
  return result;
}

Result<TmfResult> Session::TaskManagement(TmfFunction function, std::optional<int> lun,
                                          std::optional<CommandId> referenced,
                                          std::chrono::milliseconds limit) {
  int use_lun = lun.value_or(options_.lun);
  uint32_t itt = 0xffffffff;
  uint32_t cmdsn = 0;
  if (referenced) {
    auto it = pending_.find(*referenced);
    if (it == pending_.end() || it->second->task == nullptr) {
      return Status::Error("TMF: command " + std::to_string(*referenced) +
                           " is not in flight (already completed?)");
    }
    itt = it->second->task->itt;
    cmdsn = it->second->task->cmdsn;
    if (!lun) use_lun = it->second->lun;
  }
  Result<TmfResult> r = TaskManagementRaw(function, use_lun, itt, cmdsn, limit);
  if (r.ok() && r.value().response == tmf_response::kFunctionComplete) {
    CancelTerminated(function, use_lun, referenced);
  }
  return r;
}

void Session::CancelTerminated(TmfFunction function, int lun, std::optional<CommandId> referenced) {
  std::vector<scsi_task*> to_cancel;
  for (auto& [id, p] : pending_) {
    bool hit = false;
    switch (function) {
      case TmfFunction::kAbortTask: hit = referenced && id == *referenced; break;
      case TmfFunction::kAbortTaskSet:
      case TmfFunction::kClearTaskSet:
      case TmfFunction::kLogicalUnitReset: hit = p->lun == lun; break;
      case TmfFunction::kTargetWarmReset:
      case TmfFunction::kTargetColdReset: hit = true; break;
      case TmfFunction::kClearAca: break;
    }
    if (!hit) continue;
    p->cancel_reason = "terminated by task management function " +
                       std::to_string(static_cast<int>(function));
    to_cancel.push_back(p->task);
  }
  // iscsi_scsi_cancel_task runs OnCommandDone, which erases from pending_.
  for (scsi_task* task : to_cancel) iscsi_scsi_cancel_task(ctx_, task);
}

Result<TmfResult> Session::AbortTask(CommandId id, std::chrono::milliseconds limit) {
  return TaskManagement(TmfFunction::kAbortTask, std::nullopt, id, limit);
}
Result<TmfResult> Session::AbortTaskSet(int lun, std::chrono::milliseconds limit) {
  return TaskManagement(TmfFunction::kAbortTaskSet, lun, std::nullopt, limit);
}
Result<TmfResult> Session::ClearTaskSet(int lun, std::chrono::milliseconds limit) {
  return TaskManagement(TmfFunction::kClearTaskSet, lun, std::nullopt, limit);
}
Result<TmfResult> Session::LunReset(int lun, std::chrono::milliseconds limit) {
  return TaskManagement(TmfFunction::kLogicalUnitReset, lun, std::nullopt, limit);
}
Result<TmfResult> Session::TargetWarmReset(std::chrono::milliseconds limit) {
  return TaskManagement(TmfFunction::kTargetWarmReset, 0, std::nullopt, limit);
}
Result<TmfResult> Session::TargetColdReset(std::chrono::milliseconds limit) {
  return TaskManagement(TmfFunction::kTargetColdReset, 0, std::nullopt, limit);
}

Result<NopResult> Session::NopOut(std::span<const uint8_t> data, std::chrono::milliseconds limit) {
  if (!logged_in()) return Status::Error("NOP-Out: session not logged in (" + last_error_ + ")");
  Op* op = NewOp();
  op->kind = OpKind::kNop;
  std::vector<uint8_t> copy(data.begin(), data.end());
  if (iscsi_nop_out_async(ctx_, &Session::OnOpDone, copy.empty() ? nullptr : copy.data(),
                          static_cast<int>(copy.size()), op) != 0) {
    ReleaseOp(op);
    return Status::Error(std::string("NOP-Out: cannot queue: ") + iscsi_get_error(ctx_));
  }
  if (!WaitOp(op, Clock::now() + limit)) {
    return Status::Error("NOP-Out: no NOP-In within " + Ms(limit));
  }
  NopResult result;
  result.data = std::move(op->data);
  result.duration = duration_cast<microseconds>(Clock::now() - op->start);
  const int status = op->status;
  ReleaseOp(op);
  if (status != SCSI_STATUS_GOOD) {
    return Status::Error(std::string("NOP-Out failed: ") + iscsi_get_error(ctx_));
  }
  return result;
}

bool Session::Service(std::chrono::milliseconds duration) {
  const Clock::time_point deadline = Clock::now() + duration;
  while (Clock::now() < deadline) {
    if (!ServiceOnce(deadline)) return false;
  }
  return !broken_;
}

}  // namespace harness::iscsi
