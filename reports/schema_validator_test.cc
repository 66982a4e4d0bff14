#include "reports/schema_validator.h"

#include <gtest/gtest.h>

#include "reports/report_io.h"

namespace harness::reports {
namespace {

using nlohmann::json;

SchemaValidator Make(const json& schema) {
  auto v = SchemaValidator::Create(schema);
  EXPECT_TRUE(v.ok()) << v.error();
  return std::move(v).value();
}

// Returns the errors as "PATH: MESSAGE" lines.
std::vector<std::string> Errors(const SchemaValidator& v, const json& instance) {
  std::vector<std::string> out;
  for (const ValidationError& e : v.Validate(instance)) out.push_back(e.ToString());
  return out;
}

TEST(SchemaValidatorTest, EmbeddedReportSchemaCompiles) {
  // ReportSchemaValidator() aborts on a bad schema; reaching the check means it compiled.
  EXPECT_FALSE(ReportSchemaValidator().Validate(json::object()).empty());
}

TEST(SchemaValidatorTest, Types) {
  SchemaValidator v = Make({{"type", "integer"}});
  EXPECT_TRUE(Errors(v, 3).empty());
  EXPECT_TRUE(Errors(v, 3.0).empty());  // an integral number is an integer (2020-12)
  EXPECT_EQ(Errors(v, 3.5), std::vector<std::string>{"/: expected integer, got number"});
  EXPECT_EQ(Errors(v, "3"), std::vector<std::string>{"/: expected integer, got string"});
  SchemaValidator either = Make({{"type", {"string", "null"}}});
  EXPECT_TRUE(Errors(either, nullptr).empty());
  EXPECT_EQ(Errors(either, true).size(), 1u);
}

TEST(SchemaValidatorTest, RequiredAndAdditionalPropertiesNameTheProperty) {
  SchemaValidator v = Make({{"type", "object"},
                            {"required", {"a", "b/c"}},
                            {"properties", {{"a", {{"type", "string"}}}}},
                            {"additionalProperties", false}});
  EXPECT_EQ(Errors(v, {{"a", "x"}, {"z", 1}}),
            (std::vector<std::string>{"/b~1c: required property is missing",
                                      "/z: property is not allowed here (additionalProperties "
                                      "is false)"}));
  SchemaValidator typed = Make({{"additionalProperties", {{"type", "number"}}}});
  EXPECT_EQ(Errors(typed, {{"k", "v"}}),
            std::vector<std::string>{"/k: expected number, got string"});
}

TEST(SchemaValidatorTest, ItemsAndBounds) {
  SchemaValidator v = Make({{"type", "array"},
                            {"minItems", 1},
                            {"maxItems", 2},
                            {"items", {{"type", "number"}, {"minimum", 0}, {"maximum", 10}}}});
  EXPECT_TRUE(Errors(v, {0, 10}).empty());
  EXPECT_EQ(Errors(v, json::array()).size(), 1u);
  EXPECT_EQ(Errors(v, {-1, 11, 1}),
            (std::vector<std::string>{"/: array has 3 items, more than 2",
                                      "/0: value -1 is less than the minimum 0",
                                      "/1: value 11 is greater than the maximum 10"}));
  SchemaValidator ex = Make({{"exclusiveMinimum", 0}, {"exclusiveMaximum", 1}});
  EXPECT_EQ(Errors(ex, 0).size(), 1u);
  EXPECT_EQ(Errors(ex, 1).size(), 1u);
  EXPECT_TRUE(Errors(ex, 0.5).empty());
}

TEST(SchemaValidatorTest, StringsCountCharactersAndSearchPatterns) {
  SchemaValidator v = Make({{"type", "string"}, {"minLength", 2}, {"maxLength", 3}});
  EXPECT_TRUE(Errors(v, "§§").empty());  // two characters, four bytes
  EXPECT_EQ(Errors(v, "a").size(), 1u);
  EXPECT_EQ(Errors(v, "abcd").size(), 1u);
  SchemaValidator p = Make({{"pattern", "[0-9]+"}});  // unanchored, as JSON Schema says
  EXPECT_TRUE(Errors(p, "ab12").empty());
  EXPECT_EQ(Errors(p, "abc"),
            std::vector<std::string>{"/: value \"abc\" does not match pattern [0-9]+"});
  EXPECT_TRUE(Errors(p, 5).empty());  // pattern applies to strings only
}

TEST(SchemaValidatorTest, OverlongStringIsNotRegexMatched) {
  SchemaValidator p = Make({{"pattern", "^(ab)*$"}});
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "ab";
  std::vector<std::string> errors = Errors(p, s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("too long to match pattern"), std::string::npos);
  SchemaValidator bounded = Make({{"pattern", "^(ab)*$"}, {"maxLength", 10}});
  EXPECT_EQ(Errors(bounded, s).size(), 1u);  // maxLength reports it; the pattern is skipped
}

TEST(SchemaValidatorTest, EnumConstAndRefs) {
  SchemaValidator v =
      Make({{"$defs", {{"o", {{"enum", {"PASS", "FAIL"}}}}}},
            {"properties", {{"x", {{"$ref", "#/$defs/o"}}}, {"c", {{"const", 1}}}}}});
  EXPECT_TRUE(Errors(v, {{"x", "PASS"}, {"c", 1}}).empty());
  EXPECT_EQ(Errors(v, {{"x", "pass"}, {"c", 2}}),
            (std::vector<std::string>{"/c: value 2 is not 1",
                                      "/x: value \"pass\" is not one of [\"PASS\",\"FAIL\"]"}));
}

TEST(SchemaValidatorTest, Combinators) {
  SchemaValidator any = Make({{"anyOf", {{{"type", "string"}}, {{"type", "integer"}}}}});
  EXPECT_TRUE(Errors(any, 1).empty());
  EXPECT_EQ(Errors(any, 1.5).size(), 1u);
  SchemaValidator one = Make({{"oneOf", {{{"type", "number"}}, {{"type", "integer"}}}}});
  EXPECT_TRUE(Errors(one, 1.5).empty());
  EXPECT_EQ(Errors(one, 1).size(), 1u);  // matches both
  SchemaValidator all = Make({{"allOf", {{{"minimum", 1}}, {{"maximum", 2}}}}});
  EXPECT_EQ(Errors(all, 3).size(), 1u);
  SchemaValidator no = Make({{"not", {{"type", "null"}}}});
  EXPECT_EQ(Errors(no, nullptr).size(), 1u);
  SchemaValidator cond = Make({{"if", {{"properties", {{"k", {{"const", "SKIP"}}}}}}},
                               {"then", {{"required", {"reason"}}}},
                               {"else", {{"properties", {{"reason", false}}}}}});
  EXPECT_EQ(Errors(cond, {{"k", "SKIP"}}),
            std::vector<std::string>{"/reason: required property is missing"});
  EXPECT_EQ(Errors(cond, {{"k", "PASS"}, {"reason", "x"}}),
            std::vector<std::string>{"/reason: no value is allowed here"});
}

TEST(SchemaValidatorTest, RefusesWhatItCannotEnforce) {
  auto unknown = SchemaValidator::Create({{"properties", {{"a", {{"uniqueItems", true}}}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(),
            "schema #/properties/a/uniqueItems: unsupported keyword \"uniqueItems\" (see "
            "schema_validator.h)");
  auto dangling = SchemaValidator::Create({{"$ref", "#/$defs/missing"}});
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.error().find("does not resolve"), std::string::npos);
  auto remote = SchemaValidator::Create({{"$ref", "https://example.com/s.json"}});
  EXPECT_FALSE(remote.ok());
  auto bad_regex = SchemaValidator::Create({{"pattern", "(["}});
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_NE(bad_regex.error().find("#/pattern: pattern does not compile"), std::string::npos);
  EXPECT_FALSE(SchemaValidator::Create({{"type", "float"}}).ok());
  EXPECT_FALSE(SchemaValidator::Create({{"minLength", -1}}).ok());
  EXPECT_FALSE(SchemaValidator::Create(json::array()).ok());
}

TEST(SchemaValidatorTest, RefCycleStopsAtDepthLimit) {
  SchemaValidator v = Make({{"$ref", "#"}});
  std::vector<std::string> errors = Errors(v, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("recursion deeper than"), std::string::npos);
}

TEST(SchemaValidatorTest, PointerEscaping) {
  EXPECT_EQ(JsonPointerEscape("a/b~c"), "a~1b~0c");
  EXPECT_EQ((ValidationError{"", "m"}).ToString(), "/: m");
}

}  // namespace
}  // namespace harness::reports
