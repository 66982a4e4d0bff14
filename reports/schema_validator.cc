#include "reports/schema_validator.h"

#include <cmath>
#include <set>
#include <string_view>

namespace harness::reports {
namespace {

using nlohmann::json;

// Deeper than any sane schema; stops a "$ref": "#" cycle from recursing forever.
constexpr int kMaxDepth = 64;
// libstdc++'s regex executor recurses per character; longer strings are not matched.
constexpr size_t kMaxPatternInput = 4096;

const std::set<std::string_view>& KnownKeywords() {
  static const std::set<std::string_view> kKeywords = {"$schema",
                                                       "$id",
                                                       "$defs",
                                                       "$comment",
                                                       "$ref",
                                                       "title",
                                                       "description",
                                                       "default",
                                                       "examples",
                                                       "format",
                                                       "type",
                                                       "enum",
                                                       "const",
                                                       "required",
                                                       "properties",
                                                       "additionalProperties",
                                                       "items",
                                                       "minItems",
                                                       "maxItems",
                                                       "minLength",
                                                       "maxLength",
                                                       "pattern",
                                                       "minimum",
                                                       "maximum",
                                                       "exclusiveMinimum",
                                                       "exclusiveMaximum",
                                                       "allOf",
                                                       "anyOf",
                                                       "oneOf",
                                                       "not",
                                                       "if",
                                                       "then",
                                                       "else"};
  return kKeywords;
}

const std::set<std::string_view>& KnownTypes() {
  static const std::set<std::string_view> kTypes = {"null",   "boolean", "object", "array",
                                                    "number", "integer", "string"};
  return kTypes;
}

std::string Short(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string FormatNumber(double value) {
  json j = value;
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    j = static_cast<int64_t>(value);
  }
  return j.dump();
}

// Resolves "#", "#/a/b" against `root`; nullptr if it does not resolve.
const json* ResolveRef(const json& root, const std::string& ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  std::string pointer = ref.substr(1);
  if (!pointer.empty() && pointer[0] != '/') return nullptr;
  // json_pointer's constructor throws on a malformed escape; schema loading is not on the
  // I/O path, but keep the failure a value.
  try {
    json::json_pointer ptr(pointer);
    if (!root.contains(ptr)) return nullptr;
    return &root.at(ptr);
  } catch (const json::exception&) {
    return nullptr;
  }
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsInteger(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool MatchesType(const json& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "number") return v.is_number();
  if (type == "integer") return IsInteger(v);
  if (type == "string") return v.is_string();
  return false;
}

std::string TypeName(const json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return v.type_name();
}

struct SchemaChecker {
  const json& root;
  std::map<std::string, std::regex>* patterns;

  Status Fail(const std::string& where, const std::string& what) {
    return Status::Error("schema " + (where.empty() ? std::string("#") : "#" + where) + ": " +
                         what);
  }

  Status Check(const json& node, const std::string& where, int depth) {
    if (depth > kMaxDepth) return Fail(where, "nested deeper than " + std::to_string(kMaxDepth));
    if (node.is_boolean()) return Status::Ok();
    if (!node.is_object()) return Fail(where, "a schema must be an object or a boolean");
    for (const auto& [key, value] : node.items()) {
      std::string at = where + "/" + JsonPointerEscape(key);
      if (KnownKeywords().count(key) == 0) {
        return Fail(at, "unsupported keyword \"" + key + "\" (see schema_validator.h)");
      }
      Status st = CheckKeyword(key, value, at, depth);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status CheckSchemaMap(const json& value, const std::string& at, int depth) {
    if (!value.is_object()) return Fail(at, "must be an object of schemas");
    for (const auto& [name, sub] : value.items()) {
      Status st = Check(sub, at + "/" + JsonPointerEscape(name), depth + 1);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status CheckKeyword(const std::string& key, const json& value, const std::string& at, int depth) {
    if (key == "$defs" || key == "properties") return CheckSchemaMap(value, at, depth);
    if (key == "additionalProperties" || key == "items" || key == "not" || key == "if" ||
        key == "then" || key == "else") {
      return Check(value, at, depth + 1);
    }
    if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      if (!value.is_array() || value.empty()) return Fail(at, "must be a non-empty array");
      for (size_t i = 0; i < value.size(); ++i) {
        Status st = Check(value[i], at + "/" + std::to_string(i), depth + 1);
        if (!st.ok()) return st;
      }
      return Status::Ok();
    }
    if (key == "type") {
      json types = value.is_array() ? value : json::array({value});
      for (const json& t : types) {
        if (!t.is_string() || KnownTypes().count(t.get<std::string>()) == 0) {
          return Fail(at, "unknown type " + Short(t));
        }
      }
      return Status::Ok();
    }
    if (key == "enum") return value.is_array() ? Status::Ok() : Fail(at, "must be an array");
    if (key == "required") {
      if (!value.is_array()) return Fail(at, "must be an array of strings");
      for (const json& r : value) {
        if (!r.is_string()) return Fail(at, "must be an array of strings");
      }
      return Status::Ok();
    }
    if (key == "pattern") {
      if (!value.is_string()) return Fail(at, "must be a string");
      const std::string& source = value.get_ref<const std::string&>();
      try {
        patterns->emplace(source, std::regex(source, std::regex::ECMAScript));
      } catch (const std::regex_error& e) {
        return Fail(at, "pattern does not compile: " + std::string(e.what()));
      }
      return Status::Ok();
    }
    if (key == "$ref") {
      if (!value.is_string() || ResolveRef(root, value.get<std::string>()) == nullptr) {
        return Fail(at, "$ref " + Short(value) + " does not resolve inside this document");
      }
      return Status::Ok();
    }
    if (key == "minItems" || key == "maxItems" || key == "minLength" || key == "maxLength") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0) {
        return Fail(at, "must be a non-negative integer");
      }
      return Status::Ok();
    }
    if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
        key == "exclusiveMaximum") {
      return value.is_number() ? Status::Ok() : Fail(at, "must be a number");
    }
    return Status::Ok();  // const and the annotations take any value
  }
};

}  // namespace

std::string JsonPointerEscape(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ValidationError::ToString() const {
  return (path.empty() ? std::string("/") : path) + ": " + message;
}

Result<SchemaValidator> SchemaValidator::Create(json schema) {
  auto compiled = std::make_shared<Compiled>();
  compiled->root = std::move(schema);
  SchemaChecker checker{compiled->root, &compiled->patterns};
  Status st = checker.Check(compiled->root, "", 0);
  if (!st.ok()) return st;
  return SchemaValidator(std::move(compiled));
}

// One validation pass: walks schema and instance together and collects errors.
class SchemaValidator::Walker {
 public:
  Walker(const Compiled& compiled, std::vector<ValidationError>* errors)
      : compiled_(compiled), errors_(errors) {}

  void Check(const json& schema, const json& inst, const std::string& path, int depth) {
    if (depth > kMaxDepth) {
      Add(path, "schema recursion deeper than " + std::to_string(kMaxDepth));
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) Add(path, "no value is allowed here");
      return;
    }
    if (auto it = schema.find("$ref"); it != schema.end()) {
      const json* target = ResolveRef(compiled_.root, it->get<std::string>());
      if (target != nullptr) Check(*target, inst, path, depth + 1);
    }
    if (!CheckType(schema, inst, path)) return;  // the other keywords would only add noise
    CheckValue(schema, inst, path);
    if (inst.is_object()) CheckObject(schema, inst, path, depth);
    if (inst.is_array()) CheckArray(schema, inst, path, depth);
    if (inst.is_string()) CheckString(schema, inst, path);
    if (inst.is_number()) CheckNumber(schema, inst, path);
    CheckCombinators(schema, inst, path, depth);
  }

 private:
  void Add(const std::string& path, std::string message) {
    errors_->push_back({path, std::move(message)});
  }

  // Returns whether `inst` passes `schema`, recording nothing.
  bool Passes(const json& schema, const json& inst, const std::string& path, int depth) {
    std::vector<ValidationError> scratch;
    Walker sub(compiled_, &scratch);
    sub.Check(schema, inst, path, depth + 1);
    return scratch.empty();
  }

  bool CheckType(const json& schema, const json& inst, const std::string& path) {
    auto it = schema.find("type");
    if (it == schema.end()) return true;
    json types = it->is_array() ? *it : json::array({*it});
    for (const json& t : types) {
      if (MatchesType(inst, t.get<std::string>())) return true;
    }
    Add(path, "expected " + (it->is_array() ? Short(*it) : it->get<std::string>()) + ", got " +
                  TypeName(inst));
    return false;
  }

  void CheckValue(const json& schema, const json& inst, const std::string& path) {
    if (auto it = schema.find("enum"); it != schema.end()) {
      bool found = false;
      for (const json& allowed : *it) found = found || allowed == inst;
      if (!found) Add(path, "value " + Short(inst) + " is not one of " + Short(*it));
    }
    if (auto it = schema.find("const"); it != schema.end() && *it != inst) {
      Add(path, "value " + Short(inst) + " is not " + Short(*it));
    }
  }

  void CheckObject(const json& schema, const json& inst, const std::string& path, int depth) {
    if (auto it = schema.find("required"); it != schema.end()) {
      for (const json& name : *it) {
        const std::string& key = name.get_ref<const std::string&>();
        if (!inst.contains(key)) {
          Add(path + "/" + JsonPointerEscape(key), "required property is missing");
        }
      }
    }
    auto props = schema.find("properties");
    auto additional = schema.find("additionalProperties");
    for (const auto& [key, value] : inst.items()) {
      std::string at = path + "/" + JsonPointerEscape(key);
      if (props != schema.end()) {
        if (auto p = props->find(key); p != props->end()) {
          Check(*p, value, at, depth + 1);
          continue;
        }
      }
      if (additional == schema.end()) continue;
      if (additional->is_boolean() && !additional->get<bool>()) {
        Add(at, "property is not allowed here (additionalProperties is false)");
      } else {
        Check(*additional, value, at, depth + 1);
      }
    }
  }

  void CheckArray(const json& schema, const json& inst, const std::string& path, int depth) {
    if (auto it = schema.find("minItems"); it != schema.end() && inst.size() < it->get<size_t>()) {
      Add(path, "array has " + std::to_string(inst.size()) + " items, fewer than " + it->dump());
    }
    if (auto it = schema.find("maxItems"); it != schema.end() && inst.size() > it->get<size_t>()) {
      Add(path, "array has " + std::to_string(inst.size()) + " items, more than " + it->dump());
    }
    if (auto it = schema.find("items"); it != schema.end()) {
      for (size_t i = 0; i < inst.size(); ++i) {
        Check(*it, inst[i], path + "/" + std::to_string(i), depth + 1);
      }
    }
  }

  void CheckString(const json& schema, const json& inst, const std::string& path) {
    const std::string& s = inst.get_ref<const std::string&>();
    size_t length = Utf8Length(s);
    if (auto it = schema.find("minLength"); it != schema.end() && length < it->get<size_t>()) {
      Add(path,
          "string of " + std::to_string(length) + " characters is shorter than " + it->dump());
    }
    bool too_long = false;
    if (auto it = schema.find("maxLength"); it != schema.end() && length > it->get<size_t>()) {
      Add(path, "string of " + std::to_string(length) + " characters is longer than " + it->dump());
      too_long = true;
    }
    auto it = schema.find("pattern");
    if (it == schema.end() || too_long) return;
    if (s.size() > kMaxPatternInput) {
      Add(path, "string of " + std::to_string(s.size()) + " bytes is too long to match pattern " +
                    it->get<std::string>());
      return;
    }
    const std::regex& re = compiled_.patterns.at(it->get<std::string>());
    if (!std::regex_search(s, re)) {
      Add(path, "value " + Short(inst) + " does not match pattern " + it->get<std::string>());
    }
  }

  void CheckNumber(const json& schema, const json& inst, const std::string& path) {
    double v = inst.get<double>();
    auto bound = [&](const char* key, auto violated, const char* words) {
      auto it = schema.find(key);
      if (it == schema.end()) return;
      double limit = it->get<double>();
      if (violated(v, limit)) {
        Add(path, "value " + Short(inst) + " is " + words + " " + FormatNumber(limit));
      }
    };
    bound(
        "minimum", [](double a, double b) { return a < b; }, "less than the minimum");
    bound(
        "maximum", [](double a, double b) { return a > b; }, "greater than the maximum");
    bound(
        "exclusiveMinimum", [](double a, double b) { return a <= b; }, "not greater than");
    bound(
        "exclusiveMaximum", [](double a, double b) { return a >= b; }, "not less than");
  }

  void CheckCombinators(const json& schema, const json& inst, const std::string& path, int depth) {
    if (auto it = schema.find("allOf"); it != schema.end()) {
      for (const json& sub : *it) Check(sub, inst, path, depth + 1);
    }
    if (auto it = schema.find("anyOf"); it != schema.end()) {
      bool any = false;
      for (const json& sub : *it) any = any || Passes(sub, inst, path, depth);
      if (!any) Add(path, "value matches none of the anyOf alternatives");
    }
    if (auto it = schema.find("oneOf"); it != schema.end()) {
      int matches = 0;
      for (const json& sub : *it) matches += Passes(sub, inst, path, depth) ? 1 : 0;
      if (matches != 1) {
        Add(path, "value matches " + std::to_string(matches) +
                      " of the oneOf alternatives, not exactly one");
      }
    }
    if (auto it = schema.find("not"); it != schema.end() && Passes(*it, inst, path, depth)) {
      Add(path, "value matches a schema it must not match");
    }
    if (auto it = schema.find("if"); it != schema.end()) {
      const char* branch = Passes(*it, inst, path, depth) ? "then" : "else";
      if (auto b = schema.find(branch); b != schema.end()) Check(*b, inst, path, depth + 1);
    }
  }

  const Compiled& compiled_;
  std::vector<ValidationError>* errors_;
};

std::vector<ValidationError> SchemaValidator::Validate(const json& instance) const {
  std::vector<ValidationError> errors;
  Walker walker(*compiled_, &errors);
  walker.Check(compiled_->root, instance, "", 0);
  return errors;
}

}  // namespace harness::reports
