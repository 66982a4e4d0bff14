// OperationalNegotiator: reading the TPG's LIO-style "parameters" into the target's values.
#include <algorithm>

#include "target/iscsi/login/negotiation.h"
#include "target/iscsi/login/value_codec.h"

namespace reftarget::iscsi::login {
namespace {

constexpr uint64_t kMinSegment = 512;
constexpr uint64_t kMaxSegment = (1u << 24) - 1;

Status BadValue(std::string_view key, std::string_view value, std::string_view why) {
  return Status::Error("TPG parameter " + std::string(key) + "=\"" + Printable(value) +
                       "\": " + std::string(why));
}

bool Contains(std::string_view list, std::string_view item) {
  for (std::string_view element : SplitList(list)) {
    if (element == item) return true;
  }
  return false;
}

// LIO writes "Reject", one number or a range "lo~hi" for the obsolete marker intervals.
bool IsMarkIntValue(std::string_view value) {
  if (value == "Reject" || value == "Irrelevant") return true;
  size_t tilde = value.find('~');
  if (tilde == std::string_view::npos) return ParseNumber(value).has_value();
  return ParseNumber(value.substr(0, tilde)).has_value() &&
         ParseNumber(value.substr(tilde + 1)).has_value();
}

Status CheckSegmentLength(std::string_view key, std::string_view value, uint64_t* out) {
  auto n = ParseNumber(value);
  if (!n || *n < kMinSegment || *n > kMaxSegment) {
    return BadValue(key, value, "must be a number in 512..16777215");
  }
  *out = *n;
  return Status::Ok();
}

}  // namespace

Result<OperationalNegotiator> OperationalNegotiator::Create(
    const std::map<std::string, std::string>& target_params, SessionKind kind) {
  OperationalNegotiator negotiator(kind);
  if (Status s = negotiator.Configure(target_params); !s.ok()) return s;
  return negotiator;
}

Status OperationalNegotiator::Configure(const std::map<std::string, std::string>& target_params) {
  for (const KeySpec& spec : KeyTable()) {
    if (spec.target_default.empty()) continue;
    Status s = ConfigureKey(spec, std::string(spec.target_default));
    if (!s.ok()) return Status::Error("internal key table: " + s.message());
  }
  for (const auto& [key, value] : target_params) {
    if (key == "MaxXmitDataSegmentLength") {
      uint64_t n = 0;
      if (Status s = CheckSegmentLength(key, value, &n); !s.ok()) return s;
      max_xmit_data_segment_length_ = static_cast<uint32_t>(n);
    } else if (key == "TargetAlias") {
      // RFC 7143 §13.6: an iSCSI-local-name-value, UTF-8 without NULs, at most 255 bytes.
      if (value.size() > kMaxSimpleValueLength || value.find('\0') != std::string::npos) {
        return BadValue(key, value, "must be at most 255 bytes without NUL");
      }
      target_alias_ = value;
    } else if (key == "AuthMethod") {
      // The login state machine applies authentication from the ACL and TPG attributes; the
      // value is only checked here.
      for (std::string_view method : SplitList(value)) {
        if (method != "CHAP" && method != "None") {
          return BadValue(key, value, "allowed values are CHAP and None");
        }
      }
    } else if (key == "IFMarkInt" || key == "OFMarkInt") {
      if (!IsMarkIntValue(value)) return BadValue(key, value, "must be Reject, N or N~M");
    } else if (const KeySpec* spec = FindKeySpec(key)) {
      if (spec->rule == KeyRule::kIrrelevant) {
        uint64_t n = 0;
        if (Status s = CheckSegmentLength(key, value, &n); !s.ok()) return s;
      } else if (spec->rule == KeyRule::kTargetOnly || spec->rule == KeyRule::kFullFeatureOnly) {
        // Not negotiated from the TPG parameters (the login state machine sends them).
      } else if (Status s = ConfigureKey(*spec, value); !s.ok()) {
        return s;
      }
    }
    // Any other key (LIO adds new ones over time) is accepted and ignored.
  }
  const TargetValue& first = target_[static_cast<size_t>(KeyId::kFirstBurstLength)];
  const TargetValue& max = target_[static_cast<size_t>(KeyId::kMaxBurstLength)];
  if (first.number > max.number) {
    return Status::Error("TPG parameters: FirstBurstLength " + std::to_string(first.number) +
                         " exceeds MaxBurstLength " + std::to_string(max.number) +
                         " (RFC 7143 §13.14)");
  }
  params_.target_max_recv_data_segment_length =
      static_cast<uint32_t>(target_[static_cast<size_t>(KeyId::kMaxRecvDataSegmentLength)].number);
  return Status::Ok();
}

Status OperationalNegotiator::ConfigureKey(const KeySpec& spec, const std::string& value) {
  TargetValue& target = target_[static_cast<size_t>(spec.id)];
  switch (spec.rule) {
    case KeyRule::kList: {
      std::vector<std::string> list;
      for (std::string_view element : SplitList(value)) {
        if (!Contains(spec.supported, element)) {
          return BadValue(spec.name, value, "supported values are " + std::string(spec.supported));
        }
        list.emplace_back(element);
      }
      target.list = std::move(list);
      return Status::Ok();
    }
    case KeyRule::kMinimum:
    case KeyRule::kMaximum:
    case KeyRule::kDeclarative: {
      auto n = ParseNumber(value);
      if (!n || *n < spec.min_value || *n > spec.max_value) {
        return BadValue(spec.name, value,
                        "must be a number in " + std::to_string(spec.min_value) + ".." +
                            std::to_string(spec.max_value));
      }
      // Beyond what the implementation supports (ErrorRecoveryLevel > 0, MaxConnections > 1)
      // the target offers its own maximum.
      target.number = std::min(*n, spec.implementation_cap);
      return Status::Ok();
    }
    case KeyRule::kBooleanAnd:
    case KeyRule::kBooleanOr:
    case KeyRule::kObsoleteMarker: {
      auto b = ParseBoolean(value);
      if (!b) return BadValue(spec.name, value, "must be Yes or No");
      target.boolean = spec.supported.empty() ? *b : ParseBoolean(spec.supported).value_or(*b);
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

}  // namespace reftarget::iscsi::login
