// The rules of a report that a JSON Schema cannot state: unique test ids, counts that add
// up, tests that name a listed suite, a run that ends after it starts.
#pragma once

#include <vector>

#include "reports/report_model.h"
#include "reports/schema_validator.h"

namespace harness::reports {

// Returns every inconsistency in `report`, each at the JSON Pointer of the offending field;
// empty if consistent. RecomputeCounts() makes the counts and totals consistent.
std::vector<ValidationError> CheckConsistency(const Report& report);

}  // namespace harness::reports
