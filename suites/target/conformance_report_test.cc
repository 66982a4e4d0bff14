// The conformance report of the iscsi-test-cu integration test: every family, with its
// failing tests, reaches the JSON and the table (input: a real libiscsi 1.19 run on tgt).
#include "suites/target/support/conformance_report.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace itest {
namespace {

using harness::drivers::CuRun;
using harness::drivers::FamilyResult;
using harness::drivers::ParseIscsiTestCuOutput;
using harness::drivers::SummarizeFamily;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(HARNESS_DRIVERS_TESTDATA_DIR) + "/" + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ConformanceReport, JsonAndTableCarryEveryFamily) {
  CuRun run = ParseIscsiTestCuOutput(ReadTestdata("iscsi_test_cu_tgt_families.txt"));
  FamilyResult f = SummarizeFamily("SCSI.ALL", run, false, "exit 1");
  f.backstore = "fileio";
  nlohmann::json j = FamilyResultsJson({f});
  ASSERT_EQ(j["results"].size(), 1u);
  EXPECT_EQ(j["results"][0]["status"], "FAIL");
  EXPECT_EQ(j["results"][0]["tests"].size(), 145u);
  const std::string table = FormatFamilyTable({f});
  EXPECT_NE(table.find("FAIL iSCSIdatasn.iSCSIDataSnInvalid"), std::string::npos);
}

}  // namespace
}  // namespace itest
