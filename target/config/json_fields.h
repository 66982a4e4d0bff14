// Typed access to the members of one JSON object of saveconfig.json, with errors that name
// the file, the JSON pointer of the value and the problem:
//   cfg.json: /targets/0/tpgs/0/portals/0/port: value 70000 is out of range (1 to 65535)
// Internal to the config layer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "target/common/status.h"

// Returns early from a function returning Status or Result<T> when `expr` fails.
#define CFG_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::reftarget::Status cfg_status_ = (expr);  \
    if (!cfg_status_.ok()) return cfg_status_; \
  } while (0)

namespace reftarget::config {

// Returns a short rendering of a JSON value for messages: "\"abc\"", "5", "true", "null",
// "an array", "an object". Long strings are cut at 64 bytes.
std::string DescribeJson(const nlohmann::json& value);

// Returns "SRC: PATH: PROBLEM" (PATH "/" for the document root).
Status ConfigError(std::string_view source, std::string_view path, std::string_view problem);

// Conversions of one value; on failure the message is "SRC: PATH: problem".
// Strings: JSON strings only; a NUL byte is refused.
Result<std::string> ReadString(const nlohmann::json& v, std::string_view source,
                               std::string_view path);
// Integers: JSON integers or decimal strings (rtslib's int() accepts both), in [min, max].
Result<uint64_t> ReadUint(const nlohmann::json& v, std::string_view source, std::string_view path,
                          uint64_t min, uint64_t max);
// Booleans: true/false or the integers 0/1.
Result<bool> ReadBool(const nlohmann::json& v, std::string_view source, std::string_view path);

// The members of one JSON object. Each member read through Take() or a typed getter is
// marked used; Unused() returns the rest, which the reader keeps as `extra`.
class ObjectFields {
 public:
  // REQUIRES: `object` is a JSON object that outlives this.
  ObjectFields(std::string_view source, const nlohmann::json& object, std::string path);

  const std::string& path() const { return path_; }
  std::string_view source() const { return source_; }
  // Returns the pointer of member `key`.
  std::string PathOf(std::string_view key) const;
  // Returns "SRC: PATH/key: problem".
  Status ErrorAt(std::string_view key, std::string_view problem) const;
  // Returns "SRC: PATH: problem".
  Status Error(std::string_view problem) const;

  // Returns member `key` and marks it used; nullptr if absent or JSON null (Python's
  // dict.get() treats a saved None like an absent key).
  const nlohmann::json* Take(std::string_view key);
  // Returns true if `key` is present (not marking it used).
  bool Has(std::string_view key) const;

  // Typed getters. Opt* leave `out` unchanged when the key is absent and set *present.
  Status ReqString(std::string_view key, std::string* out, std::string_view why = {});
  Status OptString(std::string_view key, std::string* out, bool* present = nullptr);
  Status ReqUint(std::string_view key, uint64_t min, uint64_t max, uint64_t* out,
                 std::string_view why = {});
  Status OptUint(std::string_view key, uint64_t min, uint64_t max, std::optional<uint64_t>* out);
  Status OptBool(std::string_view key, std::optional<bool>* out);
  // Arrays and objects: *out is nullptr when absent.
  Status OptArray(std::string_view key, const nlohmann::json** out);
  Status OptObject(std::string_view key, const nlohmann::json** out);

  // Returns the members not used, as an object.
  nlohmann::json Unused() const;

 private:
  std::string_view source_;
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace reftarget::config
