// The tgtadm commands the tgt adapter generates, checked against tgtadm's documented syntax
// (tgtadm --help, tgt 1.0.85).
#include <gtest/gtest.h>

#include "harness/adapters/tgt_adapter.h"

namespace harness::adapters {
namespace {

std::string Join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

TEST(TgtCommandsTest, OneLunOfEachKindInDemoMode) {
  TargetSpec spec;
  spec.iqn = "iqn.2024-01.test:t";
  spec.luns = {MakeLunSpec("f", Backing::kFileio), MakeLunSpec("b", Backing::kBlock),
               MakeLunSpec("r", Backing::kRamdisk), MakeLunSpec("n", Backing::kNull)};
  spec.luns[2].write_back = false;
  auto cmds = TgtSetupCommands(spec, 1, {"/w/f.img", "/dev/loop7", "/dev/shm/r.ram", "/dev/null"});
  ASSERT_EQ(cmds.size(), 6u);
  EXPECT_EQ(Join(cmds[0]), "--lld iscsi --mode target --op new --tid 1 --targetname iqn.2024-01.test:t");
  EXPECT_EQ(Join(cmds[1]),
            "--lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --backing-store /w/f.img "
            "--bstype rdwr");
  EXPECT_EQ(Join(cmds[2]),
            "--lld iscsi --mode logicalunit --op new --tid 1 --lun 2 --backing-store /dev/loop7 "
            "--bstype rdwr --bsoflags direct");
  EXPECT_EQ(Join(cmds[3]),
            "--lld iscsi --mode logicalunit --op new --tid 1 --lun 3 --backing-store "
            "/dev/shm/r.ram --bstype rdwr --bsoflags sync");
  EXPECT_EQ(Join(cmds[4]),
            "--lld iscsi --mode logicalunit --op new --tid 1 --lun 4 --backing-store /dev/null "
            "--bstype null");
  EXPECT_EQ(Join(cmds[5]), "--lld iscsi --mode target --op bind --tid 1 --initiator-address ALL");
}

TEST(TgtCommandsTest, LunParametersBecomeOneUpdate) {
  LunSpec lun = MakeLunSpec("t", Backing::kFileio);
  lun.block_size = 4096;
  lun.thin = true;
  lun.read_only = true;
  lun.removable = true;
  auto cmds = TgtLunCommands(lun, 1, 5, "/w/t.img");
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_NE(Join(cmds[0]).find("--blocksize 4096"), std::string::npos);
  EXPECT_EQ(Join(cmds[1]),
            "--lld iscsi --mode logicalunit --op update --tid 1 --lun 5 --params "
            "readonly=1,thin_provisioning=1,removable=1");
}

TEST(TgtCommandsTest, AclsWithOneWayAndMutualChap) {
  TargetSpec spec;
  spec.iqn = "iqn.t";
  spec.acls = {{"iqn.a", ChapSpec{"ua", "secret-a-12", "", ""}},
               {"iqn.b", ChapSpec{"ub", "secret-b-12", "tb", "secret-t-12"}},
               {"iqn.c", std::nullopt}};
  auto cmds = TgtSetupCommands(spec, 2, {});
  std::vector<std::string> lines;
  for (const auto& c : cmds) lines.push_back(Join(c));
  const std::vector<std::string> want = {
      "--lld iscsi --mode target --op new --tid 2 --targetname iqn.t",
      "--lld iscsi --mode target --op bind --tid 2 --initiator-name iqn.a",
      "--lld iscsi --mode account --op new --user ua --password secret-a-12",
      "--lld iscsi --mode account --op bind --tid 2 --user ua",
      "--lld iscsi --mode target --op bind --tid 2 --initiator-name iqn.b",
      "--lld iscsi --mode account --op new --user ub --password secret-b-12",
      "--lld iscsi --mode account --op bind --tid 2 --user ub",
      "--lld iscsi --mode account --op new --user tb --password secret-t-12",
      "--lld iscsi --mode account --op bind --tid 2 --user tb --outgoing",
      "--lld iscsi --mode target --op bind --tid 2 --initiator-name iqn.c",
  };
  EXPECT_EQ(lines, want);
}

TEST(TgtCommandsTest, IscsiParametersAreTargetUpdates) {
  TargetSpec spec;
  spec.iqn = "iqn.p";
  spec.iscsi_parameters = {{"InitialR2T", "No"}, {"ImmediateData", "Yes"}};
  auto cmds = TgtSetupCommands(spec, 3, {});
  ASSERT_EQ(cmds.size(), 4u);
  // std::map order: ImmediateData before InitialR2T.
  EXPECT_EQ(Join(cmds[1]),
            "--lld iscsi --mode target --op update --tid 3 --name ImmediateData --value Yes");
  EXPECT_EQ(Join(cmds[2]),
            "--lld iscsi --mode target --op update --tid 3 --name InitialR2T --value No");
}

}  // namespace
}  // namespace harness::adapters
