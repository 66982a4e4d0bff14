// The reader on real targetcli files and on the spellings rtslib and hand-written files use.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "target/config/config_test_util.h"
#include "target/config/saveconfig_reader.h"

namespace reftarget::config {
namespace {

using testing::kBlockDemo;
using testing::kFileioAcl;
using testing::ReadTestdata;

Config MustParse(const std::string& text) {
  auto config = ParseConfig(text, "cfg.json");
  EXPECT_TRUE(config.ok()) << config.error();
  return config.ok() ? config.value() : Config{};
}

// A minimal valid file around one TPG body, for variants.
std::string WithTpg(const std::string& tpg_body, const std::string& storage_objects =
                                                     R"([{"plugin": "fileio", "name": "d0",
                                                          "dev": "/tmp/d0.img", "size": 1048576}])") {
  return R"({"storage_objects": )" + storage_objects +
         R"(, "targets": [{"wwn": "iqn.2024-01.org.example:t0", "fabric": "iscsi", "tpgs": [{)" +
         tpg_body + "}]}]}";
}

TEST(ConfigReader, LoadsFileioAclFixture) {
  Config c = MustParse(ReadTestdata(kFileioAcl));
  ASSERT_EQ(c.storage_objects.size(), 2u);
  const StorageObject& so = c.storage_objects[1];
  EXPECT_EQ(so.plugin, "fileio");
  EXPECT_EQ(so.name, "test");
  EXPECT_EQ(so.dev, "/iscsi_test");
  EXPECT_EQ(so.size, 268435456u);
  EXPECT_EQ(so.write_back, std::optional<bool>(true));
  EXPECT_EQ(so.wwn, "043a5a3a-b788-4dce-80df-74399f76a519");
  EXPECT_EQ(so.block_size(), 512u);
  EXPECT_EQ(so.attribute_int("max_write_same_len", 0), 4096);
  EXPECT_TRUE(so.extra.contains("alua_tpgs"));
  EXPECT_EQ(so.path(), "/backstores/fileio/test");

  ASSERT_EQ(c.targets.size(), 1u);
  const Target& t = c.targets[0];
  EXPECT_EQ(t.wwn, "iqn.2003-01.org.linux-iscsi.fyhdesktop29.x8664:sn.0d690d398ec5");
  EXPECT_EQ(t.fabric, "iscsi");
  ASSERT_EQ(t.tpgs.size(), 1u);
  const Tpg& tpg = t.tpgs[0];
  EXPECT_EQ(tpg.tag, 1);
  EXPECT_TRUE(tpg.enable);
  EXPECT_EQ(tpg.authentication(), 0);
  EXPECT_EQ(tpg.generate_node_acls(), 0);
  EXPECT_EQ(tpg.demo_mode_write_protect(), 1);
  EXPECT_EQ(tpg.default_cmdsn_depth(), 64);
  EXPECT_EQ(tpg.login_timeout(), 15);
  EXPECT_EQ(tpg.parameters.at("MaxXmitDataSegmentLength"), "262144");
  EXPECT_EQ(tpg.parameters.at("IFMarkInt"), "Reject");
  EXPECT_TRUE(tpg.auth.empty());
  ASSERT_EQ(tpg.luns.size(), 1u);
  EXPECT_EQ(tpg.luns[0].index, 0u);
  EXPECT_EQ(tpg.luns[0].storage_object, "/backstores/fileio/test");
  EXPECT_EQ(c.FindStorageObject(tpg.luns[0].storage_object), &c.storage_objects[1]);
  ASSERT_EQ(tpg.portals.size(), 1u);
  EXPECT_EQ(tpg.portals[0].ip_address, "0.0.0.0");
  EXPECT_EQ(tpg.portals[0].port, 3260);
  ASSERT_EQ(tpg.node_acls.size(), 1u);
  const NodeAcl& acl = tpg.node_acls[0];
  EXPECT_EQ(acl.node_wwn, "iqn.1993-08.org.debian:01:7ed7bee79b74");
  EXPECT_EQ(acl.attribute_int("nopin_timeout", 0), 15);
  ASSERT_EQ(acl.mapped_luns.size(), 1u);
  EXPECT_EQ(acl.mapped_luns[0].index, 0u);
  EXPECT_EQ(acl.mapped_luns[0].tpg_lun, 0u);
  EXPECT_FALSE(acl.mapped_luns[0].write_protect);
  EXPECT_EQ(tpg.FindNodeAcl("IQN.1993-08.org.debian:01:7ed7bee79b74"), &acl);
  EXPECT_FALSE(c.discovery_auth.enable);
  EXPECT_EQ(c.FindTarget(t.wwn), &t);
}

TEST(ConfigReader, LoadsBlockDemoFixture) {
  Config c = MustParse(ReadTestdata(kBlockDemo));
  ASSERT_EQ(c.storage_objects.size(), 2u);
  for (const StorageObject& so : c.storage_objects) {
    EXPECT_EQ(so.plugin, "block");
    EXPECT_FALSE(so.readonly);
    EXPECT_EQ(so.size, 0u);
    EXPECT_EQ(so.write_back, std::optional<bool>(true));
  }
  EXPECT_EQ(c.storage_objects[0].dev, "/dev/vg_iscsi/lv02");
  const Tpg& tpg = c.targets.at(0).tpgs.at(0);
  EXPECT_EQ(tpg.generate_node_acls(), 1);
  EXPECT_EQ(tpg.cache_dynamic_acls(), 1);
  EXPECT_EQ(tpg.demo_mode_write_protect(), 0);
  EXPECT_EQ(tpg.default_cmdsn_depth(), 16);
  EXPECT_EQ(tpg.parameters.at("OFMarkInt"), "2048~65535");
  // LUNs keep the file's order.
  ASSERT_EQ(tpg.luns.size(), 2u);
  EXPECT_EQ(tpg.luns[0].index, 1u);
  EXPECT_EQ(tpg.luns[0].storage_object, "/backstores/block/block02");
  EXPECT_EQ(tpg.FindLun(0)->storage_object, "/backstores/block/block01");
  EXPECT_TRUE(tpg.node_acls.empty());
}

TEST(ConfigReader, UnknownKeysOfFileioFixture) {
  Config c = MustParse(ReadTestdata(kFileioAcl));
  std::vector<std::string> expected = {
      "/storage_objects/0/alua_tpgs",
      "/storage_objects/1/alua_tpgs",
      "/targets/0/tpgs/0/luns/0/alias",
      "/targets/0/tpgs/0/luns/0/alua_tg_pt_gp_name",
      "/targets/0/tpgs/0/portals/0/iser",
      "/targets/0/tpgs/0/portals/0/offload",
      "/targets/0/tpgs/0/node_acls/0/mapped_luns/0/alias",
  };
  EXPECT_EQ(UnknownKeys(c), expected);
}

TEST(ConfigReader, UnknownKeysOfBlockFixtureIsEmpty) {
  EXPECT_TRUE(UnknownKeys(MustParse(ReadTestdata(kBlockDemo))).empty());
}

TEST(ConfigReader, UnknownKeysAtEveryLevel) {
  Config c = MustParse(R"({
    "top": 1,
    "fabric_modules": [{"name": "iscsi", "discovery_enable_auth": false, "fm_x": 1},
                       {"name": "loopback", "whatever": 2}],
    "storage_objects": [{"plugin": "ramdisk", "name": "r0", "size": 4096, "so_x": 1}],
    "targets": [
      {"wwn": "iqn.2024-01.org.example:t0", "t_x": 1, "tpgs": [{
         "tag": 1, "tpg_x": 1,
         "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0", "lun_x": 1}],
         "portals": [{"ip_address": "127.0.0.1", "port": 3260, "p_x": 1}],
         "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0", "acl_x": 1,
                        "mapped_luns": [{"index": 0, "tpg_lun": 0, "m_x": 1}]}]}]},
      {"wwn": "naa.5001405a1b2c3d4e", "fabric": "loopback", "tpgs": []}
    ]})");
  std::vector<std::string> expected = {
      "/storage_objects/0/so_x",
      "/fabric_modules/0/fm_x",
      "/fabric_modules/1",
      "/targets/0/t_x",
      "/targets/0/tpgs/0/tpg_x",
      "/targets/0/tpgs/0/luns/0/lun_x",
      "/targets/0/tpgs/0/portals/0/p_x",
      "/targets/0/tpgs/0/node_acls/0/acl_x",
      "/targets/0/tpgs/0/node_acls/0/mapped_luns/0/m_x",
      "/targets/1",
      "/top",
  };
  EXPECT_EQ(UnknownKeys(c), expected);
}

TEST(ConfigReader, EmptyObjectIsAnEmptyConfig) {
  Config c = MustParse("{}");
  EXPECT_TRUE(c.storage_objects.empty());
  EXPECT_TRUE(c.targets.empty());
  EXPECT_TRUE(UnknownKeys(c).empty());
}

TEST(ConfigReader, IntegersMayBeStrings) {
  Config c =
      MustParse(WithTpg(R"("tag": "2",
      "luns": [{"index": "7", "storage_object": "/backstores/fileio/d0"}],
      "portals": [{"ip_address": "127.0.0.1", "port": "3261"}],
      "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0",
                     "mapped_luns": [{"index": "3", "tpg_lun": "7"}]}])",
                        R"([{"plugin": "fileio", "name": "d0", "dev": "/d0", "size": "4096"}])"));
  const Tpg& tpg = c.targets[0].tpgs[0];
  EXPECT_EQ(tpg.tag, 2);
  EXPECT_EQ(tpg.luns[0].index, 7u);
  EXPECT_EQ(tpg.portals[0].port, 3261);
  EXPECT_EQ(tpg.node_acls[0].mapped_luns[0].index, 3u);
  EXPECT_EQ(tpg.node_acls[0].mapped_luns[0].tpg_lun, 7u);
  EXPECT_EQ(c.storage_objects[0].size, 4096u);
}

TEST(ConfigReader, BooleansMayBeZeroOrOne) {
  Config c =
      MustParse(WithTpg(R"("enable": 0,
      "luns": [{"index": 0, "storage_object": "/backstores/fileio/d0"}],
      "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0",
                     "mapped_luns": [{"index": 0, "tpg_lun": 0, "write_protect": 1}]}])",
                        R"([{"plugin": "fileio", "name": "d0", "dev": "/d0", "write_back": 0}])"));
  EXPECT_FALSE(c.targets[0].tpgs[0].enable);
  EXPECT_TRUE(c.targets[0].tpgs[0].node_acls[0].mapped_luns[0].write_protect);
  EXPECT_EQ(c.storage_objects[0].write_back, std::optional<bool>(false));
}

TEST(ConfigReader, ParameterIntegersBecomeText) {
  Config c = MustParse(WithTpg(R"("parameters": {"MaxBurstLength": 262144, "InitialR2T": "No"})"));
  EXPECT_EQ(c.targets[0].tpgs[0].parameters.at("MaxBurstLength"), "262144");
  EXPECT_EQ(c.targets[0].tpgs[0].parameters.at("InitialR2T"), "No");
}

TEST(ConfigReader, BothCredentialSpellings) {
  // rtslib-fb writes chap_*; saveconfig.json(5) documents the bare names.
  Config c = MustParse(WithTpg(R"("chap_userid": "tgt", "password": "secretsecret12",
      "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0", "userid": "ini",
                     "chap_password": "initsecret1234", "mutual_userid": "mu",
                     "chap_mutual_password": "mutualsecret12"}])"));
  const Tpg& tpg = c.targets[0].tpgs[0];
  EXPECT_EQ(tpg.auth.userid, "tgt");
  EXPECT_EQ(tpg.auth.password, "secretsecret12");
  const AuthCredentials& a = tpg.node_acls[0].auth;
  EXPECT_EQ(a.userid, "ini");
  EXPECT_EQ(a.password, "initsecret1234");
  EXPECT_EQ(a.mutual_userid, "mu");
  EXPECT_EQ(a.mutual_password, "mutualsecret12");
  EXPECT_TRUE(UnknownKeys(c).empty());
}

TEST(ConfigReader, SameValueInBothSpellingsIsAccepted) {
  Config c = MustParse(WithTpg(R"("chap_userid": "tgt", "userid": "tgt")"));
  EXPECT_EQ(c.targets[0].tpgs[0].auth.userid, "tgt");
}

TEST(ConfigReader, DiscoveryAuth) {
  Config c = MustParse(R"({"fabric_modules": [{"name": "iscsi", "discovery_enable_auth": true,
      "discovery_userid": "d", "discovery_password": "dsecretdsecret",
      "mutual_userid": "m", "discovery_mutual_password": "msecretmsecret"}]})");
  EXPECT_TRUE(c.discovery_auth.enable);
  EXPECT_EQ(c.discovery_auth.auth.userid, "d");
  EXPECT_EQ(c.discovery_auth.auth.password, "dsecretdsecret");
  EXPECT_EQ(c.discovery_auth.auth.mutual_userid, "m");
  EXPECT_EQ(c.discovery_auth.auth.mutual_password, "msecretmsecret");
  EXPECT_TRUE(c.fabric_modules_extra.empty());
}

TEST(ConfigReader, NamesAreNormalized) {
  Config c = MustParse(R"({"targets": [
      {"wwn": "IQN.2024-01.ORG.Example:T0", "tpgs": [{"node_acls": [
         {"node_wwn": "eui.0123456789ABCDEF"}, {"node_wwn": "naa.50:01:40:5a:1b:2c:3d:4e"}]}]}]})");
  EXPECT_EQ(c.targets[0].wwn, "iqn.2024-01.org.example:t0");
  EXPECT_EQ(c.targets[0].tpgs[0].node_acls[0].node_wwn, "eui.0123456789abcdef");
  EXPECT_EQ(c.targets[0].tpgs[0].node_acls[1].node_wwn, "naa.5001405a1b2c3d4e");
}

TEST(ConfigReader, OlderPluginNamesAreMapped) {
  Config c = MustParse(R"({"storage_objects": [
      {"plugin": "rd_mcp", "name": "r0", "size": 1048576, "nullio": true},
      {"plugin": "iblock", "name": "b0", "dev": "/dev/loop0"}],
    "targets": [{"wwn": "iqn.2024-01.org.example:t0", "tpgs": [{"luns": [
      {"index": 0, "storage_object": "/backstores/rd_mcp/r0"},
      {"index": 1, "storage_object": "/backstores/iblock/b0"}]}]}]})");
  EXPECT_EQ(c.storage_objects[0].plugin, "ramdisk");
  EXPECT_TRUE(c.storage_objects[0].nullio);
  EXPECT_EQ(c.storage_objects[1].plugin, "block");
  const Tpg& tpg = c.targets[0].tpgs[0];
  EXPECT_EQ(tpg.luns[0].storage_object, "/backstores/ramdisk/r0");
  EXPECT_EQ(tpg.luns[1].storage_object, "/backstores/block/b0");
  EXPECT_EQ(c.FindStorageObject("/backstores/rd_mcp/r0"), &c.storage_objects[0]);
  EXPECT_EQ(c.FindStorageObject("/backstores/fileio/r0"), nullptr);
  EXPECT_EQ(c.FindStorageObject("garbage"), nullptr);
}

TEST(ConfigReader, MissingTagsGetTheLowestFreeTag) {
  Config c = MustParse(R"({"targets": [{"wwn": "iqn.2024-01.org.example:t0",
      "tpgs": [{}, {"tag": 1}, {}, {"tag": 3}]}]})");
  const auto& tpgs = c.targets[0].tpgs;
  EXPECT_EQ(tpgs[0].tag, 2);
  EXPECT_EQ(tpgs[1].tag, 1);
  EXPECT_EQ(tpgs[2].tag, 4);
  EXPECT_EQ(tpgs[3].tag, 3);
}

TEST(ConfigReader, DefaultsWhenKeysAreAbsent) {
  Config c = MustParse(R"({"targets": [{"wwn": "iqn.2024-01.org.example:t0", "tpgs": [{
      "portals": [{"ip_address": "::"}]}]}]})");
  const Target& t = c.targets[0];
  EXPECT_EQ(t.fabric, "iscsi");
  const Tpg& tpg = t.tpgs[0];
  EXPECT_TRUE(tpg.enable);
  EXPECT_EQ(tpg.authentication(), kDefaultAuthentication);
  EXPECT_EQ(tpg.generate_node_acls(), 0);
  EXPECT_EQ(tpg.demo_mode_write_protect(), 1);
  EXPECT_EQ(tpg.cache_dynamic_acls(), 0);
  EXPECT_EQ(tpg.default_cmdsn_depth(), 64);
  EXPECT_EQ(tpg.login_timeout(), 15);
  EXPECT_EQ(tpg.netif_timeout(), 2);
  EXPECT_EQ(tpg.portals[0].port, 3260);
}

TEST(ConfigReader, Ipv6PortalsGetBrackets) {
  Config c = MustParse(R"({"targets": [{"wwn": "iqn.2024-01.org.example:t0", "tpgs": [{
      "portals": [{"ip_address": "::1", "port": 3260}, {"ip_address": "[::]", "port": 3260},
                  {"ip_address": "0.0.0.0", "port": 3260}]}]}]})");
  const auto& portals = c.targets[0].tpgs[0].portals;
  EXPECT_EQ(portals[0].ip_address, "[::1]");
  EXPECT_EQ(portals[0].unbracketed_address(), "::1");
  EXPECT_EQ(portals[1].ip_address, "[::]");
  EXPECT_EQ(portals[2].unbracketed_address(), "0.0.0.0");
}

TEST(ConfigReader, NullOptionalValuesAreAbsent) {
  // rtslib saves Python None as null (e.g. alua_tg_pt_gp_name on old kernels).
  Config c =
      MustParse(WithTpg(R"("tag": null, "luns": [{"index": 0,
      "storage_object": "/backstores/fileio/d0", "alua_tg_pt_gp_name": null}])",
                        R"([{"plugin": "fileio", "name": "d0", "dev": "/d0", "wwn": null}])"));
  EXPECT_EQ(c.targets[0].tpgs[0].tag, 1);
  EXPECT_TRUE(c.storage_objects[0].wwn.empty());
  EXPECT_TRUE(c.targets[0].tpgs[0].luns[0].extra.contains("alua_tg_pt_gp_name"));
}

TEST(ConfigReader, BooleanAttributesBecomeIntegers) {
  Config c = MustParse(WithTpg(R"("attributes": {"generate_node_acls": true, "custom": "x"})"));
  EXPECT_EQ(c.targets[0].tpgs[0].attributes["generate_node_acls"], 1);
  EXPECT_EQ(c.targets[0].tpgs[0].generate_node_acls(), 1);
  EXPECT_EQ(c.targets[0].tpgs[0].attribute_int("custom", 9), 9);
}

TEST(ConfigReader, LoadConfigFileReportsMissingFile) {
  auto c = LoadConfigFile("/nonexistent/dir/saveconfig.json");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "/nonexistent/dir/saveconfig.json: cannot open: No such file or directory");
}

TEST(ConfigReader, LoadConfigFileRefusesADirectory) {
  auto c = LoadConfigFile("/tmp");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "/tmp: not a regular file");
}

TEST(ConfigReader, LoadConfigFileLoadsFixture) {
  auto c = LoadConfigFile(std::string(REFTARGET_CONFIG_TESTDATA) + "/" + kFileioAcl);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.value().storage_objects.size(), 2u);
}

}  // namespace
}  // namespace reftarget::config
