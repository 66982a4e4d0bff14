#include "target/config/json_fields.h"

#include "target/config/json_document.h"

namespace reftarget::config {

using nlohmann::json;

std::string DescribeJson(const json& v) {
  switch (v.type()) {
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      constexpr size_t kMax = 64;
      if (s.size() <= kMax) {
        return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
      }
      // Cut on a UTF-8 boundary so the rendering stays valid text.
      size_t cut = kMax;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
      std::string head =
          json(s.substr(0, cut)).dump(-1, ' ', false, json::error_handler_t::replace);
      head.insert(head.size() - 1, "...");
      return head;
    }
    default:
      return v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

Status ConfigError(std::string_view source, std::string_view path, std::string_view problem) {
  std::string msg(source);
  msg += ": ";
  msg += path.empty() ? std::string_view("/") : path;
  msg += ": ";
  msg += problem;
  return Status::Error(std::move(msg));
}

Result<std::string> ReadString(const json& v, std::string_view source, std::string_view path) {
  if (!v.is_string()) {
    return ConfigError(source, path, "expected a string, got " + DescribeJson(v));
  }
  const std::string& s = v.get_ref<const std::string&>();
  if (s.find('\0') != std::string::npos) {
    return ConfigError(source, path, "contains a NUL character");
  }
  return s;
}

Result<uint64_t> ReadUint(const json& v, std::string_view source, std::string_view path,
                          uint64_t min, uint64_t max) {
  auto range_error = [&](const std::string& shown) {
    return ConfigError(source, path,
                       "value " + shown + " is out of range (" + std::to_string(min) + " to " +
                           std::to_string(max) + ")");
  };
  uint64_t value = 0;
  if (v.is_number_unsigned()) {
    value = v.get<uint64_t>();
  } else if (v.is_number_integer()) {
    // The parser makes non-negative numbers number_unsigned; a built value may be signed.
    int64_t n = v.get<int64_t>();
    if (n < 0) return range_error(std::to_string(n));
    value = static_cast<uint64_t>(n);
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    bool digits = !s.empty() && s.size() <= 20;
    for (char c : s) digits = digits && c >= '0' && c <= '9';
    if (!digits) return ConfigError(source, path, "expected an integer, got " + DescribeJson(v));
    for (char c : s) {
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (value > (UINT64_MAX - d) / 10) return range_error(s);
      value = value * 10 + d;
    }
  } else {
    return ConfigError(source, path, "expected an integer, got " + DescribeJson(v));
  }
  if (value < min || value > max) return range_error(std::to_string(value));
  return value;
}

Result<bool> ReadBool(const json& v, std::string_view source, std::string_view path) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_unsigned()) {
    uint64_t n = v.get<uint64_t>();
    if (n <= 1) return n == 1;
  }
  return ConfigError(source, path,
                     "expected a boolean (true, false, 0 or 1), got " + DescribeJson(v));
}

ObjectFields::ObjectFields(std::string_view source, const json& object, std::string path)
    : source_(source), object_(object), path_(std::move(path)) {}

std::string ObjectFields::PathOf(std::string_view key) const {
  return JsonPointerAppend(path_, key);
}

Status ObjectFields::ErrorAt(std::string_view key, std::string_view problem) const {
  return ConfigError(source_, PathOf(key), problem);
}

Status ObjectFields::Error(std::string_view problem) const {
  return ConfigError(source_, path_, problem);
}

const json* ObjectFields::Take(std::string_view key) {
  auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  used_.insert(std::string(key));
  if (it->is_null()) return nullptr;
  return &*it;
}

bool ObjectFields::Has(std::string_view key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

Status ObjectFields::ReqString(std::string_view key, std::string* out, std::string_view why) {
  const json* v = Take(key);
  if (v == nullptr && object_.contains(key)) return ErrorAt(key, "expected a string, got null");
  if (v == nullptr) {
    std::string msg = "missing required key \"" + std::string(key) + "\"";
    if (!why.empty()) msg += " (" + std::string(why) + ")";
    return Error(msg);
  }
  auto s = ReadString(*v, source_, PathOf(key));
  if (!s.ok()) return s.status();
  *out = std::move(s).value();
  return Status::Ok();
}

Status ObjectFields::OptString(std::string_view key, std::string* out, bool* present) {
  const json* v = Take(key);
  if (present != nullptr) *present = v != nullptr;
  if (v == nullptr) return Status::Ok();
  auto s = ReadString(*v, source_, PathOf(key));
  if (!s.ok()) return s.status();
  *out = std::move(s).value();
  return Status::Ok();
}

Status ObjectFields::ReqUint(std::string_view key, uint64_t min, uint64_t max, uint64_t* out,
                             std::string_view why) {
  const json* v = Take(key);
  if (v == nullptr && object_.contains(key)) return ErrorAt(key, "expected an integer, got null");
  if (v == nullptr) {
    std::string msg = "missing required key \"" + std::string(key) + "\"";
    if (!why.empty()) msg += " (" + std::string(why) + ")";
    return Error(msg);
  }
  auto n = ReadUint(*v, source_, PathOf(key), min, max);
  if (!n.ok()) return n.status();
  *out = n.value();
  return Status::Ok();
}

Status ObjectFields::OptUint(std::string_view key, uint64_t min, uint64_t max,
                             std::optional<uint64_t>* out) {
  const json* v = Take(key);
  if (v == nullptr) return Status::Ok();
  auto n = ReadUint(*v, source_, PathOf(key), min, max);
  if (!n.ok()) return n.status();
  *out = n.value();
  return Status::Ok();
}

Status ObjectFields::OptBool(std::string_view key, std::optional<bool>* out) {
  const json* v = Take(key);
  if (v == nullptr) return Status::Ok();
  auto b = ReadBool(*v, source_, PathOf(key));
  if (!b.ok()) return b.status();
  *out = b.value();
  return Status::Ok();
}

Status ObjectFields::OptArray(std::string_view key, const json** out) {
  *out = Take(key);
  if (*out != nullptr && !(*out)->is_array()) {
    return ErrorAt(key, "expected an array, got " + DescribeJson(**out));
  }
  return Status::Ok();
}

Status ObjectFields::OptObject(std::string_view key, const json** out) {
  *out = Take(key);
  if (*out != nullptr && !(*out)->is_object()) {
    return ErrorAt(key, "expected an object, got " + DescribeJson(**out));
  }
  return Status::Ok();
}

json ObjectFields::Unused() const {
  json out = json::object();
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (used_.find(it.key()) == used_.end()) out[it.key()] = it.value();
  }
  return out;
}

}  // namespace reftarget::config
