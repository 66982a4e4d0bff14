#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <algorithm>
#include <csignal>
#include <mutex>
#include <random>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/login_error.h"
#include "harness/iscsi/pdu_rewrite_guard.h"
#include "harness/iscsi/session.h"
#include "harness/iscsi/session_internal.h"

namespace harness::iscsi {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

iscsi_header_digest ToLibiscsi(HeaderDigest d) {
  switch (d) {
    case HeaderDigest::kNone:
      return ISCSI_HEADER_DIGEST_NONE;
    case HeaderDigest::kCrc32c:
      return ISCSI_HEADER_DIGEST_CRC32C;
    case HeaderDigest::kNoneThenCrc32c:
      return ISCSI_HEADER_DIGEST_NONE_CRC32C;
    case HeaderDigest::kCrc32cThenNone:
      return ISCSI_HEADER_DIGEST_CRC32C_NONE;
  }
  return ISCSI_HEADER_DIGEST_NONE;
}

}  // namespace

Status Session::Configure(bool discovery) {
  // libiscsi writes PDUs with writev, which has no MSG_NOSIGNAL: a target that dies (a
  // SIGKILL cycle, a reset connection) while a write is under way would raise SIGPIPE and
  // end the whole harness without a word. EPIPE, reported as a lost connection, is what the
  // harness handles.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  if (options_.portal.empty()) return Status::Error("ConnectOptions.portal is empty");
  if (!discovery && options_.target.empty()) return Status::Error("ConnectOptions.target is empty");
  if (options_.initiator.empty()) return Status::Error("ConnectOptions.initiator is empty");
  if (!options_.mutual.empty() && options_.chap.empty()) {
    return Status::Error("ConnectOptions.mutual needs ConnectOptions.chap (RFC 7143 §12.1.3)");
  }
  ctx_ = iscsi_create_context(options_.initiator.c_str());
  if (ctx_ == nullptr) return Status::Error("iscsi_create_context failed");
  iscsi_set_noautoreconnect(ctx_, 1);
  if (options_.libiscsi_timeout_s > 0) iscsi_set_timeout(ctx_, options_.libiscsi_timeout_s);
  iscsi_set_session_type(ctx_, discovery ? ISCSI_SESSION_DISCOVERY : ISCSI_SESSION_NORMAL);
  if (!discovery && iscsi_set_targetname(ctx_, options_.target.c_str()) != 0) {
    return Status::Error("target name '" + options_.target + "': " + iscsi_get_error(ctx_));
  }
  if (!options_.alias.empty() && iscsi_set_alias(ctx_, options_.alias.c_str()) != 0) {
    return Status::Error("alias: " + std::string(iscsi_get_error(ctx_)));
  }
  // Always an explicit ISID, so that Reconnect() logs in as the same I_T nexus.
  if (!options_.isid && !discovery) {
    std::random_device rd;
    options_.isid = Isid{rd() & 0xffffff, static_cast<uint16_t>(rd() & 0xffff)};
  }
  if (options_.isid && iscsi_set_isid_random(ctx_, options_.isid->random & 0xffffff,
                                             options_.isid->qualifier) != 0) {
    return Status::Error("ISID: " + std::string(iscsi_get_error(ctx_)));
  }
  iscsi_set_header_digest(ctx_, ToLibiscsi(options_.header_digest));
  if (options_.immediate_data) {
    iscsi_set_immediate_data(
        ctx_, *options_.immediate_data ? ISCSI_IMMEDIATE_DATA_YES : ISCSI_IMMEDIATE_DATA_NO);
  }
  if (options_.initial_r2t) {
    iscsi_set_initial_r2t(ctx_,
                          *options_.initial_r2t ? ISCSI_INITIAL_R2T_YES : ISCSI_INITIAL_R2T_NO);
  }
  if (!options_.chap.empty() &&
      iscsi_set_initiator_username_pwd(ctx_, options_.chap.user.c_str(),
                                       options_.chap.secret.c_str()) != 0) {
    return Status::Error("CHAP credentials: " + std::string(iscsi_get_error(ctx_)));
  }
  if (!options_.mutual.empty() &&
      iscsi_set_target_username_pwd(ctx_, options_.mutual.user.c_str(),
                                    options_.mutual.secret.c_str()) != 0) {
    return Status::Error("mutual CHAP credentials: " + std::string(iscsi_get_error(ctx_)));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Session>> Session::Connect(const ConnectOptions& options) {
  std::unique_ptr<Session> s(new Session(options));
  s->options_.logout_on_close = false;  // until the login succeeded
  if (Status st = s->Configure(false); !st.ok()) return st;
  const Clock::time_point deadline = Clock::now() + options.connect_limit;
  if (Status st = s->LoginAndCheck(deadline); !st.ok()) return st;
  s->options_.logout_on_close = options.logout_on_close;
  return s;
}

Status Session::LoginAndCheck(Clock::time_point deadline) {
  // Connect and login through the plain async calls rather than iscsi_full_connect_async:
  // a full connect abandoned at the time limit leaks libiscsi's connect_task, and the LUN
  // check below is the same TEST UNIT READY loop, bounded by the same deadline.
  Op* op = NewOp();
  if (iscsi_connect_async(ctx_, options_.portal.c_str(), &Session::OnOpDone, op) != 0) {
    return Status::Error("connect to " + options_.portal + ": " + iscsi_get_error(ctx_));
  }
  if (Status st = WaitForConnect(op, deadline); !st.ok()) return st;
  op = NewOp();
  if (iscsi_login_async(ctx_, &Session::OnOpDone, op) != 0) {
    return Status::Error("login to " + options_.portal + ": " + iscsi_get_error(ctx_));
  }
  if (Status st = WaitForConnect(op, deadline); !st.ok()) return st;
  if (options_.check_lun) {
    // SAM-5 §5.14: the first commands of a new I_T nexus may report unit attentions
    // (POWER ON, RESET); consume them as libiscsi's full connect does.
    constexpr int kMaxUnitAttentions = 8;
    for (int attempt = 0;; ++attempt) {
      CommandRequest tur;
      tur.cdb = cdb::TestUnitReady();
      tur.limit = std::max(milliseconds(1), duration_cast<milliseconds>(deadline - Clock::now()));
      CommandResult r = Execute(tur);
      if (r.good()) break;
      const bool unit_attention = r.outcome == Outcome::kCompleted &&
                                  r.status == scsi_status::kCheckCondition &&
                                  r.decoded.key == sense_key::kUnitAttention;
      if (!unit_attention || attempt + 1 >= kMaxUnitAttentions) {
        return Status::Error("LUN " + std::to_string(options_.lun) + " of " + options_.target +
                             " at " + options_.portal +
                             " is not usable after login: " + r.Describe());
      }
    }
  }
  return Status::Ok();
}

Status Session::WaitForConnect(Op* op, Clock::time_point deadline) {
  const std::string where =
      options_.target.empty() ? options_.portal : options_.target + " at " + options_.portal;
  if (!WaitOp(op, deadline)) {
    return Status::Error("login to " + where + ": no answer within " + Ms(options_.connect_limit) +
                         " (" + last_error_ + ")");
  }
  const int status = op->status;
  ReleaseOp(op);
  if (status != SCSI_STATUS_GOOD) {
    const std::string text = iscsi_get_error(ctx_);
    const int login_status = LoginStatusFromLibiscsiError(text);
    std::string message = "login to " + where + " failed";
    if (login_status >= 0) message += ": " + DescribeLoginStatus(login_status);
    message += " (libiscsi: " + text + ")";
    return Status::Error(message, login_status);
  }
  return Status::Ok();
}

Result<std::vector<DiscoveredTarget>> Session::Discover(const std::string& portal,
                                                        const std::string& initiator,
                                                        const ChapCredentials& chap,
                                                        std::chrono::milliseconds limit) {
  ConnectOptions options;
  options.portal = portal;
  options.initiator = initiator;
  options.chap = chap;
  options.connect_limit = limit;
  options.logout_on_close = false;
  std::unique_ptr<Session> s(new Session(options));
  if (Status st = s->Configure(true); !st.ok()) return st;
  const Clock::time_point deadline = Clock::now() + limit;
  Op* op = s->NewOp();
  if (iscsi_connect_async(s->ctx_, portal.c_str(), &Session::OnOpDone, op) != 0) {
    return Status::Error("discovery connect to " + portal + ": " + iscsi_get_error(s->ctx_));
  }
  if (Status st = s->WaitForConnect(op, deadline); !st.ok()) return st;
  op = s->NewOp();
  if (iscsi_login_async(s->ctx_, &Session::OnOpDone, op) != 0) {
    return Status::Error("discovery login to " + portal + ": " + iscsi_get_error(s->ctx_));
  }
  if (Status st = s->WaitForConnect(op, deadline); !st.ok()) return st;
  op = s->NewOp();
  op->kind = OpKind::kDiscovery;
  if (iscsi_discovery_async(s->ctx_, &Session::OnOpDone, op) != 0) {
    return Status::Error("SendTargets to " + portal + ": " + iscsi_get_error(s->ctx_));
  }
  if (!s->WaitOp(op, deadline)) {
    return Status::Error("SendTargets to " + portal + ": no Text Response within " + Ms(limit));
  }
  if (op->status != SCSI_STATUS_GOOD) {
    return Status::Error("SendTargets to " + portal + " failed: " + iscsi_get_error(s->ctx_));
  }
  std::vector<DiscoveredTarget> targets = std::move(op->targets);
  s->ReleaseOp(op);
  s->options_.logout_on_close = true;
  s->options_.close_limit = std::max<milliseconds>(
      milliseconds(100), duration_cast<milliseconds>(deadline - Clock::now()));
  return targets;
}

Status Session::Logout(std::chrono::milliseconds limit) {
  if (!logged_in()) return Status::Error("logout: session not logged in");
  Op* op = NewOp();
  if (iscsi_logout_async(ctx_, &Session::OnOpDone, op) != 0) {
    ReleaseOp(op);
    return Status::Error(std::string("logout: cannot queue: ") + iscsi_get_error(ctx_));
  }
  if (!WaitOp(op, Clock::now() + limit)) {
    return Status::Error("logout: no Logout Response within " + Ms(limit));
  }
  const int status = op->status;
  ReleaseOp(op);
  logged_out_ = true;
  if (status != SCSI_STATUS_GOOD) {
    return Status::Error(std::string("logout failed: ") + iscsi_get_error(ctx_));
  }
  return Status::Ok();
}

Status Session::Reconnect(std::chrono::milliseconds limit) {
  const Clock::time_point deadline = Clock::now() + limit;
  // Not libiscsi's iscsi_reconnect(): it builds a fresh context that forgets the ISID,
  // alias and login-key choices, and it needs the portal only iscsi_full_connect records.
  // The old connection is dropped without a logout, as a failing initiator would.
  if (ctx_ != nullptr) {
    internal::DetachPduHooks(ctx_);
    MarkBroken("connection replaced by Reconnect()");
    iscsi_destroy_context(ctx_);
    ctx_ = nullptr;
    for (auto& [id, pending] : pending_) {
      if (pending->task != nullptr) scsi_free_scsi_task(pending->task);
    }
    pending_.clear();
    for (scsi_task* task : graveyard_) scsi_free_scsi_task(task);
    graveyard_.clear();
    ops_.clear();
  }
  broken_ = false;
  logged_out_ = false;
  if (Status st = Configure(false); !st.ok()) {
    broken_ = true;
    return st;
  }
  if (Status st = LoginAndCheck(deadline); !st.ok()) {
    broken_ = true;
    last_error_ = st.message();
    return Status::Error("reconnect: " + st.message(), st.code());
  }
  return Status::Ok();
}

}  // namespace harness::iscsi
