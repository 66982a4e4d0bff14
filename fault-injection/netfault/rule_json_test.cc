#include "fault-injection/netfault/rule_json.h"

#include <gtest/gtest.h>

#include <string>

namespace reftarget::netfault {
namespace {

using nlohmann::json;

// Returns the error RuleFromJson gives for `text` ("" if it parsed).
std::string ErrorFor(const std::string& text) {
  Result<RuleSpec> spec = RuleFromJson(json::parse(text));
  return spec.ok() ? "" : spec.error();
}

TEST(RuleJson, ParsesEveryCommonField) {
  Result<RuleSpec> spec = RuleFromJson(json::parse(
      R"({"cmd":"add","dir":"up","action":"delay","delay_ms":200,"conn":2,"after":"1M",)"
      R"("count":3,"probability":0.5,"seed":9})"));
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec.value().dir, DirSelector::kUp);
  EXPECT_EQ(spec.value().action, Action::kDelay);
  EXPECT_EQ(spec.value().delay_ms, 200u);
  EXPECT_EQ(spec.value().conn, 2u);
  EXPECT_EQ(spec.value().after, 1u << 20);
  EXPECT_EQ(spec.value().count, 3u);
  EXPECT_EQ(spec.value().probability, 0.5);
  EXPECT_EQ(spec.value().seed, 9u);
}

TEST(RuleJson, DefaultsToBothDirectionsEveryConnectionNoLimit) {
  Result<RuleSpec> spec = RuleFromJson(json::parse(R"({"action":"reset"})"));
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec.value().dir, DirSelector::kBoth);
  EXPECT_FALSE(spec.value().conn);
  EXPECT_FALSE(spec.value().nth);
  EXPECT_FALSE(spec.value().count);
  EXPECT_EQ(spec.value().after, 0u);
  EXPECT_EQ(spec.value().probability, 1.0);
}

TEST(RuleJson, ParsesEachActionsOwnFields) {
  Result<RuleSpec> rate = RuleFromJson(json::parse(R"({"action":"rate","rate":"64k"})"));
  ASSERT_TRUE(rate.ok()) << rate.error();
  EXPECT_EQ(rate.value().rate, 65536u);
  Result<RuleSpec> flip =
      RuleFromJson(json::parse(R"({"action":"flip","at":4096,"mask":"0x80","dir":"down"})"));
  ASSERT_TRUE(flip.ok()) << flip.error();
  EXPECT_EQ(flip.value().at, 4096u);
  EXPECT_EQ(flip.value().mask, 0x80);
  Result<RuleSpec> header =
      RuleFromJson(json::parse(R"({"action":"flip","pdu_byte":32,"opcode":"0x01"})"));
  ASSERT_TRUE(header.ok()) << header.error();
  EXPECT_EQ(header.value().pdu_byte, 32u);
  EXPECT_EQ(header.value().opcode, 0x01);
  EXPECT_NE(
      RuleFromJson(json::parse(R"({"action":"flip","pdu_byte":48})")).error().find("pdu_byte"),
      std::string::npos);
  Result<RuleSpec> split =
      RuleFromJson(json::parse(R"({"action":"split","split":1,"gap_ms":2,"nth":1})"));
  ASSERT_TRUE(split.ok()) << split.error();
  EXPECT_EQ(split.value().split, 1u);
  EXPECT_EQ(split.value().gap_ms, 2u);
  EXPECT_EQ(split.value().nth, 1u);
  Result<RuleSpec> drop = RuleFromJson(json::parse(R"({"action":"drop","drop_bytes":"4k"})"));
  ASSERT_TRUE(drop.ok()) << drop.error();
  EXPECT_EQ(drop.value().drop_bytes, 4096u);
  for (const char* action : {"blackhole", "reset", "half-close", "stall"}) {
    EXPECT_TRUE(RuleFromJson(json{{"action", action}}).ok()) << action;
  }
}

TEST(RuleJson, CanonicalFormReadsBack) {
  for (const char* text :
       {R"({"action":"delay","delay_ms":5,"dir":"down","conn":4,"count":2,"seed":1})",
        R"({"action":"flip","mask":3,"after":100,"probability":0.25})",
        R"({"action":"flip","pdu_byte":1,"opcode":1,"count":1})",
        R"({"action":"split","split":9,"gap_ms":1,"nth":3})", R"({"action":"rate","rate":1000})",
        R"({"action":"drop"})", R"({"action":"stall"})"}) {
    Result<RuleSpec> first = RuleFromJson(json::parse(text));
    ASSERT_TRUE(first.ok()) << text << ": " << first.error();
    const json canonical = RuleToJson(first.value());
    Result<RuleSpec> second = RuleFromJson(canonical);
    ASSERT_TRUE(second.ok()) << canonical.dump() << ": " << second.error();
    EXPECT_EQ(RuleToJson(second.value()), canonical) << text;
  }
}

TEST(RuleJson, ErrorsNameTheField) {
  EXPECT_NE(ErrorFor(R"({"action":"delay"})").find("delay_ms"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"delay","delay_ms":0})").find("delay_ms"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"delay","delay_ms":-5})").find("delay_ms"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"rate"})").find("'rate'"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"rate","rate":"fast"})").find("rate"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"split","split":0})").find("split"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"split","split":4,"gap_ms":999999})").find("gap_ms"),
            std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"flip","mask":0})").find("mask"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"flip","mask":256})").find("mask"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","dir":"sideways"})").find("dir"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","probability":2})").find("probability"),
            std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","probability":"1"})").find("probability"),
            std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","count":0})").find("count"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","conn":"x"})").find("conn"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","conn":1,"nth":1})").find("nth"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","after":-1})").find("after"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"explode"})").find("action"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"dir":"up"})").find("action"), std::string::npos);
}

TEST(RuleJson, RefusesUnknownFieldsAndFieldsOfAnotherAction) {
  EXPECT_NE(ErrorFor(R"({"action":"reset","directon":"up"})").find("directon"), std::string::npos);
  const std::string wrong = ErrorFor(R"({"action":"delay","delay_ms":5,"gap_ms":2})");
  EXPECT_NE(wrong.find("gap_ms"), std::string::npos);
  EXPECT_NE(wrong.find("delay"), std::string::npos);
  EXPECT_NE(ErrorFor(R"({"action":"reset","at":4})").find("'at'"), std::string::npos);
}

}  // namespace
}  // namespace reftarget::netfault
