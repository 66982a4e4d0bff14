// Operational key negotiation (RFC 7143 §6.2 and §13), target side, table-driven (key_table.h).
// One OperationalNegotiator lives for one login (and then answers Text negotiations in the full
// feature phase). Pure logic: the caller moves the PDUs.
//
// Key handling, per RFC 7143:
//   - Keys left to the caller, skipped by Negotiate(): InitiatorName, InitiatorAlias,
//     TargetName, SessionType, AuthMethod and every key starting with "CHAP_"
//     (IsCallerHandledLoginKey()).
//   - Unknown keys: "key=NotUnderstood" (§6.2). Key names are case sensitive.
//   - Keys irrelevant to a discovery session (§13 "Irrelevant when: SessionType=Discovery"):
//     "Irrelevant". FirstBurstLength is also "Irrelevant" once InitialR2T=Yes and
//     ImmediateData=No (§13.14).
//   - A value that is malformed or out of range for a negotiated key: "Reject"; the key keeps
//     its current value (§6.2). A declarative key cannot be answered, so a bad
//     MaxRecvDataSegmentLength (outside 512..2^24-1) fails the login with 0x0200.
//   - Digests: the first value of the initiator's list that the TPG allows; "Reject" when none
//     is, unless the TPG forbids None, which fails the login (0x0200).
//   - Obsolete markers (§13.25): IFMarker/OFMarker are answered "No", IFMarkInt/OFMarkInt
//     "Reject"; never NotUnderstood.
//   - A key the initiator raises twice in one login (in one or several PDUs) fails the login
//     with 0x0200 (§6.2: renegotiation is forbidden and answered with a Login reject,
//     initiator error).
//   - Keys only a target may send (TargetAlias, TargetAddress, TargetPortalGroupTag) fail the
//     login with 0x0200; SendTargets during login is answered "Reject" (use FFPO).
//   - In the security stage only the caller's keys are legal: any operational key fails the
//     login with 0x0200 (§13: only "Any-Stage" keys may appear there).
//   - Reply bound: Negotiate() keeps the reply, including what the caller already put in it,
//     within kMaxReplyBytes - kReplyReserveBytes, so the target's offers and declarations still
//     fit in kMaxReplyBytes; an initiator whose keys would need a longer answer (e.g. thousands
//     of unknown keys) fails with 0x0200.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "target/common/status.h"
#include "target/iscsi/login/key_table.h"
#include "target/iscsi/login/text_keys.h"

namespace reftarget::iscsi::login {

enum class SessionKind { kNormal, kDiscovery };
enum class LoginStage { kSecurity, kOperational };

// Login status (RFC 7143 §11.13.5) and a reason for the log.
struct LoginFailure {
  uint8_t status_class;
  uint8_t status_detail;
  std::string reason;
};

inline constexpr uint8_t kStatusClassInitiatorError = 0x02;
inline constexpr uint8_t kStatusClassTargetError = 0x03;
inline constexpr uint8_t kStatusDetailInitiatorError = 0x00;
inline constexpr uint8_t kStatusDetailAuthenticationFailure = 0x01;
inline constexpr uint8_t kStatusDetailMissingParameter = 0x07;
inline constexpr uint8_t kStatusDetailTargetError = 0x00;

// RFC 7143 §6.1: before MaxRecvDataSegmentLength is known a Login Response data segment is at
// most 8192 bytes; the negotiator keeps each reply within it.
inline constexpr size_t kMaxReplyBytes = 8192;
// Negotiate() keeps this much of kMaxReplyBytes free for AppendTargetOffers() and
// AppendTargetDeclarations() (at most ~12 short offers and a 255-byte TargetAlias).
inline constexpr size_t kReplyReserveBytes = 1024;

// The session's operational parameters: RFC defaults until negotiated.
struct SessionParams {
  bool header_digest_crc32c = false;
  bool data_digest_crc32c = false;
  // The most the TARGET may send per PDU: the initiator's declared MaxRecvDataSegmentLength,
  // capped by the TPG's MaxXmitDataSegmentLength (LIO's parameter of that name).
  uint32_t initiator_max_recv_data_segment_length = 8192;
  // The most the target accepts per PDU (the target declares it).
  uint32_t target_max_recv_data_segment_length = 8192;
  uint32_t max_burst_length = 262144;
  uint32_t first_burst_length = 65536;  // always <= max_burst_length
  bool initial_r2t = true;
  bool immediate_data = true;
  uint32_t max_outstanding_r2t = 1;
  bool data_pdu_in_order = true;
  bool data_sequence_in_order = true;
  uint32_t default_time2wait = 2;
  uint32_t default_time2retain = 20;
  uint32_t error_recovery_level = 0;
  uint32_t max_connections = 1;
  uint32_t iscsi_protocol_level = 1;  // RFC 7144 iSCSIProtocolLevel
  std::string task_reporting = "RFC3720";
};

class OperationalNegotiator {
 public:
  // Builds a negotiator from the TPG's LIO-style "parameters" (saveconfig.json), which hold the
  // target's offers and limits; an absent key takes this target's default (key_table.cc), and
  // values above what the implementation supports are capped (ErrorRecoveryLevel 0,
  // MaxConnections 1, in-order data). Unknown and obsolete keys (markers, iSER) are accepted
  // and ignored. Fails naming the key and value if a known key's value is invalid, or if
  // FirstBurstLength > MaxBurstLength.
  static Result<OperationalNegotiator> Create(
      const std::map<std::string, std::string>& target_params, SessionKind kind);

  // Negotiates the keys of one Login request (the caller's keys are skipped; see the file
  // comment for every rule) and appends the answers to `reply`. Returns nullopt on success or
  // the failure with which to end the login.
  std::optional<LoginFailure> Negotiate(const std::vector<KeyValue>& keys,
                                        std::vector<KeyValue>* reply,
                                        LoginStage stage = LoginStage::kOperational);

  // Appends the target's own offers for keys the initiator has not raised whose RFC default
  // the TPG cannot accept (e.g. MaxBurstLength below 262144, ImmediateData=No, a digest the TPG
  // requires) and sets *offered to whether any were appended: the caller must then answer with
  // T=0 so the initiator can respond (its answers come back through Negotiate()) before the
  // login leaves the operational stage. Call each time the initiator asks to leave that stage.
  // Returns a failure (0x0200) if an earlier offer is still unanswered.
  std::optional<LoginFailure> AppendTargetOffers(std::vector<KeyValue>* reply, bool* offered);

  // Returns true if AppendTargetOffers() would append offers now. When the initiator asks to
  // go from the security stage straight to full feature, the caller answers NSG=operational
  // instead (operational keys may not appear in a security-stage response, RFC 7143 §13)
  // and makes the offers once the initiator is in the operational stage.
  bool NeedsTargetOffers() const;

  // Appends the declarations the target still owes: its MaxRecvDataSegmentLength (unless
  // already declared in answer to the initiator's) and, for a normal session, TargetAlias when
  // the TPG sets one. Call once, for the final Login Response. Also settles params().
  void AppendTargetDeclarations(std::vector<KeyValue>* reply);

  // Negotiates one Text request in the full feature phase (§6.2, §13 "Use"): a
  // MaxRecvDataSegmentLength declaration updates params(); keys usable only during login get
  // "Reject"; unknown keys "NotUnderstood"; SendTargets and InitiatorAlias are skipped (the
  // caller's). A key twice in one request, a bad MaxRecvDataSegmentLength, a target-only key
  // or a reply over kMaxReplyBytes returns a failure (the caller rejects the PDU).
  std::optional<LoginFailure> NegotiateFullFeature(const std::vector<KeyValue>& keys,
                                                   std::vector<KeyValue>* reply);

  // Returns the parameters negotiated so far (RFC defaults for keys not negotiated).
  const SessionParams& params() const { return params_; }
  // Returns the session kind given to Create().
  SessionKind kind() const { return kind_; }

 private:
  // The target's configured value of one key.
  struct TargetValue {
    uint64_t number = 0;
    bool boolean = false;
    std::vector<std::string> list;  // list keys: allowed values in the target's preference
  };
  enum class Outcome { kContinue, kFail };

  OperationalNegotiator(SessionKind kind) : kind_(kind) {}
  Status Configure(const std::map<std::string, std::string>& target_params);
  Status ConfigureKey(const KeySpec& spec, const std::string& value);

  // Computes the answer to an initiator's offer of `spec` = `value`; returns nullopt for no
  // answer (declarations) or sets *failure.
  std::optional<std::string> Answer(const KeySpec& spec, const std::string& value,
                                    std::optional<LoginFailure>* failure);
  std::optional<std::string> AnswerList(const KeySpec& spec, const std::string& value,
                                        std::optional<LoginFailure>* failure);
  std::string AnswerFirstBurst(const std::string& value);
  // Checks the initiator's answer to a target offer and applies it.
  std::optional<LoginFailure> AcceptAnswer(const KeySpec& spec, const std::string& value);
  std::optional<LoginFailure> DeclareInitiatorMaxRecv(const std::string& value);
  bool FirstBurstIrrelevant() const;
  void ApplyNumber(KeyId id, uint64_t value);
  void ApplyBoolean(KeyId id, bool value);
  void ApplyList(KeyId id, const std::string& value);
  uint64_t CurrentNumber(KeyId id) const;
  bool CurrentBoolean(KeyId id) const;
  // The offers AppendTargetOffers() would make now.
  std::vector<KeyValue> TargetOffers() const;
  // Keeps first_burst_length <= max_burst_length (RFC 7143 §13.14).
  void Settle();
  // Appends to `reply` if the total stays within kMaxReplyBytes; sets *failure otherwise.
  bool Append(std::vector<KeyValue>* reply, size_t* bytes, std::string key, std::string value,
              std::optional<LoginFailure>* failure) const;

  SessionKind kind_;
  std::array<TargetValue, kKeyCount> target_{};
  uint32_t max_xmit_data_segment_length_ = 262144;  // LIO MaxXmitDataSegmentLength
  uint32_t initiator_declared_max_recv_ = 8192;
  std::string target_alias_;
  std::set<std::string> raised_;                  // every key name the initiator sent
  std::array<std::string, kKeyCount> offered_{};  // target offers awaiting an answer
  bool max_recv_declared_ = false;
  bool declarations_done_ = false;
  SessionParams params_;
};

}  // namespace reftarget::iscsi::login
