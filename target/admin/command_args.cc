#include "target/admin/command_args.h"

namespace reftarget::admin {
namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

const std::string* BoundArgs::Get(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::string Usage(std::string_view verb, std::span<const ParamSpec> params) {
  std::string out(verb);
  for (const ParamSpec& p : params) {
    out += " ";
    out += p.required ? std::string(p.name) : "[" + std::string(p.name) + "]";
  }
  return out;
}

Result<BoundArgs> BindArgs(const Command& command, std::span<const ParamSpec> params) {
  std::string usage = " (usage: " + Usage(command.verb, params) + ")";
  if (command.positional.size() > params.size()) {
    return Status::Error("too many arguments: " + Quote(command.positional[params.size()]) +
                         " has no parameter to fill" + usage);
  }
  BoundArgs args;
  for (size_t i = 0; i < command.positional.size(); ++i) {
    args.Set(params[i].name, command.positional[i]);
  }
  for (const auto& [key, value] : command.named) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& p : params) {
      if (p.name == key) spec = &p;
    }
    if (spec == nullptr) {
      std::string valid;
      for (const ParamSpec& p : params) valid += (valid.empty() ? "" : ", ") + std::string(p.name);
      return Status::Error(
          "unknown argument '" + key + "' (" +
          (valid.empty() ? std::string("this command takes none") : "valid: " + valid) + ")" +
          usage);
    }
    if (args.Has(key)) {
      return Status::Error("argument '" + key + "' is given both by position and as " + key + "=" +
                           usage);
    }
    args.Set(key, value);
  }
  for (const ParamSpec& p : params) {
    if (p.required && !args.Has(p.name)) {
      return Status::Error("missing argument '" + std::string(p.name) + "'" + usage);
    }
  }
  return args;
}

Result<bool> ParseBool(std::string_view text) {
  std::string lower = Lowercase(text);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return Status::Error(Quote(text) + " is not a boolean (true or false)");
}

Result<uint64_t> ParseDecimal(std::string_view text, uint64_t min, uint64_t max) {
  std::string range = " (" + std::to_string(min) + " to " + std::to_string(max) + ")";
  if (text.empty() || text.size() > 20) {
    return Status::Error(Quote(text) + " is not a number" + range);
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Error(Quote(text) + " is not a number" + range);
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return Status::Error(Quote(text) + " is out of range" + range);
    }
    value = value * 10 + digit;
  }
  if (value < min || value > max) return Status::Error(Quote(text) + " is out of range" + range);
  return value;
}

Status CommandError(const Command& command, std::string_view detail) {
  return Status::Error(command.path + ": " + command.verb + ": " + std::string(detail));
}

}  // namespace reftarget::admin
