// Check: the one assertion helper. It compares a CommandResult with an Expectation and
// returns a Verdict whose message a person can act on without re-running the test: the
// clause checked, the command and its CDB bytes, what came back (status, sense decoded by
// the harness, raw sense bytes) and what the standard allows. No gtest dependency: the
// runner and non-gtest drivers use it directly; gtest_expect.h adapts it to gtest.
#pragma once

#include <string>
#include <string_view>

#include "harness/expect/expectation.h"

namespace harness::expect {

struct Verdict {
  bool ok = false;
  std::string message;  // multi-line; first line "PASS: <clause>" or "FAIL: <clause>"
  // The same facts as separate fields, for reports.
  std::string clause;
  std::string cdb_hex;
  std::string sense_hex;
  std::string got;       // "CHECK CONDITION 05/24/00 ILLEGAL REQUEST: ..." or "timeout"
  std::string expected;  // Expectation::Describe()
};

// Returns whether `result` meets `expectation`, with the message described above.
Verdict Check(const CommandResult& result, const Expectation& expectation, std::string_view clause);

// Returns the "got" text for `result`: status and decoded sense, or the outcome and error.
std::string DescribeGot(const CommandResult& result);

}  // namespace harness::expect
