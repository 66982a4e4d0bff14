#include "harness/adapters/url_adapter.h"

#include <gtest/gtest.h>

namespace harness::adapters {
namespace {

TEST(ParseIscsiUrlTest, FormsLibiscsiAccepts) {
  auto a = ParseIscsiUrl("iscsi://127.0.0.1/iqn.2024-01.x:t/3");
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a.value().portal.ToString(), "127.0.0.1:3260");
  EXPECT_EQ(a.value().iqn, "iqn.2024-01.x:t");
  EXPECT_EQ(a.value().lun, 3);
  auto b = ParseIscsiUrl("iscsi://u%p@[::1]:3261/iqn.x/0");
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(b.value().user, "u");
  EXPECT_EQ(b.value().password, "p");
  EXPECT_EQ(b.value().portal.ToString(), "[::1]:3261");
}

TEST(ParseIscsiUrlTest, ErrorsNameThePart) {
  EXPECT_NE(ParseIscsiUrl("http://x/iqn/0").error().find("expected iscsi://"), std::string::npos);
  EXPECT_NE(ParseIscsiUrl("iscsi://h:99999/iqn/0").error().find("bad port '99999'"),
            std::string::npos);
  EXPECT_NE(ParseIscsiUrl("iscsi://h/iqn/x").error().find("bad LUN 'x'"), std::string::npos);
  EXPECT_NE(ParseIscsiUrl("iscsi://h").error().find("missing /IQN/LUN"), std::string::npos);
  EXPECT_NE(ParseIscsiUrl("iscsi://[::1/iqn/0").error().find("unterminated"), std::string::npos);
}

TEST(UrlAdapterTest, UnmanagedAndReadOnlyUnlessAllowed) {
  UrlAdapter ro(ParsedUrl{}, false);
  EXPECT_FALSE(ro.capabilities().managed);
  EXPECT_FALSE(ro.capabilities().data_loss_allowed);
  UrlAdapter rw(ParsedUrl{}, true);
  EXPECT_TRUE(rw.capabilities().data_loss_allowed);
}

}  // namespace
}  // namespace harness::adapters
