// Connection: PDU dispatch in the full feature phase and the control PDUs: NOP-Out/NOP-In,
// Text (SendTargets), Logout, task management, Reject, and the connection's timers.
#include <algorithm>
#include <cstring>

#include "target/common/logging.h"
#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/serial_number.h"
#include "target/iscsi/session/task.h"
#include "target/scsi/logical_unit.h"

namespace reftarget::iscsi {
namespace {

// RFC 7143 §6.1: login PDUs carry at most 8192 bytes before limits are negotiated.
constexpr uint32_t kLoginDataLimit = 8192;
constexpr size_t kMaxTextRequestBytes = 64 * 1024;
// How long a TMF waits for aborted commands stuck in a backstore before it fences their units
// and answers. Well inside open-iscsi's 15 s abort timeout and the 2 s TEST-PLAN T31 allows;
// long enough that ordinary aborts (microseconds) never fence.
constexpr std::chrono::milliseconds kTmfAnswerDue{1000};

}  // namespace

void Connection::OnHeaderComplete() {
  const uint32_t dsl = common_.data_segment_length;
  const uint32_t limit =
      phase_ == Phase::kLogin ? kLoginDataLimit : params_.target_max_recv_data_segment_length;
  if (dsl > limit) {
    // The payload cannot be trusted to fit any buffer; RFC 7143 §7.x allows dropping the
    // connection on a protocol error at ERL 0.
    return Close("DataSegmentLength " + std::to_string(dsl) + " of " + OpcodeName(common_.opcode) +
                 " exceeds " + std::to_string(limit));
  }
  data_crc_ = 0;
  sink_ = DataSink{};
  pending_reject_ = PendingReject::kNone;
  command_created_task_ = false;
  if (phase_ == Phase::kFullFeature) {
    const auto op = static_cast<Opcode>(common_.opcode);
    if (op == Opcode::kScsiCommand) {
      auto pdu = DecodeScsiCommand(bhs_);
      if (pdu.ok()) {
        BeginScsiCommand(pdu.value());
      } else {
        RT_LOG(kWarn, log_name_) << pdu.error();
        pending_reject_ = PendingReject::kInvalidField;
      }
    } else if (op == Opcode::kDataOut) {
      auto pdu = DecodeDataOut(bhs_);
      if (pdu.ok()) {
        BeginDataOut(pdu.value());
      } else {
        RT_LOG(kWarn, log_name_) << pdu.error();
        pending_reject_ = PendingReject::kInvalidField;
      }
    } else if (dsl > 0) {
      pdu_data_.resize(dsl);
      sink_.dest = pdu_data_.data();
      sink_.length = dsl;
    }
  } else if (dsl > 0) {
    pdu_data_.resize(dsl);
    sink_.dest = pdu_data_.data();
    sink_.length = dsl;
  }
  if (dsl == 0) {
    pdu_data_.clear();
    OnPduComplete(true);
    return;
  }
  recv_state_ = RecvState::kData;
  need_ = PaddedLength(dsl);
  have_ = 0;
}

void Connection::OnPduComplete(bool data_digest_ok) {
  ResetReceive();
  if (common_.data_segment_length == 0) pdu_data_.clear();
  switch (phase_) {
    case Phase::kLogin:
      HandleLoginPdu();
      break;
    case Phase::kFullFeature:
      if (!data_digest_ok && static_cast<Opcode>(common_.opcode) != Opcode::kScsiCommand &&
          static_cast<Opcode>(common_.opcode) != Opcode::kDataOut) {
        SendReject(RejectReason::kDataDigestError, bhs_);
        break;
      }
      HandleFfpPdu();
      if (static_cast<Opcode>(common_.opcode) == Opcode::kScsiCommand &&
          pending_reject_ == PendingReject::kNone && command_created_task_) {
        OnScsiCommandData(data_digest_ok);
      } else if (static_cast<Opcode>(common_.opcode) == Opcode::kDataOut &&
                 pending_reject_ == PendingReject::kNone) {
        OnDataOutData(data_digest_ok);
      }
      break;
    case Phase::kLoggingOut:
      break;  // the connection closes once the Logout Response is out
  }
}

void Connection::HandleFfpPdu() {
  switch (pending_reject_) {
    case PendingReject::kNone:
      break;
    case PendingReject::kProtocol:
      return SendReject(RejectReason::kProtocolError, bhs_);
    case PendingReject::kInvalidField:
      return SendReject(RejectReason::kInvalidPduField, bhs_);
    case PendingReject::kTaskInProgress:
      return SendReject(RejectReason::kTaskInProgress, bhs_);
    case PendingReject::kNotSupported:
      return SendReject(RejectReason::kCommandNotSupported, bhs_);
    case PendingReject::kImmediateReject:
      return SendReject(RejectReason::kImmediateCommandReject, bhs_);
  }
  switch (static_cast<Opcode>(common_.opcode)) {
    case Opcode::kScsiCommand:
    case Opcode::kDataOut:
      return;  // handled by OnScsiCommandData / OnDataOutData
    case Opcode::kNopOut: {
      auto pdu = DecodeNopOut(bhs_);
      if (!pdu.ok()) return SendReject(RejectReason::kInvalidPduField, bhs_);
      return HandleNopOut(pdu.value());
    }
    case Opcode::kTextRequest: {
      auto pdu = DecodeTextRequest(bhs_);
      if (!pdu.ok()) return SendReject(RejectReason::kInvalidPduField, bhs_);
      return HandleText(pdu.value());
    }
    case Opcode::kLogoutRequest: {
      auto pdu = DecodeLogoutRequest(bhs_);
      if (!pdu.ok()) return SendReject(RejectReason::kInvalidPduField, bhs_);
      return HandleLogout(pdu.value());
    }
    case Opcode::kTaskMgmtRequest: {
      auto pdu = DecodeTaskMgmtRequest(bhs_);
      if (!pdu.ok()) return SendReject(RejectReason::kInvalidPduField, bhs_);
      if (session_kind_ == login::SessionKind::kDiscovery) {
        return SendReject(RejectReason::kProtocolError, bhs_);
      }
      return HandleTaskManagement(pdu.value());
    }
    case Opcode::kSnackRequest:
      // RFC 7143 §11.16: SNACK needs ErrorRecoveryLevel > 0, which is never negotiated.
      return SendReject(RejectReason::kProtocolError, bhs_);
    case Opcode::kLoginRequest:
      // RFC 7143 §6.1: a Login Request in the full feature phase is a protocol error.
      return SendReject(RejectReason::kProtocolError, bhs_);
    default:
      return SendReject(RejectReason::kCommandNotSupported, bhs_);
  }
}

void Connection::SendReject(RejectReason reason, const Bhs& rejected) {
  RT_LOG(kInfo, log_name_) << "Reject reason 0x" << std::hex << static_cast<int>(reason) << std::dec
                           << " for " << OpcodeName(rejected[0] & 0x3f);
  RejectPdu r;
  r.reason = static_cast<uint8_t>(reason);
  r.stat_sn = stat_sn_++;
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = CurrentMaxCmdSn();
  auto copy = std::make_shared<Bhs>(rejected);
  const uint8_t* p = copy->data();
  Send(Encode(r), std::move(copy), p, kBhsLength);
}

void Connection::HandleNopOut(const NopOutPdu& nop) {
  if (nop.target_transfer_tag != kReservedTag) {
    // The initiator's answer to our NOP-In ping (RFC 7143 §11.18.3).
    if (nop.target_transfer_tag == ping_ttt_) ping_ttt_ = kReservedTag;
    return;
  }
  if (nop.itt == kReservedTag) return;  // a one-way NOP-Out needs no answer
  if (!nop.immediate && !AcceptCmdSn(false, nop.cmd_sn)) return;
  auto data = std::make_shared<std::vector<uint8_t>>(pdu_data_);
  auto respond = [this, itt = nop.itt, lun = nop.lun, data]() {
    NopInPdu r;
    r.lun = lun;
    r.itt = itt;
    r.target_transfer_tag = kReservedTag;
    r.stat_sn = stat_sn_++;
    r.exp_cmd_sn = exp_cmd_sn_;
    r.max_cmd_sn = CurrentMaxCmdSn();
    // RFC 7143 §11.19: the ping data is echoed, up to the initiator's segment limit.
    uint32_t n = static_cast<uint32_t>(
        std::min<size_t>(data->size(), params_.initiator_max_recv_data_segment_length));
    Send(Encode(r), data, data->data(), n);
  };
  if (nop.immediate) {
    respond();
  } else {
    Admit(nop.cmd_sn, respond);
  }
}

void Connection::HandleText(const TextRequestPdu& text) {
  if (!text.immediate && !AcceptCmdSn(false, text.cmd_sn)) return;
  auto process = [this, text, data = pdu_data_]() {
    auto respond = [&](bool final, bool more, std::vector<uint8_t> payload, uint32_t ttt) {
      TextResponsePdu r;
      r.final = final;
      r.continue_ = more;
      r.lun = text.lun;
      r.itt = text.itt;
      r.target_transfer_tag = ttt;
      r.stat_sn = stat_sn_++;
      r.exp_cmd_sn = exp_cmd_sn_;
      r.max_cmd_sn = CurrentMaxCmdSn();
      SendBytes(Encode(r), std::move(payload));
    };
    if (text.target_transfer_tag != kReservedTag && text.target_transfer_tag == text_ttt_ &&
        !text_response_.empty() && data.empty()) {
      // The initiator asks for the next part of a long response.
    } else {
      text_response_.clear();
      text_response_sent_ = 0;
      if (text_request_.size() + data.size() > kMaxTextRequestBytes) {
        text_request_.clear();
        return SendReject(RejectReason::kProtocolError, bhs_);
      }
      text_request_.insert(text_request_.end(), data.begin(), data.end());
      if (text.continue_) {
        // RFC 7143 §11.10.2: acknowledge a partial request with an empty response.
        text_ttt_ = next_ttt_++;
        return respond(false, false, {}, text_ttt_);
      }
      auto keys = login::ParseTextKeys(text_request_);
      text_request_.clear();
      if (!keys.ok()) {
        RT_LOG(kWarn, log_name_) << "Text request: " << keys.error();
        return SendReject(RejectReason::kProtocolError, bhs_);
      }
      std::string reply;
      std::vector<login::KeyValue> negotiated;
      if (auto failure = negotiator_->NegotiateFullFeature(keys.value(), &negotiated)) {
        RT_LOG(kWarn, log_name_) << "Text request: " << failure->reason;
        return SendReject(RejectReason::kProtocolError, bhs_);
      }
      // RFC 7143 §13.12: a new MaxRecvDataSegmentLength declaration applies from now on.
      params_.initiator_max_recv_data_segment_length =
          negotiator_->params().initiator_max_recv_data_segment_length;
      reply = login::EncodeTextKeys(negotiated);
      for (const auto& kv : keys.value()) {
        if (kv.key == "SendTargets") {
          auto st = BuildSendTargets(kv.value);
          reply.append(st.begin(), st.end());
        }
        if (reply.size() > kMaxTextRequestBytes) break;
      }
      text_response_.assign(reply.begin(), reply.end());
    }
    const size_t limit = params_.initiator_max_recv_data_segment_length;
    size_t left = text_response_.size() - text_response_sent_;
    size_t n = std::min(left, limit);
    std::vector<uint8_t> part(
        text_response_.begin() + static_cast<std::ptrdiff_t>(text_response_sent_),
        text_response_.begin() + static_cast<std::ptrdiff_t>(text_response_sent_ + n));
    text_response_sent_ += n;
    bool more = text_response_sent_ < text_response_.size();
    if (more) {
      text_ttt_ = next_ttt_++;
      respond(false, true, std::move(part), text_ttt_);
    } else {
      text_ttt_ = kReservedTag;
      text_response_.clear();
      respond(true, false, std::move(part), kReservedTag);
    }
  };
  if (text.immediate) {
    process();
  } else {
    Admit(text.cmd_sn, process);
  }
}

std::vector<uint8_t> Connection::BuildSendTargets(const std::string& which) const {
  std::string out;
  auto snapshot = context_.registry->Current();
  std::vector<std::string> listed;
  for (const auto& tpg : snapshot->tpgs) {
    if (!tpg->enabled || !tpg->Admits(initiator_name_)) continue;
    // RFC 7143 §13.3 / Appendix C: All lists every target; a name lists that one; an empty
    // value in a normal session lists the session's target.
    bool wanted = which == "All" ||
                  (which.empty() ? tpg->target_name == target_name_ : tpg->target_name == which);
    if (!wanted) continue;
    if (std::find(listed.begin(), listed.end(), tpg->target_name) == listed.end()) {
      listed.push_back(tpg->target_name);
      login::AppendTextKey(&out, "TargetName", tpg->target_name);
    }
    for (const auto& portal : tpg->portals) {
      net::Endpoint shown = portal;
      if (portal.ip == "0.0.0.0" || portal.ip == "::" || portal.ip.empty()) {
        // A wildcard portal is reported as the address this connection reached.
        shown.ip = local_.ip;
        shown.ipv6 = local_.ipv6;
      }
      login::AppendTextKey(&out, "TargetAddress",
                           shown.ToString() + "," + std::to_string(tpg->tag));
    }
  }
  return std::vector<uint8_t>(out.begin(), out.end());
}

void Connection::HandleLogout(const LogoutRequestPdu& logout) {
  if (!logout.immediate && !AcceptCmdSn(false, logout.cmd_sn)) return;
  auto process = [this, logout]() {
    LogoutResponsePdu r;
    r.itt = logout.itt;
    // RFC 7143 §11.15.1: 1 = CID not found (this session has one connection: the login's
    // CID); 2 = connection recovery is not supported (ERL 0).
    if (logout.reason_code == 1 && logout.cid != first_login_.cid) {
      r.response = 1;
    } else {
      r.response = logout.reason_code == 2 ? 2 : 0;
    }
    r.stat_sn = stat_sn_++;
    r.exp_cmd_sn = exp_cmd_sn_;
    r.max_cmd_sn = CurrentMaxCmdSn();
    r.time2wait = static_cast<uint16_t>(params_.default_time2wait);
    r.time2retain = static_cast<uint16_t>(params_.default_time2retain);
    // The session is gone for the initiator once it reads the response, before teardown ends.
    if (r.response == 0) context_.sessions->MarkLoggedOut(session_key_, tsih_);
    Send(Encode(r));
    if (r.response == 0) {
      for (auto& [itt, task] : tasks_) task->aborted = true;
      phase_ = Phase::kLoggingOut;
    }
  };
  if (logout.immediate) {
    process();
  } else {
    Admit(logout.cmd_sn, process);
  }
}

void Connection::CompleteTmf(uint32_t itt, TmfResponse response) {
  TaskMgmtResponsePdu r;
  r.response = static_cast<uint8_t>(response);
  r.itt = itt;
  r.stat_sn = stat_sn_++;
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = CurrentMaxCmdSn();
  Send(Encode(r));
  if (close_after_tmf_ == itt) {
    // RFC 7143 §11.5.1: TARGET COLD RESET closes every connection to every initiator.
    for (const auto& terminate : context_.sessions->SessionsOfTarget(target_name_, tsih_)) {
      terminate("TARGET COLD RESET", {});
    }
    phase_ = Phase::kLoggingOut;
  }
}

void Connection::TmfPartDone(uint32_t tmf_itt) {
  auto waiting = tmf_pending_.find(tmf_itt);
  if (waiting == tmf_pending_.end() || --waiting->second.remaining > 0) return;
  tmf_pending_.erase(waiting);
  if (!closed()) CompleteTmf(tmf_itt, TmfResponse::kFunctionComplete);
}

void Connection::TmfAnswerDue(uint32_t tmf_itt, uint64_t serial) {
  auto waiting = tmf_pending_.find(tmf_itt);
  if (waiting == tmf_pending_.end() || waiting->second.serial != serial) return;
  // What it waits for cannot be cancelled (a backstore call stuck in the kernel). Fenced, no
  // newer command can reach those units before the stuck ones return, so the abort is true
  // in effect: the answer need not wait (TEST-PLAN S21, T31).
  for (const auto& weak : waiting->second.holds) {
    if (auto hold = weak.lock()) hold->Fence();
  }
  RT_LOG(kWarn, log_name_) << "TMF 0x" << std::hex << tmf_itt << std::dec << ": "
                           << waiting->second.remaining
                           << " aborted command(s) or reset(s) still in the backstore after "
                           << kTmfAnswerDue.count() << " ms; units fenced, answering";
  tmf_pending_.erase(waiting);
  if (!closed()) CompleteTmf(tmf_itt, TmfResponse::kFunctionComplete);
  Flush();
}

std::function<void()> Connection::TmfWaiter(uint32_t tmf_itt) {
  std::weak_ptr<Connection> weak = shared_from_this();
  net::Reactor* reactor = reactor_;
  return [weak, reactor, tmf_itt] {
    reactor->Post([weak, tmf_itt] {
      auto conn = weak.lock();
      if (!conn) return;
      conn->TmfPartDone(tmf_itt);
      conn->Flush();
    });
  };
}

void Connection::HandleTaskManagement(const TaskMgmtRequestPdu& tmf) {
  if (!tmf.immediate && !AcceptCmdSn(false, tmf.cmd_sn)) return;
  auto process = [this, tmf]() {
    const auto function = static_cast<TmfFunction>(tmf.function);
    uint64_t lun = UINT64_MAX;
    DecodeLun(tmf.lun, &lun);
    auto mapped = luns_.find(lun);
    // Aborts every matching task of this connection. Returns the matching commands still
    // executing (each now marked aborted, its response suppressed); matching commands still
    // collecting data are dropped at once.
    auto abort_matching = [&](auto&& matches) {
      std::vector<uint32_t> collecting;
      std::vector<Task*> executing;
      for (auto& [itt, task] : tasks_) {
        if (!matches(*task)) continue;
        if (task->state == Task::State::kExecuting) {
          task->aborted = true;
          executing.push_back(task.get());
        } else {
          collecting.push_back(itt);
        }
      }
      for (uint32_t itt : collecting) TakeTask(itt);
      return executing;
    };
    // The TMF answers once its aborted commands have returned and each unit it resets has
    // quiesced, so no aborted command can still change the medium after the response (SAM-5
    // §7.1, TEST-PLAN S21). Meanwhile the units involved keep new commands waiting; if the
    // answer falls due first, they are fenced (TmfAnswerDue). Returns the waiters of the
    // units in `resets`, to be handed to their reset calls.
    auto respond_after = [&](const std::vector<Task*>& executing,
                             const std::vector<scsi::LogicalUnit*>& resets) {
      std::vector<std::function<void()>> reset_waiters;
      const size_t parts = executing.size() + resets.size();
      if (parts == 0) {
        CompleteTmf(tmf.itt, TmfResponse::kFunctionComplete);
        return reset_waiters;
      }
      PendingTmf& pending = tmf_pending_[tmf.itt];
      pending.serial = ++tmf_serial_;
      pending.remaining = static_cast<uint32_t>(parts);
      std::map<scsi::LogicalUnit*, std::shared_ptr<scsi::CommandGate::Hold>> holds;
      auto hold_of = [&](scsi::LogicalUnit* unit) {
        std::shared_ptr<scsi::CommandGate::Hold>& hold = holds[unit];
        if (!hold) {
          hold = unit->HoldNewCommands();
          pending.holds.push_back(hold);
        }
        return hold;
      };
      for (Task* task : executing) {
        task->waiting_tmfs.push_back(tmf.itt);
        auto mapped_unit = luns_.find(task->command.lun);
        if (mapped_unit != luns_.end() && mapped_unit->second.unit) {
          task->gate_holds.push_back(hold_of(mapped_unit->second.unit.get()));
        }
      }
      for (scsi::LogicalUnit* unit : resets) {
        reset_waiters.push_back([hold = hold_of(unit), waiter = TmfWaiter(tmf.itt)]() mutable {
          hold.reset();
          waiter();
        });
      }
      std::weak_ptr<Connection> weak = shared_from_this();
      reactor_->AddPeriodic(kTmfAnswerDue, [weak, itt = tmf.itt, serial = pending.serial] {
        if (auto conn = weak.lock()) conn->TmfAnswerDue(itt, serial);
        return false;
      });
      return reset_waiters;
    };
    switch (function) {
      case TmfFunction::kAbortTask: {
        auto it = tasks_.find(tmf.referenced_task_tag);
        if (it == tasks_.end()) {
          // RFC 7143 §11.5.1: a task never received whose RefCmdSN lies in the window and
          // before this TMF is treated as received and aborted.
          bool in_window = InWindow(tmf.ref_cmd_sn) && SerialLess(tmf.ref_cmd_sn, tmf.cmd_sn);
          if (in_window && pending_cmd_sns_.insert(tmf.ref_cmd_sn).second) {
            Admit(tmf.ref_cmd_sn, [] {});  // fills the gap so later commands run
          }
          return CompleteTmf(
              tmf.itt, in_window ? TmfResponse::kFunctionComplete : TmfResponse::kTaskDoesNotExist);
        }
        uint32_t rtt = tmf.referenced_task_tag;
        respond_after(abort_matching([rtt](const Task& t) { return t.itt == rtt; }), {});
        return;
      }
      case TmfFunction::kAbortTaskSet: {
        // SAM-5 §7.2: only the requesting I_T nexus's tasks.
        if (mapped == luns_.end()) return CompleteTmf(tmf.itt, TmfResponse::kLunDoesNotExist);
        respond_after(abort_matching([lun](const Task& t) { return t.command.lun == lun; }), {});
        return;
      }
      case TmfFunction::kClearTaskSet:
      case TmfFunction::kLogicalUnitReset: {
        // SAM-5 §7.4 / §7.7: every task in the unit's task set, from every I_T nexus.
        if (mapped == luns_.end()) return CompleteTmf(tmf.itt, TmfResponse::kLunDoesNotExist);
        auto executing = abort_matching([lun](const Task& t) { return t.command.lun == lun; });
        scsi::LogicalUnit* unit = mapped->second.unit.get();
        if (unit == nullptr) {
          respond_after(executing, {});
          return;
        }
        auto waiters = respond_after(executing, {unit});
        if (function == TmfFunction::kLogicalUnitReset) {
          unit->LunReset(nexus_, std::move(waiters[0]));
        } else {
          unit->ClearTaskSet(nexus_, std::move(waiters[0]));
        }
        return;
      }
      case TmfFunction::kTargetWarmReset:
      case TmfFunction::kTargetColdReset: {
        std::set<scsi::LogicalUnit*> unique;
        for (auto& [n, m] : luns_) {
          if (m.unit) unique.insert(m.unit.get());
        }
        const std::vector<scsi::LogicalUnit*> units(unique.begin(), unique.end());
        // RFC 7143 §11.5.1: a cold reset also drops every connection after the response.
        if (function == TmfFunction::kTargetColdReset) close_after_tmf_ = tmf.itt;
        auto waiters = respond_after(abort_matching([](const Task&) { return true; }), units);
        for (size_t i = 0; i < units.size(); ++i) {
          units[i]->TargetReset(nexus_, std::move(waiters[i]));
        }
        return;
      }
      case TmfFunction::kTaskReassign:
        return CompleteTmf(tmf.itt, TmfResponse::kTaskAllegianceReassignmentNotSupported);
      case TmfFunction::kClearAca:
      default:
        return CompleteTmf(tmf.itt, TmfResponse::kFunctionNotSupported);
    }
  };
  if (tmf.immediate) {
    process();
  } else {
    Admit(tmf.cmd_sn, process);
  }
}

void Connection::SendNopInPing() {
  ping_ttt_ = next_ttt_++;
  if (next_ttt_ == kReservedTag) next_ttt_ = 1;
  ping_sent_ = std::chrono::steady_clock::now();
  NopInPdu r;
  r.itt = kReservedTag;
  r.target_transfer_tag = ping_ttt_;
  r.stat_sn = stat_sn_;  // RFC 7143 §11.19.4: a ping does not advance StatSN
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = CurrentMaxCmdSn();
  Send(Encode(r));
}

void Connection::OnTick() {
  auto now = std::chrono::steady_clock::now();
  if (phase_ == Phase::kLogin) {
    uint32_t timeout = tpg_ ? tpg_->login_timeout_s : 15;
    if (now - last_rx_ > std::chrono::seconds(timeout)) Close("login timed out");
    return;
  }
  if (phase_ != Phase::kFullFeature) return;
  uint32_t interval = tpg_ ? tpg_->nopin_interval_s : 15;
  uint32_t response_timeout = tpg_ ? tpg_->nopin_response_timeout_s : 30;
  if (ping_ttt_ != kReservedTag) {
    if (now - ping_sent_ > std::chrono::seconds(response_timeout) &&
        now - last_rx_ > std::chrono::seconds(response_timeout)) {
      Close("no answer to NOP-In ping");
    }
    return;
  }
  if (interval > 0 && now - last_rx_ > std::chrono::seconds(interval)) {
    SendNopInPing();
    Flush();
  }
}

}  // namespace reftarget::iscsi
