// Renders iscsi-test-cu family verdicts as a console table and as JSON (the file named by
// $REFTARGET_CONFORMANCE_JSON, for the reports/ pipeline).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/drivers/cunit_parser.h"

namespace itest {

using harness::drivers::CuRun;
using harness::drivers::CuTest;
using harness::drivers::FamilyResult;
using harness::drivers::Outcome;
using harness::drivers::OutcomeName;
using harness::drivers::ParseIscsiTestCuOutput;
using harness::drivers::SummarizeFamily;

// Returns a fixed-width table: backstore, family, verdict, pass/skip/fail counts, reason.
std::string FormatFamilyTable(const std::vector<FamilyResult>& results);

// Returns {"tool": "iscsi-test-cu", "results": [{backstore, family, status, passed,
// skipped, failed, seconds, reason, tests: [{suite, name, status, notes}]}]}.
nlohmann::json FamilyResultsJson(const std::vector<FamilyResult>& results);

// Writes FamilyResultsJson(results) to `path` (replacing it). Returns false with `*error`.
bool WriteFamilyResultsJson(const std::string& path, const std::vector<FamilyResult>& results,
                            std::string* error);

}  // namespace itest
