#include "harness/adapters/lio_commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "harness/adapters/adapter_test_support.h"

namespace harness::adapters::lio {
namespace {

using test_support::kInit1;
using test_support::kInit2;
using test_support::kIqn;
using test_support::kMiB;
using test_support::LunAt;

using json = nlohmann::json;

constexpr char kTpg[] = "/iscsi/iqn.2003-01.org.reftarget.harness:target/tpg1";

TargetSpec OneOfEach() { return test_support::OneLunOfEach(/*with_ramdisk=*/true); }

// Each command as one line; the generators never put a blank inside an argument.
std::vector<std::string> Lines(const std::vector<Command>& commands) {
  std::vector<std::string> out;
  for (const Command& c : commands) out.push_back(DescribeCommand(c.argv, {}));
  return out;
}

std::vector<std::string> SetupLines(const TargetSpec& spec, const Options& options = {}) {
  Result<std::vector<Command>> commands = SetupCommands(spec, options);
  EXPECT_TRUE(commands.ok()) << commands.error();
  return commands.ok() ? Lines(commands.value()) : std::vector<std::string>{};
}

std::string T(const std::string& rest) { return std::string("targetcli ") + kTpg + rest; }

TEST(LioSetupTest, OneLunOfEachBackingInDemoMode) {
  const std::vector<std::string> expected = {
      "targetcli /backstores/fileio create name=fileio0 file_or_dev=/var/tmp/h/fileio0.img "
      "size=64M write_back=true",
      "targetcli /backstores/block create name=block0 dev=/dev/loop7 readonly=false",
      "targetcli /backstores/ramdisk create name=ram0 size=32M",
      "targetcli /backstores/ramdisk create name=null0 size=16M nullio=true",
      std::string("targetcli /iscsi create ") + kIqn,
      T("/portals delete 0.0.0.0 3260"),
      T("/luns create /backstores/fileio/fileio0 lun=0 add_mapped_luns=false"),
      T("/luns create /backstores/block/block0 lun=1 add_mapped_luns=false"),
      T("/luns create /backstores/ramdisk/ram0 lun=2 add_mapped_luns=false"),
      T("/luns create /backstores/ramdisk/null0 lun=3 add_mapped_luns=false"),
      T(" set attribute generate_node_acls=1 demo_mode_write_protect=0 authentication=0 "
        "cache_dynamic_acls=1"),
      T("/portals create 127.0.0.1 3260"),
  };
  EXPECT_EQ(SetupLines(OneOfEach()), expected);
}

TEST(LioSetupTest, OnlyTheDefaultPortalDeletionMayFail) {
  Result<std::vector<Command>> commands = SetupCommands(OneOfEach(), {});
  ASSERT_TRUE(commands.ok()) << commands.error();
  for (const Command& c : commands.value()) {
    const bool is_default_portal =
        c.argv.size() == 5 && c.argv[2] == "delete" && c.argv[3] == "0.0.0.0";
    EXPECT_EQ(c.may_fail, is_default_portal) << Lines({c})[0];
    EXPECT_EQ(c.argv[0], "targetcli");
  }
}

TEST(LioSetupTest, ThinAnd4096ByteBlocksAreBackstoreAttributesBeforeTheLun) {
  TargetSpec spec;
  LunSpec lun = LunAt("thin0", Backing::kFileio, kMiB * 1024, "/srv/thin0.img");
  lun.thin = true;
  lun.block_size = 4096;
  lun.write_back = false;
  spec.luns = {lun};
  const std::vector<std::string> lines = SetupLines(spec);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "targetcli /backstores/fileio create name=thin0 file_or_dev=/srv/thin0.img size=1G "
            "write_back=false");
  EXPECT_EQ(lines[1],
            "targetcli /backstores/fileio/thin0 set attribute block_size=4096 emulate_tpu=1 "
            "emulate_tpws=1");
  EXPECT_EQ(lines[2], std::string("targetcli /iscsi create ") + kIqn);
}

TEST(LioSetupTest, OddSizesAreGivenInBytesOrKiB) {
  TargetSpec spec;
  spec.luns = {MakeLunSpec("a", Backing::kRamdisk, 1536 * 1024),
               MakeLunSpec("b", Backing::kRamdisk, 4096 * 3 + 512)};
  const std::vector<std::string> lines = SetupLines(spec);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "targetcli /backstores/ramdisk create name=a size=1536K");
  EXPECT_EQ(lines[1], "targetcli /backstores/ramdisk create name=b size=12800");
}

TEST(LioSetupTest, ReadOnlyLunsWithAclsUseMappedWriteProtectOrTheBlockBackstore) {
  TargetSpec spec;
  LunSpec file = LunAt("ro0", Backing::kFileio, 8 * kMiB, "/srv/ro0.img");
  file.read_only = true;
  LunSpec block = LunAt("ro1", Backing::kBlock, 8 * kMiB, "/dev/loop1");
  block.read_only = true;
  LunSpec rw = MakeLunSpec("rw0", Backing::kRamdisk, 8 * kMiB);
  spec.luns = {file, block, rw};
  spec.acls = {AclSpec{kInit1, std::nullopt}};
  const std::vector<std::string> expected = {
      "targetcli /backstores/fileio create name=ro0 file_or_dev=/srv/ro0.img size=8M "
      "write_back=true",
      "targetcli /backstores/block create name=ro1 dev=/dev/loop1 readonly=true",
      "targetcli /backstores/ramdisk create name=rw0 size=8M",
      std::string("targetcli /iscsi create ") + kIqn,
      T("/portals delete 0.0.0.0 3260"),
      T("/luns create /backstores/fileio/ro0 lun=0 add_mapped_luns=false"),
      T("/luns create /backstores/block/ro1 lun=1 add_mapped_luns=false"),
      T("/luns create /backstores/ramdisk/rw0 lun=2 add_mapped_luns=false"),
      T(" set attribute generate_node_acls=0 authentication=0"),
      T(std::string("/acls create ") + kInit1 + " add_mapped_luns=false"),
      T(std::string("/acls/") + kInit1 + " create 0 0 write_protect=1"),
      T(std::string("/acls/") + kInit1 + " create 1 1"),
      T(std::string("/acls/") + kInit1 + " create 2 2"),
      T("/portals create 127.0.0.1 3260"),
  };
  EXPECT_EQ(SetupLines(spec), expected);
}

TEST(LioSetupTest, DemoModeWriteProtectsOnlyWhenEveryLunIsReadOnly) {
  TargetSpec spec;
  LunSpec a = LunAt("a", Backing::kFileio, kMiB, "/srv/a.img");
  a.read_only = true;
  LunSpec b = LunAt("b", Backing::kBlock, kMiB, "/dev/loop2");
  b.read_only = true;
  spec.luns = {a, b};
  const std::vector<std::string> lines = SetupLines(spec);
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      T(" set attribute generate_node_acls=1 demo_mode_write_protect=1 "
                        "authentication=0 cache_dynamic_acls=1")),
            lines.end());

  spec.luns[1].read_only = false;  // one writable LUN beside a read-only FILEIO one
  Result<std::vector<Command>> mixed = SetupCommands(spec, {});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().find("luns[0].read_only"), std::string::npos) << mixed.error();
  EXPECT_NE(mixed.error().find("demo_mode_write_protect"), std::string::npos);

  // A read-only BLOCK LUN beside a writable one is fine: the backstore is read-only.
  spec.luns[0] = LunAt("c", Backing::kBlock, kMiB, "/dev/loop3");
  spec.luns[0].read_only = true;
  EXPECT_TRUE(SetupCommands(spec, {}).ok());
}

TEST(LioSetupTest, AclsWithOneWayAndMutualChap) {
  TargetSpec spec;
  spec.luns = {LunAt("disk0", Backing::kFileio, 64 * kMiB, "/srv/disk0.img")};
  spec.acls = {AclSpec{kInit1, ChapSpec{"user1", "secret1secret", "", ""}},
               AclSpec{kInit2, ChapSpec{"user2", "secret2secret", "tgtuser", "tgtsecret99"}}};
  const std::vector<std::string> expected = {
      "targetcli /backstores/fileio create name=disk0 file_or_dev=/srv/disk0.img size=64M "
      "write_back=true",
      std::string("targetcli /iscsi create ") + kIqn,
      T("/portals delete 0.0.0.0 3260"),
      T("/luns create /backstores/fileio/disk0 lun=0 add_mapped_luns=false"),
      T(" set attribute generate_node_acls=0 authentication=1"),
      T(std::string("/acls create ") + kInit1 + " add_mapped_luns=false"),
      T(std::string("/acls/") + kInit1 + " create 0 0"),
      T(std::string("/acls/") + kInit1 + " set auth userid=user1 password=secret1secret"),
      T(std::string("/acls create ") + kInit2 + " add_mapped_luns=false"),
      T(std::string("/acls/") + kInit2 + " create 0 0"),
      T(std::string("/acls/") + kInit2 +
        " set auth userid=user2 password=secret2secret mutual_userid=tgtuser "
        "mutual_password=tgtsecret99"),
      T("/portals create 127.0.0.1 3260"),
  };
  EXPECT_EQ(SetupLines(spec), expected);
  const std::vector<std::string> secrets = Secrets(spec);
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "tgtsecret99"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "secret1secret"), secrets.end());
}

TEST(LioSetupTest, ChapOnSomeAclsOnlyIsRefused) {
  TargetSpec spec;
  spec.acls = {AclSpec{kInit1, ChapSpec{"u", "p", "", ""}}, AclSpec{kInit2, std::nullopt}};
  Status status = ValidateSpec(spec);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("acls[1].chap"), std::string::npos) << status.message();
}

TEST(LioSetupTest, DiscoveryChapAndIpv6Portal) {
  TargetSpec spec;
  spec.luns = {MakeLunSpec("ram0", Backing::kRamdisk, kMiB)};
  spec.discovery_chap = ChapSpec{"disc", "discsecret", "discback", "discbacksecret"};
  spec.ipv6_portal = true;
  Options options;
  options.port = 3261;
  const std::vector<std::string> lines = SetupLines(spec, options);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[lines.size() - 3],
            "targetcli /iscsi set discovery_auth enable=1 userid=disc password=discsecret "
            "mutual_userid=discback mutual_password=discbacksecret");
  EXPECT_EQ(lines[lines.size() - 2], T("/portals create 127.0.0.1 3261"));
  EXPECT_EQ(lines[lines.size() - 1], T("/portals create ::1 3261"));

  const std::vector<std::string> paths = ExpectedConfigfsPaths(spec, options);
  const std::vector<std::string> expected_paths = {
      std::string("iscsi/") + kIqn + "/tpgt_1/np/127.0.0.1:3261",
      std::string("iscsi/") + kIqn + "/tpgt_1/np/[::1]:3261",
      std::string("iscsi/") + kIqn + "/tpgt_1/lun/lun_0"};
  EXPECT_EQ(paths, expected_paths);

  const std::vector<std::string> teardown = Lines(TeardownCommands(spec));
  const std::vector<std::string> expected_teardown = {
      std::string("targetcli /iscsi delete ") + kIqn, "targetcli /backstores/ramdisk delete ram0",
      "targetcli /iscsi set discovery_auth enable=0"};
  EXPECT_EQ(teardown, expected_teardown);
}

TEST(LioLiveLunTest, AddAndRemoveWithAcls) {
  TargetSpec running;
  running.luns = {LunAt("disk0", Backing::kFileio, kMiB, "/srv/disk0.img")};
  running.acls = {AclSpec{kInit1, std::nullopt}, AclSpec{kInit2, std::nullopt}};
  LunSpec added = LunAt("disk1", Backing::kBlock, kMiB, "/dev/loop4");
  Result<TpgPlan> plan = PlanTpg(running);
  ASSERT_TRUE(plan.ok());
  Result<std::vector<Command>> add = AddLunCommands(running, plan.value(), added, 5);
  ASSERT_TRUE(add.ok()) << add.error();
  const std::vector<std::string> expected_add = {
      "targetcli /backstores/block create name=disk1 dev=/dev/loop4 readonly=false",
      T("/luns create /backstores/block/disk1 lun=5 add_mapped_luns=false"),
      T(std::string("/acls/") + kInit1 + " create 5 5"),
      T(std::string("/acls/") + kInit2 + " create 5 5")};
  EXPECT_EQ(Lines(add.value()), expected_add);

  const std::vector<std::string> expected_remove = {T("/luns delete lun=5"),
                                                    "targetcli /backstores/block delete disk1"};
  EXPECT_EQ(Lines(RemoveLunCommands(running, added, 5)), expected_remove);

  const std::vector<std::string> expected_paths = {
      std::string("iscsi/") + kIqn + "/tpgt_1/lun/lun_5",
      std::string("iscsi/") + kIqn + "/tpgt_1/acls/" + kInit1 + "/lun_5",
      std::string("iscsi/") + kIqn + "/tpgt_1/acls/" + kInit2 + "/lun_5"};
  EXPECT_EQ(ExpectedLunConfigfsPaths(running, 5), expected_paths);
}

TEST(LioLiveLunTest, RefusedWhenTheDemoTpgCannotHonourReadOnly) {
  TargetSpec running;
  running.luns = {MakeLunSpec("disk0", Backing::kRamdisk, kMiB)};
  const TpgPlan writable = PlanTpg(running).value();
  LunSpec ro = MakeLunSpec("ro", Backing::kRamdisk, kMiB);
  ro.read_only = true;
  Result<std::vector<Command>> add = AddLunCommands(running, writable, ro, 1);
  ASSERT_FALSE(add.ok());
  EXPECT_NE(add.error().find("lun.read_only"), std::string::npos) << add.error();

  TpgPlan protected_tpg = writable;
  protected_tpg.demo_write_protect = true;
  add = AddLunCommands(running, protected_tpg, MakeLunSpec("rw", Backing::kRamdisk, kMiB), 1);
  ASSERT_FALSE(add.ok());
  EXPECT_NE(add.error().find("demo_mode_write_protect=1"), std::string::npos) << add.error();

  add = AddLunCommands(running, writable, MakeLunSpec("disk0", Backing::kRamdisk, kMiB), 1);
  ASSERT_FALSE(add.ok());
  EXPECT_NE(add.error().find("already exported"), std::string::npos);
  EXPECT_FALSE(
      AddLunCommands(running, writable, MakeLunSpec("x", Backing::kRamdisk, kMiB), 256).ok());
  EXPECT_FALSE(AddLunCommands(running, writable, MakeLunSpec("x", Backing::kFileio, kMiB), 1).ok())
      << "a FILEIO LUN without a path";
}

// Every value targetcli would split, misread or refuse is refused here, naming the field.
TEST(LioValidateTest, UnsafeNamesPathsAndSecretsNameTheField) {
  struct Case {
    const char* what;
    std::function<void(TargetSpec*)> mutate;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"blank in a name", [](TargetSpec* s) { s->luns[0].name = "my disk"; }, "luns[0].name"},
      {"quote in a name", [](TargetSpec* s) { s->luns[1].name = "disk\"1"; }, "luns[1].name"},
      {"slash in a name", [](TargetSpec* s) { s->luns[0].name = "a/b"; }, "luns[0].name"},
      {"blank in a path", [](TargetSpec* s) { s->luns[0].path = "/var/my disk.img"; },
       "luns[0].path"},
      {"comma in a path", [](TargetSpec* s) { s->luns[0].path = "/var/a,b.img"; }, "luns[0].path"},
      {"relative path", [](TargetSpec* s) { s->luns[1].path = "loop7"; }, "luns[1].path"},
      {"quote in a password",
       [](TargetSpec* s) {
         s->acls = {AclSpec{kInit1, ChapSpec{"u", "pa'ss", "", ""}}};
       },
       "acls[0].chap.password"},
      {"blank in a userid",
       [](TargetSpec* s) {
         s->acls = {AclSpec{kInit1, ChapSpec{"u u", "pass", "", ""}}};
       },
       "acls[0].chap.userid"},
      {"'=' in a discovery secret",
       [](TargetSpec* s) {
         s->discovery_chap = ChapSpec{"u", "a=b", "", ""};
       },
       "discovery_chap.password"},
      {"half a mutual pair",
       [](TargetSpec* s) {
         s->discovery_chap = ChapSpec{"u", "p", "m", ""};
       },
       "discovery_chap"},
      {"uppercase initiator",
       [](TargetSpec* s) {
         s->acls = {AclSpec{"iqn.1993-08.org.Debian:x", std::nullopt}};
       },
       "acls[0].initiator"},
      {"blank in the IQN", [](TargetSpec* s) { s->iqn = "iqn.2003-01.org.x:a b"; }, "iqn"},
      {"duplicate LUN names", [](TargetSpec* s) { s->luns[1].name = "fileio0"; }, "luns[1].name"},
      {"odd block size", [](TargetSpec* s) { s->luns[2].block_size = 3000; }, "luns[2].block_size"},
      {"size not a block multiple", [](TargetSpec* s) { s->luns[0].size_bytes = 1000; },
       "luns[0].size_bytes"},
      {"removable medium", [](TargetSpec* s) { s->luns[0].removable = true; }, "luns[0].removable"},
      {"thin RAM disk", [](TargetSpec* s) { s->luns[2].thin = true; }, "luns[2].thin"},
  };
  for (const Case& c : cases) {
    TargetSpec spec = OneOfEach();
    c.mutate(&spec);
    Status status = ValidateSpec(spec);
    EXPECT_FALSE(status.ok()) << c.what;
    EXPECT_EQ(status.message().rfind(c.field, 0), 0u)
        << c.what << ": \"" << status.message() << "\" should start with " << c.field;
    EXPECT_FALSE(SetupCommands(spec, {}).ok()) << c.what;
    EXPECT_FALSE(SaveConfig(spec, {}).ok()) << c.what;
  }
  EXPECT_TRUE(ValidateSpec(OneOfEach()).ok());
}

TEST(LioValidateTest, ARefusedSecretIsNotRepeatedInTheMessage) {
  TargetSpec spec = OneOfEach();
  spec.acls = {AclSpec{kInit1, ChapSpec{"user", "my'secret", "", ""}}};
  test_support::ExpectRefusedWithoutSecret(ValidateSpec(spec), "acls[0].chap.password: contains",
                                           "my'secret");
}

TEST(LioValidateTest, SetupNeedsBackingPathsButValidationDoesNot) {
  TargetSpec spec = OneOfEach();
  spec.luns[1].path.clear();  // the adapter fills it with a loop device
  EXPECT_TRUE(ValidateSpec(spec).ok());
  Result<std::vector<Command>> commands = SetupCommands(spec, {});
  ASSERT_FALSE(commands.ok());
  EXPECT_EQ(commands.error().rfind("luns[1].path", 0), 0u) << commands.error();
}

// --- saveconfig.json ---

json LoadFixture(const std::string& name) {
  std::ifstream in(std::string(HARNESS_ADAPTERS_TESTDATA_DIR) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  return json::parse(in);
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  for (const auto& item : object.items()) out.insert(item.key());
  return out;
}

// JSON kinds as a reader sees them: all numbers are one kind.
std::string Kind(const json& value) {
  if (value.is_number()) return "number";
  return value.type_name();
}

// Checks that every key of `generated` is one of `allowed` and, where the fixture has the
// key too, that the value has the fixture's kind.
void ExpectKeysWithin(const json& generated, const json& fixture,
                      const std::set<std::string>& extra, const std::string& where) {
  std::set<std::string> allowed = Keys(fixture);
  allowed.insert(extra.begin(), extra.end());
  for (const auto& item : generated.items()) {
    EXPECT_TRUE(allowed.count(item.key())) << where << ": unexpected key " << item.key();
    if (fixture.contains(item.key())) {
      EXPECT_EQ(Kind(item.value()), Kind(fixture[item.key()])) << where << "." << item.key();
    }
  }
}

json FixtureObject(const json& fixture, const std::string& plugin) {
  for (const json& so : fixture["storage_objects"]) {
    if (so["plugin"] == plugin) return so;
  }
  ADD_FAILURE() << "no " << plugin << " storage object in the fixture";
  return json::object();
}

TargetSpec FullSpec() {
  TargetSpec spec = OneOfEach();
  spec.luns[0].thin = true;
  spec.luns[0].block_size = 4096;
  spec.luns[1].read_only = true;
  spec.acls = {AclSpec{kInit1, ChapSpec{"user1", "secret1secret", "tgtuser", "tgtsecret99"}}};
  spec.discovery_chap = ChapSpec{"disc", "discsecret", "", ""};
  spec.ipv6_portal = true;
  return spec;
}

TEST(LioSaveConfigTest, KeysAndTypesMatchTheTargetcliFixtures) {
  const json fileio_fixture = LoadFixture("lio-saveconfig-fileio-acl.json");
  const json block_fixture = LoadFixture("lio-saveconfig-block-demo.json");
  Result<json> generated = SaveConfig(FullSpec(), {});
  ASSERT_TRUE(generated.ok()) << generated.error();
  const json& g = generated.value();

  EXPECT_EQ(Keys(g), Keys(fileio_fixture));
  EXPECT_EQ(Keys(g), Keys(block_fixture));

  const json fixture_fileio = FixtureObject(fileio_fixture, "fileio");
  const json fixture_block = FixtureObject(block_fixture, "block");
  ASSERT_EQ(g["storage_objects"].size(), 4u);
  for (const json& so : g["storage_objects"]) {
    const std::string plugin = so["plugin"];
    const std::string where = "storage_objects/" + so["name"].get<std::string>();
    if (plugin == "fileio") {
      ExpectKeysWithin(so, fixture_fileio, {}, where);
      for (const char* key : {"dev", "size", "write_back"}) EXPECT_TRUE(so.contains(key)) << key;
    } else if (plugin == "block") {
      ExpectKeysWithin(so, fixture_block, {}, where);
      for (const char* key : {"dev", "readonly"}) EXPECT_TRUE(so.contains(key)) << key;
    } else {
      // No fixture has a RAM disk; rtslib RDMCPStorageObject.dump() gives these keys.
      EXPECT_EQ(plugin, "ramdisk");
      ExpectKeysWithin(so, json::object(),
                       {"attributes", "name", "plugin", "size", "nullio", "wwn"}, where);
      EXPECT_TRUE(so.contains("size"));
    }
    ExpectKeysWithin(so["attributes"], fixture_fileio["attributes"], {}, where + "/attributes");
  }
  EXPECT_EQ(g["storage_objects"][0]["attributes"]["block_size"], 4096);
  EXPECT_EQ(g["storage_objects"][0]["attributes"]["emulate_tpu"], 1);
  EXPECT_EQ(g["storage_objects"][1]["readonly"], true);
  EXPECT_EQ(g["storage_objects"][3]["nullio"], true);

  ASSERT_EQ(g["targets"].size(), 1u);
  const json& target = g["targets"][0];
  ExpectKeysWithin(target, fileio_fixture["targets"][0], {}, "targets[0]");
  EXPECT_EQ(target["wwn"], kIqn);
  ASSERT_EQ(target["tpgs"].size(), 1u);
  const json& tpg = target["tpgs"][0];
  const json& fixture_tpg = fileio_fixture["targets"][0]["tpgs"][0];
  ExpectKeysWithin(tpg, fixture_tpg, {}, "tpg");
  ExpectKeysWithin(tpg["attributes"], fixture_tpg["attributes"], {}, "tpg/attributes");
  for (const json& lun : tpg["luns"]) ExpectKeysWithin(lun, fixture_tpg["luns"][0], {}, "lun");
  for (const json& portal : tpg["portals"]) {
    ExpectKeysWithin(portal, fixture_tpg["portals"][0], {}, "portal");
  }
  const json expected_portals = json::parse(
      R"([{"ip_address": "127.0.0.1", "port": 3260}, {"ip_address": "[::1]", "port": 3260}])");
  EXPECT_EQ(tpg["portals"], expected_portals);
  ASSERT_EQ(tpg["node_acls"].size(), 1u);
  const json& acl = tpg["node_acls"][0];
  // NodeACL.dump() adds chap_* keys when CHAP is set; the fixture's ACL has none.
  ExpectKeysWithin(acl, fixture_tpg["node_acls"][0],
                   {"chap_userid", "chap_password", "chap_mutual_userid", "chap_mutual_password"},
                   "node_acl");
  for (const json& mapped : acl["mapped_luns"]) {
    ExpectKeysWithin(mapped, fixture_tpg["node_acls"][0]["mapped_luns"][0], {}, "mapped_lun");
  }
  // Every LUN refers to a storage object that exists.
  std::set<std::string> objects;
  for (const json& so : g["storage_objects"]) {
    objects.insert("/backstores/" + so["plugin"].get<std::string>() + "/" +
                   so["name"].get<std::string>());
  }
  for (const json& lun : tpg["luns"]) EXPECT_TRUE(objects.count(lun["storage_object"])) << lun;

  // _BaseFabricModule.dump(): name, discovery_enable_auth and the credentials that are set.
  ASSERT_EQ(g["fabric_modules"].size(), 1u);
  ExpectKeysWithin(g["fabric_modules"][0], json::object(),
                   {"name", "discovery_enable_auth", "discovery_userid", "discovery_password",
                    "discovery_mutual_userid", "discovery_mutual_password"},
                   "fabric_modules[0]");
}

TEST(LioSaveConfigTest, AclWithMutualChapExactly) {
  TargetSpec spec;
  LunSpec lun = LunAt("disk0", Backing::kFileio, 32 * kMiB, "/srv/disk0.img");
  lun.read_only = true;
  spec.luns = {lun};
  spec.acls = {AclSpec{kInit1, ChapSpec{"user1", "secret1secret", "tgtuser", "tgtsecret99"}}};
  const json expected = json::parse(R"({
    "fabric_modules": [],
    "storage_objects": [
      {"attributes": {"block_size": 512, "emulate_tpu": 0, "emulate_tpws": 0},
       "dev": "/srv/disk0.img", "name": "disk0", "plugin": "fileio", "size": 33554432,
       "write_back": true}
    ],
    "targets": [
      {"fabric": "iscsi", "wwn": "iqn.2003-01.org.reftarget.harness:target",
       "tpgs": [
         {"attributes": {"authentication": 1, "generate_node_acls": 0},
          "enable": true,
          "luns": [{"index": 0, "storage_object": "/backstores/fileio/disk0"}],
          "node_acls": [
            {"chap_mutual_password": "tgtsecret99", "chap_mutual_userid": "tgtuser",
             "chap_password": "secret1secret", "chap_userid": "user1",
             "mapped_luns": [{"index": 0, "tpg_lun": 0, "write_protect": true}],
             "node_wwn": "iqn.1993-08.org.debian:01:host1"}
          ],
          "portals": [{"ip_address": "127.0.0.1", "port": 3260}],
          "tag": 1}
       ]}
    ]
  })");
  Result<json> generated = SaveConfig(spec, {});
  ASSERT_TRUE(generated.ok()) << generated.error();
  EXPECT_EQ(generated.value(), expected) << generated.value().dump(2);
}

TEST(LioSaveConfigTest, DemoModeAttributesMatchTheBlockFixture) {
  TargetSpec spec;
  spec.luns = {LunAt("block01", Backing::kBlock, kMiB, "/dev/vg_iscsi/lv01")};
  Result<json> generated = SaveConfig(spec, {});
  ASSERT_TRUE(generated.ok()) << generated.error();
  const json fixture = LoadFixture("lio-saveconfig-block-demo.json");
  const json& fixture_attributes = fixture["targets"][0]["tpgs"][0]["attributes"];
  const json& attributes = generated.value()["targets"][0]["tpgs"][0]["attributes"];
  // The keys targetcli's demo mode sets carry the fixture's values.
  for (const char* key :
       {"authentication", "cache_dynamic_acls", "demo_mode_write_protect", "generate_node_acls"}) {
    EXPECT_EQ(attributes[key], fixture_attributes[key]) << key;
  }
  EXPECT_EQ(generated.value()["targets"][0]["tpgs"][0]["node_acls"], json::array());
}

TEST(LioSetupTest, IscsiParametersAreTpgParameters) {
  TargetSpec spec = OneOfEach();
  spec.iscsi_parameters = {{"InitialR2T", "No"}};
  const std::vector<std::string> lines = SetupLines(spec);
  EXPECT_NE(std::find(lines.begin(), lines.end(), T(" set parameter InitialR2T=No")), lines.end());
  Options o;
  o.port = 3260;
  Result<json> config = SaveConfig(spec, o);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config.value()["targets"][0]["tpgs"][0]["parameters"]["InitialR2T"], "No");
}

}  // namespace
}  // namespace harness::adapters::lio
