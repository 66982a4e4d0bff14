// tpgN/luns create|delete, tpgN/acls create|delete, acls/WWN create|delete (mapped LUNs).
#include <gtest/gtest.h>

#include "target/admin/edit_test_util.h"

namespace reftarget::admin {
namespace {

using testing::BaseConfig;
using testing::Edit;
using testing::EditError;
using testing::kClient;
using testing::kClient2;
using testing::MustEdit;
using testing::TpgPath;

const std::string kLuns = TpgPath() + "/luns";
const std::string kAcls = TpgPath() + "/acls";
const std::string kAcl = kAcls + "/" + kClient;

const config::Tpg& Tpg(const config::Config& c) { return c.targets.at(0).tpgs.at(0); }

// {mapped LUN, TPG LUN} pairs of ACL `index`.
std::vector<std::pair<uint64_t, uint64_t>> Mappings(const config::Config& c, size_t index = 0) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const config::MappedLun& m : Tpg(c).node_acls.at(index).mapped_luns) {
    out.emplace_back(m.index, m.tpg_lun);
  }
  return out;
}

config::Config WithStores(config::Config c) {
  c = MustEdit(c, "/backstores/ramdisk create rd0 1M");
  c = MustEdit(c, "/backstores/ramdisk create rd1 1M");
  c = MustEdit(c, "/backstores/ramdisk create rd2 1M");
  return c;
}

TEST(LunCreate, LowestFreeIndexAndMappedIntoEveryAcl) {
  config::Config c = WithStores(BaseConfig());
  c = MustEdit(c, kAcls + " create " + kClient2 + " add_mapped_luns=false");
  auto result = Edit(c, kLuns + " create /backstores/ramdisk/rd0");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::Tpg& tpg = Tpg(result.value().config);
  ASSERT_EQ(tpg.luns.size(), 2u);
  EXPECT_EQ(tpg.luns[1].index, 1u);
  EXPECT_EQ(tpg.luns[1].storage_object, "/backstores/ramdisk/rd0");
  // targetcli: mapped LUN 0 when free, else the lowest free number in that ACL.
  EXPECT_EQ(Mappings(result.value().config, 0),
            (std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {1, 1}}));
  EXPECT_EQ(Mappings(result.value().config, 1),
            (std::vector<std::pair<uint64_t, uint64_t>>{{0, 1}}));
  EXPECT_EQ(result.value().message,
            "Created LUN 1.\nCreated LUN 1->1 mapping in node ACL iqn.1994-05.com.redhat:client\n"
            "Created LUN 1->0 mapping in node ACL iqn.1994-05.com.redhat:other");
}

TEST(LunCreate, ExplicitNumberIsThePreferredMappedNumber) {
  config::Config c = WithStores(BaseConfig());
  c = MustEdit(c, kLuns + " create /backstores/ramdisk/rd0 lun=lun5");
  c = MustEdit(c, kLuns + " create /backstores/ramdisk/rd1 7");
  EXPECT_EQ(Mappings(c), (std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {5, 5}, {7, 7}}));
  // Taken in the ACL: the lowest free number instead.
  c = MustEdit(c, kAcl + " create 3 lun0");
  c = MustEdit(c, kLuns + " create /backstores/ramdisk/rd2 3");
  EXPECT_EQ(Mappings(c).back(), (std::pair<uint64_t, uint64_t>{1, 3}));
}

TEST(LunCreate, WithoutMappedLuns) {
  config::Config c = WithStores(BaseConfig());
  c = MustEdit(c, kLuns + " create /backstores/ramdisk/rd0 add_mapped_luns=false");
  EXPECT_EQ(Tpg(c).luns.size(), 2u);
  EXPECT_EQ(Mappings(c).size(), 1u);
}

TEST(LunCreate, RelativeStorageObjectPath) {
  config::Config c = WithStores(BaseConfig());
  c = MustEdit(c, "create ../../../../backstores/ramdisk/rd1", kLuns);
  EXPECT_EQ(Tpg(c).luns.back().storage_object, "/backstores/ramdisk/rd1");
}

TEST(LunCreate, Errors) {
  config::Config c = WithStores(BaseConfig());
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/fileio/nope"),
            kLuns + ": create: storage object /backstores/fileio/nope does not exist");
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/fileio"),
            kLuns + ": create: storage object /backstores/fileio does not exist");
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/fileio/disk0"),
            kLuns + ": create: lun for storage object fileio/disk0 already exists: lun0");
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/ramdisk/rd0 0"),
            kLuns + ": create: lun: LUN 0 already exists");
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/ramdisk/rd0 lun=65536"),
            kLuns + ": create: lun: '65536' is not N or lunN with N from 0 to 65535");
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/ramdisk/rd0 lun=-1"),
            kLuns + ": create: lun: '-1' is not N or lunN with N from 0 to 65535");
  EXPECT_EQ(EditError(c, kLuns + " create /backstores/ramdisk/rd0 add_mapped_luns=x"),
            kLuns + ": create: add_mapped_luns: 'x' is not a boolean (true or false)");
  EXPECT_EQ(EditError(c, kLuns + " create"),
            kLuns +
                ": create: missing argument 'storage_object' (usage: create storage_object "
                "[lun] [add_mapped_luns])");
}

TEST(LunDelete, RemovesMappedLuns) {
  config::Config c = WithStores(BaseConfig());
  c = MustEdit(c, kLuns + " create /backstores/ramdisk/rd0");
  auto result = Edit(c, kLuns + " delete lun0");
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(Tpg(result.value().config).luns.size(), 1u);
  EXPECT_EQ(Tpg(result.value().config).luns[0].index, 1u);
  EXPECT_EQ(Mappings(result.value().config), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 1}}));
  EXPECT_EQ(result.value().message,
            "Deleted mapped LUN 0 of node ACL iqn.1994-05.com.redhat:client.\nDeleted LUN 0.");
  EXPECT_EQ(result.value().config.storage_objects.size(), 4u) << "the store stays";
  EXPECT_EQ(EditError(c, kLuns + " delete 9"), kLuns + ": delete: lun: LUN 9 does not exist");
  EXPECT_EQ(EditError(c, kLuns + " delete first"),
            kLuns + ": delete: lun: 'first' is not N or lunN with N from 0 to 65535");
}

TEST(AclCreate, MapsEveryLun) {
  config::Config c = WithStores(BaseConfig());
  c = MustEdit(c, kLuns + " create /backstores/ramdisk/rd0 lun=4");
  auto result = Edit(c, kAcls + " create IQN.1994-05.COM.REDHAT:Other");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::NodeAcl& acl = Tpg(result.value().config).node_acls.at(1);
  EXPECT_EQ(acl.node_wwn, kClient2);
  EXPECT_EQ(Mappings(result.value().config, 1),
            (std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {4, 4}}));
  EXPECT_EQ(result.value().message,
            "Created Node ACL for iqn.1994-05.com.redhat:other\nCreated mapped LUN 0.\n"
            "Created mapped LUN 4.");
  config::Config bare = MustEdit(c, kAcls + " create " + kClient2 + " add_mapped_luns=false");
  EXPECT_TRUE(Tpg(bare).node_acls.at(1).mapped_luns.empty());
}

TEST(AclCreate, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, kAcls + " create IQN.1994-05.com.redhat:CLIENT"),
            kAcls + ": create: wwn: ACL for iqn.1994-05.com.redhat:client already exists");
  EXPECT_EQ(EditError(c, kAcls + " create client1"),
            kAcls +
                ": create: wwn: 'client1' is not a valid iSCSI name: expected an iqn., eui. "
                "or naa. name (RFC 3720 §3.2.6.3)");
  EXPECT_EQ(EditError(c, kAcls + " create eui.0123"),
            kAcls +
                ": create: wwn: 'eui.0123' is not a valid iSCSI name: eui. needs 16 hex "
                "digits, found 4");
}

TEST(AclDelete, Simple) {
  config::Config c = BaseConfig();
  auto result = Edit(c, kAcls + " delete iqn.1994-05.com.redhat:CLIENT");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(Tpg(result.value().config).node_acls.empty());
  EXPECT_EQ(Tpg(result.value().config).luns.size(), 1u);
  EXPECT_EQ(result.value().message, "Deleted Node ACL iqn.1994-05.com.redhat:client.");
  EXPECT_EQ(EditError(c, kAcls + " delete " + kClient2),
            kAcls + ": delete: wwn: no node ACL for 'iqn.1994-05.com.redhat:other'");
}

TEST(MappedLunCreate, ByTpgLun) {
  config::Config c = BaseConfig();
  auto result = Edit(c, kAcl + " create 5 lun0 write_protect=true");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::MappedLun& m = Tpg(result.value().config).node_acls[0].mapped_luns.back();
  EXPECT_EQ(m.index, 5u);
  EXPECT_EQ(m.tpg_lun, 0u);
  EXPECT_TRUE(m.write_protect);
  EXPECT_EQ(result.value().message,
            "Warning: TPG LUN 0 already mapped to this NodeACL (as mapped LUN 0)\n"
            "Created Mapped LUN 5.");
  c = MustEdit(c, kAcl + " delete 0");
  c = MustEdit(c, kAcl + " create mapped_lun=mapped_lun2 tpg_lun_or_backstore=0");
  EXPECT_EQ(Mappings(c), (std::vector<std::pair<uint64_t, uint64_t>>{{2, 0}}));
  EXPECT_FALSE(Tpg(c).node_acls[0].mapped_luns[0].write_protect);
}

TEST(MappedLunCreate, ByStorageObjectCreatesTheTpgLun) {
  config::Config c = WithStores(BaseConfig());
  auto result = Edit(c, kAcl + " create 1 /backstores/ramdisk/rd1");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::Tpg& tpg = Tpg(result.value().config);
  ASSERT_EQ(tpg.luns.size(), 2u);
  EXPECT_EQ(tpg.luns[1].index, 1u);
  EXPECT_EQ(tpg.luns[1].storage_object, "/backstores/ramdisk/rd1");
  EXPECT_EQ(Mappings(result.value().config),
            (std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {1, 1}}));
  EXPECT_EQ(result.value().message, "Created LUN 1.\nCreated Mapped LUN 1.");
  // The store's existing TPG LUN is reused.
  c = MustEdit(c, kAcl + " delete 0");
  c = MustEdit(c, kAcl + " create 3 /backstores/fileio/disk0");
  EXPECT_EQ(Tpg(c).luns.size(), 1u);
  EXPECT_EQ(Mappings(c), (std::vector<std::pair<uint64_t, uint64_t>>{{3, 0}}));
}

TEST(MappedLunCreate, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, kAcl + " create 0 lun0"),
            kAcl + ": create: mapped_lun: mapped LUN 0 already exists in this ACL");
  EXPECT_EQ(EditError(c, kAcl + " create 1 lun9"),
            kAcl + ": create: tpg_lun_or_backstore: LUN 9 does not exist in " + TpgPath());
  EXPECT_EQ(EditError(c, kAcl + " create 1 /backstores/ramdisk/none"),
            kAcl +
                ": create: tpg_lun_or_backstore: storage object /backstores/ramdisk/none does "
                "not exist");
  EXPECT_EQ(EditError(c, kAcl + " create 1 disk0"),
            kAcl +
                ": create: tpg_lun_or_backstore: 'disk0' is not N or lunN with N from 0 to "
                "65535, nor a storage object path");
  EXPECT_EQ(EditError(c, kAcl + " create x lun0"),
            kAcl + ": create: mapped_lun: 'x' is not N or mapped_lunN with N from 0 to 65535");
  EXPECT_EQ(EditError(c, kAcl + " create 1 lun0 write_protect=ro"),
            kAcl + ": create: write_protect: 'ro' is not a boolean (true or false)");
}

TEST(MappedLunDelete, Simple) {
  config::Config c = BaseConfig();
  auto result = Edit(c, kAcl + " delete mapped_lun0");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(Tpg(result.value().config).node_acls[0].mapped_luns.empty());
  EXPECT_EQ(Tpg(result.value().config).luns.size(), 1u) << "the TPG LUN stays";
  EXPECT_EQ(result.value().message, "Deleted Mapped LUN 0.");
  EXPECT_EQ(EditError(c, kAcl + " delete 4"),
            kAcl + ": delete: mapped_lun: no mapped LUN 4 in this ACL");
}

}  // namespace
}  // namespace reftarget::admin
