// Command lines: word splitting with quotes, configshell's [PATH] VERB [ARGS] grammar, path
// normalization, and the bounds every word is held to.
#include "target/admin/command_line.h"

#include <gtest/gtest.h>

namespace reftarget::admin {
namespace {

using Words = std::vector<std::string>;

Words MustSplit(std::string_view line) {
  auto words = SplitWords(line);
  EXPECT_TRUE(words.ok()) << words.error();
  return words.ok() ? words.value() : Words{};
}

Command MustParse(const Words& words, const std::string& cwd = "/") {
  auto command = ParseCommand(words, cwd);
  EXPECT_TRUE(command.ok()) << command.error();
  return command.ok() ? command.value() : Command{};
}

TEST(SplitWords, Blanks) {
  EXPECT_EQ(MustSplit("  /iscsi   create\tiqn.2003-01.org.x:t  "),
            (Words{"/iscsi", "create", "iqn.2003-01.org.x:t"}));
  EXPECT_EQ(MustSplit(""), Words{});
  EXPECT_EQ(MustSplit("   "), Words{});
}

TEST(SplitWords, Quotes) {
  EXPECT_EQ(MustSplit("set auth password='a b\"c'"), (Words{"set", "auth", "password=a b\"c"}));
  EXPECT_EQ(MustSplit(R"(set auth "password=x \"y\" \\z")"),
            (Words{"set", "auth", R"(password=x "y" \z)"}));
  EXPECT_EQ(MustSplit(R"(a\ b c)"), (Words{"a b", "c"}));
  EXPECT_EQ(MustSplit("''"), (Words{""}));
  EXPECT_EQ(MustSplit("x'y'\"z\""), (Words{"xyz"}));
}

TEST(SplitWords, UnterminatedQuoteNamesColumn) {
  auto single = SplitWords("set auth password='abc");
  ASSERT_FALSE(single.ok());
  EXPECT_EQ(single.error(), "column 19: unterminated ' quote");
  auto dbl = SplitWords("ls \"/iscsi");
  ASSERT_FALSE(dbl.ok());
  EXPECT_EQ(dbl.error(), "column 4: unterminated \" quote");
  auto backslash = SplitWords("ls \\");
  ASSERT_FALSE(backslash.ok());
  EXPECT_EQ(backslash.error(), "column 4: trailing backslash");
}

TEST(SplitWords, LineTooLong) {
  auto words = SplitWords(std::string(kMaxLineLength + 1, 'a'));
  ASSERT_FALSE(words.ok());
  EXPECT_NE(words.error().find("at most 65536"), std::string::npos) << words.error();
}

TEST(ParseCommand, PathVerbArguments) {
  Command c = MustParse(
      {"/backstores/fileio", "create", "disk0", "/var/disk0.img", "size=1G", "write_back=false"});
  EXPECT_EQ(c.path, "/backstores/fileio");
  EXPECT_EQ(c.verb, "create");
  EXPECT_EQ(c.positional, (Words{"disk0", "/var/disk0.img"}));
  EXPECT_EQ(c.named, (std::map<std::string, std::string>{{"size", "1G"}, {"write_back", "false"}}));
}

TEST(ParseCommand, NoPathMeansCurrentPath) {
  Command c = MustParse({"create", "lun=3"}, "/iscsi/iqn.2003-01.org.x:t/tpg1/luns");
  EXPECT_EQ(c.path, "/iscsi/iqn.2003-01.org.x:t/tpg1/luns");
  EXPECT_EQ(c.verb, "create");
  EXPECT_EQ(c.named.at("lun"), "3");
}

TEST(ParseCommand, RelativePaths) {
  const std::string cwd = "/iscsi/iqn.2003-01.org.x:t/tpg1/acls";
  EXPECT_EQ(MustParse({"../luns", "ls"}, cwd).path, "/iscsi/iqn.2003-01.org.x:t/tpg1/luns");
  EXPECT_EQ(MustParse({"..", "ls"}, cwd).path, "/iscsi/iqn.2003-01.org.x:t/tpg1");
  EXPECT_EQ(MustParse({".", "ls"}, cwd).path, cwd);
  EXPECT_EQ(MustParse({"/", "ls"}, cwd).path, "/");
  EXPECT_EQ(MustParse({"../../../../../..", "ls"}, cwd).path, "/");
  EXPECT_EQ(MustParse({"//iscsi///x/./", "ls"}).path, "/iscsi/x");
}

TEST(ParseCommand, PathAloneIsCd) {
  Command c = MustParse({"/iscsi"});
  EXPECT_EQ(c.path, "/iscsi");
  EXPECT_EQ(c.verb, "cd");
}

TEST(ParseCommand, ValueKeepsLaterEquals) {
  Command c = MustParse({"set", "auth", "password=a=b=c"});
  EXPECT_EQ(c.named.at("password"), "a=b=c");
  EXPECT_EQ(c.positional, (Words{"auth"}));
}

TEST(ParseCommand, WordWithSlashBeforeEqualsIsPositional) {
  // configshell's keyword is [A-Za-z0-9_-]+; a path holding '=' stays one positional value.
  Command c = MustParse({"/backstores/fileio", "create", "d", "/var/a=b.img"});
  EXPECT_EQ(c.positional, (Words{"d", "/var/a=b.img"}));
  EXPECT_TRUE(c.named.empty());
}

TEST(ParseCommand, EmptyValue) {
  Command c = MustParse({"set", "auth", "userid="});
  EXPECT_EQ(c.named.at("userid"), "");
}

TEST(ParseCommand, Errors) {
  auto empty = ParseCommand({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error(), "empty command");

  auto twice = ParseCommand({"/iscsi", "set", "discovery_auth", "userid=a", "userid=b"});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error(), "word 5 'userid=b': argument 'userid' is given twice");

  auto verb = ParseCommand({"/iscsi", "cre-ate"});
  ASSERT_FALSE(verb.ok());
  EXPECT_NE(verb.error().find("word 2 'cre-ate': is not a command name"), std::string::npos)
      << verb.error();

  auto control = ParseCommand({"/iscsi", "create", "iqn.2003-01.org.x:t\n"});
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error(), "word 3 'iqn.2003-01.org.x:t\\x0a': contains a control character");

  auto cwd = ParseCommand({"ls"}, "relative");
  ASSERT_FALSE(cwd.ok());
  EXPECT_EQ(cwd.error(), "current path 'relative' is not absolute");
}

TEST(ParseCommand, WordBounds) {
  std::string big(kMaxWordLength + 1, 'x');
  auto r = ParseCommand({"/backstores/fileio", "create", "d", "/" + big});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("word 4 '/xxx"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("4097 bytes long; at most 4095"), std::string::npos) << r.error();

  Words many(kMaxWords + 1, "x");
  auto m = ParseCommand(many);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error(), "command has 257 words; at most 256");
}

TEST(NormalizePath, Forms) {
  EXPECT_EQ(NormalizePath("luns", "/iscsi/t/tpg1").value(), "/iscsi/t/tpg1/luns");
  EXPECT_EQ(NormalizePath("/backstores/../iscsi/", "/x").value(), "/iscsi");
  EXPECT_EQ(NormalizePath("", "/iscsi").value(), "/iscsi");
  EXPECT_EQ(NormalizePath("..", "/").value(), "/");
  EXPECT_FALSE(NormalizePath("x", "").ok());
}

TEST(PathComponents, Split) {
  EXPECT_EQ(PathComponents("/iscsi/t/tpg1"), (Words{"iscsi", "t", "tpg1"}));
  EXPECT_EQ(PathComponents("/"), Words{});
}

TEST(Quote, EscapesAndCuts) {
  EXPECT_EQ(Quote("abc"), "'abc'");
  EXPECT_EQ(Quote(std::string("a\x01\xff", 3)), "'a\\x01\\xff'");
  EXPECT_EQ(Quote(std::string(70, 'z')), "'" + std::string(64, 'z') + "...'");
}

}  // namespace
}  // namespace reftarget::admin
