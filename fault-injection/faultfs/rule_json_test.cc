#include "fault-injection/faultfs/rule_json.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace reftarget::faultfs {
namespace {

using nlohmann::json;

TEST(RuleJson, ParsesCanonicalForm) {
  Result<RuleSpec> spec = RuleFromJson(json::parse(
      R"({"file":"disk.img","op":"read","offset":"1M","length":4096,"action":"error","errno":"EIO","count":3,"probability":0.5,"seed":9})"));
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec.value().file, "disk.img");
  EXPECT_EQ(spec.value().op, Op::kRead);
  EXPECT_EQ(spec.value().offset, 1u << 20);
  EXPECT_EQ(spec.value().length, 4096u);
  EXPECT_EQ(spec.value().error, EIO);
  EXPECT_EQ(spec.value().count, 3u);
  EXPECT_EQ(spec.value().probability, 0.5);
  EXPECT_EQ(spec.value().seed, 9u);
}

TEST(RuleJson, InfersActionAndDefaults) {
  Result<RuleSpec> hang = RuleFromJson(json::parse(R"({"hang":true})"));
  ASSERT_TRUE(hang.ok()) << hang.error();
  EXPECT_EQ(hang.value().action, Action::kHang);
  EXPECT_EQ(hang.value().file, "*");
  EXPECT_EQ(hang.value().op, Op::kAny);
  EXPECT_FALSE(hang.value().length);
  EXPECT_FALSE(hang.value().count);
  Result<RuleSpec> delay = RuleFromJson(json::parse(R"({"op":"write","delay_ms":200})"));
  ASSERT_TRUE(delay.ok());
  EXPECT_EQ(delay.value().action, Action::kDelay);
  EXPECT_EQ(delay.value().delay_ms, 200u);
  Result<RuleSpec> error = RuleFromJson(json::parse(R"({"action":"error"})"));
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error.value().error, EIO);  // Default errno.
}

TEST(RuleJson, RoundTrips) {
  for (const char* text :
       {R"({"file":"a","op":"write","offset":512,"length":1024,"errno":"ENOSPC"})",
        R"({"corrupt":true,"xor":1,"op":"read"})", R"({"short":true,"count":1})",
        R"({"delay_ms":5,"probability":0.25,"seed":1})"}) {
    Result<RuleSpec> spec = RuleFromJson(json::parse(text));
    ASSERT_TRUE(spec.ok()) << text << ": " << spec.error();
    Result<RuleSpec> again = RuleFromJson(RuleToJson(spec.value()));
    ASSERT_TRUE(again.ok()) << RuleToJson(spec.value()).dump() << ": " << again.error();
    EXPECT_EQ(RuleToJson(again.value()), RuleToJson(spec.value()));
  }
}

TEST(RuleJson, RejectsBadFieldsNamingThem) {
  struct Case {
    const char* json;
    const char* needle;
  } cases[] = {
      {R"({"errno":"EIO","lenght":5})", "lenght"},
      {R"({"errno":"EBOGUS"})", "errno"},
      {R"({"errno":"EIO","op":"trim"})", "op"},
      {R"({"errno":"EIO","offset":-1})", "offset"},
      {R"({"errno":"EIO","length":0})", "length"},
      {R"({"errno":"EIO","probability":2})", "probability"},
      {R"({"errno":"EIO","count":0})", "count"},
      {R"({"errno":"EIO","delay_ms":5})", "more than one"},
      {R"({"action":"delay","errno":"EIO"})", "contradict"},
      {R"({"file":"x"})", "no action"},
      {R"({"hang":false})", "hang"},
      {R"({"xor":0})", "xor"},
      {R"({"errno":"EIO","file":7})", "file"},
      {R"([1,2])", "object"},
  };
  for (const Case& c : cases) {
    Result<RuleSpec> spec = RuleFromJson(json::parse(c.json));
    ASSERT_FALSE(spec.ok()) << c.json;
    EXPECT_NE(spec.error().find(c.needle), std::string::npos) << c.json << " -> " << spec.error();
  }
}

}  // namespace
}  // namespace reftarget::faultfs
