#include <gtest/gtest.h>

#include "harness/runner/iscsi_test_cu_suite.h"
#include "harness/runner/run_command.h"

#include <set>

namespace harness::runner {
namespace {

TEST(ParseRunArgsTest, EveryOption) {
  auto r = ParseRunArgs({"--target", "tgt", "--suites", "iscsi-test-cu,other", "--out", "/tmp/o",
                         "--profile", "full", "--baseline", "/tmp/b.json", "--allow-data-loss",
                         "--shard", "2/3"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value().target, "tgt");
  EXPECT_EQ(r.value().suites, (std::vector<std::string>{"iscsi-test-cu", "other"}));
  EXPECT_EQ(r.value().out, "/tmp/o");
  EXPECT_EQ(r.value().profile, Profile::kFull);
  EXPECT_EQ(r.value().baseline, std::filesystem::path("/tmp/b.json"));
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
