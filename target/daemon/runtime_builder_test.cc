#include "target/daemon/runtime_builder.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "target/config/saveconfig_reader.h"

namespace reftarget::daemon {
namespace {

std::string ConfigWithFile(const std::string& path, const std::string& extra_target = "") {
  return R"({"storage_objects": [
      {"plugin": "fileio", "name": "d0", "dev": ")" + path + R"(", "size": 1048576},
      {"plugin": "rd_mcp", "name": "r0", "size": 1048576}],
    "targets": [{"fabric": "iscsi", "wwn": "iqn.2026-11.org.example:t0", "tpgs": [{"tag": 1,
      "attributes": {"generate_node_acls": 0, "authentication": 1},
      "luns": [{"index": 0, "storage_object": "/backstores/fileio/d0"},
               {"index": 3, "storage_object": "/backstores/ramdisk/r0"}],
      "portals": [{"ip_address": "0.0.0.0", "port": 3260}, {"ip_address": "127.0.0.1", "port": 3260},
                  {"ip_address": "[::1]", "port": 3261}],
      "node_acls": [{"node_wwn": "iqn.2026-11.org.example:init", "chap_userid": "u",
                     "chap_password": "secretsecret",
                     "mapped_luns": [{"index": 5, "tpg_lun": 3, "write_protect": true}]}]}]}])" +
         extra_target + "}";
}

class RuntimeBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rt-builder-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(RuntimeBuilderTest, BuildsTpgAclsAndPortals) {
  auto cfg = config::ParseConfig(ConfigWithFile((dir_ / "d0.img").string()), "test.json");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  auto rt = BuildRuntime(cfg.value());
  ASSERT_TRUE(rt.ok()) << rt.error();
  ASSERT_EQ(rt.value().snapshot->tpgs.size(), 1u);
  const auto& tpg = *rt.value().snapshot->tpgs[0];
  EXPECT_TRUE(tpg.require_chap);
  EXPECT_FALSE(tpg.generate_node_acls);
  EXPECT_EQ(tpg.cmdsn_depth, 128u);
  EXPECT_EQ(tpg.demo_luns.size(), 2u);
  const iscsi::AclRuntime* acl = tpg.FindAcl("IQN.2026-11.org.example:INIT");
  ASSERT_NE(acl, nullptr);
  ASSERT_EQ(acl->luns.count(5), 1u);
  EXPECT_TRUE(acl->luns.at(5).write_protect);
  EXPECT_EQ(acl->luns.at(5).unit, rt.value().units.at("/backstores/ramdisk/r0"));
  EXPECT_EQ(acl->auth.userid, "u");
  // 127.0.0.1:3260 is covered by the wildcard; [::1]:3261 gets its own socket.
  ASSERT_EQ(rt.value().portals.size(), 2u);
  EXPECT_TRUE(tpg.ServesPortal(net::Endpoint{"127.0.0.1", 3260, false}));
  EXPECT_TRUE(tpg.ServesPortal(net::Endpoint{"::1", 3261, true}));
  EXPECT_FALSE(tpg.ServesPortal(net::Endpoint{"127.0.0.1", 3262, false}));
  rt.value().Shutdown();
}

TEST_F(RuntimeBuilderTest, BackstoreErrorNamesTheStorageObject) {
  auto cfg = config::ParseConfig(ConfigWithFile("/nonexistent-dir/x/d0.img"), "test.json");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  auto rt = BuildRuntime(cfg.value());
  ASSERT_FALSE(rt.ok());
  EXPECT_NE(rt.error().find("/backstores/fileio/d0"), std::string::npos) << rt.error();
}

}  // namespace
}  // namespace reftarget::daemon
