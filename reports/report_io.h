// Reading, checking and writing report.json.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report_model.h"
#include "reports/schema_validator.h"
#include "reports/status.h"

namespace harness::reports {

// Returns the validator for the embedded report schema, built once.
const SchemaValidator& ReportSchemaValidator();

// Returns every schema and consistency violation of `document`; empty if it is a valid
// report. Checks the schema_version policy first (README.md: same major, minor <= ours).
std::vector<ValidationError> ValidateReportJson(const nlohmann::json& document);

// Parses, validates and converts `text`; errors start with `source_name` and name the JSON
// path ("report.json: /tests/3/reason: required property is missing").
Result<Report> ParseReport(std::string_view text, const std::string& source_name);

// Reads and parses the report at `path` (see ParseReport).
Result<Report> LoadReport(const std::filesystem::path& path);

// Returns the report as pretty-printed JSON with a trailing newline.
std::string SerializeReport(const Report& report);

// Validates `report` and writes it to `path` crash-safely (temp file, fsync, rename). An
// invalid report is refused with the first violations named, and nothing is written.
Status WriteReport(const std::filesystem::path& path, const Report& report);

// Returns up to `limit` errors as "SOURCE: PATH: MESSAGE" lines, plus "(N more)".
std::string FormatErrors(const std::string& source_name, const std::vector<ValidationError>& errors,
                         size_t limit = 5);

}  // namespace harness::reports
