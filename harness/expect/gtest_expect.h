// GoogleTest adapter for Check (check.h): EXPECT_SCSI / ASSERT_SCSI turn a failed Verdict
// into a gtest failure carrying the full message, and record each check's clause, CDB,
// sense and verdict as test properties (RecordProperty), which gtest writes into its XML
// and JSON output, so the runner can put them in the report:
//   scsi.<n>.clause, scsi.<n>.cdb, scsi.<n>.sense, scsi.<n>.got, scsi.<n>.expected,
//   scsi.<n>.verdict ("pass" / "fail"), n = 1, 2, ... per test.
// Kept apart from check.h so that code without gtest can use Check.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "harness/expect/check.h"

namespace harness::expect::internal {

// Runs Check, records the properties, and reports a failure at file:line (fatal or not).
// Returns the verdict's ok.
bool ReportScsiCheck(const char* file, int line, const CommandResult& result,
                     const Expectation& expectation, std::string_view clause, bool fatal);

}  // namespace harness::expect::internal

// Non-fatal: the test goes on after a mismatch.
#define EXPECT_SCSI(result, expectation, clause)                                         \
  ::harness::expect::internal::ReportScsiCheck(__FILE__, __LINE__, (result), (expectation), \
                                               (clause), false)

// Fatal: the current function returns after a mismatch (like ASSERT_*).
#define ASSERT_SCSI(result, expectation, clause)                                             \
  if (::harness::expect::internal::ReportScsiCheck(__FILE__, __LINE__, (result), (expectation), \
                                                   (clause), true))                          \
    ;                                                                                        \
  else                                                                                       \
    return
