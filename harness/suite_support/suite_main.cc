// The main() of every harness suite program: GoogleTest plus the ResultListener when the
// runner asks for results ($ISCSI_HARNESS_RESULTS).
#include <cstdlib>
#include <memory>

#include "harness/suite_support/result_listener.h"
#include "harness/suite_support/target_under_test.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (const char* path = std::getenv(harness::suite::kResultsEnv); path != nullptr && *path) {
    ::testing::UnitTest::GetInstance()->listeners().Append(
        std::make_unique<harness::suite::ResultListener>(path).release());  // gtest owns it
  }
  return RUN_ALL_TESTS();
}
