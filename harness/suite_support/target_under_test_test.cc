#include "harness/suite_support/target_under_test.h"

#include <gtest/gtest.h>

namespace harness::suite {
namespace {

TEST(TargetUnderTestTest, JsonRoundTrip) {
  TargetUnderTest t;
  t.adapter = "reference";
  t.portal = {"127.0.0.1", 3261};
  t.ipv6_portal = adapters::Portal{"::1", 3261};
  t.iqn = "iqn.x:t";
  LunInfo l;
  l.number = 1;
  l.spec.name = "ram";
  l.spec.backing = adapters::Backing::kRamdisk;
  l.spec.block_size = 4096;
  l.spec.thin = true;
  t.luns = {l};
  t.initiators = {{"iqn.x:a", adapters::ChapSpec{"u", "p", "mu", "mp"}}, {"iqn.x:b", std::nullopt}};
  t.discovery_chap = adapters::ChapSpec{"du", "dp", "", ""};
  t.capabilities.chap = true;
  t.capabilities.backings = {adapters::Backing::kFileio, adapters::Backing::kNull};
  t.pid = 42;
  auto back = FromJson(ToJson(t));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(ToJson(back.value()), ToJson(t));
  EXPECT_EQ(back.value().luns[0].spec.backing, adapters::Backing::kRamdisk);
  EXPECT_EQ(back.value().ChapInitiator(true)->name, "iqn.x:a");
  EXPECT_EQ(back.value().ChapInitiator(false), nullptr);
  EXPECT_EQ(back.value().OpenInitiator("x"), "iqn.x:b");
}

TEST(TargetUnderTestTest, DemoModeInventsNamesAndErrorsNameTheKey) {
  TargetUnderTest t;
  auto a = t.OpenInitiator("tag");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->rfind(t.initiator_prefix + ":tag-", 0), 0u);
  nlohmann::json j = ToJson(t);
  j.erase("iqn");
  auto bad = FromJson(j);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("iqn"), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace harness::suite
