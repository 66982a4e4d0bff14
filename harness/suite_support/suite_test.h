// What a suite's GoogleTest file includes: the current target, skips with reasons, and the
// clause every test cites (recorded as the "clause" property, which the report carries).
#pragma once

#include <gtest/gtest.h>

#include "harness/suite_support/target_under_test.h"

// Skips the test unless the runner named a target; binds `target` (const TargetUnderTest&).
#define HARNESS_REQUIRE_TARGET(target)                                      \
  std::string harness_why_##target;                                         \
  const ::harness::suite::TargetUnderTest* harness_ptr_##target =           \
      ::harness::suite::CurrentTarget(&harness_why_##target);               \
  if (harness_ptr_##target == nullptr) GTEST_SKIP() << harness_why_##target; \
  const ::harness::suite::TargetUnderTest& target = *harness_ptr_##target

// Records the standard clause the test checks, e.g. HARNESS_CLAUSE("RFC 7143 §11.12.4").
#define HARNESS_CLAUSE(text) ::testing::Test::RecordProperty("clause", text)

// Skips unless `condition` (a capability) holds, saying what is missing.
#define HARNESS_REQUIRE_CAPABILITY(condition, what)                               \
  if (!(condition)) GTEST_SKIP() << "the target under test cannot " << (what) << \
      " (capability " #condition " is false)"
