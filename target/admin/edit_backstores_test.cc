// /backstores/KIND create|delete, /backstores/KIND/NAME set attribute|resize, clearconfig.
#include <gtest/gtest.h>

#include "target/admin/edit_test_util.h"

namespace reftarget::admin {
namespace {

using testing::BaseConfig;
using testing::Edit;
using testing::EditError;
using testing::MustEdit;
using testing::TpgPath;

constexpr uint64_t kGiB = uint64_t{1} << 30;

const config::StorageObject& Only(const config::Config& c) {
  EXPECT_EQ(c.storage_objects.size(), 1u);
  return c.storage_objects.at(0);
}

TEST(FileioCreate, Positional) {
  auto result = Edit({}, "/backstores/fileio create disk0 /var/disk0.img 1G");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.value().message, "Created fileio disk0 with size 1073741824");
  const config::StorageObject& so = Only(result.value().config);
  EXPECT_EQ(so.plugin, "fileio");
  EXPECT_EQ(so.name, "disk0");
  EXPECT_EQ(so.dev, "/var/disk0.img");
  EXPECT_EQ(so.size, kGiB);
  EXPECT_EQ(so.write_back, std::optional<bool>(true));  // targetcli's default
  EXPECT_TRUE(so.wwn.empty());
}

TEST(FileioCreate, Named) {
  config::Config c = MustEdit({},
                              "/backstores/fileio create name=disk0 file_or_dev=/var/d.img "
                              "size=512M write_back=false wwn=serial-0001");
  const config::StorageObject& so = Only(c);
  EXPECT_EQ(so.size, 512u << 20);
  EXPECT_EQ(so.write_back, std::optional<bool>(false));
  EXPECT_EQ(so.wwn, "serial-0001");
}

TEST(FileioCreate, MixedPositionalAndNamed) {
  config::Config c = MustEdit({}, "/backstores/fileio create disk0 /var/d.img size=4G");
  EXPECT_EQ(Only(c).size, 4 * kGiB);
  EXPECT_EQ(Only(c).dev, "/var/d.img");
  // As in configshell, positional arguments fill the parameters in order, whatever is named.
  EXPECT_NE(EditError({}, "/backstores/fileio create disk0 file_or_dev=/var/d.img 4G")
                .find("argument 'file_or_dev' is given both by position and as file_or_dev="),
            std::string::npos);
}

TEST(FileioCreate, WithoutSizeTakesTheFilesSize) {
  auto result = Edit({}, "/backstores/fileio create disk0 /var/disk0.img");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(Only(result.value().config).size, 0u);
  EXPECT_EQ(result.value().message,
            "Created fileio disk0 with the size of /var/disk0.img (the file must exist)");
}

TEST(FileioCreate, FromAnyPathToTheBackstore) {
  config::Config c = MustEdit({}, "create d0 /var/d0.img 1M", "/backstores/fileio");
  EXPECT_EQ(Only(c).name, "d0");
  // configshell reads a first word without '/' as the command, not as a path.
  EXPECT_EQ(EditError({}, "fileio create d0 /var/d0.img 1M", "/backstores"),
            "/backstores: fileio: unknown command at this backstore list (commands here: cd, "
            "exit, help, ls, pwd)");
}

TEST(FileioCreate, Errors) {
  config::Config base = MustEdit({}, "/backstores/fileio create disk0 /var/disk0.img 1G");
  EXPECT_EQ(EditError({}, "/backstores/fileio create disk0 /var/disk0.img 12Q"),
            "/backstores/fileio: create: size: '12Q' is not a size (examples: 512M, 10G)");
  EXPECT_EQ(EditError({}, "/backstores/fileio create disk0 /var/disk0.img 100"),
            "/backstores/fileio: create: size: '100' is smaller than one 512-byte block");
  EXPECT_EQ(EditError({}, "/backstores/fileio create disk0 disk0.img 1G"),
            "/backstores/fileio: create: file_or_dev: 'disk0.img' is not an absolute path");
  EXPECT_EQ(EditError(base, "/backstores/fileio create disk0 /var/other.img 1G"),
            "/backstores/fileio: create: name: storage object /backstores/fileio/disk0 already "
            "exists");
  EXPECT_EQ(EditError(base, "/backstores/fileio create disk1 /var/disk0.img 1G"),
            "/backstores/fileio: create: file_or_dev: storage object for /var/disk0.img already "
            "exists: /backstores/fileio/disk0");
  EXPECT_EQ(EditError(base, "/backstores/block create disk1 /var/disk0.img"),
            "/backstores/block: create: dev: storage object for /var/disk0.img already exists: "
            "/backstores/fileio/disk0");
  EXPECT_NE(EditError({}, "/backstores/fileio create d /var/d.img 1G sparse=false")
                .find("create: sparse: reftarget creates backing files sparse"),
            std::string::npos);
  EXPECT_EQ(EditError({}, "/backstores/fileio create d /var/d.img 1G write_back=maybe"),
            "/backstores/fileio: create: write_back: 'maybe' is not a boolean (true or false)");
  EXPECT_EQ(EditError({}, "/backstores/fileio create a/b /var/d.img 1G"),
            "/backstores/fileio: create: name: 'a/b' is not a storage object name (no '/', no "
            "spaces, not . or ..)");
  EXPECT_EQ(EditError({}, "/backstores/fileio create .. /var/d.img 1G"),
            "/backstores/fileio: create: name: '..' is not a storage object name (no '/', no "
            "spaces, not . or ..)");
  EXPECT_EQ(EditError({}, "/backstores/fileio create 'a b' /var/d.img 1G"),
            "/backstores/fileio: create: name: 'a b' is not a storage object name (no '/', no "
            "spaces, not . or ..)");
  EXPECT_EQ(EditError({}, "/backstores/fileio create " + std::string(256, 'n') + " /var/d 1G"),
            "/backstores/fileio: create: name: 256 bytes long; at most 255");
  EXPECT_EQ(EditError({}, "/backstores/fileio create d /var/d.img 1G wwn=" + std::string(253, 'w')),
            "/backstores/fileio: create: wwn: 253 bytes long; LIO allows at most 252");
  EXPECT_EQ(EditError({}, "/backstores/fileio create d /var/d.img 1G wwn=caf\xc3\xa9"),
            "/backstores/fileio: create: wwn: 'caf\\xc3\\xa9' has a byte outside printable ASCII");
}

TEST(FileioCreate, ArgumentBinding) {
  EXPECT_EQ(EditError({}, "/backstores/fileio create disk0"),
            "/backstores/fileio: create: missing argument 'file_or_dev' (usage: create name "
            "file_or_dev [size] [write_back] [sparse] [wwn])");
  EXPECT_EQ(EditError({}, "/backstores/fileio create d /var/d 1G true true w extra"),
            "/backstores/fileio: create: too many arguments: 'extra' has no parameter to fill "
            "(usage: create name file_or_dev [size] [write_back] [sparse] [wwn])");
  EXPECT_EQ(EditError({}, "/backstores/fileio create d /var/d 1G readonly=true"),
            "/backstores/fileio: create: unknown argument 'readonly' (valid: name, file_or_dev, "
            "size, write_back, sparse, wwn) (usage: create name file_or_dev [size] [write_back] "
            "[sparse] [wwn])");
  EXPECT_EQ(EditError({}, "/backstores/fileio create d /var/d.img name=e"),
            "/backstores/fileio: create: argument 'name' is given both by position and as name= "
            "(usage: create name file_or_dev [size] [write_back] [sparse] [wwn])");
}

TEST(BlockCreate, Simple) {
  auto result = Edit({}, "/backstores/block create blk0 /dev/loop0");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.value().message, "Created block storage object blk0 using /dev/loop0.");
  const config::StorageObject& so = Only(result.value().config);
  EXPECT_EQ(so.plugin, "block");
  EXPECT_EQ(so.dev, "/dev/loop0");
  EXPECT_FALSE(so.readonly);
  EXPECT_FALSE(so.write_back.has_value());  // the backend's default: write-through
}

TEST(BlockCreate, ReadonlyWwnAndWriteBack) {
  config::Config c = MustEdit(
      {}, "/backstores/block create blk0 /dev/loop0 readonly=true wwn=abc write_back=true");
  const config::StorageObject& so = Only(c);
  EXPECT_TRUE(so.readonly);
  EXPECT_EQ(so.wwn, "abc");
  EXPECT_EQ(so.write_back, std::optional<bool>(true));
}

TEST(BlockCreate, Errors) {
  EXPECT_EQ(EditError({}, "/backstores/block create blk0"),
            "/backstores/block: create: missing argument 'dev' (usage: create name dev "
            "[readonly] [wwn] [write_back])");
  EXPECT_NE(EditError({}, "/backstores/block create blk0 /dev/loop0 size=1G")
                .find("unknown argument 'size'"),
            std::string::npos);
  EXPECT_EQ(EditError({}, "/backstores/block create blk0 /dev/loop0 readonly=2"),
            "/backstores/block: create: readonly: '2' is not a boolean (true or false)");
}

TEST(RamdiskCreate, SizeAndNullio) {
  auto result = Edit({}, "/backstores/ramdisk create rd0 64M");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.value().message, "Created ramdisk rd0 with size 64M.");
  EXPECT_EQ(Only(result.value().config).size, 64u << 20);
  EXPECT_FALSE(Only(result.value().config).nullio);
  config::Config c = MustEdit({}, "/backstores/ramdisk create rd1 1G nullio=true");
  EXPECT_TRUE(Only(c).nullio);
}

TEST(RamdiskCreate, Errors) {
  EXPECT_EQ(EditError({}, "/backstores/ramdisk create rd0"),
            "/backstores/ramdisk: create: missing argument 'size' (usage: create name size "
            "[nullio] [wwn])");
  EXPECT_EQ(EditError({}, "/backstores/ramdisk create rd0 lots"),
            "/backstores/ramdisk: create: size: 'lots' is not a size (examples: 512M, 10G)");
}

TEST(StorageObjectDelete, Unmapped) {
  config::Config c = MustEdit({}, "/backstores/ramdisk create rd0 1M");
  auto result = Edit(c, "/backstores/ramdisk delete rd0");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result.value().config.storage_objects.empty());
  EXPECT_EQ(result.value().message, "Deleted storage object rd0.");
}

TEST(StorageObjectDelete, MappedIsRefusedWithTheLun) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, "/backstores/fileio delete disk0"),
            "/backstores/fileio: delete: storage object /backstores/fileio/disk0 is mapped as " +
                TpgPath() + "/luns/lun0; delete that LUN first, or pass force=true");
  c = MustEdit(c, "/iscsi create iqn.2003-01.org.example:t2");
  c = MustEdit(c, "/iscsi/iqn.2003-01.org.example:t2/tpg1/luns create /backstores/fileio/disk0");
  EXPECT_NE(EditError(c, "/backstores/fileio delete disk0")
                .find("is mapped as " + TpgPath() +
                      "/luns/lun0, /iscsi/iqn.2003-01.org.example:t2/tpg1/luns/lun0; delete "
                      "those LUNs first, or pass force=true"),
            std::string::npos);
}

TEST(StorageObjectDelete, ForceRemovesLunsAndMappedLuns) {
  config::Config c = BaseConfig();
  c = MustEdit(c, "/backstores/ramdisk create rd0 1M");
  c = MustEdit(c, TpgPath() + "/luns create /backstores/ramdisk/rd0");
  auto result = Edit(c, "/backstores/fileio delete disk0 force=true");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::Config& out = result.value().config;
  ASSERT_EQ(out.storage_objects.size(), 1u);
  const config::Tpg& tpg = out.targets[0].tpgs[0];
  ASSERT_EQ(tpg.luns.size(), 1u);
  EXPECT_EQ(tpg.luns[0].index, 1u);
  ASSERT_EQ(tpg.node_acls[0].mapped_luns.size(), 1u);
  EXPECT_EQ(tpg.node_acls[0].mapped_luns[0].tpg_lun, 1u);
  EXPECT_EQ(result.value().message,
            "Deleted mapped LUN 0 of node ACL iqn.1994-05.com.redhat:client.\n"
            "Deleted LUN 0 of " +
                TpgPath() + ".\nDeleted storage object disk0.");
}

TEST(StorageObjectDelete, Errors) {
  EXPECT_EQ(EditError(BaseConfig(), "/backstores/fileio delete nope"),
            "/backstores/fileio: delete: name: no storage object named 'nope'");
  EXPECT_EQ(EditError(BaseConfig(), "/backstores/block delete disk0"),
            "/backstores/block: delete: name: no storage object named 'disk0'");
  EXPECT_EQ(EditError(BaseConfig(), "/backstores/fileio delete disk0 force=perhaps"),
            "/backstores/fileio: delete: force: 'perhaps' is not a boolean (true or false)");
}

TEST(StorageObjectSetAttribute, Values) {
  config::Config c = MustEdit({}, "/backstores/fileio create disk0 /var/disk0.img 1G");
  auto result = Edit(c,
                     "/backstores/fileio/disk0 set attribute block_size=4096 emulate_tpu=1 "
                     "is_nonrot=true");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::StorageObject& so = Only(result.value().config);
  EXPECT_EQ(so.block_size(), 4096u);
  EXPECT_EQ(so.attributes.at("emulate_tpu"), 1);
  EXPECT_EQ(so.attributes.at("is_nonrot"), 1);
  EXPECT_EQ(result.value().message,
            "Parameter block_size is now '4096'.\nParameter emulate_tpu is now '1'.\n"
            "Parameter is_nonrot is now '1'.");
}

TEST(StorageObjectSetAttribute, WriteCacheFollowsWriteBack) {
  config::Config c = MustEdit({}, "/backstores/fileio create disk0 /var/disk0.img 1G");
  c = MustEdit(c, "/backstores/fileio/disk0 set attribute emulate_write_cache=0");
  EXPECT_EQ(Only(c).write_back, std::optional<bool>(false));
  c = MustEdit(c, "/backstores/fileio/disk0 set attribute emulate_write_cache=1");
  EXPECT_EQ(Only(c).write_back, std::optional<bool>(true));
}

TEST(StorageObjectSetAttribute, Errors) {
  config::Config c = BaseConfig();
  const std::string so = "/backstores/fileio/disk0";
  EXPECT_EQ(EditError(c, so + " set attribute block_size=1000"),
            so + ": set: attribute: block_size: '1000' is not a power of two (512, 1024, 2048 or "
                 "4096)");
  EXPECT_EQ(EditError(c, so + " set attribute block_size=8192"),
            so + ": set: attribute: block_size: '8192' is out of range (512 to 4096)");
  EXPECT_EQ(EditError(c, so + " set attribute block_size=4096"),
            so +
                ": set: attribute: block_size cannot change while the storage object is exported "
                "(as " +
                TpgPath() + "/luns/lun0); LIO refuses it too");
  EXPECT_EQ(EditError(c, so + " set attribute hw_block_size=4096"),
            so + ": set: attribute: hw_block_size: is read-only (LIO derives it from the backing "
                 "device)");
  EXPECT_EQ(EditError(c, so + " set attribute pi_prot_type=1"),
            so + ": set: attribute: pi_prot_type: '1' is out of range (0 to 0); reftarget does "
                 "not implement T10 protection information");
  std::string unknown = EditError(c, so + " set attribute emulate_everything=1");
  EXPECT_EQ(unknown.rfind(so + ": set: attribute: unknown attribute 'emulate_everything' (valid: "
                               "block_size, emulate_3pc, ",
                          0),
            0u)
      << unknown;
  EXPECT_EQ(unknown.find("hw_block_size"), std::string::npos) << "read-only ones are not offered";
}

TEST(StorageObjectResize, GrowAndShrink) {
  config::Config c = BaseConfig();
  auto grow = Edit(c, "/backstores/fileio/disk0 resize 2G");
  ASSERT_TRUE(grow.ok()) << grow.error();
  EXPECT_EQ(grow.value().config.storage_objects[0].size, 2 * kGiB);
  EXPECT_EQ(grow.value().message,
            "Resized fileio disk0 from 1073741824 bytes (1.0GiB) to 2147483648 bytes (2.0GiB).\n"
            "Initiators get a CAPACITY DATA HAS CHANGED unit attention.");
  auto shrink = Edit(c, "/backstores/fileio/disk0 resize size=512M");
  ASSERT_TRUE(shrink.ok()) << shrink.error();
  EXPECT_EQ(shrink.value().config.storage_objects[0].size, kGiB / 2);
  EXPECT_NE(shrink.value().message.find("Shrunk fileio disk0 from 1073741824 bytes (1.0GiB) to "
                                        "536870912 bytes (512.0MiB): data past the new end is no "
                                        "longer reachable."),
            std::string::npos)
      << shrink.value().message;
}

TEST(StorageObjectResize, RamdiskAndFileOfItsOwnSize) {
  config::Config c = MustEdit({}, "/backstores/ramdisk create rd0 1M");
  EXPECT_EQ(MustEdit(c, "/backstores/ramdisk/rd0 resize 2M").storage_objects[0].size, 2u << 20);
  c = MustEdit({}, "/backstores/fileio create d /var/d.img");
  auto result = Edit(c, "/backstores/fileio/d resize 1G");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_NE(result.value().message.find("from the size of /var/d.img"), std::string::npos);
  auto same =
      Edit(MustEdit({}, "/backstores/ramdisk create rd0 1M"), "/backstores/ramdisk/rd0 resize 1M");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same.value().message, "ramdisk rd0 is already 1048576 bytes; nothing to do.");
}

TEST(StorageObjectResize, Errors) {
  config::Config c = MustEdit({}, "/backstores/block create b /dev/loop0");
  EXPECT_NE(EditError(c, "/backstores/block/b resize 1G")
                .find("/backstores/block/b: resize: a block storage object has the size of its "
                      "device"),
            std::string::npos);
  c = MustEdit({}, "/backstores/ramdisk create rd0 1M");
  c = MustEdit(c, "/backstores/ramdisk/rd0 set attribute block_size=4096");
  EXPECT_EQ(EditError(c, "/backstores/ramdisk/rd0 resize 2048"),
            "/backstores/ramdisk/rd0: resize: size: '2048' is smaller than one 4096-byte block");
  EXPECT_EQ(EditError(c, "/backstores/ramdisk/rd0 resize"),
            "/backstores/ramdisk/rd0: resize: missing argument 'size' (usage: resize size)");
}

TEST(ClearConfig, NeedsConfirmAndKeepsDiscoveryAuth) {
  config::Config c = BaseConfig();
  c = MustEdit(c, "/iscsi set discovery_auth enable=1 userid=disc password=discsecret12");
  EXPECT_EQ(EditError(c, "/ clearconfig"),
            "/: clearconfig: as a precaution, confirm=true needs "
            "to be set");
  auto result = Edit(c, "/ clearconfig confirm=true");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result.value().config.targets.empty());
  EXPECT_TRUE(result.value().config.storage_objects.empty());
  EXPECT_TRUE(result.value().config.discovery_auth.enable);
  EXPECT_EQ(result.value().message, "All configuration cleared");
}

}  // namespace
}  // namespace reftarget::admin
