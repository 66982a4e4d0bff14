// The settings `set` and `get` know, one table per group: LIO's device, TPG and node ACL
// attributes (names and ranges as the kernel's configfs stores check them, defaults from its
// DA_*/TA_*/NA_* constants) and the iSCSI TPG parameters (RFC 7143 §13 ranges; the values
// reftarget's login negotiation accepts). Internal to the admin library.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "target/common/status.h"

namespace reftarget::admin {

inline constexpr int64_t kNoDefault = std::numeric_limits<int64_t>::min();

struct AttributeSpec {
  std::string_view name;
  uint64_t min = 0;
  uint64_t max = 1;
  int64_t default_value = kNoDefault;  // what an unset attribute means; kNoDefault: varies
  bool power_of_two = false;
  bool read_only = false;  // LIO derives it from the device; configfs refuses writes
  std::string_view note;   // why the range is narrower than LIO's, if it is
};

enum class ParameterType { kList, kNumber, kBoolean, kMarkInt, kText };

struct ParameterSpec {
  std::string_view name;
  ParameterType type;
  uint64_t min = 0;
  uint64_t max = 0;
  std::string_view allowed;        // kList, kBoolean: the values accepted, comma-separated
  std::string_view default_value;  // the value in effect when the TPG does not set it
  std::string_view clause;         // "RFC 7143 §13.12"
};

std::span<const AttributeSpec> StorageObjectAttributes();
std::span<const AttributeSpec> TpgAttributes();
std::span<const AttributeSpec> AclAttributes();
std::span<const ParameterSpec> TpgParameters();

// Returns the entry named `name`, or nullptr.
const AttributeSpec* FindAttribute(std::span<const AttributeSpec> table, std::string_view name);
const ParameterSpec* FindParameter(std::string_view name);

// Returns the names of `table` joined by ", " (writable ones only when `writable_only`).
std::string AttributeNames(std::span<const AttributeSpec> table, bool writable_only);
std::string ParameterNames();

// Checks `text` as a value of `spec` and returns it as LIO stores it. On failure the message
// quotes the value and gives the range, without naming the attribute.
Result<int64_t> CheckAttributeValue(const AttributeSpec& spec, std::string_view text);
// Checks `text` as a value of `spec` and returns its canonical spelling ("yes" -> "Yes",
// "crc32c,none" -> "CRC32C,None"). On failure the message quotes the value and says what is
// accepted, without naming the parameter.
Result<std::string> CheckParameterValue(const ParameterSpec& spec, std::string_view text);

}  // namespace reftarget::admin
