// libiscsi's conformance suite (iscsi-test-cu) against reftarget, once per backstore kind.
// Each family runs as its own bounded iscsi-test-cu process so that a hang or crash is
// pinned to one family. Verdicts: PASS, SKIP (every test skipped itself, e.g. "[SKIPPED]
// UNMAP is not implemented"), FAIL. The gtest fails on any FAIL, and when the target is not
// alive after a family, or does not exit 0 on SIGTERM at the end.
//
// Env: REFTARGET_CONFORMANCE_JSON=FILE writes the per-family table as JSON;
//      REFTARGET_CU_FAMILIES=A,B,... runs only those families.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "suites/target/support/backstore_setup.h"
#include "suites/target/support/conformance_report.h"
#include "harness/drivers/cunit_parser.h"
#include "suites/target/support/subprocess.h"
#include "suites/target/support/target_process.h"

namespace itest {
namespace {

constexpr uint64_t kLunBytes = 64ull << 20;
constexpr auto kFamilyTimeout = std::chrono::seconds(90);
constexpr const char* kInitiator = "iqn.2003-01.org.reftarget.itest:iscsi-test-cu";
constexpr const char* kInitiator2 = "iqn.2003-01.org.reftarget.itest:iscsi-test-cu-2";

const std::vector<std::string> kFamilies = {
    "SCSI.Inquiry",        "SCSI.TestUnitReady", "SCSI.ReadCapacity10",
    "SCSI.ReadCapacity16", "SCSI.Read6",         "SCSI.Read10",
    "SCSI.Read12",         "SCSI.Read16",        "SCSI.Write10",
    "SCSI.Write12",        "SCSI.Write16",       "SCSI.WriteAtomic16",
    "SCSI.Verify10",       "SCSI.Verify12",      "SCSI.Verify16",
    "SCSI.WriteVerify10",  "SCSI.WriteVerify12", "SCSI.WriteVerify16",
    "SCSI.WriteSame10",    "SCSI.WriteSame16",   "SCSI.Unmap",
    "SCSI.GetLBAStatus",   "SCSI.ModeSense6",    "SCSI.ReportSupportedOpcodes",
    "iSCSI.iSCSIcmdsn",    "iSCSI.iSCSIdatasn",  "iSCSI.iSCSIResiduals",
    "iSCSI.iSCSITMF",
};

std::vector<std::string> Families() {
  const char* env = std::getenv("REFTARGET_CU_FAMILIES");
  if (env == nullptr || *env == '\0') return kFamilies;
  std::vector<std::string> out;
  std::stringstream in(env);
  std::string f;
  while (std::getline(in, f, ',')) {
    if (!f.empty()) out.push_back(f);
  }
  return out;
}

// Every backstore's results, so the JSON file holds the whole run.
std::vector<FamilyResult>& AllResults() {
  static std::vector<FamilyResult> results;
  return results;
}

std::string LastLines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
  }
  return out;
}

class IscsiTestCuTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IscsiTestCuTest, Families) {
  const std::string kind = GetParam();
  ProcessResult probe = RunProcess({"iscsi-test-cu", "--list"}, std::chrono::seconds(30));
  if (!probe.Ok())
    GTEST_SKIP() << "iscsi-test-cu (libiscsi-bin) is not runnable: " << probe.Describe();

  TempDir dir("itest-cu-" + kind + "-");
  ASSERT_TRUE(dir.ok()) << dir.error();
  Backstore backstore;
  std::string skip, error;
  if (!MakeBackstore(kind, "disk0", kLunBytes, /*thin=*/true, &dir, &backstore, &skip, &error)) {
    if (!skip.empty()) GTEST_SKIP() << skip;
    FAIL() << error;
  }
  TargetSpec spec;
  spec.storage_objects = {backstore.spec};
  spec.luns = {{0, "disk0"}};
  auto target = TargetProcess::Start(spec, &error);
  ASSERT_TRUE(target) << error;

  std::vector<FamilyResult> results;
  std::vector<std::string> failure_logs;
  for (const std::string& family : Families()) {
    FamilyResult r;
    if (!target->Alive()) {
      r.family = family;
      r.outcome = Outcome::kFail;
      r.reason = "target not running (" + target->DescribeState() + ")";
    } else {
      ProcessResult run = RunProcess({"iscsi-test-cu", "--dataloss", "-i", kInitiator, "-I",
                                      kInitiator2, "--test=" + family, target->Url(0)},
                                     kFamilyTimeout);
      r = SummarizeFamily(family, ParseIscsiTestCuOutput(run.out), run.Ok(), run.Describe());
      r.seconds = static_cast<double>(run.elapsed.count()) / 1000.0;
      if (!target->Alive()) {
        r.outcome = Outcome::kFail;
        r.reason += (r.reason.empty() ? "" : "; ") +
                    std::string("target died during the family (") + target->DescribeState() + ")";
      }
      if (r.outcome == Outcome::kFail) {
        failure_logs.push_back("---- " + kind + " " + family + " (" + run.Describe() +
                               ") output tail ----\n" + LastLines(run.out + run.err, 40));
      }
    }
    r.backstore = kind;
    results.push_back(r);
  }

  std::cout << "\niscsi-test-cu on " << kind << " (" << target->Url(0) << "):\n"
            << FormatFamilyTable(results) << std::flush;
  AllResults().insert(AllResults().end(), results.begin(), results.end());
  if (const char* path = std::getenv("REFTARGET_CONFORMANCE_JSON"); path != nullptr && *path) {
    std::string write_error;
    EXPECT_TRUE(WriteFamilyResultsJson(path, AllResults(), &write_error)) << write_error;
  }

  for (const auto& r : results) {
    EXPECT_TRUE(r.outcome != Outcome::kFail) << kind << " " << r.family << ": " << r.reason;
  }
  for (const auto& log : failure_logs) std::cout << log;
  EXPECT_TRUE(target->Alive()) << "reftarget is not running after the suite: "
                               << target->DescribeState();
  EXPECT_EQ(target->Stop(), 0) << "reftarget must drain and exit 0 on SIGTERM";
}

INSTANTIATE_TEST_SUITE_P(Backstores, IscsiTestCuTest, ::testing::ValuesIn(BackstoreKinds()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return "bs_" + info.param;
                         });

}  // namespace
}  // namespace itest
