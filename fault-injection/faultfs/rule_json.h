// JSON forms of rules for the control protocol (one JSON object per line).
#pragma once

#include <nlohmann/json.hpp>

#include "fault-injection/faultfs/rules.h"
#include "target/common/status.h"

namespace reftarget::faultfs {

// Parses a rule from an object with fields file, op, offset, length, action, errno,
// delay_ms, xor, count, probability, seed. offset/length take numbers or size strings
// ("1M"); when "action" is absent it is inferred from "errno" / "delay_ms" / "hang" /
// "corrupt" / "short". Unknown fields are rejected so a typo never adds a wider rule.
Result<RuleSpec> RuleFromJson(const nlohmann::json& object);
// Reads a non-negative integer whether JSON holds it as signed or unsigned; false otherwise.
bool GetUnsigned(const nlohmann::json& value, uint64_t* out);
// Returns the canonical JSON form of `spec` (the form RuleFromJson reads back).
nlohmann::json RuleToJson(const RuleSpec& spec);
// Returns {"id", "rule", "hits", "skipped", "hanging", "exhausted"} for `state`.
nlohmann::json RuleStateToJson(const RuleState& state);

}  // namespace reftarget::faultfs
