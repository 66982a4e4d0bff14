// The table of operational text keys (RFC 7143 §13, RFC 7144 §13.24, RFC 7145 for the iSER
// keys): one row per key with its negotiation rule, use, range, RFC default, the value this
// target uses when the TPG parameters do not set one, and the most this implementation supports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace reftarget::iscsi::login {

enum class KeyId : uint8_t {
  kHeaderDigest,
  kDataDigest,
  kMaxConnections,
  kInitialR2T,
  kImmediateData,
  kMaxRecvDataSegmentLength,
  kMaxBurstLength,
  kFirstBurstLength,
  kDefaultTime2Wait,
  kDefaultTime2Retain,
  kMaxOutstandingR2T,
  kDataPduInOrder,
  kDataSequenceInOrder,
  kErrorRecoveryLevel,
  kTaskReporting,
  kIscsiProtocolLevel,
  kIfMarker,
  kOfMarker,
  kIfMarkInt,
  kOfMarkInt,
  kRdmaExtensions,
  kInitiatorRecvDataSegmentLength,
  kTargetRecvDataSegmentLength,
  kTargetAlias,
  kTargetAddress,
  kTargetPortalGroupTag,
  kSendTargets,
};
inline constexpr size_t kKeyCount = static_cast<size_t>(KeyId::kSendTargets) + 1;

// How the responder computes its answer (RFC 7143 §6.2).
enum class KeyRule : uint8_t {
  kList,             // §6.2.1: the first offered value the responder supports
  kMinimum,          // §6.2.2: numeric, min(offer, responder's value)
  kMaximum,          // §6.2.2: numeric, max(offer, responder's value)
  kBooleanAnd,       // §6.2.2: offer AND responder's value
  kBooleanOr,        // §6.2.2: offer OR responder's value
  kDeclarative,      // numeric declaration, no answer (MaxRecvDataSegmentLength)
  kObsoleteMarker,   // §13.25: IFMarker/OFMarker, never NotUnderstood; answered "No"
  kObsoleteMarkInt,  // §13.25: IFMarkInt/OFMarkInt; answered "Reject"
  kIrrelevant,       // iSER-only keys on a TCP connection (RFC 7145 §6.3): "Irrelevant"
  kTargetOnly,       // "Senders: Target" keys; an initiator sending one is a protocol error
  kFullFeatureOnly,  // SendTargets: Text requests only (use FFPO)
};

// RFC 7143 §13 "Use": when a key may be sent.
enum class KeyUse : uint8_t { kLeadingOnly, kInitializeOnly, kAll, kFullFeatureOnly };

struct KeySpec {
  KeyId id;
  std::string_view name;
  KeyRule rule;
  KeyUse use;
  uint64_t min_value;  // numeric keys: legal range
  uint64_t max_value;
  std::string_view rfc_default;     // the value in force when nobody negotiates the key
  std::string_view target_default;  // this target's value when the TPG parameters omit it
  std::string_view supported;       // list keys: the values this implementation can run with
  uint64_t implementation_cap;      // numeric: the most this implementation supports
  bool only_normal_sessions;        // §13: "Irrelevant when: SessionType=Discovery"
  bool target_may_offer;            // "Senders: Initiator and Target"
};

// Returns every row, indexed by KeyId.
std::span<const KeySpec> KeyTable();
// Returns the row for `id`.
const KeySpec& Spec(KeyId id);
// Returns the row named `name` (case sensitive, RFC 7143 §6.1), or nullptr.
const KeySpec* FindKeySpec(std::string_view name);

// Returns true for the keys OperationalNegotiator::Negotiate leaves to its caller (the login
// state machine): InitiatorName, InitiatorAlias, TargetName, SessionType, AuthMethod, CHAP_*.
bool IsCallerHandledLoginKey(std::string_view name);

}  // namespace reftarget::iscsi::login
