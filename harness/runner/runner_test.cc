#include <gtest/gtest.h>

#include "harness/runner/gtest_suite.h"
#include "harness/runner/iscsi_test_cu_suite.h"
#include "harness/runner/run_command.h"

#include <fstream>
#include <set>

namespace harness::runner {
namespace {

TEST(ParseRunArgsTest, EveryOption) {
  auto r = ParseRunArgs({"--target", "tgt", "--suites", "iscsi-test-cu,other", "--out", "/tmp/o",
                         "--profile", "full", "--baseline", "/tmp/b.json", "--history", "/tmp/h",
                         "--allow-data-loss",
                         "--shard", "2/3"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().target, "tgt");
  EXPECT_EQ(r.value().suites, (std::vector<std::string>{"iscsi-test-cu", "other"}));
  EXPECT_EQ(r.value().out, "/tmp/o");
  EXPECT_EQ(r.value().profile, Profile::kFull);
  EXPECT_EQ(r.value().baseline, std::filesystem::path("/tmp/b.json"));
  EXPECT_EQ(r.value().history, std::filesystem::path("/tmp/h"));
  EXPECT_TRUE(r.value().allow_data_loss);
  EXPECT_EQ(r.value().shard_index, 1);
  EXPECT_EQ(r.value().shard_count, 3);
}

TEST(ParseRunArgsTest, ErrorsNameTheOptionAndValue) {
  EXPECT_NE(ParseRunArgs({"--profile", "slow"}).error().find("'slow'"), std::string::npos);
  EXPECT_NE(ParseRunArgs({"--shard", "4/3"}).error().find("--shard"), std::string::npos);
  EXPECT_NE(ParseRunArgs({"--shard", "x/3"}).error().find("'x'"), std::string::npos);
  EXPECT_NE(ParseRunArgs({"--out"}).error().find("--out: needs a value"), std::string::npos);
  EXPECT_NE(ParseRunArgs({"--bogus", "1"}).error().find("'--bogus'"), std::string::npos);
}

TEST(CuFamilyListTest, KeepsSecondLevelScsiAndIscsiEntries) {
  const std::string list =
      "ALL\nALL.Read10\nALL.Read10.Simple\nSCSI\nSCSI.Read10\nSCSI.Read10.Simple\n"
      "iSCSI.iSCSITMF\nLINUX.Read10\n";
  EXPECT_EQ(ParseCuFamilyList(list), (std::vector<std::string>{"SCSI.Read10", "iSCSI.iSCSITMF"}));
}

TEST(CuProfilesTest, QuickProfilesAndUniqueLunNames) {
  auto profiles = DefaultCuProfiles();
  std::set<std::string> names;
  int quick = 0;
  for (const auto& p : profiles) {
    EXPECT_TRUE(names.insert(p.lun.name).second) << p.lun.name;
    quick += p.quick;
  }
  EXPECT_EQ(quick, 3);
}

}  // namespace
}  // namespace harness::runner

namespace harness::runner {
namespace {

TEST(ResultFromGtestTest, FailureCarriesClauseCdbAndSenseOfTheFailedCheck) {
  nlohmann::json e = {
      {"suite", "ReadTest"}, {"name", "BeyondEol"}, {"outcome", "FAIL"},
      {"reason", "x.cc:3: boom"}, {"failures", {"x.cc:3: boom"}}, {"duration_s", 0.25},
      {"properties",
       {{"clause", "SBC-3 5.16"}, {"scsi.1.verdict", "pass"}, {"scsi.2.verdict", "fail"},
        {"scsi.2.expected", "CHECK CONDITION 05/21/00"}, {"scsi.2.got", "GOOD"},
        {"scsi.2.cdb", "88 00 FF"}, {"scsi.2.sense", ""}}}};
  reports::TestResult r = ResultFromGtest("protocol-open", e);
  EXPECT_EQ(r.name, "protocol-open.ReadTest.BeyondEol");
  EXPECT_EQ(r.family, "ReadTest");
  EXPECT_EQ(r.outcome, reports::Outcome::kFail);
  EXPECT_EQ(r.clause, "SBC-3 5.16");
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->expected, "CHECK CONDITION 05/21/00");
  EXPECT_EQ(r.failure->actual, "GOOD");
  EXPECT_EQ(r.failure->cdb_hex, "8800ff");
  EXPECT_NE(r.failure->message.find("boom"), std::string::npos);
}

TEST(ResultFromGtestTest, SkipKeepsItsReasonAndPassHasNone) {
  auto skip = ResultFromGtest("p", {{"suite", "S"}, {"name", "T"}, {"outcome", "SKIP"},
                                    {"reason", "no CHAP"}});
  EXPECT_EQ(skip.outcome, reports::Outcome::kSkip);
  EXPECT_EQ(skip.reason, "no CHAP");
  auto pass = ResultFromGtest("p", {{"suite", "S"}, {"name", "T"}, {"outcome", "PASS"}});
  EXPECT_EQ(pass.outcome, reports::Outcome::kPass);
  EXPECT_TRUE(pass.reason.empty());
}

TEST(ConformanceSpecTest, AuthSpecFollowsCapabilities) {
  adapters::Capabilities caps;
  caps.managed = true;
  EXPECT_FALSE(AuthConformanceSpec(caps).ok()) << "no ACL/CHAP capability: skip";
  caps.acls = caps.chap = true;
  auto spec = AuthConformanceSpec(caps);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec.value().acls.size(), 1u);
  EXPECT_FALSE(spec.value().discovery_chap.has_value());
  caps.mutual_chap = caps.discovery_auth = true;
  spec = AuthConformanceSpec(caps);
  EXPECT_EQ(spec.value().acls.size(), 2u);
  EXPECT_TRUE(spec.value().discovery_chap.has_value());
}

}  // namespace
}  // namespace harness::runner

#include "harness/runner/xfail_manifest.h"

namespace harness::runner {
namespace {

TEST(GlobMatchTest, StarsAndLiterals) {
  EXPECT_TRUE(GlobMatch("iscsi-test-cu.*.GetLBAStatus.BeyondEol", "iscsi-test-cu.thin.GetLBAStatus.BeyondEol"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_FALSE(GlobMatch("Read10", "Read10.Simple"));
}

TEST(XfailManifestTest, FailBecomesXfailPassIsReportedAndErrorsNameTheEntry) {
  auto dir = std::filesystem::temp_directory_path() / "xfail-manifest-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "tgt.json");
    out << R"({"adapter": "tgt", "entries": [
      {"test": "iscsi-test-cu.*.GetLBAStatus.BeyondEol", "clause": "SBC-3 5.7", "why": "GOOD beyond EOL"}]})";
  }
  auto m = XfailManifest::Load(dir / "tgt.json");
  ASSERT_TRUE(m.ok()) << m.error();
  std::vector<reports::TestResult> results = {
      MakeResult("conformance", "iscsi-test-cu.fileio.GetLBAStatus.BeyondEol", "GetLBAStatus",
                 reports::Outcome::kFail, "assert"),
      MakeResult("conformance", "iscsi-test-cu.thin.GetLBAStatus.BeyondEol", "GetLBAStatus",
                 reports::Outcome::kPass),
      MakeResult("conformance", "iscsi-test-cu.fileio.Read10.Simple", "Read10",
                 reports::Outcome::kFail, "real")};
  auto fixed = m.value().Apply(&results);
  EXPECT_EQ(results[0].outcome, reports::Outcome::kXfail);
  EXPECT_NE(results[0].reason.find("SBC-3 5.7"), std::string::npos);
  EXPECT_EQ(results[2].outcome, reports::Outcome::kFail) << "unlisted failures stay failures";
  EXPECT_EQ(fixed, (std::vector<std::string>{"conformance.iscsi-test-cu.thin.GetLBAStatus.BeyondEol"}));
  {
    std::ofstream out(dir / "bad.json");
    out << R"({"entries": [{"test": "x", "clause": ""}]})";
  }
  auto bad = XfailManifest::Load(dir / "bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("entries[0]: \"clause\""), std::string::npos) << bad.error();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace harness::runner
