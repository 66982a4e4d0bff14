// /iscsi create|delete, /iscsi/WWN create|delete, tpgN enable|disable, portals
// create|delete, and how unknown paths and verbs are reported.
#include <gtest/gtest.h>

#include "target/admin/edit_test_util.h"

namespace reftarget::admin {
namespace {

using testing::BaseConfig;
using testing::Edit;
using testing::EditError;
using testing::kTarget;
using testing::MustEdit;
using testing::TpgPath;

const std::string kTargetPath = std::string("/iscsi/") + kTarget;

TEST(TargetCreate, WithWwn) {
  auto result = Edit({}, "/iscsi create IQN.2003-01.ORG.Example:T1");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::Config& c = result.value().config;
  ASSERT_EQ(c.targets.size(), 1u);
  const config::Target& t = c.targets[0];
  EXPECT_EQ(t.wwn, kTarget);  // normalized as rtslib stores it
  EXPECT_EQ(t.fabric, "iscsi");
  ASSERT_EQ(t.tpgs.size(), 1u);
  EXPECT_EQ(t.tpgs[0].tag, 1);
  EXPECT_TRUE(t.tpgs[0].enable);
  // Written out: LIO's kernel default is 1, targetcli sets 0.
  EXPECT_EQ(t.tpgs[0].attributes.at("authentication"), 0);
  EXPECT_TRUE(t.tpgs[0].portals.empty()) << "reftarget never adds a default portal";
  EXPECT_EQ(result.value().message,
            "Created target iqn.2003-01.org.example:t1.\nCreated TPG 1.\nNo portal was created "
            "(reftarget never listens on 0.0.0.0:3260 on its own); add one with: " +
                kTargetPath + "/tpg1/portals create IP [PORT]");
}

TEST(TargetCreate, GeneratedNameLikeRtslib) {
  config::Config c = MustEdit({}, "/iscsi create");
  ASSERT_EQ(c.targets.size(), 1u);
  // First host label without '_', machine without '_', the low 48 bits of the random value.
  EXPECT_EQ(c.targets[0].wwn, "iqn.2003-01.org.linux-iscsi.buildhost.x8664:sn.abcdef987654");
  EXPECT_EQ(EditError(c, "/iscsi create"),
            "/iscsi: create: could not generate an unused target name; give one");
}

TEST(TargetCreate, GeneratedNameWithoutRandomness) {
  EditEnvironment env;
  env.hostname = "";
  env.machine = "aarch64";
  Command command{"/iscsi", "create", {}, {}};
  auto result = ApplyEdit({}, command, env);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result.value().config.targets[0].wwn,
            "iqn.2003-01.org.linux-iscsi.localhost.aarch64:sn.000000000000");
}

TEST(TargetCreate, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, std::string("/iscsi create ") + kTarget),
            "/iscsi: create: wwn: target iqn.2003-01.org.example:t1 already exists");
  EXPECT_EQ(EditError({}, "/iscsi create iqn.2003-13.org.example:t"),
            "/iscsi: create: wwn: 'iqn.2003-13.org.example:t' is not a valid iSCSI name: month 13 "
            "is not 01 to 12");
  EXPECT_EQ(EditError({}, "/iscsi create target1"),
            "/iscsi: create: wwn: 'target1' is not a valid iSCSI name: expected an iqn., eui. or "
            "naa. name (RFC 3720 §3.2.6.3)");
  EXPECT_EQ(EditError({}, "/iscsi create a b"),
            "/iscsi: create: too many arguments: 'b' has no parameter to fill (usage: create "
            "[wwn])");
}

TEST(TargetDelete, ByAnySpelling) {
  config::Config c = BaseConfig();
  auto result = Edit(c, "/iscsi delete IQN.2003-01.org.example:T1");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result.value().config.targets.empty());
  EXPECT_EQ(result.value().config.storage_objects.size(), 1u) << "storage objects stay";
  EXPECT_EQ(result.value().message, "Deleted Target iqn.2003-01.org.example:t1.");
  EXPECT_EQ(EditError(c, "/iscsi delete iqn.2003-01.org.example:nope"),
            "/iscsi: delete: wwn: no target named 'iqn.2003-01.org.example:nope'");
  EXPECT_EQ(EditError(c, "/iscsi delete"),
            "/iscsi: delete: missing argument 'wwn' (usage: delete wwn)");
}

TEST(TpgCreate, NextFreeAndExplicit) {
  config::Config c = BaseConfig();
  auto next = Edit(c, kTargetPath + " create");
  ASSERT_TRUE(next.ok()) << next.error();
  ASSERT_EQ(next.value().config.targets[0].tpgs.size(), 2u);
  const config::Tpg& tpg2 = next.value().config.targets[0].tpgs[1];
  EXPECT_EQ(tpg2.tag, 2);
  EXPECT_TRUE(tpg2.enable);
  EXPECT_EQ(tpg2.attributes.at("authentication"), 0);
  EXPECT_EQ(next.value().message.substr(0, 15), "Created TPG 2.\n");
  c = MustEdit(c, kTargetPath + " create tpg7");
  c = MustEdit(c, kTargetPath + " create tag=3");
  c = MustEdit(c, kTargetPath + " create");
  std::vector<uint16_t> tags;
  for (const config::Tpg& tpg : c.targets[0].tpgs) tags.push_back(tpg.tag);
  EXPECT_EQ(tags, (std::vector<uint16_t>{1, 7, 3, 2}));
}

TEST(TpgCreate, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, kTargetPath + " create 1"),
            kTargetPath + ": create: tag: " + TpgPath() + " already exists");
  EXPECT_EQ(EditError(c, kTargetPath + " create 0"),
            kTargetPath + ": create: tag: '0' is not N or tpgN with N from 1 to 65535");
  EXPECT_EQ(EditError(c, kTargetPath + " create tpg65536"),
            kTargetPath + ": create: tag: 'tpg65536' is not N or tpgN with N from 1 to 65535");
  EXPECT_EQ(EditError(c, kTargetPath + " create tpgx"),
            kTargetPath + ": create: tag: 'tpgx' is not N or tpgN with N from 1 to 65535");
}

TEST(TpgDelete, Simple) {
  config::Config c = MustEdit(BaseConfig(), kTargetPath + " create 2");
  auto result = Edit(c, kTargetPath + " delete tpg1");
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result.value().config.targets[0].tpgs.size(), 1u);
  EXPECT_EQ(result.value().config.targets[0].tpgs[0].tag, 2);
  EXPECT_EQ(result.value().message, "Deleted TPGT 1.");
  EXPECT_EQ(EditError(c, kTargetPath + " delete 9"),
            kTargetPath + ": delete: tag: no TPG 9 in " + kTargetPath);
}

TEST(TpgEnable, EnableAndDisable) {
  config::Config c = BaseConfig();
  auto off = Edit(c, TpgPath() + " disable");
  ASSERT_TRUE(off.ok()) << off.error();
  EXPECT_FALSE(off.value().config.targets[0].tpgs[0].enable);
  EXPECT_EQ(off.value().message, "The TPGT has been disabled.");
  auto again = Edit(off.value().config, TpgPath() + " disable");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().message, "The TPGT is already disabled.");
  auto on = Edit(off.value().config, "enable", TpgPath());
  ASSERT_TRUE(on.ok()) << on.error();
  EXPECT_TRUE(on.value().config.targets[0].tpgs[0].enable);
  EXPECT_EQ(on.value().message, "The TPGT has been enabled.");
  EXPECT_EQ(Edit(c, TpgPath() + " enable").value().message, "The TPGT is already enabled.");
  EXPECT_EQ(EditError(c, TpgPath() + " enable now"),
            TpgPath() +
                ": enable: too many arguments: 'now' has no parameter to fill (usage: "
                "enable)");
}

TEST(PortalCreate, DefaultsAndAddresses) {
  config::Config c = MustEdit({}, std::string("/iscsi create ") + kTarget);
  const std::string portals = TpgPath() + "/portals";
  auto wildcard = Edit(c, portals + " create");
  ASSERT_TRUE(wildcard.ok()) << wildcard.error();
  const config::Portal& p = wildcard.value().config.targets[0].tpgs[0].portals.at(0);
  EXPECT_EQ(p.ip_address, "0.0.0.0");
  EXPECT_EQ(p.port, 3260);
  EXPECT_EQ(wildcard.value().message,
            "Binding to INADDR_ANY (0.0.0.0)\nCreated network portal 0.0.0.0:3260.");
  c = MustEdit(c, portals + " create 127.0.0.1 3261");
  c = MustEdit(c, portals + " create ::1");
  c = MustEdit(c, portals + " create ip_address=[fe80::2] ip_port=860");
  const auto& list = c.targets[0].tpgs[0].portals;
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].ip_address, "127.0.0.1");
  EXPECT_EQ(list[0].port, 3261);
  EXPECT_EQ(list[1].ip_address, "[::1]");  // LIO's configfs needs the brackets
  EXPECT_EQ(list[1].port, 3260);
  EXPECT_EQ(list[2].ip_address, "[fe80::2]");
  EXPECT_EQ(list[2].port, 860);
}

TEST(PortalCreate, Errors) {
  config::Config c = BaseConfig();
  const std::string portals = TpgPath() + "/portals";
  EXPECT_EQ(EditError(c, portals + " create 127.0.0.1"),
            portals + ": create: network portal 127.0.0.1:3260 already exists");
  c = MustEdit(c, portals + " create ::1 3260");
  EXPECT_EQ(EditError(c, portals + " create [0:0::0001] 3260"),
            portals + ": create: network portal [::1]:3260 already exists");
  EXPECT_EQ(EditError(c, portals + " create 127.0.0.1 70000"),
            portals + ": create: ip_port: '70000' is out of range (1 to 65535)");
  EXPECT_EQ(EditError(c, portals + " create 127.0.0.1 0"),
            portals + ": create: ip_port: '0' is out of range (1 to 65535)");
  EXPECT_EQ(EditError(c, portals + " create localhost"),
            portals +
                ": create: ip_address: 'localhost': not an IPv4 or IPv6 address (host names "
                "are not accepted)");
  c = MustEdit(c, kTargetPath + " create 2");
  EXPECT_EQ(EditError(c, kTargetPath + "/tpg2/portals create 127.0.0.1 3260"),
            kTargetPath +
                "/tpg2/portals: create: network portal 127.0.0.1:3260 already belongs "
                "to " +
                TpgPath() + "; TPGs within a target cannot share ip:port");
  // Another target may listen on the same address: the listener is shared.
  c = MustEdit(c, "/iscsi create iqn.2003-01.org.example:t2");
  EXPECT_TRUE(Edit(c, "/iscsi/iqn.2003-01.org.example:t2/tpg1/portals create 127.0.0.1").ok());
}

TEST(PortalDelete, ByAddress) {
  config::Config c = BaseConfig();
  const std::string portals = TpgPath() + "/portals";
  c = MustEdit(c, portals + " create [::1] 3260");
  auto result = Edit(c, portals + " delete ::1 3260");
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result.value().config.targets[0].tpgs[0].portals.size(), 1u);
  EXPECT_EQ(result.value().message, "Deleted network portal [::1]:3260");
  EXPECT_EQ(EditError(c, portals + " delete 127.0.0.1 3261"),
            portals + ": delete: no network portal 127.0.0.1:3261 in this TPG");
  EXPECT_EQ(EditError(c, portals + " delete 127.0.0.1"),
            portals + ": delete: missing argument 'ip_port' (usage: delete ip_address ip_port)");
}

TEST(Paths, UnknownPathNamesItAndListsWhatExists) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, "/iscsi/iqn.2003-01.org.example:nope create"),
            "no such path /iscsi/iqn.2003-01.org.example:nope: /iscsi has no target "
            "'iqn.2003-01.org.example:nope' (it has: iqn.2003-01.org.example:t1)");
  EXPECT_EQ(EditError(c, kTargetPath + "/tpg2/luns create /backstores/fileio/disk0"),
            "no such path " + kTargetPath + "/tpg2/luns: " + kTargetPath +
                " has no TPG 'tpg2' (it has: tpg1)");
  EXPECT_EQ(EditError(c, "/backstores/pscsi create a b"),
            "no such path /backstores/pscsi: /backstores has no backstore 'pscsi' (it has: "
            "block, fileio, ramdisk)");
  EXPECT_EQ(EditError(c, "/loopback create"),
            "no such path /loopback: / has no node 'loopback' (it has: backstores, iscsi)");
  EXPECT_EQ(EditError(c, TpgPath() + "/acls/iqn.1994-05.com.redhat:x delete 0"),
            "no such path " + TpgPath() + "/acls/iqn.1994-05.com.redhat:x: " + TpgPath() +
                "/acls has no node ACL 'iqn.1994-05.com.redhat:x' (it has: "
                "iqn.1994-05.com.redhat:client)");
  EXPECT_EQ(EditError({}, "/backstores/ramdisk/rd0 resize 1G"),
            "no such path /backstores/ramdisk/rd0: /backstores/ramdisk has no storage object "
            "'rd0' (it is empty)");
}

TEST(Paths, TargetNamesMatchInAnyCase) {
  config::Config c = BaseConfig();
  EXPECT_TRUE(Edit(c, "/iscsi/IQN.2003-01.ORG.EXAMPLE:T1/tpg1 disable").ok());
  EXPECT_TRUE(Edit(c,
                   "/iscsi/iqn.2003-01.org.example:t1/tpg1/portals/127.0.0.1:3260/../../ "
                   "disable")
                  .ok());
}

TEST(Verbs, UnknownVerbListsTheCommandsOfThePath) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, TpgPath() + " create"),
            TpgPath() +
                ": create: unknown command at this TPG (commands here: cd, disable, "
                "enable, exit, get, help, ls, pwd, set)");
  EXPECT_EQ(EditError(c, "/iscsi frobnicate"),
            "/iscsi: frobnicate: unknown command at this iSCSI fabric (commands here: cd, create, "
            "delete, exit, get, help, ls, pwd, set)");
  EXPECT_EQ(EditError(c, "/ ls"),
            "/: ls: does not change the configuration; the shell answers "
            "it");
  EXPECT_EQ(EditError(c, TpgPath() + " set global tree_round_nodes=false"),
            TpgPath() + ": set: does not change the configuration; the shell answers it");
}

TEST(Verbs, AvailableVerbs) {
  config::Config c = BaseConfig();
  EXPECT_EQ(AvailableVerbs(c, "/").value(),
            (std::vector<std::string>{"cd", "clearconfig", "exit", "help", "ls", "pwd",
                                      "saveconfig", "sessions"}));
  EXPECT_EQ(AvailableVerbs(c, "/backstores/fileio/disk0").value(),
            (std::vector<std::string>{"cd", "exit", "get", "help", "ls", "pwd", "resize", "set"}));
  EXPECT_EQ(AvailableVerbs(c, TpgPath() + "/acls/iqn.1994-05.com.redhat:client").value(),
            (std::vector<std::string>{"cd", "create", "delete", "exit", "get", "help", "ls", "pwd",
                                      "set"}));
  EXPECT_EQ(AvailableVerbs(c, TpgPath() + "/luns/lun0").value(),
            (std::vector<std::string>{"cd", "exit", "help", "ls", "pwd"}));
  EXPECT_FALSE(AvailableVerbs(c, "/nope").ok());
  // Portals resolve by address, however it is spelled.
  c = MustEdit(c, TpgPath() + "/portals create ::1 3261");
  EXPECT_TRUE(AvailableVerbs(c, TpgPath() + "/portals/[0:0::1]:3261").ok());
  EXPECT_TRUE(AvailableVerbs(c, TpgPath() + "/portals/127.0.0.1:3260").ok());
  EXPECT_FALSE(AvailableVerbs(c, TpgPath() + "/portals/127.0.0.1:3261").ok());
}

TEST(Verbs, IsEdit) {
  auto is_edit = [](std::string verb, std::vector<std::string> positional = {}) {
    return IsEdit(Command{"/", std::move(verb), std::move(positional), {}});
  };
  for (const char* verb :
       {"create", "delete", "set", "enable", "disable", "resize", "clearconfig"}) {
    EXPECT_TRUE(is_edit(verb)) << verb;
  }
  for (const char* verb : {"ls", "get", "cd", "pwd", "sessions", "saveconfig", "restoreconfig",
                           "help", "exit", "status", "info"}) {
    EXPECT_FALSE(is_edit(verb)) << verb;
  }
  EXPECT_FALSE(is_edit("set", {"global"}));
  EXPECT_TRUE(is_edit("set", {"attribute"}));
}

}  // namespace
}  // namespace reftarget::admin
