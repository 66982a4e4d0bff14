// `ls` drawn as targetcli draws it: a two-target configuration with ACLs as a golden text,
// then depth, sub-paths, widths and each kind of summary.
#include "target/admin/tree_view.h"

#include <gtest/gtest.h>

#include "target/admin/edit_test_util.h"

namespace reftarget::admin {
namespace {

using testing::kClient;
using testing::kTarget;
using testing::MustEdit;
using testing::TpgPath;

config::Config TwoTargets() {
  const std::string t1 = std::string("/iscsi/") + kTarget;
  const std::string t2 = std::string("/iscsi/") + testing::kTarget2;
  config::Config c;
  for (const std::string& line : std::vector<std::string>{
           "/backstores/fileio create disk0 /var/disk0.img 1G",
           "/backstores/fileio create disk1 /var/disk1.img",
           "/backstores/block create blk0 /dev/loop0 readonly=true",
           "/backstores/ramdisk create rd0 64M nullio=true",
           std::string("/iscsi create ") + kTarget,
           t1 + "/tpg1/luns create /backstores/fileio/disk0",
           t1 + "/tpg1/luns create /backstores/block/blk0 lun=10",
           t1 + "/tpg1/luns create /backstores/ramdisk/rd0 lun=2",
           t1 + "/tpg1/portals create 127.0.0.1 3260",
           t1 + "/tpg1/portals create ::1 3260",
           t1 + "/tpg1/acls create " + kClient,
           t1 + "/tpg1/acls create " + testing::kClient2 + " add_mapped_luns=false",
           t1 + "/tpg1/acls/" + testing::kClient2 + " create 0 lun10 write_protect=true",
           std::string("/iscsi create ") + testing::kTarget2,
           t2 + "/tpg1/luns create /backstores/fileio/disk0",
           t2 + "/tpg1 set attribute authentication=1 generate_node_acls=1",
           t2 + "/tpg1 set auth userid=u password=secretsecret1 mutual_userid=m "
                "mutual_password=othersecret1",
           t2 + " create",
           t2 + "/tpg2 disable",
       }) {
    c = MustEdit(c, line);
  }
  return c;
}

std::string MustRender(const config::Config& c, const std::string& path, int depth = -1) {
  auto tree = RenderTree(c, path, depth);
  EXPECT_TRUE(tree.ok()) << tree.error();
  return tree.ok() ? tree.value() : "";
}

TEST(RenderTree, TwoTargetsWithAcls) {
  // Every line is 80 columns: name, dots, [summary] (configshell's _render_tree()).
  EXPECT_EQ(MustRender(TwoTargets(), "/"),
            "o- / ..................................................................... [...]\n"
            "  o- backstores .......................................................... [...]\n"
            "  | o- block .............................................. [Storage Objects: 1]\n"
            "  | | o- blk0 ............ [/dev/loop0 (size of device) ro write-thru activated]\n"
            "  | o- fileio ............................................. [Storage Objects: 2]\n"
            "  | | o- disk0 .................. [/var/disk0.img (1.0GiB) write-back activated]\n"
            "  | | o- disk1 .......... [/var/disk1.img (size of file) write-back deactivated]\n"
            "  | o- ramdisk ............................................ [Storage Objects: 1]\n"
            "  |   o- rd0 ...................................... [nullio (64.0MiB) activated]\n"
            "  o- iscsi ........................................................ [Targets: 2]\n"
            "    o- iqn.2003-01.org.example:t1 .................................... [TPGs: 1]\n"
            "    | o- tpg1 ........................................... [no-gen-acls, no-auth]\n"
            "    |   o- acls ...................................................... [ACLs: 2]\n"
            "    |   | o- iqn.1994-05.com.redhat:client .................... [Mapped LUNs: 3]\n"
            "    |   | | o- mapped_lun0 ............................ [lun0 fileio/disk0 (rw)]\n"
            "    |   | | o- mapped_lun2 ............................. [lun2 ramdisk/rd0 (rw)]\n"
            "    |   | | o- mapped_lun10 ............................ [lun10 block/blk0 (rw)]\n"
            "    |   | o- iqn.1994-05.com.redhat:other ..................... [Mapped LUNs: 1]\n"
            "    |   |   o- mapped_lun0 ............................. [lun10 block/blk0 (ro)]\n"
            "    |   o- luns ...................................................... [LUNs: 3]\n"
            "    |   | o- lun0 ........... [fileio/disk0 (/var/disk0.img) (default_tg_pt_gp)]\n"
            "    |   | o- lun2 ............................. [ramdisk/rd0 (default_tg_pt_gp)]\n"
            "    |   | o- lun10 ................ [block/blk0 (/dev/loop0) (default_tg_pt_gp)]\n"
            "    |   o- portals ................................................ [Portals: 2]\n"
            "    |     o- 127.0.0.1:3260 ............................................... [OK]\n"
            "    |     o- [::1]:3260 ................................................... [OK]\n"
            "    o- iqn.2003-01.org.example:t2 .................................... [TPGs: 2]\n"
            "      o- tpg1 ................................ [gen-acls, tpg-auth, mutual auth]\n"
            "      | o- acls ...................................................... [ACLs: 0]\n"
            "      | o- luns ...................................................... [LUNs: 1]\n"
            "      | | o- lun0 ........... [fileio/disk0 (/var/disk0.img) (default_tg_pt_gp)]\n"
            "      | o- portals ................................................ [Portals: 0]\n"
            "      o- tpg2 ....................................................... [disabled]\n"
            "        o- acls ...................................................... [ACLs: 0]\n"
            "        o- luns ...................................................... [LUNs: 0]\n"
            "        o- portals ................................................ [Portals: 0]");
}

TEST(RenderTree, Depth) {
  EXPECT_EQ(MustRender(TwoTargets(), "/", 1),
            "o- / ..................................................................... [...]\n"
            "  o- backstores .......................................................... [...]\n"
            "  o- iscsi ........................................................ [Targets: 2]");
  // targetcli: depth 0 means the whole tree.
  EXPECT_EQ(MustRender(TwoTargets(), "/", 0), MustRender(TwoTargets(), "/"));
  EXPECT_EQ(MustRender(TwoTargets(), "/backstores", 1),
            "o- backstores ............................................................ [...]\n"
            "  o- block ................................................ [Storage Objects: 1]\n"
            "  o- fileio ............................................... [Storage Objects: 2]\n"
            "  o- ramdisk .............................................. [Storage Objects: 1]");
}

TEST(RenderTree, SubPaths) {
  config::Config c = TwoTargets();
  EXPECT_EQ(MustRender(c, TpgPath() + "/luns"),
            "o- luns .............................................................. [LUNs: 3]\n"
            "  o- lun0 ................... [fileio/disk0 (/var/disk0.img) (default_tg_pt_gp)]\n"
            "  o- lun2 ..................................... [ramdisk/rd0 (default_tg_pt_gp)]\n"
            "  o- lun10 ........................ [block/blk0 (/dev/loop0) (default_tg_pt_gp)]");
  EXPECT_EQ(MustRender(c, TpgPath() + "/acls/" + kClient + "/mapped_lun2"),
            "o- mapped_lun2 ......................................... [lun2 ramdisk/rd0 (rw)]");
  EXPECT_EQ(MustRender(c, "/backstores/fileio/disk1"),
            "o- disk1 ................ [/var/disk1.img (size of file) write-back deactivated]");
  EXPECT_EQ(MustRender(c, TpgPath() + "/portals/[::1]:3260"),
            "o- [::1]:3260 ............................................................. [OK]");
  // Relative and unnormalized paths are taken from the root.
  EXPECT_EQ(MustRender(c, "iscsi/../backstores/ramdisk/"),
            "o- ramdisk ................................................ [Storage Objects: 1]\n"
            "  o- rd0 .......................................... [nullio (64.0MiB) activated]");
}

TEST(RenderTree, UnknownPath) {
  auto tree = RenderTree(TwoTargets(), "/iscsi/iqn.2003-01.org.example:t9");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error(),
            "no such path /iscsi/iqn.2003-01.org.example:t9: /iscsi has no target "
            "'iqn.2003-01.org.example:t9' (it has: iqn.2003-01.org.example:t1, "
            "iqn.2003-01.org.example:t2)");
}

TEST(RenderTree, WidthAndLinesThatDoNotFit) {
  config::Config c = TwoTargets();
  TreeOptions wide;
  wide.width = 100;
  auto tree = RenderTree(c, "/backstores/fileio/disk0", wide);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree.value(),
            "o- disk0 " + std::string(44, '.') + " [/var/disk0.img (1.0GiB) write-back activated]");
  EXPECT_EQ(tree.value().size(), 100u);
  // Too long for the width: no dots, as configshell prints it.
  c = MustEdit(c, "/backstores/fileio create long /var/" + std::string(90, 'x') + ".img 1M");
  EXPECT_EQ(MustRender(c, "/backstores/fileio/long"),
            "o- long  [/var/" + std::string(90, 'x') + ".img (1.0MiB) write-back deactivated]");
}

TEST(RenderTree, LiveCapacity) {
  TreeOptions options;
  options.capacity = [](const config::StorageObject& so) -> std::optional<uint64_t> {
    if (so.name == "blk0") return uint64_t{8} << 30;
    return std::nullopt;
  };
  auto tree = RenderTree(TwoTargets(), "/backstores/block", options);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree.value(),
            "o- block .................................................. [Storage Objects: 1]\n"
            "  o- blk0 ........................ [/dev/loop0 (8.0GiB) ro write-thru activated]");
}

TEST(RenderTree, AuthSummaries) {
  config::Config c = testing::BaseConfig();
  const std::string acl = TpgPath() + "/acls/" + kClient;
  c = MustEdit(c, TpgPath() + " set attribute authentication=1");
  EXPECT_EQ(MustRender(c, TpgPath(), 1).substr(0, 80),
            "o- tpg1 ............................................ [no-gen-acls, auth per-acl]");
  EXPECT_EQ(MustRender(c, acl, 1).substr(0, 80),
            "o- iqn.1994-05.com.redhat:client .................. [1-way auth, Mapped LUNs: 1]");
  c = MustEdit(c, acl +
                      " set auth userid=a password=secretsecret1 mutual_userid=b "
                      "mutual_password=secretsecret2");
  EXPECT_NE(MustRender(c, acl).find("[mutual auth, Mapped LUNs: 1]"), std::string::npos);
  c = MustEdit(c, TpgPath() + " set attribute generate_node_acls=1");
  EXPECT_NE(MustRender(c, acl).find("[auth via tpg, Mapped LUNs: 1]"), std::string::npos);
  EXPECT_NE(MustRender(c, TpgPath(), 0).find("[gen-acls, tpg-auth, 1-way auth]"),
            std::string::npos);
  c = MustEdit(c, "/iscsi set discovery_auth enable=1 userid=d password=discsecret12");
  EXPECT_NE(MustRender(c, "/iscsi", 0).find("[1-way disc auth, Targets: 1]"), std::string::npos);
}

TEST(RenderTree, PortalFlagsAndBrokenLinks) {
  config::Config c = testing::BaseConfig();
  c.targets[0].tpgs[0].portals[0].extra["iser"] = true;
  EXPECT_EQ(MustRender(c, TpgPath() + "/portals/127.0.0.1:3260"),
            "o- 127.0.0.1:3260 ....................................................... [iser]");
  // A Config built by hand may point nowhere; the tree says so rather than failing.
  c.targets[0].tpgs[0].luns[0].storage_object = "/backstores/fileio/gone";
  EXPECT_EQ(MustRender(c, TpgPath() + "/luns/lun0"),
            "o- lun0 .................................................. [BROKEN STORAGE LINK]");
  EXPECT_EQ(MustRender(c, TpgPath() + "/acls/" + kClient + "/mapped_lun0"),
            "o- mapped_lun0 ............................................... [BROKEN LUN LINK]");
}

TEST(RenderTree, EmptyConfig) {
  EXPECT_EQ(MustRender({}, "/"),
            "o- / ..................................................................... [...]\n"
            "  o- backstores .......................................................... [...]\n"
            "  | o- block .............................................. [Storage Objects: 0]\n"
            "  | o- fileio ............................................. [Storage Objects: 0]\n"
            "  | o- ramdisk ............................................ [Storage Objects: 0]\n"
            "  o- iscsi ........................................................ [Targets: 0]");
}

}  // namespace
}  // namespace reftarget::admin
