// Every class of refusal, with the exact message: file, JSON pointer, problem.
#include <gtest/gtest.h>

#include <string>

#include "target/config/saveconfig_reader.h"

namespace reftarget::config {
namespace {

std::string ErrorOf(const std::string& text) {
  auto config = ParseConfig(text, "cfg.json");
  if (config.ok()) return "(accepted)";
  return config.error();
}

constexpr const char* kSo =
    R"({"plugin": "fileio", "name": "disk0", "dev": "/var/lib/disk0.img", "size": 1048576})";

// One target, one TPG whose body is `tpg`, and the storage object kSo.
std::string Tpg(const std::string& tpg) {
  return std::string(R"({"storage_objects": [)") + kSo +
         R"(], "targets": [{"wwn": "iqn.2024-01.org.example:t0", "tpgs": [{)" + tpg + "}]}]}";
}

// One storage object `so`.
std::string So(const std::string& so) { return R"({"storage_objects": [)" + so + "]}"; }

TEST(ConfigReaderErrors, SyntaxErrorHasLineAndColumn) {
  EXPECT_EQ(ErrorOf("{\n  \"targets\": [\n    {\"wwn\": tru}\n  ]\n}"),
            "cfg.json:3:16: syntax error: while parsing value - invalid literal; "
            "last read: '\"wwn\": tru}'");
  EXPECT_EQ(ErrorOf("{\"a\": 1,}"),
            "cfg.json:1:9: syntax error: while parsing object key - unexpected '}'; "
            "expected string literal");
  // End of input is reported one column past the last byte, as nlohmann counts it.
  EXPECT_EQ(ErrorOf("{\"a\": 1"),
            "cfg.json:1:8: syntax error: while parsing object - unexpected end of input; "
            "expected '}'");
  EXPECT_EQ(ErrorOf("{\n\"a\": 1\n"),
            "cfg.json:3:1: syntax error: while parsing object - unexpected end of input; "
            "expected '}'");
  EXPECT_EQ(ErrorOf("{} {}"),
            "cfg.json:1:4: syntax error: while parsing value - unexpected '{'; "
            "expected end of input");
}

TEST(ConfigReaderErrors, InvalidUtf8IsASyntaxError) {
  EXPECT_EQ(ErrorOf("{\"a\": \"\xff\"}"),
            "cfg.json:1:8: syntax error: while parsing value - invalid string: ill-formed UTF-8 "
            "byte; last read: '\"\\xff'");
}

TEST(ConfigReaderErrors, EmptyFile) {
  EXPECT_EQ(ErrorOf(""), "cfg.json: empty file (expected a JSON object)");
  EXPECT_EQ(ErrorOf(" \n\t"), "cfg.json: empty file (expected a JSON object)");
}

TEST(ConfigReaderErrors, DuplicateJsonKey) {
  EXPECT_EQ(ErrorOf(R"({"storage_objects": [{"plugin": "fileio", "dev": "/a", "dev": "/b"}]})"),
            "cfg.json: /storage_objects/0: duplicate key \"dev\"");
}

TEST(ConfigReaderErrors, NestingLimit) {
  std::string deep = "{\"x\": " + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_EQ(ErrorOf(deep),
            "cfg.json: /x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: "
            "nested deeper than 32 levels");
}

TEST(ConfigReaderErrors, WrongTypes) {
  EXPECT_EQ(ErrorOf("[]"), "cfg.json: /: expected an object, got an array");
  EXPECT_EQ(ErrorOf(R"({"storage_objects": "abc"})"),
            "cfg.json: /storage_objects: expected an array, got \"abc\"");
  EXPECT_EQ(ErrorOf(R"({"storage_objects": [5]})"),
            "cfg.json: /storage_objects/0: expected an object, got 5");
  EXPECT_EQ(
      ErrorOf(Tpg(R"("luns": [{"index": "abc", "storage_object": "/backstores/fileio/disk0"}])")),
      "cfg.json: /targets/0/tpgs/0/luns/0/index: expected an integer, got \"abc\"");
  EXPECT_EQ(
      ErrorOf(Tpg(R"("luns": [{"index": 1.5, "storage_object": "/backstores/fileio/disk0"}])")),
      "cfg.json: /targets/0/tpgs/0/luns/0/index: expected an integer, got 1.5");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": 7}])")),
            "cfg.json: /targets/0/tpgs/0/luns/0/storage_object: expected a string, got 7");
  EXPECT_EQ(ErrorOf(Tpg(R"("enable": "yes")")),
            "cfg.json: /targets/0/tpgs/0/enable: expected a boolean (true, false, 0 or 1), "
            "got \"yes\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("enable": 2)")),
            "cfg.json: /targets/0/tpgs/0/enable: expected a boolean (true, false, 0 or 1), got 2");
  EXPECT_EQ(ErrorOf(Tpg(R"("attributes": [])")),
            "cfg.json: /targets/0/tpgs/0/attributes: expected an object, got an array");
  EXPECT_EQ(ErrorOf(Tpg(R"("attributes": {"login_timeout": {}})")),
            "cfg.json: /targets/0/tpgs/0/attributes/login_timeout: expected an integer or a "
            "string, got an object");
  EXPECT_EQ(ErrorOf(Tpg(R"("parameters": {"MaxBurstLength": [1]})")),
            "cfg.json: /targets/0/tpgs/0/parameters/MaxBurstLength: expected a string, got an "
            "array");
  EXPECT_EQ(
      ErrorOf(Tpg(R"("luns": [{"index": null, "storage_object": "/backstores/fileio/disk0"}])")),
      "cfg.json: /targets/0/tpgs/0/luns/0/index: expected an integer, got null");
  std::string long_value(100, 'x');
  EXPECT_EQ(ErrorOf(Tpg(R"("tag": ")" + long_value + "\"")),
            "cfg.json: /targets/0/tpgs/0/tag: expected an integer, got \"" + std::string(64, 'x') +
                "...\"");
}

TEST(ConfigReaderErrors, OutOfRange) {
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "0.0.0.0", "port": 70000}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0/port: value 70000 is out of range "
            "(1 to 65535)");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "0.0.0.0", "port": 0}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0/port: value 0 is out of range (1 to 65535)");
  EXPECT_EQ(ErrorOf(Tpg(R"("tag": 0)")),
            "cfg.json: /targets/0/tpgs/0/tag: value 0 is out of range (1 to 65535)");
  EXPECT_EQ(ErrorOf(Tpg(R"("tag": 65536)")),
            "cfg.json: /targets/0/tpgs/0/tag: value 65536 is out of range (1 to 65535)");
  EXPECT_EQ(
      ErrorOf(Tpg(R"("luns": [{"index": 65536, "storage_object": "/backstores/fileio/disk0"}])")),
      "cfg.json: /targets/0/tpgs/0/luns/0/index: value 65536 is out of range (0 to 65535)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "r", "size": -1})")),
            "cfg.json: /storage_objects/0/size: value -1 is out of range "
            "(1 to 9223372036854775807)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "r", "size": "99999999999999999999999"})")),
            "cfg.json: /storage_objects/0/size: expected an integer, got "
            "\"99999999999999999999999\"");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "r", "size": "18446744073709551616"})")),
            "cfg.json: /storage_objects/0/size: value 18446744073709551616 is out of range "
            "(1 to 9223372036854775807)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "r", "size": 0})")),
            "cfg.json: /storage_objects/0/size: value 0 is out of range "
            "(1 to 9223372036854775807)");
  EXPECT_EQ(ErrorOf(Tpg(R"("attributes": {"login_timeout": 40})")),
            "cfg.json: /targets/0/tpgs/0/attributes/login_timeout: value 40 is out of range "
            "(5 to 30)");
  EXPECT_EQ(ErrorOf(Tpg(R"("attributes": {"default_cmdsn_depth": "0"})")),
            "cfg.json: /targets/0/tpgs/0/attributes/default_cmdsn_depth: value 0 is out of "
            "range (1 to 512)");
  EXPECT_EQ(ErrorOf(Tpg(R"("attributes": {"authentication": "on"})")),
            "cfg.json: /targets/0/tpgs/0/attributes/authentication: expected an integer, got "
            "\"on\"");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "r", "size": 4096,
                           "attributes": {"block_size": 1000}})")),
            "cfg.json: /storage_objects/0/attributes/block_size: value 1000 is not a power of two");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "r", "size": 4096,
                           "attributes": {"block_size": 8192}})")),
            "cfg.json: /storage_objects/0/attributes/block_size: value 8192 is out of range "
            "(512 to 4096)");
}

TEST(ConfigReaderErrors, UndefinedStorageObject) {
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/fileio/disk0"},
                                    {"index": 1, "storage_object": "/backstores/fileio/disk9"}])")),
            "cfg.json: /targets/0/tpgs/0/luns/1/storage_object: refers to "
            "/backstores/fileio/disk9, which is not defined");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/block/disk0"}])")),
            "cfg.json: /targets/0/tpgs/0/luns/0/storage_object: refers to "
            "/backstores/block/disk0, which is not defined");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "disk0"}])")),
            "cfg.json: /targets/0/tpgs/0/luns/0/storage_object: expected "
            "\"/backstores/<plugin>/<name>\", got \"disk0\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/fileio/a/b"}])")),
            "cfg.json: /targets/0/tpgs/0/luns/0/storage_object: expected "
            "\"/backstores/<plugin>/<name>\", got \"/backstores/fileio/a/b\"");
}

TEST(ConfigReaderErrors, UndefinedTpgLun) {
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/fileio/disk0"}],
      "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0",
                     "mapped_luns": [{"index": 0, "tpg_lun": 3}]}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/0/mapped_luns/0/tpg_lun: refers to LUN 3, "
            "which is not defined in this TPG");
}

TEST(ConfigReaderErrors, Duplicates) {
  EXPECT_EQ(ErrorOf(std::string(R"({"storage_objects": [)") + kSo + "," + kSo + "]}"),
            "cfg.json: /storage_objects/1/name: duplicate storage object "
            "/backstores/fileio/disk0 (first defined at /storage_objects/0)");
  // The same name under another plugin is another object (rtslib keys on plugin/name).
  EXPECT_EQ(ErrorOf(std::string(R"({"storage_objects": [)") + kSo +
                    R"(, {"plugin": "ramdisk", "name": "disk0", "size": 4096}]})"),
            "(accepted)");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "iqn.2024-01.org.example:t0"},
                                    {"wwn": "IQN.2024-01.org.example:T0"}]})"),
            "cfg.json: /targets/1/wwn: duplicate target iqn.2024-01.org.example:t0 "
            "(first defined at /targets/0)");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "iqn.2024-01.org.example:t0",
                                     "tpgs": [{"tag": 1}, {"tag": 1}]}]})"),
            "cfg.json: /targets/0/tpgs/1/tag: duplicate TPG tag 1 (first defined at "
            "/targets/0/tpgs/0)");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/fileio/disk0"},
                                    {"index": 0, "storage_object": "/backstores/fileio/disk0"}])")),
            "cfg.json: /targets/0/tpgs/0/luns/1/index: duplicate LUN index 0 (first defined at "
            "/targets/0/tpgs/0/luns/0)");
  EXPECT_EQ(ErrorOf(Tpg(R"("node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0"},
                                         {"node_wwn": "iqn.2024-01.org.example:I0"}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/1/node_wwn: duplicate node ACL "
            "iqn.2024-01.org.example:i0 (first defined at /targets/0/tpgs/0/node_acls/0)");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "::1", "port": 3260},
                                       {"ip_address": "[0:0::1]", "port": 3260}])")),
            "cfg.json: /targets/0/tpgs/0/portals/1: duplicate portal [0:0::1]:3260 "
            "(first defined at /targets/0/tpgs/0/portals/0)");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "127.0.0.1", "port": 3260},
                                       {"ip_address": "127.0.0.1", "port": 3261}])")),
            "(accepted)");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/fileio/disk0"}],
      "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0",
                     "mapped_luns": [{"index": 0, "tpg_lun": 0}, {"index": 0, "tpg_lun": 0}]}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/0/mapped_luns/1/index: duplicate mapped LUN 0 "
            "(first defined at /targets/0/tpgs/0/node_acls/0/mapped_luns/0)");
  EXPECT_EQ(ErrorOf(R"({"fabric_modules": [{"name": "iscsi"}, {"name": "iscsi"}]})"),
            "cfg.json: /fabric_modules/1/name: duplicate fabric module \"iscsi\" (first defined "
            "at /fabric_modules/0)");
}

TEST(ConfigReaderErrors, InvalidNames) {
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "target0"}]})"),
            "cfg.json: /targets/0/wwn: invalid iSCSI name \"target0\": expected an iqn., eui. "
            "or naa. name (RFC 3720 §3.2.6.3)");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "iqn.2024-13.org.example:t0"}]})"),
            "cfg.json: /targets/0/wwn: invalid iSCSI name \"iqn.2024-13.org.example:t0\": "
            "month 13 is not 01 to 12");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "iqn.2024-01.org.example:my_target"}]})"),
            "cfg.json: /targets/0/wwn: invalid iSCSI name \"iqn.2024-01.org.example:my_target\": "
            "character '_' is not allowed (RFC 3720 §3.2.6.2)");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "iqn.2024-01.example:t0"}]})"),
            "cfg.json: /targets/0/wwn: invalid iSCSI name \"iqn.2024-01.example:t0\": the "
            "naming authority needs a reversed domain name such as org.example");
  EXPECT_EQ(ErrorOf(Tpg(R"("node_acls": [{"node_wwn": "eui.12345"}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/0/node_wwn: invalid iSCSI name "
            "\"eui.12345\": eui. needs 16 hex digits, found 5");
  EXPECT_EQ(ErrorOf(Tpg(R"("node_acls": [{"node_wwn": "naa.5001405g1b2c3d4e"}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/0/node_wwn: invalid iSCSI name "
            "\"naa.5001405g1b2c3d4e\": naa. names take hex digits only, found 'g'");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "a/b", "dev": "/x"})")),
            "cfg.json: /storage_objects/0/name: storage object name \"a/b\" contains '/'");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "a b", "dev": "/x"})")),
            "cfg.json: /storage_objects/0/name: storage object name \"a b\" contains a space");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "", "dev": "/x"})")),
            "cfg.json: /storage_objects/0/name: empty storage object name");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "d", "dev": "/x", "wwn": "a\u0001"})")),
            "cfg.json: /storage_objects/0/wwn: unit serial \"a\\u0001\" has a byte outside "
            "printable ASCII");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"wwn": "iqn.2024-01.org.example:t0", "fabric": "fc"}]})"),
            "cfg.json: /targets/0/fabric: unknown fabric \"fc\"");
}

TEST(ConfigReaderErrors, MissingRequiredKeys) {
  EXPECT_EQ(ErrorOf(So(R"({"name": "d"})")),
            "cfg.json: /storage_objects/0: missing required key \"plugin\"");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio"})")),
            "cfg.json: /storage_objects/0: missing required key \"name\"");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "d"})")),
            "cfg.json: /storage_objects/0: missing required key \"dev\" (plugin fileio)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "block", "name": "d"})")),
            "cfg.json: /storage_objects/0: missing required key \"dev\" (plugin block)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "d"})")),
            "cfg.json: /storage_objects/0: missing required key \"size\" (plugin ramdisk)");
  EXPECT_EQ(ErrorOf(R"({"targets": [{"tpgs": []}]})"),
            "cfg.json: /targets/0: missing required key \"wwn\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"storage_object": "/backstores/fileio/disk0"}])")),
            "cfg.json: /targets/0/tpgs/0/luns/0: missing required key \"index\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0}])")),
            "cfg.json: /targets/0/tpgs/0/luns/0: missing required key \"storage_object\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"port": 3260}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0: missing required key \"ip_address\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("node_acls": [{}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/0: missing required key \"node_wwn\"");
  EXPECT_EQ(ErrorOf(Tpg(R"("luns": [{"index": 0, "storage_object": "/backstores/fileio/disk0"}],
      "node_acls": [{"node_wwn": "iqn.2024-01.org.example:i0", "mapped_luns": [{"index": 0}]}])")),
            "cfg.json: /targets/0/tpgs/0/node_acls/0/mapped_luns/0: missing required key "
            "\"tpg_lun\"");
  EXPECT_EQ(ErrorOf(R"({"fabric_modules": [{"discovery_enable_auth": true}]})"),
            "cfg.json: /fabric_modules/0: missing required key \"name\"");
}

TEST(ConfigReaderErrors, Plugins) {
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "nvme", "name": "d"})")),
            "cfg.json: /storage_objects/0/plugin: unknown plugin \"nvme\" (expected fileio, "
            "block, ramdisk or rd_mcp)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "pscsi", "name": "d", "dev": "/dev/sg0"})")),
            "cfg.json: /storage_objects/0/plugin: plugin \"pscsi\" is not supported by "
            "reftarget (fileio, block, ramdisk)");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "d", "dev": "/x", "readonly": true})")),
            "cfg.json: /storage_objects/0/readonly: does not apply to plugin fileio");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "block", "name": "d", "dev": "/x", "size": 4096})")),
            "cfg.json: /storage_objects/0/size: does not apply to plugin block");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "ramdisk", "name": "d", "size": 4096, "dev": "/x"})")),
            "cfg.json: /storage_objects/0/dev: does not apply to plugin ramdisk");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "d", "dev": "disk.img"})")),
            "cfg.json: /storage_objects/0/dev: \"disk.img\" is not an absolute path");
  EXPECT_EQ(ErrorOf(So(R"({"plugin": "fileio", "name": "d", "dev": "/x\u0000y"})")),
            "cfg.json: /storage_objects/0/dev: contains a NUL character");
}

TEST(ConfigReaderErrors, Addresses) {
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "localhost", "port": 3260}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0/ip_address: invalid address \"localhost\": "
            "not an IPv4 or IPv6 address (host names are not accepted)");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "256.0.0.1", "port": 3260}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0/ip_address: invalid address \"256.0.0.1\": "
            "not an IPv4 or IPv6 address (host names are not accepted)");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "[::1", "port": 3260}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0/ip_address: invalid address \"[::1\": "
            "unbalanced '[' in an IPv6 address");
  EXPECT_EQ(ErrorOf(Tpg(R"("portals": [{"ip_address": "[127.0.0.1]", "port": 3260}])")),
            "cfg.json: /targets/0/tpgs/0/portals/0/ip_address: invalid address "
            "\"[127.0.0.1]\": not an IPv6 address inside the brackets");
}

TEST(ConfigReaderErrors, Credentials) {
  EXPECT_EQ(ErrorOf(Tpg(R"("chap_userid": "a", "userid": "b")")),
            "cfg.json: /targets/0/tpgs/0: \"chap_userid\" and \"userid\" are two spellings of "
            "one credential and disagree");
  EXPECT_EQ(ErrorOf(Tpg(R"("chap_password": ")" + std::string(256, 'p') + "\"")),
            "cfg.json: /targets/0/tpgs/0/chap_password: 256 bytes long; LIO allows at most 255");
  EXPECT_EQ(ErrorOf(R"({"fabric_modules": [{"name": "iscsi", "discovery_enable_auth": "1"}]})"),
            "cfg.json: /fabric_modules/0/discovery_enable_auth: expected a boolean (true, false, "
            "0 or 1), got \"1\"");
}

}  // namespace
}  // namespace reftarget::config
