// iSCSI names, portal addresses and the message helpers, one rule at a time.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "target/config/iscsi_name.h"
#include "target/config/json_document.h"
#include "target/config/json_fields.h"
#include "target/config/portal_address.h"

namespace reftarget::config {
namespace {

std::string Normalized(std::string_view name) {
  auto r = NormalizeIscsiName(name);
  return r.ok() ? r.value() : "error: " + r.error();
}

TEST(IscsiName, AcceptsRfcForms) {
  EXPECT_EQ(Normalized("iqn.2003-01.org.linux-iscsi.host.x8664:sn.0d690d398ec5"),
            "iqn.2003-01.org.linux-iscsi.host.x8664:sn.0d690d398ec5");
  EXPECT_EQ(Normalized("iqn.1993-08.org.debian:01:7ed7bee79b74"),
            "iqn.1993-08.org.debian:01:7ed7bee79b74");
  EXPECT_EQ(Normalized("iqn.1991-05.com.microsoft"), "iqn.1991-05.com.microsoft");
  EXPECT_EQ(Normalized("eui.02004567A425678D"), "eui.02004567a425678d");
  EXPECT_EQ(Normalized("naa.52004567BA64678D"), "naa.52004567ba64678d");
  EXPECT_EQ(Normalized("naa.62004567BA64678D0123456789ABCDEF"),
            "naa.62004567ba64678d0123456789abcdef");
  EXPECT_EQ(Normalized("naa.52-00-45-67-ba-64-67-8d"), "naa.52004567ba64678d");
}

TEST(IscsiName, FoldsCase) {
  EXPECT_EQ(Normalized("IQN.2001-04.COM.Example:Storage.Disk2"),
            "iqn.2001-04.com.example:storage.disk2");
}

TEST(IscsiName, AcceptsNonAsciiUtf8) {
  EXPECT_EQ(Normalized("iqn.2001-04.com.example:d\xc3\xa9p\xc3\xb4t"),
            "iqn.2001-04.com.example:d\xc3\xa9p\xc3\xb4t");
}

TEST(IscsiName, Refusals) {
  EXPECT_EQ(Normalized(""), "error: empty");
  EXPECT_EQ(Normalized("iqn.2001-04.com.example:" + std::string(200, 'a')),
            "error: 224 bytes long, RFC 3720 §3.2.6.1 allows 223");
  EXPECT_EQ(Normalized("iqn.01-04.com.example"),
            "error: expected iqn.YYYY-MM.reversed.domain[:identifier]");
  EXPECT_EQ(Normalized("iqn.2001-00.com.example"), "error: month 00 is not 01 to 12");
  EXPECT_EQ(Normalized("iqn.2001-04.com..example"), "error: empty label in the naming authority");
  EXPECT_EQ(Normalized("iqn.2001-04.com.example:a b"),
            "error: character ' ' is not allowed (RFC 3720 §3.2.6.2)");
  EXPECT_EQ(Normalized("iqn.2001-04.com.example:a/b"),
            "error: character '/' is not allowed (RFC 3720 §3.2.6.2)");
  EXPECT_EQ(Normalized(std::string("iqn.2001-04.com.example:a\x01", 26)),
            "error: character \\x01 is not allowed (RFC 3720 §3.2.6.2)");
  EXPECT_EQ(Normalized("eui.02004567A425678"), "error: eui. needs 16 hex digits, found 15");
  EXPECT_EQ(Normalized("naa.5200456"), "error: naa. needs 16 or 32 hex digits, found 7");
  EXPECT_EQ(Normalized("wwn.1234"),
            "error: expected an iqn., eui. or naa. name (RFC 3720 §3.2.6.3)");
}

TEST(PortalAddress, Forms) {
  auto v4 = ParsePortalAddress("192.0.2.1");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4.value().family, AF_INET);
  EXPECT_EQ(v4.value().text, "192.0.2.1");
  auto any6 = ParsePortalAddress("::");
  ASSERT_TRUE(any6.ok());
  EXPECT_EQ(any6.value().family, AF_INET6);
  EXPECT_EQ(any6.value().text, "[::]");
  auto bracketed = ParsePortalAddress("[fe80::1]");
  ASSERT_TRUE(bracketed.ok());
  EXPECT_EQ(bracketed.value().text, "[fe80::1]");
  EXPECT_TRUE(bracketed.value().SameAddress(ParsePortalAddress("fe80:0::1").value()));
  EXPECT_FALSE(v4.value().SameAddress(any6.value()));
}

TEST(PortalAddress, Refusals) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "host.example", "[]", "[::1",
                          "::1]", "fe80::1%eth0", "[1.2.3.4]", " 1.2.3.4"}) {
    EXPECT_FALSE(ParsePortalAddress(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParsePortalAddress(std::string(100, '1')).ok());
}

TEST(JsonPointer, EscapesSpecialCharacters) {
  EXPECT_EQ(JsonPointerAppend("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(JsonPointerAppend("", std::string("x\ny", 3)), "/x\\x0ay");
  EXPECT_EQ(JsonPointerAppend("/a", size_t{3}), "/a/3");
  EXPECT_EQ(Printable(std::string("a\x7f\tb", 4)), "a\\x7f\\x09b");
}

TEST(DescribeJson, ShortRenderings) {
  EXPECT_EQ(DescribeJson(nlohmann::json("abc")), "\"abc\"");
  EXPECT_EQ(DescribeJson(nlohmann::json(5)), "5");
  EXPECT_EQ(DescribeJson(nlohmann::json(-5)), "-5");
  EXPECT_EQ(DescribeJson(nlohmann::json(true)), "true");
  EXPECT_EQ(DescribeJson(nlohmann::json(nullptr)), "null");
  EXPECT_EQ(DescribeJson(nlohmann::json::array()), "an array");
  EXPECT_EQ(DescribeJson(nlohmann::json::object()), "an object");
  // A cut never splits a UTF-8 sequence.
  std::string s = std::string(63, 'a') + "\xc3\xa9" + "zzz";
  EXPECT_EQ(DescribeJson(nlohmann::json(s)), "\"" + std::string(63, 'a') + "...\"");
}

}  // namespace
}  // namespace reftarget::config
