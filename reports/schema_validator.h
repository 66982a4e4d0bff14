// A JSON Schema validator for the subset of draft 2020-12 that report.schema.json uses.
//
// Debian 12 packages no C++ JSON Schema validator (libnlohmann-json-schema-validator-dev
// is not in bookworm), so this one is built in. It refuses schemas that use a keyword it
// does not implement, so a schema edit can never be silently half-enforced.
//
// Implemented: type, enum, const, required, properties, additionalProperties, items,
// minItems, maxItems, minLength, maxLength, pattern (ECMAScript, unanchored search),
// minimum, maximum, exclusiveMinimum, exclusiveMaximum, allOf, anyOf, oneOf, not,
// if/then/else, $ref to a JSON Pointer inside the same document ("#/$defs/name").
// Annotations ($schema, $id, $defs, $comment, title, description, default, examples,
// format) are accepted and not asserted ("format" is annotation-only in 2020-12).
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "reports/status.h"

namespace harness::reports {

// One violation: where in the instance (a JSON Pointer, RFC 6901; "" is the root) and what.
struct ValidationError {
  std::string path;
  std::string message;

  // Returns "PATH: MESSAGE" with the root written as "/".
  std::string ToString() const;
};

class SchemaValidator {
 public:
  // Checks that `schema` uses only implemented keywords, that every $ref resolves and every
  // pattern compiles; the error names the schema location.
  static Result<SchemaValidator> Create(nlohmann::json schema);

  // Returns every violation of the schema by `instance` in document order; empty if valid.
  std::vector<ValidationError> Validate(const nlohmann::json& instance) const;

 private:
  struct Compiled {
    nlohmann::json root;
    std::map<std::string, std::regex> patterns;
  };
  class Walker;

  explicit SchemaValidator(std::shared_ptr<const Compiled> compiled)
      : compiled_(std::move(compiled)) {}

  std::shared_ptr<const Compiled> compiled_;
};

// Returns `token` escaped for use in a JSON Pointer ("~" -> "~0", "/" -> "~1").
std::string JsonPointerEscape(const std::string& token);

}  // namespace harness::reports
