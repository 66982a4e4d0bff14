// Connection: the login phase (RFC 7143 §6): stages, security and operational negotiation,
// target and ACL lookup, CHAP, session creation and reinstatement.
#include <algorithm>
#include <cstring>

#include "target/common/logging.h"
#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/task.h"

namespace reftarget::iscsi {
namespace {

constexpr uint8_t kStageSecurity = 0;
constexpr uint8_t kStageOperational = 1;
constexpr uint8_t kStageFullFeature = 3;
// RFC 7143 §6.1: before MaxRecvDataSegmentLength is negotiated a PDU carries at most 8192
// bytes; a login whose keys span many PDUs is still bounded.
constexpr size_t kMaxLoginKeyBytes = 64 * 1024;

// Login status classes and details (RFC 7143 §11.13.5).
constexpr uint8_t kClassInitiatorError = 0x02;
constexpr uint8_t kClassTargetError = 0x03;
constexpr uint8_t kDetailInitiatorError = 0x00;
constexpr uint8_t kDetailAuthFailure = 0x01;
constexpr uint8_t kDetailAuthorizationFailure = 0x02;
constexpr uint8_t kDetailNotFound = 0x03;
constexpr uint8_t kDetailUnsupportedVersion = 0x05;
constexpr uint8_t kDetailTooManyConnections = 0x06;
constexpr uint8_t kDetailMissingParameter = 0x07;
constexpr uint8_t kDetailSessionDoesNotExist = 0x0a;
constexpr uint8_t kDetailInvalidDuringLogin = 0x0b;
constexpr uint8_t kDetailTargetError = 0x00;
constexpr uint8_t kDetailOutOfResources = 0x02;

bool IsSecurityKey(const std::string& key) {
  return key == "InitiatorName" || key == "InitiatorAlias" || key == "TargetName" ||
         key == "SessionType" || key == "AuthMethod" || key.rfind("CHAP_", 0) == 0;
}

const login::KeyValue* FindKey(const std::vector<login::KeyValue>& keys, std::string_view name) {
  for (const auto& kv : keys) {
    if (kv.key == name) return &kv;
  }
  return nullptr;
}

}  // namespace

uint32_t Connection::MaxCmdSn() const {
  uint32_t outstanding = static_cast<uint32_t>(tasks_.size() + ordered_.size());
  uint32_t room = cmdsn_depth_ > outstanding ? cmdsn_depth_ - outstanding : 0;
  // RFC 7143 §4.2.2.1: MaxCmdSN + 1 == ExpCmdSN means the window is closed.
  return exp_cmd_sn_ + room - 1;
}

void Connection::SendLoginResponse(bool transit, uint8_t csg, uint8_t nsg,
                                   const std::vector<login::KeyValue>& keys) {
  if (log::Enabled(log::Level::kDebug)) {
    std::string text;
    for (const auto& kv : keys) text += " " + kv.key + "=" + kv.value.substr(0, 64);
    RT_LOG(kDebug, log_name_) << "login response T=" << transit << " NSG " << int{nsg}
                              << " keys:" << text;
  }
  LoginResponsePdu r;
  r.transit = transit;
  r.csg = csg;
  r.nsg = transit ? nsg : 0;
  r.version_max = 0;
  r.version_active = 0;
  r.isid = first_login_.isid;
  r.tsih = transit && nsg == kStageFullFeature ? tsih_ : first_login_.tsih;
  r.itt = common_.itt;
  r.stat_sn = stat_sn_++;
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = exp_cmd_sn_ + cmdsn_depth_ - 1;
  std::string text = login::EncodeTextKeys(keys);
  SendBytes(Encode(r), std::vector<uint8_t>(text.begin(), text.end()));
}

void Connection::LoginFail(uint8_t status_class, uint8_t status_detail, const std::string& reason) {
  RT_LOG(kWarn, log_name_) << "login failed (status " << std::hex
                           << (status_class << 8 | status_detail) << std::dec << "): " << reason
                           << (initiator_name_.empty() ? ""
                                                       : " [initiator " + initiator_name_ + "]");
  LoginResponsePdu r;
  r.isid = first_login_.isid;
  r.tsih = first_login_.tsih;
  r.itt = common_.itt;
  r.csg = login_stage_;
  r.stat_sn = stat_sn_++;
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = exp_cmd_sn_ + cmdsn_depth_ - 1;
  r.status_class = status_class;
  r.status_detail = status_detail;
  Send(Encode(r));
  // RFC 7143 §6.9: after a failed login the target closes the connection.
  phase_ = Phase::kLoggingOut;
  Flush();
}

bool Connection::LookUpTarget(const std::vector<login::KeyValue>& keys) {
  const auto* name = FindKey(keys, "InitiatorName");
  if (name == nullptr || name->value.empty()) {
    LoginFail(kClassInitiatorError, kDetailMissingParameter, "InitiatorName missing");
    return false;
  }
  initiator_name_ = name->value;
  log_name_ = "conn " + peer_.ToString() + " " + initiator_name_;
  if (const auto* alias = FindKey(keys, "InitiatorAlias")) initiator_alias_ = alias->value;
  const auto* type = FindKey(keys, "SessionType");
  if (type != nullptr && type->value != "Normal" && type->value != "Discovery") {
    LoginFail(kClassInitiatorError, kDetailInitiatorError,
              "SessionType=" + type->value + " is invalid");
    return false;
  }
  session_kind_ = (type != nullptr && type->value == "Discovery") ? login::SessionKind::kDiscovery
                                                                  : login::SessionKind::kNormal;
  snapshot_ = context_.registry->Current();
  std::map<std::string, std::string> params;
  if (session_kind_ == login::SessionKind::kDiscovery) {
    auth_required_ = snapshot_->discovery_auth_required;
    auth_credentials_ = snapshot_->discovery_auth;
  } else {
    const auto* target = FindKey(keys, "TargetName");
    if (target == nullptr || target->value.empty()) {
      LoginFail(kClassInitiatorError, kDetailMissingParameter,
                "TargetName missing for a normal session");
      return false;
    }
    target_name_ = target->value;
    tpg_ = snapshot_->FindTpg(target_name_, local_);
    if (tpg_ == nullptr) {
      LoginFail(kClassInitiatorError, kDetailNotFound,
                "target " + target_name_ + " not found on portal " + local_.ToString());
      return false;
    }
    const AclRuntime* acl = tpg_->FindAcl(initiator_name_);
    if (acl == nullptr && !tpg_->generate_node_acls) {
      LoginFail(kClassInitiatorError, kDetailAuthorizationFailure,
                "initiator " + initiator_name_ + " has no ACL on " + target_name_);
      return false;
    }
    // RFC 7143 §11.13.5: 0202 Authorization failure, "not allowed access to the given target".
    if ((tpg_->allowed_peers && !tpg_->allowed_peers(peer_.ip)) ||
        (acl != nullptr && acl->allowed_peers && !acl->allowed_peers(peer_.ip))) {
      LoginFail(kClassInitiatorError, kDetailAuthorizationFailure,
                "initiator " + initiator_name_ + " at " + peer_.ip + " is outside the networks " +
                    target_name_ + " tpg " + std::to_string(tpg_->tag) + " allows");
      return false;
    }
    auth_required_ = tpg_->require_chap;
    auth_credentials_ = acl != nullptr ? acl->auth : tpg_->tpg_auth;
    params = tpg_->parameters;
    cmdsn_depth_ = std::max<uint32_t>(tpg_->cmdsn_depth, 1);
  }
  auto negotiator = login::OperationalNegotiator::Create(params, session_kind_);
  if (!negotiator.ok()) {
    LoginFail(kClassTargetError, kDetailTargetError, "target parameters: " + negotiator.error());
    return false;
  }
  negotiator_.emplace(std::move(negotiator).value());
  return true;
}

bool Connection::HandleSecurityKeys(const std::vector<login::KeyValue>& keys,
                                    std::vector<login::KeyValue>* reply) {
  if (const auto* method = FindKey(keys, "AuthMethod")) {
    bool configured = !auth_credentials_.userid.empty() && !auth_credentials_.password.empty();
    std::string choice = login::SelectAuthMethod(method->value, auth_required_, configured);
    if (choice == "CHAP") {
      chap_.emplace(auth_credentials_);
      chap_step_ = ChapStep::kAwaitAlgorithm;
    } else if (choice == "None") {
      chap_step_ = ChapStep::kNone;
    } else {
      LoginFail(kClassInitiatorError, kDetailAuthFailure,
                "AuthMethod=" + method->value + " not acceptable" +
                    (auth_required_ ? " (CHAP required)" : ""));
      return false;
    }
    reply->push_back({"AuthMethod", choice});
  }
  bool has_chap_keys = std::any_of(keys.begin(), keys.end(), [](const login::KeyValue& kv) {
    return kv.key.rfind("CHAP_", 0) == 0;
  });
  if (!has_chap_keys) return true;
  std::optional<login::LoginFailure> failure;
  if (chap_step_ == ChapStep::kAwaitAlgorithm) {
    failure = chap_->Start(keys, reply);
    chap_step_ = ChapStep::kAwaitResponse;
  } else if (chap_step_ == ChapStep::kAwaitResponse) {
    failure = chap_->Finish(keys, reply);
    chap_step_ = ChapStep::kDone;
  } else {
    failure = login::LoginFailure{kClassInitiatorError, kDetailAuthFailure,
                                  "CHAP keys without AuthMethod=CHAP"};
  }
  if (failure) {
    LoginFail(failure->status_class, failure->status_detail, failure->reason);
    return false;
  }
  return true;
}

void Connection::HandleLoginPdu() {
  if (finish_login_) {
    // The initiator may not send anything before the final Login Response (RFC 7143 §6.1).
    return Close(OpcodeName(common_.opcode) + " while the login waits for the reinstated session");
  }
  if (common_.opcode != static_cast<uint8_t>(Opcode::kLoginRequest)) {
    // RFC 7143 §6.1: only Login Requests are valid before the full feature phase.
    if (!login_started_) return Close("non-login PDU before login");
    return LoginFail(kClassInitiatorError, kDetailInvalidDuringLogin,
                     OpcodeName(common_.opcode) + " during login");
  }
  auto decoded = DecodeLoginRequest(bhs_);
  if (!decoded.ok()) return LoginFail(kClassInitiatorError, kDetailInitiatorError, decoded.error());
  const LoginRequestPdu& req = decoded.value();
  if (!login_started_) {
    login_started_ = true;
    first_login_ = req;
    exp_cmd_sn_ = req.cmd_sn;
    login_stage_ = req.csg;
    if (req.version_min > 0) {
      return LoginFail(kClassInitiatorError, kDetailUnsupportedVersion,
                       "VersionMin " + std::to_string(req.version_min) + " unsupported");
    }
    if (req.tsih != 0) {
      // MaxConnections is 1: a second connection for a live session is refused.
      return LoginFail(
          kClassInitiatorError,
          context_.sessions->HasTsih(req.tsih) ? kDetailTooManyConnections
                                               : kDetailSessionDoesNotExist,
          "TSIH " + std::to_string(req.tsih) + ": adding connections is not supported");
    }
  } else if (req.isid != first_login_.isid || req.tsih != first_login_.tsih) {
    return LoginFail(kClassInitiatorError, kDetailInitiatorError,
                     "ISID or TSIH changed during login");
  }
  if (req.csg == 2 || req.csg == kStageFullFeature) {
    return LoginFail(kClassInitiatorError, kDetailInitiatorError,
                     "CSG " + std::to_string(req.csg) + " is not a login stage");
  }
  if (req.transit && (req.nsg == 2 || req.nsg <= req.csg)) {
    return LoginFail(
        kClassInitiatorError, kDetailInitiatorError,
        "transit from stage " + std::to_string(req.csg) + " to " + std::to_string(req.nsg));
  }
  if (req.csg < login_stage_) {
    return LoginFail(kClassInitiatorError, kDetailInvalidDuringLogin, "login stage went backwards");
  }
  if (req.transit && req.continue_) {
    return LoginFail(kClassInitiatorError, kDetailInitiatorError, "T and C both set");
  }
  login_stage_ = req.csg;

  if (login_keys_.size() + pdu_data_.size() > kMaxLoginKeyBytes) {
    return LoginFail(kClassInitiatorError, kDetailInitiatorError, "login keys exceed 64 KiB");
  }
  login_keys_.insert(login_keys_.end(), pdu_data_.begin(), pdu_data_.end());
  if (req.continue_) {
    // RFC 7143 §6.2: acknowledge a partial key set with an empty response.
    return SendLoginResponse(false, req.csg, 0, {});
  }
  auto parsed = login::ParseTextKeys(login_keys_);
  login_keys_.clear();
  if (!parsed.ok()) return LoginFail(kClassInitiatorError, kDetailInitiatorError, parsed.error());
  const auto& keys = parsed.value();
  if (log::Enabled(log::Level::kDebug)) {
    std::string text;
    for (const auto& kv : keys) text += " " + kv.key + "=" + kv.value.substr(0, 64);
    RT_LOG(kDebug, log_name_) << "login CSG " << int{req.csg} << " keys:" << text;
  }

  std::vector<login::KeyValue> reply;
  if (!negotiator_.has_value()) {
    if (!LookUpTarget(keys)) return;
    if (session_kind_ == login::SessionKind::kNormal) {
      // RFC 7143 §13.9: the first Login Response of a normal session carries the tag.
      reply.push_back({"TargetPortalGroupTag", std::to_string(tpg_->tag)});
    }
  } else {
    // RFC 7143 §6.2 says these "should not" be declared again; libiscsi 1.19 repeats them
    // in every security-stage PDU of a CHAP discovery login. Repeating the same value is
    // harmless and tolerated; changing it mid-login is an initiator error.
    const std::string session_type =
        session_kind_ == login::SessionKind::kDiscovery ? "Discovery" : "Normal";
    const std::pair<const char*, const std::string*> declared[] = {
        {"InitiatorName", &initiator_name_},
        {"TargetName", &target_name_},
        {"SessionType", &session_type}};
    for (const auto& [key, first] : declared) {
      const login::KeyValue* again = FindKey(keys, key);
      if (again != nullptr && again->value != *first) {
        return LoginFail(kClassInitiatorError, kDetailInitiatorError,
                         std::string(key) + " changed during login from '" + *first + "' to '" +
                             again->value.substr(0, 224) + "'");
      }
    }
  }

  if (req.csg == kStageSecurity) {
    if (!HandleSecurityKeys(keys, &reply)) return;
  } else if (auto security = std::find_if(keys.begin(), keys.end(),
                                          [](const login::KeyValue& kv) {
                                            return kv.key == "AuthMethod" ||
                                                   kv.key.rfind("CHAP_", 0) == 0;
                                          });
             security != keys.end()) {
    // RFC 7143 §6.3: security keys belong to the security stage only.
    return LoginFail(kClassInitiatorError, kDetailInitiatorError,
                     security->key + " outside the security negotiation stage");
  } else if (!security_done_) {
    // Skipping the security stage is only allowed when no authentication is required.
    if (auth_required_) {
      return LoginFail(kClassInitiatorError, kDetailAuthFailure,
                       "authentication required but the security stage was skipped");
    }
    security_done_ = true;
  }
  std::vector<login::KeyValue> operational;
  for (const auto& kv : keys) {
    if (!IsSecurityKey(kv.key)) operational.push_back(kv);
  }
  if (!operational.empty()) {
    auto stage =
        req.csg == kStageSecurity ? login::LoginStage::kSecurity : login::LoginStage::kOperational;
    if (auto failure = negotiator_->Negotiate(operational, &reply, stage)) {
      return LoginFail(failure->status_class, failure->status_detail, failure->reason);
    }
  }

  bool transit = req.transit;
  if (req.csg == kStageSecurity && transit) {
    bool auth_complete =
        chap_step_ == ChapStep::kDone || (chap_step_ == ChapStep::kNone && !auth_required_);
    if (chap_step_ == ChapStep::kNone && auth_required_) {
      return LoginFail(kClassInitiatorError, kDetailAuthFailure, "authentication required");
    }
    if (!auth_complete) transit = false;  // CHAP still in progress: stay in this stage
    if (auth_complete) security_done_ = true;
  }
  uint8_t nsg = req.nsg;
  if (transit && req.nsg == kStageFullFeature) {
    // The target's own offers (keys whose RFC default this TPG cannot accept) need an
    // answer before the full feature phase: stay in, or move to, the operational stage.
    if (req.csg == kStageSecurity) {
      // Operational keys cannot appear in a security-stage response: move to the
      // operational stage first and make the offers there.
      if (negotiator_->NeedsTargetOffers()) nsg = kStageOperational;
    } else {
      bool offered = false;
      if (auto failure = negotiator_->AppendTargetOffers(&reply, &offered)) {
        return LoginFail(failure->status_class, failure->status_detail, failure->reason);
      }
      if (offered) transit = false;
    }
  }
  if (transit && nsg == kStageFullFeature) {
    negotiator_->AppendTargetDeclarations(&reply);
    SessionTable::Terminator reinstated;
    if (!EnterFullFeaturePhase(&reinstated)) return;
    const uint8_t csg = req.csg;
    auto finish = [this, csg, reply]() {
      SendLoginResponse(true, csg, kStageFullFeature, reply);
      params_ = negotiator_->params();
      phase_ = Phase::kFullFeature;
      ReleaseLoginSlot();
      RT_LOG(kInfo, log_name_) << "logged in to "
                               << (session_kind_ == login::SessionKind::kDiscovery ? "discovery"
                                                                                   : target_name_)
                               << " (TSIH " << tsih_ << ", HeaderDigest "
                               << (params_.header_digest_crc32c ? "CRC32C" : "None")
                               << ", DataDigest "
                               << (params_.data_digest_crc32c ? "CRC32C" : "None") << ")";
    };
    if (!reinstated) return finish();
    // RFC 7143 §6.3.5 (TEST-PLAN S7): the old session's commands must be terminated before
    // the new one can issue any, or a stale WRITE could land after a newer one. The final
    // Login Response waits until the old connection has closed and its commands returned.
    RT_LOG(kInfo, log_name_) << "reinstating the previous session of this ISID";
    finish_login_ = std::move(finish);
    std::weak_ptr<Connection> weak = shared_from_this();
    net::Reactor* reactor = reactor_;
    reinstated("session reinstated by a new login", [weak, reactor] {
      reactor->Post([weak] {
        auto conn = weak.lock();
        if (!conn || conn->closed() || !conn->finish_login_) return;
        auto finish_login = std::move(conn->finish_login_);
        conn->finish_login_ = nullptr;
        finish_login();
        conn->Flush();
      });
    });
    return;
  }
  SendLoginResponse(transit, req.csg, nsg, reply);
  if (transit) login_stage_ = nsg;
}

bool Connection::EnterFullFeaturePhase(SessionTable::Terminator* reinstated) {
  session_key_ =
      SessionKey{initiator_name_, first_login_.isid, target_name_, tpg_ ? tpg_->tag : uint16_t{0}};
  std::weak_ptr<Connection> weak = shared_from_this();
  tsih_ = context_.sessions->Add(
      session_key_,
      [weak](const std::string& reason, std::function<void()> on_ended) {
        auto conn = weak.lock();
        // Gone: its commands (which hold it) have all returned.
        if (!conn) {
          if (on_ended) on_ended();
          return;
        }
        conn->reactor_->Post([conn, reason, on_ended = std::move(on_ended)]() mutable {
          conn->EndSession(reason, std::move(on_ended));
        });
      },
      reinstated, weak, nexus_);
  if (tsih_ == 0) {
    LoginFail(kClassTargetError, kDetailOutOfResources,
              "session limit reached; no new session accepted");
    return false;
  }
  registered_ = true;
  // A live change published while this login was in progress is not in tpg_; once the
  // session is registered the management plane reaches it, so the current view is the one
  // to start from (LiveTarget hands registered sessions every later change).
  if (tpg_ != nullptr && context_.registry != nullptr) {
    auto current = context_.registry->Current();
    auto latest = current ? current->FindTpg(target_name_, local_) : nullptr;
    if (latest != nullptr && latest->tag == tpg_->tag) {
      tpg_ = latest;
      snapshot_ = current;
    }
  }
  if (tpg_ != nullptr) {
    const AclRuntime* acl = tpg_->FindAcl(initiator_name_);
    luns_ = acl != nullptr ? acl->luns : tpg_->demo_luns;
  }
  max_cmd_sn_ = MaxCmdSn();
  return true;
}

}  // namespace reftarget::iscsi
