#include "target/admin/settings_tables.h"

#include <vector>

#include "target/admin/command_args.h"
#include "target/admin/command_line.h"

namespace reftarget::admin {
namespace {

constexpr uint64_t kU32 = UINT32_MAX;
constexpr uint64_t kMaxSegment = (1u << 24) - 1;  // RFC 7143 §13.12-13.14: 2^24-1
constexpr std::string_view kNoPi = "reftarget does not implement T10 protection information";

// Builders: GCC 12 warns (-Wmissing-field-initializers) on brace-initialized aggregates
// that leave members to their default initializers.
constexpr AttributeSpec Attr(std::string_view name, uint64_t min, uint64_t max,
                             int64_t default_value = kNoDefault) {
  AttributeSpec spec;
  spec.name = name;
  spec.min = min;
  spec.max = max;
  spec.default_value = default_value;
  return spec;
}
constexpr AttributeSpec ReadOnly(std::string_view name, uint64_t max) {
  AttributeSpec spec = Attr(name, 0, max);
  spec.read_only = true;
  return spec;
}
constexpr AttributeSpec Narrowed(std::string_view name, int64_t default_value,
                                 std::string_view note) {
  AttributeSpec spec = Attr(name, 0, 0, default_value);
  spec.note = note;
  return spec;
}
constexpr AttributeSpec BlockSize() {
  AttributeSpec spec = Attr("block_size", 512, 4096, 512);
  spec.power_of_two = true;
  return spec;
}

// Device attributes (target_core_configfs.c; defaults DA_* in target_core_base.h). Defaults
// are given only where reftarget's runtime applies them; the others vary by backend in LIO.
constexpr AttributeSpec kDeviceAttributes[] = {
    ReadOnly("alua_support", 1),
    BlockSize(),
    Attr("emulate_3pc", 0, 1),
    Attr("emulate_caw", 0, 1),
    Attr("emulate_dpo", 0, 1),
    Attr("emulate_fua_read", 0, 1),
    Attr("emulate_fua_write", 0, 1),
    Attr("emulate_model_alias", 0, 1),
    Attr("emulate_pr", 0, 1),
    Narrowed("emulate_rest_reord", kNoDefault,
             "LIO does not implement the restricted reordering queue algorithm"),
    Attr("emulate_tas", 0, 1),
    Attr("emulate_tpu", 0, 1, 0),
    Attr("emulate_tpws", 0, 1, 0),
    Attr("emulate_ua_intlck_ctrl", 0, 2),
    Attr("emulate_write_cache", 0, 1),
    Attr("enforce_pr_isids", 0, 1),
    Attr("force_pr_aptpl", 0, 1),
    ReadOnly("hw_block_size", kU32),
    ReadOnly("hw_max_sectors", kU32),
    ReadOnly("hw_pi_prot_type", 3),
    ReadOnly("hw_queue_depth", kU32),
    Attr("is_nonrot", 0, 1, 0),
    Attr("max_unmap_block_desc_count", 0, kU32),
    Attr("max_unmap_lba_count", 0, kU32),
    Attr("max_write_same_len", 0, kU32),
    Attr("optimal_sectors", 0, kU32),
    ReadOnly("pgr_support", 1),
    Narrowed("pi_prot_type", kNoDefault, kNoPi),
    Attr("queue_depth", 1, kU32),
    Attr("unmap_granularity", 0, kU32),
    Attr("unmap_granularity_alignment", 0, kU32),
    Attr("unmap_zeroes_data", 0, 1),
};

// iSCSI TPG attributes (iscsi_target_core.h TA_*). authentication's default is targetcli's
// (config_model.h kDefaultAuthentication), not the kernel's 1.
constexpr AttributeSpec kTpgAttributes[] = {
    Attr("authentication", 0, 1, 0),
    Attr("cache_dynamic_acls", 0, 1, 0),
    Attr("default_cmdsn_depth", 1, 512, 64),
    Attr("default_erl", 0, 2, 0),
    Attr("demo_mode_discovery", 0, 1, 1),
    Attr("demo_mode_write_protect", 0, 1, 1),
    Narrowed("fabric_prot_type", 0, kNoPi),
    Attr("generate_node_acls", 0, 1, 0),
    Attr("login_keys_workaround", 0, 1, 1),
    Attr("login_timeout", 5, 30, 15),
    Attr("netif_timeout", 2, 15, 2),
    Attr("prod_mode_write_protect", 0, 1, 0),
    Narrowed("t10_pi", 0, kNoPi),
    Attr("tpg_enabled_sendtargets", 0, 1, 1),
};

// iSCSI node ACL attributes (NA_*; dataout_timeout's minimum is NA_DATAOUT_TIMEOUT_MIX).
constexpr AttributeSpec kAclAttributes[] = {
    Attr("dataout_timeout", 2, 60, 3),
    Attr("dataout_timeout_retries", 1, 15, 5),
    Attr("default_erl", 0, 2, 0),
    Attr("nopin_response_timeout", 3, 60, 30),
    Attr("nopin_timeout", 3, 60, 15),
    Attr("random_datain_pdu_offsets", 0, 1, 0),
    Attr("random_datain_seq_offsets", 0, 1, 0),
    Attr("random_r2t_offsets", 0, 1, 0),
};

using P = ParameterType;

// The TPG parameters LIO keeps (targetcli ui_target.py ui_desc_parameters), with the ranges
// of RFC 7143 §13 and the values reftarget's negotiation implements (its key table).
constexpr ParameterSpec kTpgParameters[] = {
    {"AuthMethod", P::kList, 0, 0, "CHAP,None", "CHAP,None", "RFC 7143 §12.1"},
    {"DataDigest", P::kList, 0, 0, "CRC32C,None", "CRC32C,None", "RFC 7143 §13.1"},
    // The data path delivers Data PDUs and sequences in order only; No could not be honoured.
    {"DataPDUInOrder", P::kBoolean, 0, 0, "Yes", "Yes", "RFC 7143 §13.18"},
    {"DataSequenceInOrder", P::kBoolean, 0, 0, "Yes", "Yes", "RFC 7143 §13.19"},
    {"DefaultTime2Retain", P::kNumber, 0, 3600, "", "20", "RFC 7143 §13.16"},
    {"DefaultTime2Wait", P::kNumber, 0, 3600, "", "2", "RFC 7143 §13.15"},
    {"ErrorRecoveryLevel", P::kNumber, 0, 2, "", "0", "RFC 7143 §13.20"},
    {"FirstBurstLength", P::kNumber, 512, kMaxSegment, "", "65536", "RFC 7143 §13.14"},
    {"HeaderDigest", P::kList, 0, 0, "CRC32C,None", "CRC32C,None", "RFC 7143 §13.1"},
    // RFC 7143 §13.25: markers are obsolete; LIO and reftarget answer No.
    {"IFMarkInt", P::kMarkInt, 1, 65535, "", "2048~65535", "RFC 7143 §13.25"},
    {"IFMarker", P::kBoolean, 0, 0, "No", "No", "RFC 7143 §13.25"},
    {"ImmediateData", P::kBoolean, 0, 0, "Yes,No", "Yes", "RFC 7143 §13.11"},
    {"InitialR2T", P::kBoolean, 0, 0, "Yes,No", "Yes", "RFC 7143 §13.10"},
    {"MaxBurstLength", P::kNumber, 512, kMaxSegment, "", "262144", "RFC 7143 §13.13"},
    {"MaxConnections", P::kNumber, 1, 65535, "", "1", "RFC 7143 §13.2"},
    {"MaxOutstandingR2T", P::kNumber, 1, 65535, "", "1", "RFC 7143 §13.17"},
    {"MaxRecvDataSegmentLength", P::kNumber, 512, kMaxSegment, "", "8192", "RFC 7143 §13.12"},
    {"MaxXmitDataSegmentLength", P::kNumber, 512, kMaxSegment, "", "262144", "LIO"},
    {"OFMarkInt", P::kMarkInt, 1, 65535, "", "2048~65535", "RFC 7143 §13.25"},
    {"OFMarker", P::kBoolean, 0, 0, "No", "No", "RFC 7143 §13.25"},
    // RFC 7143 §6.1: a simple value is at most 255 bytes.
    {"TargetAlias", P::kText, 0, 255, "", "", "RFC 7143 §13.6"},
};

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.push_back(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

// Finds `value` among the comma-separated `allowed`, ignoring case; returns its spelling there.
std::string_view Canonical(std::string_view allowed, std::string_view value) {
  for (std::string_view candidate : Split(allowed)) {
    if (Lowercase(candidate) == Lowercase(value)) return candidate;
  }
  return {};
}

std::string Alternatives(std::string_view allowed) {
  std::vector<std::string_view> items = Split(allowed);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

std::span<const AttributeSpec> StorageObjectAttributes() { return kDeviceAttributes; }
std::span<const AttributeSpec> TpgAttributes() { return kTpgAttributes; }
std::span<const AttributeSpec> AclAttributes() { return kAclAttributes; }
std::span<const ParameterSpec> TpgParameters() { return kTpgParameters; }

const AttributeSpec* FindAttribute(std::span<const AttributeSpec> table, std::string_view name) {
  for (const AttributeSpec& spec : table) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const ParameterSpec* FindParameter(std::string_view name) {
  for (const ParameterSpec& spec : kTpgParameters) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string AttributeNames(std::span<const AttributeSpec> table, bool writable_only) {
  std::string out;
  for (const AttributeSpec& spec : table) {
    if (writable_only && spec.read_only) continue;
    if (!out.empty()) out += ", ";
    out += spec.name;
  }
  return out;
}

std::string ParameterNames() {
  std::string out;
  for (const ParameterSpec& spec : kTpgParameters) {
    if (!out.empty()) out += ", ";
    out += spec.name;
  }
  return out;
}

Result<int64_t> CheckAttributeValue(const AttributeSpec& spec, std::string_view text) {
  if (spec.read_only) {
    return Status::Error("is read-only (LIO derives it from the backing device)");
  }
  std::string_view value = text;
  // rtslib stores booleans as the integers configfs takes.
  std::string lower = Lowercase(text);
  if (spec.max == 1 && (lower == "true" || lower == "false")) value = lower == "true" ? "1" : "0";
  auto n = ParseDecimal(value, spec.min, spec.max);
  if (!n.ok()) {
    std::string why = n.error();
    if (!spec.note.empty()) why += "; " + std::string(spec.note);
    return Status::Error(why);
  }
  if (spec.power_of_two && (n.value() & (n.value() - 1)) != 0) {
    return Status::Error(Quote(text) + " is not a power of two (512, 1024, 2048 or 4096)");
  }
  return static_cast<int64_t>(n.value());
}

Result<std::string> CheckParameterValue(const ParameterSpec& spec, std::string_view text) {
  switch (spec.type) {
    case ParameterType::kList: {
      std::string out;
      std::vector<std::string_view> seen;
      for (std::string_view item : Split(text)) {
        std::string_view canonical = Canonical(spec.allowed, item);
        if (canonical.empty()) {
          return Status::Error(Quote(text) + ": " + Quote(item) + " is not one of " +
                               Alternatives(spec.allowed) + " (" + std::string(spec.clause) + ")");
        }
        for (std::string_view s : seen) {
          if (s == canonical) {
            return Status::Error(Quote(text) + ": " + std::string(canonical) + " is listed twice");
          }
        }
        seen.push_back(canonical);
        out += (out.empty() ? "" : ",") + std::string(canonical);
      }
      return out;
    }
    case ParameterType::kBoolean: {
      std::string_view canonical = Canonical("Yes,No", text);
      if (canonical.empty()) {
        return Status::Error(Quote(text) + " is not Yes or No (" + std::string(spec.clause) + ")");
      }
      if (Canonical(spec.allowed, canonical).empty()) {
        return Status::Error(Quote(text) + ": reftarget supports only " +
                             Alternatives(spec.allowed) + " (" + std::string(spec.clause) + ")");
      }
      return std::string(canonical);
    }
    case ParameterType::kNumber: {
      auto n = ParseDecimal(text, spec.min, spec.max);
      if (!n.ok()) return Status::Error(n.error() + " (" + std::string(spec.clause) + ")");
      return std::to_string(n.value());
    }
    case ParameterType::kMarkInt: {
      // LIO writes "Reject", one interval or a range "lo~hi" for the obsolete marker keys.
      std::string_view canonical = Canonical("Reject,Irrelevant", text);
      if (!canonical.empty()) return std::string(canonical);
      size_t tilde = text.find('~');
      std::string_view low = text.substr(0, tilde);
      auto lo = ParseDecimal(low, spec.min, spec.max);
      if (!lo.ok())
        return Status::Error(Quote(text) + " is not Reject, N or N~M with N, M from 1 to 65535");
      if (tilde == std::string_view::npos) return std::to_string(lo.value());
      auto hi = ParseDecimal(text.substr(tilde + 1), lo.value(), spec.max);
      if (!hi.ok())
        return Status::Error(Quote(text) + " is not Reject, N or N~M with N <= M <= 65535");
      return std::to_string(lo.value()) + "~" + std::to_string(hi.value());
    }
    case ParameterType::kText:
      if (text.size() > spec.max) {
        return Status::Error(std::to_string(text.size()) + " bytes long; at most " +
                             std::to_string(spec.max) + " (RFC 7143 §6.1)");
      }
      return std::string(text);
  }
  return Status::Error("unknown parameter type");
}

}  // namespace reftarget::admin
