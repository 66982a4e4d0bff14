// Parses JSON text into an nlohmann::json document with the checks a configuration file
// needs and nlohmann's DOM parser does not make: duplicate object keys (Python's json keeps
// the last one silently; we refuse), a nesting limit, non-finite numbers. Never throws.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "target/common/status.h"

namespace reftarget::config {

// Deeper than any saveconfig.json (about 8 levels); bounds recursion on hostile input.
inline constexpr size_t kMaxJsonDepth = 32;

// Returns the document, or an error naming `source_name`:
//   "SRC:LINE:COL: syntax error: ..."          (JSON syntax, invalid UTF-8)
//   "SRC: /json/pointer: duplicate key \"k\""  (and other structural refusals)
Result<nlohmann::json> ParseJsonDocument(std::string_view text, std::string_view source_name);

// Appends RFC 6901 pointer segment `key` to `path` ('~' -> "~0", '/' -> "~1"); control and
// other non-printable ASCII bytes are shown as \xNN so messages stay one printable line.
std::string JsonPointerAppend(std::string_view path, std::string_view key);
// Appends an array index to a JSON pointer.
std::string JsonPointerAppend(std::string_view path, size_t index);
// Returns `text` with non-printable ASCII bytes shown as \xNN.
std::string Printable(std::string_view text);

}  // namespace reftarget::config
