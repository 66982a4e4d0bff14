#include "target/iscsi/session/session_table.h"

#include <gtest/gtest.h>

namespace reftarget::iscsi {
namespace {

SessionKey Key(const std::string& initiator, uint8_t isid_last) {
  SessionKey k;
  k.initiator_name = initiator;
  k.isid = {0x80, 0, 0, 0, 0, isid_last};
  k.target_name = "iqn.2026-11.org.example:t";
  k.tpg_tag = 1;
  return k;
}

TEST(SessionTableTest, DistinctSessionsGetDistinctNonZeroTsihs) {
  SessionTable table;
  SessionTable::Terminator old;
  uint16_t a = table.Add(
      Key("iqn.a", 1), [](const auto&, auto) {}, &old);
  uint16_t b = table.Add(
      Key("iqn.a", 2), [](const auto&, auto) {}, &old);
  EXPECT_NE(a, 0);
  EXPECT_NE(b, 0);
  EXPECT_NE(a, b);
  EXPECT_FALSE(old);
  EXPECT_TRUE(table.HasTsih(a));
  EXPECT_EQ(table.size(), 2u);
}

TEST(SessionTableTest, SameIsidReinstatesTheOldSession) {
  SessionTable table;
  bool old_terminated = false;
  SessionTable::Terminator old;
  uint16_t first = table.Add(
      Key("iqn.a", 1), [&](const auto&, auto) { old_terminated = true; }, &old);
  uint16_t second = table.Add(
      Key("iqn.a", 1), [](const auto&, auto) {}, &old);
  ASSERT_TRUE(old);
  old("test", {});
  EXPECT_TRUE(old_terminated);
  EXPECT_NE(first, second);
  EXPECT_FALSE(table.HasTsih(first));
  EXPECT_EQ(table.size(), 1u);
  // The old connection's late Remove must not drop the new session.
  table.Remove(Key("iqn.a", 1), first);
  EXPECT_TRUE(table.HasTsih(second));
}

TEST(SessionTableTest, LoggedOutSessionHasNoTsihButStillReinstates) {
  SessionTable table;
  bool old_terminated = false;
  SessionTable::Terminator old;
  const uint16_t first = table.Add(
      Key("iqn.a", 1), [&](const auto&, auto) { old_terminated = true; }, &old);
  table.MarkLoggedOut(Key("iqn.a", 2), first);  // another key: no effect
  EXPECT_TRUE(table.HasTsih(first));
  table.MarkLoggedOut(Key("iqn.a", 1), first);
  EXPECT_FALSE(table.HasTsih(first));
  // A new login with the same ISID still waits for the logged-out session's teardown.
  table.Add(
      Key("iqn.a", 1), [](const auto&, auto) {}, &old);
  ASSERT_TRUE(old);
  old("test", {});
  EXPECT_TRUE(old_terminated);
}

TEST(SessionTableTest, FullTableRefusesNewSessionsButAllowsReinstatement) {
  SessionTable table(2);
  SessionTable::Terminator old;
  EXPECT_NE(table.Add(
                Key("iqn.a", 1), [](const auto&, auto) {}, &old),
            0);
  EXPECT_NE(table.Add(
                Key("iqn.a", 2), [](const auto&, auto) {}, &old),
            0);
  EXPECT_EQ(table.Add(
                Key("iqn.a", 3), [](const auto&, auto) {}, &old),
            0);
  EXPECT_NE(table.Add(
                Key("iqn.a", 2), [](const auto&, auto) {}, &old),
            0);
}

}  // namespace
}  // namespace reftarget::iscsi
