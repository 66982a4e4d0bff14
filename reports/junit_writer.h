// junit.xml: the report as Jenkins, GitLab and GitHub test reporters read it.
#pragma once

#include <filesystem>
#include <string>

#include "reports/report_model.h"
#include "reports/status.h"

namespace harness::reports {

// Returns junit.xml for `report`: one <testsuite> per suite (tests, failures, errors,
// skipped, time), one <testcase classname="Suite.Family" name="Test" time> per test.
// FAIL is a <failure message="expected X, got Y (sense ...)" type="CLAUSE">, SKIP a
// <skipped message="REASON"/>, XFAIL a <skipped type="xfail"> (as pytest writes it), so CI
// counts a known defect as not-passed without failing the job. The document validates
// against schema/junit.xsd.
std::string RenderJunit(const Report& report);

// Writes RenderJunit(report) to `path` crash-safely.
Status WriteJunit(const std::filesystem::path& path, const Report& report);

// Returns the one-line failure summary used as the JUnit message and in summary.md:
// "expected X, got Y (sense HEX)", falling back to the reason.
std::string FailureHeadline(const TestResult& test);

}  // namespace harness::reports
