// set attribute|parameter|auth|restriction on TPGs and ACLs, /iscsi set discovery_auth, and
// get.
#include <gtest/gtest.h>

#include "target/admin/edit_test_util.h"
#include "target/admin/initiator_networks.h"

namespace reftarget::admin {
namespace {

using testing::BaseConfig;
using testing::Edit;
using testing::EditError;
using testing::Get;
using testing::kClient;
using testing::MustEdit;
using testing::TpgPath;

const std::string kAcl = TpgPath() + "/acls/" + kClient;

const config::Tpg& Tpg(const config::Config& c) { return c.targets.at(0).tpgs.at(0); }

TEST(TpgSetAttribute, Values) {
  auto result = Edit(BaseConfig(), TpgPath() +
                                       " set attribute authentication=1 "
                                       "generate_node_acls=true login_timeout=30");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::Tpg& tpg = Tpg(result.value().config);
  EXPECT_EQ(tpg.authentication(), 1);
  EXPECT_EQ(tpg.generate_node_acls(), 1);
  EXPECT_EQ(tpg.login_timeout(), 30);
  EXPECT_EQ(result.value().message,
            "Parameter authentication is now '1'.\nParameter generate_node_acls is now '1'.\n"
            "Parameter login_timeout is now '30'.");
}

TEST(TpgSetAttribute, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute login_timeout=3"),
            TpgPath() + ": set: attribute: login_timeout: '3' is out of range (5 to 30)");
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute default_cmdsn_depth=1024"),
            TpgPath() + ": set: attribute: default_cmdsn_depth: '1024' is out of range (1 to 512)");
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute authentication=yes"),
            TpgPath() + ": set: attribute: authentication: 'yes' is not a number (0 to 1)");
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute t10_pi=1"),
            TpgPath() +
                ": set: attribute: t10_pi: '1' is out of range (0 to 0); reftarget does "
                "not implement T10 protection information");
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute nopin_timeout=5"),
            TpgPath() +
                ": set: attribute: unknown attribute 'nopin_timeout' (valid: "
                "authentication, cache_dynamic_acls, default_cmdsn_depth, default_erl, "
                "demo_mode_discovery, demo_mode_write_protect, fabric_prot_type, "
                "generate_node_acls, login_keys_workaround, login_timeout, netif_timeout, "
                "prod_mode_write_protect, t10_pi, tpg_enabled_sendtargets)");
  // Nothing is applied when one of several values is wrong.
  EXPECT_FALSE(Edit(c, TpgPath() + " set attribute authentication=1 login_timeout=99").ok());
}

TEST(AclSetAttribute, Values) {
  config::Config c = MustEdit(BaseConfig(), kAcl +
                                                " set attribute nopin_timeout=30 "
                                                "dataout_timeout=10");
  const config::NodeAcl& acl = Tpg(c).node_acls[0];
  EXPECT_EQ(acl.attribute_int("nopin_timeout", 0), 30);
  EXPECT_EQ(acl.attribute_int("dataout_timeout", 0), 10);
  EXPECT_EQ(EditError(c, kAcl + " set attribute nopin_timeout=61"),
            kAcl + ": set: attribute: nopin_timeout: '61' is out of range (3 to 60)");
  EXPECT_NE(EditError(c, kAcl + " set attribute login_timeout=10")
                .find("unknown attribute 'login_timeout' (valid: dataout_timeout, "),
            std::string::npos);
}

TEST(TpgSetParameter, CanonicalValues) {
  auto result = Edit(BaseConfig(), TpgPath() +
                                       " set parameter MaxRecvDataSegmentLength=65536 "
                                       "HeaderDigest=crc32c,none ImmediateData=no "
                                       "TargetAlias='disk shelf 3' IFMarkInt=2048~65535");
  ASSERT_TRUE(result.ok()) << result.error();
  const auto& params = Tpg(result.value().config).parameters;
  EXPECT_EQ(params.at("MaxRecvDataSegmentLength"), "65536");
  EXPECT_EQ(params.at("HeaderDigest"), "CRC32C,None");
  EXPECT_EQ(params.at("ImmediateData"), "No");
  EXPECT_EQ(params.at("TargetAlias"), "disk shelf 3");
  EXPECT_EQ(params.at("IFMarkInt"), "2048~65535");
}

TEST(TpgSetParameter, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter MaxRecvDataSegmentLength=511"),
            TpgPath() +
                ": set: parameter: MaxRecvDataSegmentLength: '511' is out of range (512 to "
                "16777215) (RFC 7143 §13.12)");
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter DataDigest=MD5"),
            TpgPath() +
                ": set: parameter: DataDigest: 'MD5': 'MD5' is not one of CRC32C or None "
                "(RFC 7143 §13.1)");
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter DataDigest=None,None"),
            TpgPath() + ": set: parameter: DataDigest: 'None,None': None is listed twice");
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter InitialR2T=maybe"),
            TpgPath() +
                ": set: parameter: InitialR2T: 'maybe' is not Yes or No (RFC 7143 "
                "§13.10)");
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter DataPDUInOrder=No"),
            TpgPath() +
                ": set: parameter: DataPDUInOrder: 'No': reftarget supports only Yes "
                "(RFC 7143 §13.18)");
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter FirstBurstLength=524288"),
            TpgPath() +
                ": set: parameter: FirstBurstLength 524288 exceeds MaxBurstLength 262144 "
                "(RFC 7143 §13.14)");
  EXPECT_TRUE(
      Edit(c, TpgPath() + " set parameter FirstBurstLength=524288 MaxBurstLength=1048576").ok());
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter TargetAlias=" + std::string(256, 'a')),
            TpgPath() +
                ": set: parameter: TargetAlias: 256 bytes long; at most 255 (RFC 7143 "
                "§6.1)");
  EXPECT_EQ(EditError(c, TpgPath() + " set parameter OFMarkInt=9~3"),
            TpgPath() +
                ": set: parameter: OFMarkInt: '9~3' is not Reject, N or N~M with N <= M "
                "<= 65535");
  std::string unknown = EditError(c, TpgPath() + " set parameter MaxConnection=2");
  EXPECT_EQ(unknown.rfind(TpgPath() + ": set: parameter: unknown parameter 'MaxConnection' "
                                      "(valid: AuthMethod, DataDigest, ",
                          0),
            0u)
      << unknown;
  EXPECT_NE(
      EditError(c, kAcl + " set parameter MaxConnections=1").find("unknown group 'parameter'"),
      std::string::npos);
}

TEST(SetAuth, TpgAndAcl) {
  config::Config c = BaseConfig();
  auto result = Edit(c, TpgPath() + " set auth userid=tpguser password=tpgsecret1234");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(Tpg(result.value().config).auth.userid, "tpguser");
  EXPECT_EQ(Tpg(result.value().config).auth.password, "tpgsecret1234");
  // Secrets are not echoed.
  EXPECT_EQ(result.value().message,
            "Parameter password is now set.\nParameter userid is now 'tpguser'.");
  c = MustEdit(c, kAcl +
                      " set auth userid=joe password=joesecret1234 mutual_userid=tgt "
                      "mutual_password=tgtsecret1234");
  const config::AuthCredentials& auth = Tpg(c).node_acls[0].auth;
  EXPECT_EQ(auth.userid, "joe");
  EXPECT_EQ(auth.mutual_password, "tgtsecret1234");
  c = MustEdit(c, kAcl + " set auth mutual_userid= mutual_password=");
  EXPECT_TRUE(Tpg(c).node_acls[0].auth.mutual_userid.empty());
  EXPECT_EQ(Tpg(c).node_acls[0].auth.userid, "joe");
}

TEST(SetAuth, Checks) {
  config::Config c = BaseConfig();
  auto short_secret = Edit(c, kAcl + " set auth userid=joe password=short");
  ASSERT_TRUE(short_secret.ok()) << short_secret.error();
  EXPECT_NE(short_secret.value().message.find("Warning: password is 5 bytes; RFC 7143 §9.2.1"),
            std::string::npos)
      << short_secret.value().message;
  EXPECT_EQ(EditError(c, kAcl + " set auth password=samesecret123 mutual_password=samesecret123"),
            kAcl +
                ": set: auth: mutual_password equals password; RFC 7143 §9.2.1 forbids one "
                "secret for both directions");
  EXPECT_EQ(EditError(c, kAcl + " set auth userid=" + std::string(256, 'u')),
            kAcl + ": set: auth: userid: 256 bytes long; LIO allows at most 255");
  EXPECT_EQ(EditError(c, kAcl + " set auth user=joe"),
            kAcl +
                ": set: auth: unknown parameter 'user' (valid: mutual_password, "
                "mutual_userid, password, userid)");
}

TEST(SetDiscoveryAuth, EnableAndCredentials) {
  auto result = Edit(BaseConfig(),
                     "/iscsi set discovery_auth enable=1 userid=disc "
                     "password=discsecret12 mutual_userid=tgt "
                     "mutual_password=tgtsecret123");
  ASSERT_TRUE(result.ok()) << result.error();
  const config::DiscoveryAuth& da = result.value().config.discovery_auth;
  EXPECT_TRUE(da.enable);
  EXPECT_EQ(da.auth.userid, "disc");
  EXPECT_EQ(da.auth.mutual_userid, "tgt");
  config::Config off = MustEdit(result.value().config, "/iscsi set discovery_auth enable=false");
  EXPECT_FALSE(off.discovery_auth.enable);
  EXPECT_EQ(off.discovery_auth.auth.userid, "disc") << "credentials stay";
  EXPECT_EQ(EditError(off, "/iscsi set discovery_auth enable=2"),
            "/iscsi: set: discovery_auth: enable: '2' is not a boolean (true or false)");
  EXPECT_EQ(EditError(off, "/iscsi set discovery_auth enabled=1"),
            "/iscsi: set: discovery_auth: unknown parameter 'enabled' (valid: enable, "
            "mutual_password, mutual_userid, password, userid)");
}

TEST(SetRestriction, TpgAndAcl) {
  config::Config c = BaseConfig();
  auto result = Edit(c, TpgPath() +
                            " set restriction initiator_networks=10.0.0.0/8,"
                            "fd00::/8,192.0.2.7,10.0.0.0/8");
  ASSERT_TRUE(result.ok()) << result.error();
  const nlohmann::json& stored = Tpg(result.value().config).extra.at("initiator_networks");
  EXPECT_EQ(stored, nlohmann::json::array({"10.0.0.0/8", "fd00::/8", "192.0.2.7/32"}));
  EXPECT_EQ(result.value().message,
            "Parameter initiator_networks is now '10.0.0.0/8,fd00::/8,192.0.2.7/32'.");
  auto networks = NetworksOf(Tpg(result.value().config).extra);
  ASSERT_TRUE(networks.ok());
  EXPECT_TRUE(NetworksAllow(networks.value(), "::ffff:10.1.1.1"));

  c = MustEdit(result.value().config, kAcl +
                                          " set restriction initiator_networks='10.1.0.0/16, "
                                          "10.2.0.0/16'");
  EXPECT_EQ(Tpg(c).node_acls[0].extra.at("initiator_networks"),
            nlohmann::json::array({"10.1.0.0/16", "10.2.0.0/16"}));
  c = MustEdit(c, TpgPath() + " set restriction initiator_networks=");
  EXPECT_FALSE(Tpg(c).extra.contains("initiator_networks"));
  EXPECT_TRUE(Tpg(c).node_acls[0].extra.contains("initiator_networks"));
}

TEST(SetRestriction, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(EditError(c, TpgPath() + " set restriction initiator_networks=10.0.0.1/8"),
            TpgPath() +
                ": set: restriction: initiator_networks: '10.0.0.1/8': host bits are set "
                "(did you mean 10.0.0.0/8?)");
  EXPECT_EQ(EditError(c, TpgPath() + " set restriction initiator_networks=10.0.0.0/8,bogus"),
            TpgPath() +
                ": set: restriction: initiator_networks: 'bogus' is not an IPv4 or IPv6 "
                "network (examples: 10.0.0.0/8, fd00::/8)");
  EXPECT_EQ(EditError(c, TpgPath() + " set restriction networks=10.0.0.0/8"),
            TpgPath() +
                ": set: restriction: unknown parameter 'networks' (valid: "
                "initiator_networks)");
  std::string many;
  for (int i = 0; i < 257; ++i)
    many += (i ? "," : "") + std::string("10.0.") + std::to_string(i / 256) + "." +
            std::to_string(i % 256);
  EXPECT_NE(EditError(c, TpgPath() + " set restriction initiator_networks=" + many)
                .find("257 networks; at most 256"),
            std::string::npos);
}

TEST(Set, GroupErrors) {
  config::Config c = BaseConfig();
  const std::string usage =
      " (usage: set GROUP key=value...; groups here: attribute, auth, "
      "parameter, restriction)";
  EXPECT_EQ(EditError(c, TpgPath() + " set"), TpgPath() + ": set: missing GROUP" + usage);
  EXPECT_EQ(EditError(c, TpgPath() + " set attributes login_timeout=5"),
            TpgPath() + ": set: unknown group 'attributes'" + usage);
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute login_timeout"),
            TpgPath() + ": set: attribute: 'login_timeout' is not key=value" + usage);
  EXPECT_EQ(EditError(c, TpgPath() + " set attribute"),
            TpgPath() + ": set: attribute: nothing to set" + usage);
  EXPECT_EQ(EditError(c, "/iscsi set attribute x=1"),
            "/iscsi: set: unknown group 'attribute' (usage: set GROUP key=value...; groups here: "
            "discovery_auth)");
}

TEST(Get, GroupsAndKeys) {
  config::Config c = MustEdit(BaseConfig(), TpgPath() + " set attribute login_timeout=20");
  c = MustEdit(c, TpgPath() + " set parameter MaxBurstLength=1048576");
  EXPECT_EQ(Get(c, TpgPath() + " get attribute login_timeout authentication").value(),
            "login_timeout=20\nauthentication=0");
  std::string all = Get(c, TpgPath() + " get attribute").value();
  EXPECT_EQ(all.substr(0, 60), "authentication=0\ncache_dynamic_acls=0\ndefault_cmdsn_depth=64");
  EXPECT_NE(all.find("\nlogin_timeout=20\n"), std::string::npos);
  EXPECT_EQ(Get(c, TpgPath() + " get parameter MaxBurstLength FirstBurstLength").value(),
            "MaxBurstLength=1048576\nFirstBurstLength=65536");
  EXPECT_EQ(Get(c, TpgPath() + " get auth").value(),
            "mutual_password=\nmutual_userid=\npassword=\nuserid=");
  EXPECT_EQ(Get(c, TpgPath() + " get restriction").value(), "initiator_networks=");
  EXPECT_EQ(Get(c, "/iscsi get discovery_auth enable").value(), "enable=0");
}

TEST(Get, StorageObjectAttributes) {
  config::Config c = MustEdit(BaseConfig(),
                              "/backstores/fileio/disk0 set attribute "
                              "max_unmap_lba_count=8192");
  EXPECT_EQ(Get(c, "/backstores/fileio/disk0 get attribute").value(),
            "block_size=512\nemulate_tpu=0\nemulate_tpws=0\nemulate_write_cache=1\nis_nonrot=0\n"
            "max_unmap_lba_count=8192");
  EXPECT_EQ(Get(c, "/backstores/fileio/disk0 get attribute emulate_caw block_size").value(),
            "emulate_caw=n/a\nblock_size=512");
}

TEST(Get, AllGroupsWithHeadings) {
  std::string text = Get(BaseConfig(), kAcl + " get").value();
  EXPECT_EQ(text.substr(0, 46), "ATTRIBUTE CONFIG GROUP\n======================\n");
  EXPECT_NE(text.find("\n\nAUTH CONFIG GROUP\n=================\nmutual_password="),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n\nRESTRICTION CONFIG GROUP\n"), std::string::npos) << text;
}

TEST(Get, Errors) {
  config::Config c = BaseConfig();
  EXPECT_EQ(Get(c, TpgPath() + " get attribute nope").error(),
            TpgPath() +
                ": get: attribute: unknown key 'nope' (valid: authentication, "
                "cache_dynamic_acls, default_cmdsn_depth, default_erl, "
                "demo_mode_discovery, demo_mode_write_protect, fabric_prot_type, "
                "generate_node_acls, login_keys_workaround, login_timeout, netif_timeout, "
                "prod_mode_write_protect, t10_pi, tpg_enabled_sendtargets)");
  EXPECT_EQ(Get(c, TpgPath() + " get params").error(),
            TpgPath() +
                ": get: unknown group 'params' (groups here: attribute, auth, parameter, "
                "restriction)");
  EXPECT_EQ(Get(c, TpgPath() + "/luns get").error(),
            TpgPath() + "/luns: get: a LUN list has no configuration groups");
  EXPECT_EQ(Get(c, TpgPath() + " get attribute login_timeout=5").error(),
            TpgPath() + ": get: takes [GROUP [KEY...]], not key=value ('login_timeout=')");
  EXPECT_NE(Get(c, "/iscsi/nope get").error().find("no such path /iscsi/nope"), std::string::npos);
}

}  // namespace
}  // namespace reftarget::admin
