#include "target/iscsi/login/key_table.h"

#include <array>

namespace reftarget::iscsi::login {
namespace {

constexpr uint64_t kMaxSegment = (1u << 24) - 1;  // RFC 7143 §13.12-13.14: 2^24-1
constexpr bool kNormalOnly = true;
constexpr bool kAnySession = false;
constexpr bool kOffer = true;
constexpr bool kNoOffer = false;

using R = KeyRule;
using U = KeyUse;

// clang-format off
constexpr std::array<KeySpec, kKeyCount> kTable = {{
  // id, name, rule, use, min, max, RFC default, target default, supported, cap, normal-only, offer
  {KeyId::kHeaderDigest, "HeaderDigest", R::kList, U::kInitializeOnly, 0, 0,
   "None", "CRC32C,None", "CRC32C,None", 0, kAnySession, kOffer},                    // §13.1
  {KeyId::kDataDigest, "DataDigest", R::kList, U::kInitializeOnly, 0, 0,
   "None", "CRC32C,None", "CRC32C,None", 0, kAnySession, kOffer},                    // §13.1
  // One connection per session: the target answers min(offer, 1).
  {KeyId::kMaxConnections, "MaxConnections", R::kMinimum, U::kLeadingOnly, 1, 65535,
   "1", "1", "", 1, kNormalOnly, kOffer},                                             // §13.2
  {KeyId::kInitialR2T, "InitialR2T", R::kBooleanOr, U::kLeadingOnly, 0, 0,
   "Yes", "Yes", "", 0, kNormalOnly, kOffer},                                         // §13.10
  {KeyId::kImmediateData, "ImmediateData", R::kBooleanAnd, U::kLeadingOnly, 0, 0,
   "Yes", "Yes", "", 0, kNormalOnly, kOffer},                                         // §13.11
  {KeyId::kMaxRecvDataSegmentLength, "MaxRecvDataSegmentLength", R::kDeclarative, U::kAll,
   512, kMaxSegment, "8192", "8192", "", kMaxSegment, kAnySession, kOffer},           // §13.12
  {KeyId::kMaxBurstLength, "MaxBurstLength", R::kMinimum, U::kLeadingOnly, 512, kMaxSegment,
   "262144", "262144", "", kMaxSegment, kNormalOnly, kOffer},                         // §13.13
  {KeyId::kFirstBurstLength, "FirstBurstLength", R::kMinimum, U::kLeadingOnly, 512, kMaxSegment,
   "65536", "65536", "", kMaxSegment, kNormalOnly, kOffer},                           // §13.14
  {KeyId::kDefaultTime2Wait, "DefaultTime2Wait", R::kMaximum, U::kLeadingOnly, 0, 3600,
   "2", "2", "", 3600, kAnySession, kOffer},                                          // §13.15
  {KeyId::kDefaultTime2Retain, "DefaultTime2Retain", R::kMinimum, U::kLeadingOnly, 0, 3600,
   "20", "20", "", 3600, kAnySession, kOffer},                                        // §13.16
  {KeyId::kMaxOutstandingR2T, "MaxOutstandingR2T", R::kMinimum, U::kLeadingOnly, 1, 65535,
   "1", "1", "", 65535, kNormalOnly, kOffer},                                         // §13.17
  // The data path only implements in-order Data PDUs and sequences, so the target's value is
  // always Yes; with OR semantics that is always a legal answer.
  {KeyId::kDataPduInOrder, "DataPDUInOrder", R::kBooleanOr, U::kLeadingOnly, 0, 0,
   "Yes", "Yes", "Yes", 0, kNormalOnly, kOffer},                                      // §13.18
  {KeyId::kDataSequenceInOrder, "DataSequenceInOrder", R::kBooleanOr, U::kLeadingOnly, 0, 0,
   "Yes", "Yes", "Yes", 0, kNormalOnly, kOffer},                                      // §13.19
  // Only ErrorRecoveryLevel 0 is implemented: the answer is min(offer, 0).
  {KeyId::kErrorRecoveryLevel, "ErrorRecoveryLevel", R::kMinimum, U::kLeadingOnly, 0, 2,
   "0", "0", "", 0, kAnySession, kOffer},                                             // §13.20
  {KeyId::kTaskReporting, "TaskReporting", R::kList, U::kLeadingOnly, 0, 0,
   "RFC3720", "RFC3720", "RFC3720", 0, kNormalOnly, kOffer},                          // §13.23
  // RFC 7144 §13.24 (as numbered in RFC 7143's registry): level 1 is RFC 7143.
  {KeyId::kIscsiProtocolLevel, "iSCSIProtocolLevel", R::kMinimum, U::kLeadingOnly, 0, 31,
   "1", "1", "", 1, kAnySession, kOffer},
  {KeyId::kIfMarker, "IFMarker", R::kObsoleteMarker, U::kInitializeOnly, 0, 0,
   "No", "No", "", 0, kAnySession, kNoOffer},                                         // §13.25
  {KeyId::kOfMarker, "OFMarker", R::kObsoleteMarker, U::kInitializeOnly, 0, 0,
   "No", "No", "", 0, kAnySession, kNoOffer},                                         // §13.25
  {KeyId::kIfMarkInt, "IFMarkInt", R::kObsoleteMarkInt, U::kInitializeOnly, 0, 0,
   "", "", "", 0, kAnySession, kNoOffer},                                             // §13.25
  {KeyId::kOfMarkInt, "OFMarkInt", R::kObsoleteMarkInt, U::kInitializeOnly, 0, 0,
   "", "", "", 0, kAnySession, kNoOffer},                                             // §13.25
  // RFC 7145 §6.3.1: iSER is not offered on a TCP portal; AND with No is always No.
  {KeyId::kRdmaExtensions, "RDMAExtensions", R::kBooleanAnd, U::kLeadingOnly, 0, 0,
   "No", "No", "No", 0, kAnySession, kNoOffer},
  {KeyId::kInitiatorRecvDataSegmentLength, "InitiatorRecvDataSegmentLength", R::kIrrelevant,
   U::kInitializeOnly, 512, kMaxSegment, "8192", "8192", "", 0, kAnySession, kNoOffer},
  {KeyId::kTargetRecvDataSegmentLength, "TargetRecvDataSegmentLength", R::kIrrelevant,
   U::kInitializeOnly, 512, kMaxSegment, "8192", "8192", "", 0, kAnySession, kNoOffer},
  {KeyId::kTargetAlias, "TargetAlias", R::kTargetOnly, U::kAll, 0, 0,
   "", "", "", 0, kAnySession, kNoOffer},                                             // §13.6
  {KeyId::kTargetAddress, "TargetAddress", R::kTargetOnly, U::kAll, 0, 0,
   "", "", "", 0, kAnySession, kNoOffer},                                             // §13.8
  {KeyId::kTargetPortalGroupTag, "TargetPortalGroupTag", R::kTargetOnly, U::kInitializeOnly,
   0, 65535, "", "", "", 0, kAnySession, kNoOffer},                                   // §13.9
  {KeyId::kSendTargets, "SendTargets", R::kFullFeatureOnly, U::kFullFeatureOnly, 0, 0,
   "", "", "", 0, kAnySession, kNoOffer},                                             // §13.3
}};
// clang-format on

constexpr bool TableIsIndexed() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].id) != i) return false;
  }
  return true;
}
static_assert(TableIsIndexed(), "KeyTable rows must be in KeyId order");

}  // namespace

std::span<const KeySpec> KeyTable() { return kTable; }

const KeySpec& Spec(KeyId id) { return kTable[static_cast<size_t>(id)]; }

const KeySpec* FindKeySpec(std::string_view name) {
  for (const KeySpec& spec : kTable) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool IsCallerHandledLoginKey(std::string_view name) {
  return name == "InitiatorName" || name == "InitiatorAlias" || name == "TargetName" ||
         name == "SessionType" || name == "AuthMethod" || name.starts_with("CHAP_");
}

}  // namespace reftarget::iscsi::login
