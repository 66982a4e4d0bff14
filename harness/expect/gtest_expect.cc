#include "harness/expect/gtest_expect.h"

#include <map>
#include <mutex>
#include <string>

namespace harness::expect::internal {
namespace {

// Returns 1, 2, ... for successive checks in the running test.
int NextCheckNumber() {
  static std::mutex mu;
  static std::map<std::string, int> counters;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string key = info == nullptr ? std::string("(no test)")
                                    : std::string(info->test_suite_name()) + "." + info->name();
  std::lock_guard<std::mutex> lock(mu);
  return ++counters[key];
}

}  // namespace

bool ReportScsiCheck(const char* file, int line, const CommandResult& result,
                     const Expectation& expectation, std::string_view clause, bool fatal) {
  Verdict v = Check(result, expectation, clause);
  if (::testing::UnitTest::GetInstance()->current_test_info() != nullptr) {
    const std::string prefix = "scsi." + std::to_string(NextCheckNumber()) + ".";
    ::testing::Test::RecordProperty(prefix + "clause", v.clause);
    ::testing::Test::RecordProperty(prefix + "cdb", v.cdb_hex);
    ::testing::Test::RecordProperty(prefix + "sense", v.sense_hex);
    ::testing::Test::RecordProperty(prefix + "got", v.got);
    ::testing::Test::RecordProperty(prefix + "expected", v.expected);
    ::testing::Test::RecordProperty(prefix + "verdict", v.ok ? "pass" : "fail");
  }
  if (!v.ok) {
    ::testing::internal::AssertHelper(fatal ? ::testing::TestPartResult::kFatalFailure
                                            : ::testing::TestPartResult::kNonFatalFailure,
                                      file, line, v.message.c_str()) = ::testing::Message();
  }
  return v.ok;
}

}  // namespace harness::expect::internal
