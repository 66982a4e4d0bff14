// JSON forms of netfault rules for the control protocol (one JSON object per line).
#pragma once

#include <nlohmann/json.hpp>

#include "fault-injection/netfault/rules.h"
#include "target/common/status.h"

namespace reftarget::netfault {

// Parses a rule from an object with fields dir, action, conn, nth, after, count,
// probability, seed and the action's own fields: delay_ms (delay), rate (rate),
// drop_bytes (drop), at and mask (flip), split and gap_ms (split). "action" is required.
// Byte counts (after, rate, drop_bytes, at, split) take numbers or size strings ("1M").
// Unknown fields, and fields of another action, are refused so that a typo never adds a
// wider rule. Errors name the field.
Result<RuleSpec> RuleFromJson(const nlohmann::json& object);
// Returns the canonical JSON form of `spec` (the form RuleFromJson reads back).
nlohmann::json RuleToJson(const RuleSpec& spec);
// Returns {"id", "rule", "hits", "skipped", "exhausted", "held"[, "bound_conn"]}; `held` is
// the number of stalls of this rule holding a direction now.
nlohmann::json RuleStateToJson(const RuleState& state, size_t held);

}  // namespace reftarget::netfault
