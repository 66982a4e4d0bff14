// Initiator network restriction: CIDR parsing, the stored JSON form and peer matching,
// including IPv4 peers seen through a dual-stack socket.
#include "target/admin/initiator_networks.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace reftarget::admin {
namespace {

Network MustParse(std::string_view text) {
  auto network = ParseNetwork(text);
  EXPECT_TRUE(network.ok()) << text << ": " << network.error();
  return network.ok() ? network.value() : Network{};
}

TEST(ParseNetwork, Forms) {
  Network v4 = MustParse("10.0.0.0/8");
  EXPECT_EQ(v4.family, AF_INET);
  EXPECT_EQ(v4.prefix_length, 8u);
  EXPECT_EQ(v4.ToString(), "10.0.0.0/8");
  EXPECT_EQ(MustParse("192.0.2.7").ToString(), "192.0.2.7/32");
  EXPECT_EQ(MustParse("0.0.0.0/0").ToString(), "0.0.0.0/0");
  Network v6 = MustParse("fd00::/8");
  EXPECT_EQ(v6.family, AF_INET6);
  EXPECT_EQ(v6.ToString(), "fd00::/8");
  EXPECT_EQ(MustParse("[::1]/128").ToString(), "::1/128");
  EXPECT_EQ(MustParse("[2001:db8::1]").ToString(), "2001:db8::1/128");
  EXPECT_EQ(MustParse("2001:0DB8:0000::/32").ToString(), "2001:db8::/32");
}

TEST(ParseNetwork, Errors) {
  auto host_bits = ParseNetwork("10.0.0.1/8");
  ASSERT_FALSE(host_bits.ok());
  EXPECT_EQ(host_bits.error(), "'10.0.0.1/8': host bits are set (did you mean 10.0.0.0/8?)");
  auto v6_bits = ParseNetwork("fd00::1/8");
  ASSERT_FALSE(v6_bits.ok());
  EXPECT_EQ(v6_bits.error(), "'fd00::1/8': host bits are set (did you mean fd00::/8?)");
  auto prefix = ParseNetwork("10.0.0.0/33");
  ASSERT_FALSE(prefix.ok());
  EXPECT_EQ(prefix.error(), "'10.0.0.0/33': prefix length 33 is larger than 32");
  EXPECT_FALSE(ParseNetwork("::/129").ok());
  auto empty_prefix = ParseNetwork("10.0.0.0/");
  ASSERT_FALSE(empty_prefix.ok());
  EXPECT_EQ(empty_prefix.error(), "'10.0.0.0/': the prefix length after '/' must be 0 to 32");
  EXPECT_FALSE(ParseNetwork("10.0.0.0/+8").ok());
  EXPECT_FALSE(ParseNetwork("10.0.0.0/0008").ok());
  auto zone = ParseNetwork("fe80::1%eth0");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error(), "'fe80::1%eth0': zone ids (%) are not accepted");
  auto name = ParseNetwork("initiator.example.com/24");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error(),
            "'initiator.example.com/24' is not an IPv4 or IPv6 network (examples: 10.0.0.0/8, "
            "fd00::/8)");
  EXPECT_FALSE(ParseNetwork("").ok());
  EXPECT_FALSE(ParseNetwork("1.2.3/8").ok());
}

TEST(NetworkContains, IPv4) {
  Network net = MustParse("192.168.10.0/23");
  EXPECT_TRUE(NetworkContains(net, "192.168.10.1"));
  EXPECT_TRUE(NetworkContains(net, "192.168.11.254"));
  EXPECT_FALSE(NetworkContains(net, "192.168.12.1"));
  EXPECT_FALSE(NetworkContains(net, "10.0.0.1"));
  EXPECT_TRUE(NetworkContains(MustParse("0.0.0.0/0"), "203.0.113.9"));
  EXPECT_FALSE(NetworkContains(MustParse("0.0.0.0/0"), "::1"));
}

TEST(NetworkContains, IPv6) {
  Network net = MustParse("2001:db8:abcd::/48");
  EXPECT_TRUE(NetworkContains(net, "2001:db8:abcd:12::1"));
  EXPECT_TRUE(NetworkContains(net, "[2001:db8:abcd::5]"));
  EXPECT_FALSE(NetworkContains(net, "2001:db8:abce::1"));
  EXPECT_FALSE(NetworkContains(net, "192.0.2.1"));
  EXPECT_TRUE(NetworkContains(MustParse("::1"), "::1"));
}

TEST(NetworkContains, MappedPeers) {
  // A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
  EXPECT_TRUE(NetworkContains(MustParse("10.0.0.0/8"), "::ffff:10.1.2.3"));
  EXPECT_FALSE(NetworkContains(MustParse("10.0.0.0/8"), "::ffff:11.1.2.3"));
  EXPECT_TRUE(NetworkContains(MustParse("::ffff:0:0/96"), "198.51.100.4"));
  EXPECT_TRUE(NetworkContains(MustParse("::ffff:10.0.0.0/104"), "10.9.9.9"));
  EXPECT_FALSE(NetworkContains(MustParse("fd00::/8"), "10.0.0.1"));
}

TEST(NetworkContains, UnparsablePeerIsInNoNetwork) {
  EXPECT_FALSE(NetworkContains(MustParse("0.0.0.0/0"), ""));
  EXPECT_FALSE(NetworkContains(MustParse("0.0.0.0/0"), "host.example.com"));
  EXPECT_FALSE(NetworkContains(MustParse("::/0"), "fe80::1%eth0"));
}

TEST(ParseNetworks, StoredForm) {
  EXPECT_TRUE(ParseNetworks(nlohmann::json()).value().empty());
  auto list = ParseNetworks(nlohmann::json::array({"10.0.0.0/8", "fd00::/8"}));
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list.value().size(), 2u);
  EXPECT_EQ(list.value()[1].ToString(), "fd00::/8");

  auto not_array = ParseNetworks(nlohmann::json("10.0.0.0/8"));
  ASSERT_FALSE(not_array.ok());
  EXPECT_EQ(not_array.error(), "expected an array of CIDR strings");
  auto not_string = ParseNetworks(nlohmann::json::array({"10.0.0.0/8", 5}));
  ASSERT_FALSE(not_string.ok());
  EXPECT_EQ(not_string.error(), "[1]: expected a CIDR string");
  auto bad = ParseNetworks(nlohmann::json::array({"10.0.0.1/8"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "[0]: '10.0.0.1/8': host bits are set (did you mean 10.0.0.0/8?)");
  nlohmann::json many = nlohmann::json::array();
  for (size_t i = 0; i <= kMaxInitiatorNetworks; ++i) many.push_back("10.0.0.0/8");
  EXPECT_FALSE(ParseNetworks(many).ok());
}

TEST(NetworksOf, ExtraObject) {
  EXPECT_TRUE(NetworksOf(nlohmann::json::object()).value().empty());
  EXPECT_TRUE(NetworksOf(nlohmann::json()).value().empty());
  nlohmann::json extra = {{"initiator_networks", {"192.0.2.0/24"}}, {"tag", "x"}};
  auto networks = NetworksOf(extra);
  ASSERT_TRUE(networks.ok()) << networks.error();
  ASSERT_EQ(networks.value().size(), 1u);
  nlohmann::json bad = {{"initiator_networks", {"nope"}}};
  auto error = NetworksOf(bad);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().rfind("initiator_networks[0]: 'nope'", 0), 0u) << error.error();
  nlohmann::json scalar = {{"initiator_networks", 5}};
  EXPECT_EQ(NetworksOf(scalar).error(), "initiator_networks: expected an array of CIDR strings");
}

TEST(NetworksAllow, EmptyListRestrictsNothing) {
  EXPECT_TRUE(NetworksAllow({}, "203.0.113.1"));
  std::vector<Network> nets = {MustParse("10.0.0.0/8"), MustParse("fd00::/8")};
  EXPECT_TRUE(NetworksAllow(nets, "10.2.3.4"));
  EXPECT_TRUE(NetworksAllow(nets, "fd12::1"));
  EXPECT_FALSE(NetworksAllow(nets, "192.0.2.1"));
}

}  // namespace
}  // namespace reftarget::admin
