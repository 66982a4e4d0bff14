#include "fault-injection/netfault/rule_json.h"

#include <map>
#include <set>
#include <string>

#include "fault-injection/faultfs/names.h"      // ParseSize.
#include "fault-injection/faultfs/rule_json.h"  // GetUnsigned.
#include "fault-injection/netfault/names.h"

namespace reftarget::netfault {
namespace {

using faultfs::GetUnsigned;
using nlohmann::json;

Status FieldError(const std::string& field, const std::string& want) {
  return Status::Error("rule field '" + field + "' must be " + want);
}

// Reads a byte count given as a non-negative integer or a size string ("4k", "0x1000").
Result<uint64_t> SizeField(const json& object, const std::string& field) {
  const json& value = object.at(field);
  uint64_t number = 0;
  if (GetUnsigned(value, &number)) return number;
  if (value.is_string()) {
    Result<uint64_t> size = faultfs::ParseSize(value.get<std::string>());
    if (!size.ok()) return Status::Error("rule field '" + field + "': " + size.error());
    return size;
  }
  return FieldError(field, "a non-negative number or a size string such as \"4k\"");
}

// Reads a non-negative integer no larger than `max`.
Result<uint64_t> IntField(const json& object, const std::string& field, uint64_t max) {
  uint64_t number = 0;
  if (!GetUnsigned(object.at(field), &number) || number > max) {
    return FieldError(field, "an integer in 0.." + std::to_string(max));
  }
  return number;
}

// The fields each action takes besides the common ones.
const std::map<Action, std::set<std::string>>& ActionFields() {
  static const std::map<Action, std::set<std::string>> kFields = {
      {Action::kDelay, {"delay_ms"}},
      {Action::kRate, {"rate"}},
      {Action::kBlackhole, {}},
      {Action::kDrop, {"drop_bytes"}},
      {Action::kReset, {}},
      {Action::kHalfClose, {}},
      {Action::kFlip, {"at", "mask", "pdu_byte", "opcode"}},
      {Action::kSplit, {"split", "gap_ms"}},
      {Action::kStall, {}},
  };
  return kFields;
}

// Reads the optional common fields into `spec`.
Status CommonFields(const json& object, RuleSpec* spec) {
  if (object.contains("dir")) {
    if (!object["dir"].is_string()) return FieldError("dir", "\"up\", \"down\" or \"both\"");
    Result<DirSelector> dir = ParseDirSelector(object["dir"].get<std::string>());
    if (!dir.ok()) return Status::Error("rule field 'dir': " + dir.error());
    spec->dir = dir.value();
  }
  for (const char* field : {"conn", "nth", "count", "seed"}) {
    if (!object.contains(field) || object[field].is_null()) continue;
    uint64_t number = 0;
    if (!GetUnsigned(object[field], &number)) return FieldError(field, "a non-negative integer");
    std::optional<uint64_t>* out = field == std::string("conn")    ? &spec->conn
                                   : field == std::string("nth")   ? &spec->nth
                                   : field == std::string("count") ? &spec->count
                                                                   : &spec->seed;
    *out = number;
  }
  if (object.contains("after")) {
    Result<uint64_t> after = SizeField(object, "after");
    if (!after.ok()) return after.status();
    spec->after = after.value();
  }
  if (object.contains("probability")) {
    if (!object["probability"].is_number()) return FieldError("probability", "a number in [0, 1]");
    spec->probability = object["probability"].get<double>();
  }
  return Status::Ok();
}

// Reads the fields of spec->action.
Status ActionParams(const json& object, RuleSpec* spec) {
  switch (spec->action) {
    case Action::kDelay: {
      if (!object.contains("delay_ms")) return Status::Error("action 'delay' needs 'delay_ms'");
      Result<uint64_t> ms = IntField(object, "delay_ms", kMaxDelayMs);
      if (!ms.ok()) return ms.status();
      spec->delay_ms = static_cast<uint32_t>(ms.value());
      break;
    }
    case Action::kRate: {
      if (!object.contains("rate")) return Status::Error("action 'rate' needs 'rate' (bytes/s)");
      Result<uint64_t> rate = SizeField(object, "rate");
      if (!rate.ok()) return rate.status();
      spec->rate = rate.value();
      break;
    }
    case Action::kDrop:
      if (object.contains("drop_bytes")) {
        Result<uint64_t> bytes = SizeField(object, "drop_bytes");
        if (!bytes.ok()) return bytes.status();
        spec->drop_bytes = bytes.value();
      }
      break;
    case Action::kFlip:
      if (object.contains("at") && !object["at"].is_null()) {
        Result<uint64_t> at = SizeField(object, "at");
        if (!at.ok()) return at.status();
        spec->at = at.value();
      }
      if (object.contains("mask")) {
        Result<uint64_t> mask = SizeField(object, "mask");
        if (!mask.ok() || mask.value() == 0 || mask.value() > 255)
          return FieldError("mask", "a byte in 1..255 (e.g. 1, \"0x80\")");
        spec->mask = static_cast<uint8_t>(mask.value());
      }
      if (object.contains("pdu_byte") && !object["pdu_byte"].is_null()) {
        Result<uint64_t> byte = SizeField(object, "pdu_byte");
        if (!byte.ok() || byte.value() >= kBhsBytes)
          return FieldError("pdu_byte", "a byte of the BHS in 0..47");
        spec->pdu_byte = static_cast<uint32_t>(byte.value());
      }
      if (object.contains("opcode") && !object["opcode"].is_null()) {
        Result<uint64_t> opcode = SizeField(object, "opcode");
        if (!opcode.ok() || opcode.value() > 0x3f)
          return FieldError("opcode", "an iSCSI opcode in 0..0x3f (e.g. \"0x01\")");
        spec->opcode = static_cast<uint8_t>(opcode.value());
      }
      break;
    case Action::kSplit: {
      if (!object.contains("split")) return Status::Error("action 'split' needs 'split' (bytes)");
      Result<uint64_t> split = SizeField(object, "split");
      if (!split.ok()) return split.status();
      spec->split = split.value();
      if (object.contains("gap_ms")) {
        Result<uint64_t> gap = IntField(object, "gap_ms", kMaxGapMs);
        if (!gap.ok()) return gap.status();
        spec->gap_ms = static_cast<uint32_t>(gap.value());
      }
      break;
    }
    case Action::kBlackhole:
    case Action::kReset:
    case Action::kHalfClose:
    case Action::kStall:
      break;
  }
  return Status::Ok();
}

}  // namespace

Result<RuleSpec> RuleFromJson(const json& object) {
  if (!object.is_object()) return Status::Error("rule must be a JSON object");
  static const std::set<std::string> kCommon = {"cmd",   "dir",         "action", "conn", "nth",
                                                "after", "probability", "count",  "seed"};
  std::set<std::string> action_fields;
  for (const auto& [action, fields] : ActionFields())
    action_fields.insert(fields.begin(), fields.end());
  for (const auto& item : object.items()) {
    if (!kCommon.count(item.key()) && !action_fields.count(item.key()))
      return Status::Error("unknown rule field '" + item.key() + "'");
  }
  if (!object.contains("action") || !object["action"].is_string()) {
    return Status::Error(
        "rule field 'action' is missing or not a string "
        "(delay|rate|blackhole|drop|reset|half-close|flip|split|stall)");
  }
  RuleSpec spec;
  Result<Action> action = ParseAction(object["action"].get<std::string>());
  if (!action.ok()) return Status::Error("rule field 'action': " + action.error());
  spec.action = action.value();
  const std::set<std::string>& mine = ActionFields().at(spec.action);
  for (const std::string& field : action_fields) {
    if (object.contains(field) && !mine.count(field)) {
      return Status::Error("rule field '" + field + "' does not apply to action '" +
                           ActionName(spec.action) + "'");
    }
  }
  Status common = CommonFields(object, &spec);
  if (!common.ok()) return common;
  Status params = ActionParams(object, &spec);
  if (!params.ok()) return params;
  Status valid = ValidateRule(spec);
  if (!valid.ok()) return valid;
  return spec;
}

json RuleToJson(const RuleSpec& spec) {
  json out = {{"dir", DirSelectorName(spec.dir)},
              {"action", ActionName(spec.action)},
              {"after", spec.after},
              {"probability", spec.probability}};
  out["count"] = spec.count ? json(*spec.count) : json(nullptr);
  if (spec.conn) out["conn"] = *spec.conn;
  if (spec.nth) out["nth"] = *spec.nth;
  if (spec.seed) out["seed"] = *spec.seed;
  switch (spec.action) {
    case Action::kDelay:
      out["delay_ms"] = spec.delay_ms;
      break;
    case Action::kRate:
      out["rate"] = spec.rate;
      break;
    case Action::kDrop:
      out["drop_bytes"] = spec.drop_bytes;
      break;
    case Action::kFlip:
      if (spec.at) out["at"] = *spec.at;
      out["mask"] = spec.mask;
      if (spec.pdu_byte) out["pdu_byte"] = *spec.pdu_byte;
      if (spec.opcode) out["opcode"] = *spec.opcode;
      break;
    case Action::kSplit:
      out["split"] = spec.split;
      out["gap_ms"] = spec.gap_ms;
      break;
    case Action::kBlackhole:
    case Action::kReset:
    case Action::kHalfClose:
    case Action::kStall:
      break;
  }
  return out;
}

json RuleStateToJson(const RuleState& state, size_t held) {
  json out = {{"id", state.id},           {"rule", RuleToJson(state.spec)}, {"hits", state.hits},
              {"skipped", state.skipped}, {"exhausted", state.Exhausted()}, {"held", held}};
  if (state.bound_conn) out["bound_conn"] = *state.bound_conn;
  return out;
}

}  // namespace reftarget::netfault
