// The writer: real targetcli files save back equal, extras survive, the format is rtslib's,
// and SaveConfigFile never leaves a partial file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "target/config/config_test_util.h"
#include "target/config/saveconfig_reader.h"
#include "target/config/saveconfig_writer.h"

namespace reftarget::config {
namespace {

using nlohmann::json;
using testing::kBlockDemo;
using testing::kFileioAcl;
using testing::ReadTestdata;

Config MustParse(const std::string& text) {
  auto config = ParseConfig(text, "cfg.json");
  EXPECT_TRUE(config.ok()) << config.error();
  return config.ok() ? config.value() : Config{};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A scratch directory removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/config_writer_test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  // Returns the names of the directory's entries.
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

class FixtureRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(FixtureRoundTrip, SavesBackEqualJson) {
  std::string original = ReadTestdata(GetParam());
  std::string saved = SerializeConfig(MustParse(original));
  EXPECT_EQ(json::parse(saved), json::parse(original));
}

TEST_P(FixtureRoundTrip, FormatIsTargetclisFormat) {
  // targetcli: json.dumps(sort_keys=True, indent=2) and a newline.
  std::string original = ReadTestdata(GetParam());
  std::string saved = SerializeConfig(MustParse(original));
  EXPECT_EQ(saved, json::parse(original).dump(2) + "\n");
}

TEST_P(FixtureRoundTrip, ReparsesEqual) {
  Config first = MustParse(ReadTestdata(GetParam()));
  Config second = MustParse(SerializeConfig(first));
  EXPECT_TRUE(first == second);
  EXPECT_EQ(SerializeConfig(second), SerializeConfig(first));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureRoundTrip, ::testing::Values(kFileioAcl, kBlockDemo),
                         [](const auto& info) {
                           return std::string(info.param) == kFileioAcl ? "FileioAcl" : "BlockDemo";
                         });

TEST(ConfigWriter, ExtrasRoundTripAtEveryLevel) {
  std::string text = R"({
    "top": {"nested": [1, "two", null]},
    "fabric_modules": [{"name": "iscsi", "discovery_enable_auth": true,
                        "discovery_userid": "d", "discovery_password": "dsecretdsecret",
                        "fm_x": 1},
                       {"name": "loopback", "whatever": 2}],
    "storage_objects": [{"plugin": "ramdisk", "name": "r0", "size": 4096, "wwn": "serial-1",
                         "so_x": [1], "attributes": {"block_size": 4096}}],
    "targets": [
      {"wwn": "iqn.2024-01.org.example:t0", "fabric": "iscsi", "t_x": 1, "tpgs": [{
         "tag": 7, "enable": false, "tpg_x": {"a": 1}, "chap_userid": "u",
         "chap_password": "usecretusecret", "attributes": {"authentication": 1},
         "parameters": {"HeaderDigest": "CRC32C"},
         "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0", "lun_x": 1}],
         "portals": [{"ip_address": "[::1]", "port": 3261, "iser": true}],
         "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0", "acl_x": 1, "tag": "grp",
                        "chap_mutual_userid": "m", "chap_mutual_password": "msecretmsecret",
                        "attributes": {"nopin_timeout": 5},
                        "mapped_luns": [{"index": 4, "tpg_lun": 0, "write_protect": true,
                                         "alias": "abc"}]}]}]},
      {"wwn": "naa.5001405a1b2c3d4e", "fabric": "loopback", "tpgs": []}
    ]})";
  std::string saved = SerializeConfig(MustParse(text));
  EXPECT_EQ(json::parse(saved), json::parse(text));
}

TEST(ConfigWriter, WritesRtslibKeyNames) {
  // Hand-written spellings of saveconfig.json(5) come back as rtslib-fb writes them.
  Config c = MustParse(R"({
    "fabric_modules": [{"name": "iscsi", "discovery_enable_auth": 1, "userid": "d",
                        "password": "dsecretdsecret"}],
    "storage_objects": [{"plugin": "rd_mcp", "name": "r0", "size": "4096"}],
    "targets": [{"wwn": "IQN.2024-01.org.example:T0", "tpgs": [{
       "userid": "u", "password": "usecretusecret",
       "luns": [{"index": "0", "storage_object": "/backstores/rd_mcp/r0"}],
       "portals": [{"ip_address": "::1"}]}]}]})");
  json saved = json::parse(SerializeConfig(c));
  json expected = json::parse(R"({
    "fabric_modules": [{"name": "iscsi", "discovery_enable_auth": true, "discovery_userid": "d",
                        "discovery_password": "dsecretdsecret"}],
    "storage_objects": [{"plugin": "ramdisk", "name": "r0", "size": 4096}],
    "targets": [{"wwn": "iqn.2024-01.org.example:t0", "fabric": "iscsi", "tpgs": [{
       "tag": 1, "enable": true, "chap_userid": "u", "chap_password": "usecretusecret",
       "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"}],
       "portals": [{"ip_address": "[::1]", "port": 3260}],
       "node_acls": []}]}]})");
  EXPECT_EQ(saved, expected);
}

TEST(ConfigWriter, EmptyConfig) {
  EXPECT_EQ(SerializeConfig(Config{}),
            "{\n  \"fabric_modules\": [],\n  \"storage_objects\": [],\n  \"targets\": []\n}\n");
}

TEST(ConfigWriter, DisabledDiscoveryAuthWithoutCredentialsIsOmitted) {
  Config c =
      MustParse(R"({"fabric_modules": [{"name": "iscsi", "discovery_enable_auth": false}]})");
  EXPECT_EQ(json::parse(SerializeConfig(c))["fabric_modules"], json::array());
}

TEST(ConfigWriter, DisabledDiscoveryAuthKeepsItsCredentials) {
  Config c;
  c.discovery_auth.auth.userid = "d";
  json fm = json::parse(SerializeConfig(c))["fabric_modules"];
  EXPECT_EQ(fm, json::parse(R"([{"name": "iscsi", "discovery_enable_auth": false,
                                 "discovery_userid": "d"}])"));
}

TEST(ConfigWriter, NonAsciiIsEscapedLikePython) {
  Config c;
  StorageObject so;
  so.plugin = "fileio";
  so.name = "d";
  so.dev = "/srv/d\xc3\xa9p\xc3\xb4t.img";
  c.storage_objects.push_back(so);
  std::string saved = SerializeConfig(c);
  EXPECT_NE(saved.find("\"/srv/d\\u00e9p\\u00f4t.img\""), std::string::npos) << saved;
  EXPECT_EQ(MustParse(saved).storage_objects[0].dev, so.dev);
}

TEST(ConfigWriter, BuiltModelUsesDefaults) {
  Config c;
  StorageObject so;
  so.plugin = "block";
  so.name = "b0";
  so.dev = "/dev/loop0";
  c.storage_objects.push_back(so);
  Target t;
  t.wwn = "iqn.2024-01.org.example:t0";
  Tpg tpg;
  tpg.luns.push_back({.index = 0, .storage_object = "/backstores/block/b0"});
  tpg.portals.push_back({.ip_address = "0.0.0.0"});
  t.tpgs.push_back(tpg);
  c.targets.push_back(t);
  json saved = json::parse(SerializeConfig(c));
  EXPECT_EQ(saved["storage_objects"][0],
            json::parse(R"({"plugin": "block", "name": "b0", "dev": "/dev/loop0",
                            "readonly": false})"));
  EXPECT_EQ(saved["targets"][0]["tpgs"][0]["portals"][0],
            json::parse(R"({"ip_address": "0.0.0.0", "port": 3260})"));
  EXPECT_TRUE(MustParse(SerializeConfig(c)) == c);
}

TEST(SaveConfigFile, WritesTheSerializedTextWithPrivateMode) {
  TempDir dir;
  std::string path = dir.path() + "/saveconfig.json";
  Config c = MustParse(ReadTestdata(kFileioAcl));
  Status s = SaveConfigFile(c, path);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadFile(path), SerializeConfig(c));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // CHAP secrets live here
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"saveconfig.json"});
  auto loaded = LoadConfigFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_TRUE(loaded.value() == c);
}

TEST(SaveConfigFile, ReplacesAnExistingFile) {
  TempDir dir;
  std::string path = dir.path() + "/saveconfig.json";
  ASSERT_TRUE(SaveConfigFile(MustParse(ReadTestdata(kFileioAcl)), path).ok());
  Config block = MustParse(ReadTestdata(kBlockDemo));
  ASSERT_TRUE(SaveConfigFile(block, path).ok());
  EXPECT_EQ(ReadFile(path), SerializeConfig(block));
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"saveconfig.json"});
}

TEST(SaveConfigFile, RefusesAnInvalidConfigAndKeepsTheOldFile) {
  TempDir dir;
  std::string path = dir.path() + "/saveconfig.json";
  Config good = MustParse(ReadTestdata(kBlockDemo));
  ASSERT_TRUE(SaveConfigFile(good, path).ok());
  Config bad = good;
  bad.targets[0].tpgs[0].luns[0].storage_object = "/backstores/block/missing";
  Status s = SaveConfigFile(bad, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "refusing to save an invalid configuration: " + path +
                             ": /targets/0/tpgs/0/luns/0/storage_object: refers to "
                             "/backstores/block/missing, which is not defined");
  EXPECT_EQ(ReadFile(path), SerializeConfig(good));
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"saveconfig.json"});
}

TEST(SaveConfigFile, FailedRenameLeavesNoTemporaryFile) {
  TempDir dir;
  std::string path = dir.path() + "/occupied";
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  ASSERT_EQ(::close(::creat((path + "/keep").c_str(), 0600)), 0);  // rename over it fails
  Status s = SaveConfigFile(Config{}, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind(path + ": rename " + path + ".tmp.", 0), 0u) << s.message();
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"occupied"});
}

TEST(SaveConfigFile, MissingDirectory) {
  Status s = SaveConfigFile(Config{}, "/nonexistent/dir/saveconfig.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "/nonexistent/dir/saveconfig.json: cannot create a temporary file: No such file or "
            "directory");
}

TEST(SaveConfigFile, RelativePathInTheCurrentDirectory) {
  TempDir dir;
  char old_cwd[4096];
  ASSERT_NE(::getcwd(old_cwd, sizeof(old_cwd)), nullptr);
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  Status s = SaveConfigFile(Config{}, "saveconfig.json");
  ASSERT_EQ(::chdir(old_cwd), 0);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(dir.Entries(), std::vector<std::string>{"saveconfig.json"});
}

}  // namespace
}  // namespace reftarget::config
