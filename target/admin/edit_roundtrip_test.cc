// Every edit's result is a Config that saves and loads back equal; a real targetcli file
// keeps its unknown keys through edits; the final validation names the path at fault.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "target/admin/edit_test_util.h"

namespace reftarget::admin {
namespace {

using testing::kClient;
using testing::kClient2;
using testing::kTarget;
using testing::kTarget2;
using testing::Reloaded;

// Applies `lines` in order, checking after each that the result reloads equal.
config::Config Script(config::Config c, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    auto result = testing::Edit(c, line);
    EXPECT_TRUE(result.ok()) << line << ": " << result.error();
    if (!result.ok()) return c;
    c = result.value().config;
    EXPECT_EQ(Reloaded(c), c) << "after: " << line;
  }
  return c;
}

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(REFTARGET_CONFIG_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(RoundTrip, TwoTargetsWithAclsAuthAndRestrictions) {
  const std::string t1 = std::string("/iscsi/") + kTarget;
  const std::string t2 = std::string("/iscsi/") + kTarget2;
  config::Config c = Script(
      {},
      {
          "/backstores/fileio create disk0 /var/disk0.img 1G write_back=false",
          "/backstores/block create blk0 /dev/loop0 readonly=true write_back=true wwn=blk-serial",
          "/backstores/ramdisk create rd0 64M nullio=true",
          "/backstores/fileio/disk0 set attribute emulate_tpu=1 is_nonrot=1",
          std::string("/iscsi create ") + kTarget,
          t1 + "/tpg1/luns create /backstores/fileio/disk0",
          t1 + "/tpg1/luns create /backstores/block/blk0 lun=3",
          t1 + "/tpg1/portals create 127.0.0.1 3260",
          t1 + "/tpg1/portals create ::1 3261",
          t1 + "/tpg1/acls create " + kClient,
          t1 + "/tpg1/acls create " + kClient2 + " add_mapped_luns=false",
          t1 + "/tpg1/acls/" + kClient2 + " create 0 lun3 write_protect=true",
          t1 + "/tpg1/acls/" + kClient2 + " create 1 /backstores/ramdisk/rd0",
          t1 + "/tpg1 set attribute authentication=1 login_timeout=20",
          t1 + "/tpg1 set parameter MaxRecvDataSegmentLength=262144 ImmediateData=No",
          t1 + "/tpg1 set restriction initiator_networks=127.0.0.0/8,::1",
          t1 + "/tpg1/acls/" + kClient + " set auth userid=client password=clientsecret1",
          t1 + "/tpg1/acls/" + kClient + " set attribute nopin_timeout=30",
          t1 + "/tpg1/acls/" + kClient2 + " set restriction initiator_networks=192.0.2.0/24",
          t1 + " create",
          t1 + "/tpg2 disable",
          std::string("/iscsi create ") + kTarget2,
          t2 + "/tpg1/luns create /backstores/fileio/disk0",
          t2 + "/tpg1/portals create 127.0.0.1 3262",
          t2 + "/tpg1 set auth userid=tpg password=tpgsecret123",
          "/iscsi set discovery_auth enable=1 userid=disc password=discsecret12",
      });
  ASSERT_EQ(c.storage_objects.size(), 3u);
  ASSERT_EQ(c.targets.size(), 2u);
  EXPECT_EQ(c.targets[0].tpgs.size(), 2u);
  EXPECT_EQ(c.targets[0].tpgs[0].luns.size(), 3u);
  EXPECT_EQ(c.targets[0].tpgs[0].node_acls.size(), 2u);
  EXPECT_EQ(Reloaded(c), c);
  // And the text is stable: saving the reloaded config gives the same bytes.
  EXPECT_EQ(config::SerializeConfig(Reloaded(c)), config::SerializeConfig(c));

  // Taking it apart again leaves an empty, valid configuration.
  c = Script(c, {
                    t1 + "/tpg1/luns delete 3",
                    "/backstores/fileio delete disk0 force=true",
                    "/iscsi delete " + std::string(kTarget2),
                    t1 + " delete 2",
                    t1 + "/tpg1/acls delete " + kClient,
                    "/iscsi delete " + std::string(kTarget),
                    "/backstores/block delete blk0",
                    "/backstores/ramdisk delete rd0",
                });
  EXPECT_TRUE(c.targets.empty());
  EXPECT_TRUE(c.storage_objects.empty());
}

TEST(RoundTrip, TargetcliFileKeepsItsUnknownKeys) {
  auto parsed = config::ParseConfig(ReadTestdata("lio-saveconfig-fileio-acl.json"), "lio.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const std::string tpg = "/iscsi/" + parsed.value().targets[0].wwn + "/tpg1";
  config::Config c =
      Script(parsed.value(), {
                                 "/backstores/ramdisk create rd0 1M",
                                 tpg + "/luns create /backstores/ramdisk/rd0",
                                 tpg + "/acls create " + std::string(kClient),
                                 tpg + " set attribute default_cmdsn_depth=128",
                                 "/backstores/fileio/test set attribute emulate_tpu=1",
                             });
  std::vector<std::string> unknown = config::UnknownKeys(c);
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "/storage_objects/0/alua_tpgs"),
            unknown.end());
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "/targets/0/tpgs/0/luns/0/alias"),
            unknown.end());
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), "/targets/0/tpgs/0/portals/0/iser"),
            unknown.end());
  // The untouched parts are as they were.
  EXPECT_EQ(c.storage_objects[0], parsed.value().storage_objects[0]);
  EXPECT_EQ(c.targets[0].tpgs[0].parameters, parsed.value().targets[0].tpgs[0].parameters);
}

TEST(RoundTrip, FinalValidationNamesThePath) {
  // A Config built by hand that the reader would refuse: every edit on it reports where.
  config::Config c = testing::BaseConfig();
  c.targets[0].tpgs[0].attributes["login_timeout"] = 100;
  auto result = testing::Edit(c, "/backstores/ramdisk create rd0 1M");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(),
            "/backstores/ramdisk: create: the result would not be a valid configuration: "
            "/iscsi/iqn.2003-01.org.example:t1/tpg1: attributes/login_timeout: value 100 is out "
            "of range (5 to 30)");
  c = testing::BaseConfig();
  c.targets[0].tpgs[0].node_acls[0].mapped_luns[0].tpg_lun = 9;
  result = testing::Edit(c, "/backstores/ramdisk create rd0 1M");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(),
            "/backstores/ramdisk: create: the result would not be a valid configuration: "
            "/iscsi/iqn.2003-01.org.example:t1/tpg1/acls/iqn.1994-05.com.redhat:client/"
            "mapped_lun0: tpg_lun: refers to LUN 9, which is not defined in this TPG");
}

TEST(RoundTrip, ResultIsTheReloadedForm) {
  // The edit returns what a reload gives (booleans as LIO's integers, canonical names).
  config::Config c = testing::BaseConfig();
  auto result = testing::Edit(c, "/backstores/fileio/disk0 set attribute is_nonrot=true");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.value().config, Reloaded(result.value().config));
  EXPECT_TRUE(result.value().config.storage_objects[0].attributes.at("is_nonrot").is_number());
}

}  // namespace
}  // namespace reftarget::admin
