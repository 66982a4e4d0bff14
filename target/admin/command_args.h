// Binding a Command's arguments to a verb's parameters the way configshell binds them to a
// ui_command_* method: positional arguments fill the parameters in order, key=value ones by
// name, and a parameter may be given only one way. Internal to the admin library.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "target/admin/command_line.h"
#include "target/common/status.h"

namespace reftarget::admin {

struct ParamSpec {
  std::string_view name;
  bool required = false;
};

// The arguments of one command, by parameter name.
class BoundArgs {
 public:
  // Returns the value of `name`, or nullptr if it was not given.
  const std::string* Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  void Set(std::string_view name, std::string value) {
    values_[std::string(name)] = std::move(value);
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Returns "create name file_or_dev [size] [write_back]" for messages.
std::string Usage(std::string_view verb, std::span<const ParamSpec> params);

// Binds `command`'s arguments to `params`. Errors (without the "PATH: VERB: " prefix) name
// the argument: too many positional arguments, an unknown key (with the valid ones), a
// parameter given twice, a required one missing; each ends with the usage.
Result<BoundArgs> BindArgs(const Command& command, std::span<const ParamSpec> params);

// Parses a boolean: true/false, yes/no, on/off, 1/0 in any case. On failure the message
// quotes `text`.
Result<bool> ParseBool(std::string_view text);

// Parses a decimal integer in [min, max] (no sign, no spaces). On failure the message quotes
// `text` and gives the range.
Result<uint64_t> ParseDecimal(std::string_view text, uint64_t min, uint64_t max);

// Returns "PATH: VERB: detail", the form of every error an edit returns.
Status CommandError(const Command& command, std::string_view detail);

}  // namespace reftarget::admin
