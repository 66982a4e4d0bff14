#include "fault-injection/faultfs/rule_json.h"

#include <set>
#include <string>

#include "fault-injection/faultfs/names.h"

namespace reftarget::faultfs {
namespace {

using nlohmann::json;

// Reads a byte count given as a non-negative integer or a size string.
Result<uint64_t> SizeField(const json& object, const char* field) {
  const json& value = object.at(field);
  uint64_t number = 0;
  if (GetUnsigned(value, &number)) return number;
  if (value.is_number_integer()) {
    return Status::Error(std::string("rule field '") + field + "' is negative");
  }
  if (value.is_string()) {
    Result<uint64_t> size = ParseSize(value.get<std::string>());
    if (!size.ok())
      return Status::Error(std::string("rule field '") + field + "': " + size.error());
    return size;
  }
  return Status::Error(std::string("rule field '") + field + "' must be a number or a size string");
}

Status FieldTypeError(const char* field, const char* want) {
  return Status::Error(std::string("rule field '") + field + "' must be " + want);
}

}  // namespace

bool GetUnsigned(const json& value, uint64_t* out) {
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return true;
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value.get<int64_t>());
    return true;
  }
  return false;
}

Result<RuleSpec> RuleFromJson(const json& object) {
  if (!object.is_object()) return Status::Error("rule must be a JSON object");
  static const std::set<std::string> kKnown = {
      "cmd",  "file",    "op",  "offset", "length", "action",      "errno", "delay_ms",
      "hang", "corrupt", "xor", "short",  "count",  "probability", "seed"};
  for (const auto& item : object.items()) {
    if (!kKnown.count(item.key())) return Status::Error("unknown rule field '" + item.key() + "'");
  }
  RuleSpec spec;
  if (object.contains("file")) {
    if (!object["file"].is_string()) return FieldTypeError("file", "a string");
    spec.file = object["file"].get<std::string>();
  }
  if (object.contains("op")) {
    if (!object["op"].is_string()) return FieldTypeError("op", "a string");
    Result<Op> op = ParseOp(object["op"].get<std::string>());
    if (!op.ok()) return Status::Error("rule field 'op': " + op.error());
    spec.op = op.value();
  }
  if (object.contains("offset")) {
    Result<uint64_t> offset = SizeField(object, "offset");
    if (!offset.ok()) return offset.status();
    spec.offset = offset.value();
  }
  if (object.contains("length") && !object["length"].is_null() &&
      !(object["length"].is_string() && object["length"].get<std::string>() == "all")) {
    Result<uint64_t> length = SizeField(object, "length");
    if (!length.ok()) return length.status();
    spec.length = length.value();
  }

  // The action: explicit, or inferred from the one action field present.
  std::set<Action> implied;
  if (object.contains("errno")) implied.insert(Action::kError);
  if (object.contains("delay_ms")) implied.insert(Action::kDelay);
  if (object.contains("hang")) implied.insert(Action::kHang);
  if (object.contains("corrupt") || object.contains("xor")) implied.insert(Action::kCorrupt);
  if (object.contains("short")) implied.insert(Action::kShort);
  if (object.contains("action")) {
    if (!object["action"].is_string()) return FieldTypeError("action", "a string");
    Result<Action> action = ParseAction(object["action"].get<std::string>());
    if (!action.ok()) return Status::Error("rule field 'action': " + action.error());
    spec.action = action.value();
    if (implied.size() > 1 || (implied.size() == 1 && *implied.begin() != spec.action)) {
      return Status::Error("rule fields contradict 'action' " +
                           std::string(ActionName(spec.action)));
    }
  } else if (implied.size() == 1) {
    spec.action = *implied.begin();
  } else {
    return Status::Error(implied.empty()
                             ? "rule has no action (errno, delay_ms, hang, corrupt or short)"
                             : "rule names more than one action");
  }

  if (object.contains("errno")) {
    const json& value = object["errno"];
    if (value.is_string()) {
      Result<int> error = ParseErrno(value.get<std::string>());
      if (!error.ok()) return Status::Error("rule field 'errno': " + error.error());
      spec.error = error.value();
    } else if (value.is_number_integer()) {
      const int64_t number = value.get<int64_t>();
      if (number <= 0 || number > 4095) return FieldTypeError("errno", "in 1..4095");
      spec.error = static_cast<int>(number);
    } else {
      return FieldTypeError("errno", "a name such as \"EIO\" or a number");
    }
  } else if (spec.action == Action::kError) {
    spec.error = EIO;
  }
  if (object.contains("delay_ms")) {
    uint64_t ms = 0;
    if (!GetUnsigned(object["delay_ms"], &ms) || ms > 3600 * 1000) {
      return FieldTypeError("delay_ms", "an integer in 1..3600000");
    }
    spec.delay_ms = static_cast<uint32_t>(ms);
  }
  for (const char* flag : {"hang", "corrupt", "short"}) {
    if (object.contains(flag) && !object[flag].is_boolean())
      return FieldTypeError(flag, "true or false");
    if (object.contains(flag) && !object[flag].get<bool>()) {
      return Status::Error(std::string("rule field '") + flag + "' is false; omit it instead");
    }
  }
  if (object.contains("xor")) {
    uint64_t mask = 0;
    if (!GetUnsigned(object["xor"], &mask) || mask == 0 || mask > 255) {
      return FieldTypeError("xor", "an integer in 1..255");
    }
    spec.corrupt_xor = static_cast<uint8_t>(mask);
  }
  if (object.contains("count") && !object["count"].is_null()) {
    uint64_t count = 0;
    if (!GetUnsigned(object["count"], &count)) return FieldTypeError("count", "a positive integer");
    spec.count = count;
  }
  if (object.contains("probability")) {
    if (!object["probability"].is_number())
      return FieldTypeError("probability", "a number in [0, 1]");
    spec.probability = object["probability"].get<double>();
  }
  if (object.contains("seed") && !object["seed"].is_null()) {
    uint64_t seed = 0;
    if (!GetUnsigned(object["seed"], &seed))
      return FieldTypeError("seed", "a non-negative integer");
    spec.seed = seed;
  }
  Status valid = ValidateRule(spec);
  if (!valid.ok()) return valid;
  return spec;
}

json RuleToJson(const RuleSpec& spec) {
  json out = {{"file", spec.file},
              {"op", OpName(spec.op)},
              {"offset", spec.offset},
              {"action", ActionName(spec.action)},
              {"probability", spec.probability}};
  out["length"] = spec.length ? json(*spec.length) : json(nullptr);
  out["count"] = spec.count ? json(*spec.count) : json(nullptr);
  if (spec.seed) out["seed"] = *spec.seed;
  switch (spec.action) {
    case Action::kError:
      out["errno"] = ErrnoName(spec.error);
      break;
    case Action::kDelay:
      out["delay_ms"] = spec.delay_ms;
      break;
    case Action::kCorrupt:
      out["xor"] = spec.corrupt_xor;
      break;
    case Action::kHang:
    case Action::kShort:
      break;
  }
  return out;
}

json RuleStateToJson(const RuleState& state) {
  return {{"id", state.id},           {"rule", RuleToJson(state.spec)},
          {"hits", state.hits},       {"skipped", state.skipped},
          {"hanging", state.hanging}, {"exhausted", state.Exhausted()}};
}

}  // namespace reftarget::faultfs
