#include "reports/text_escape.h"

#include <gtest/gtest.h>

namespace harness::reports {
namespace {

TEST(TextEscapeTest, SanitizeUtf8ReplacesInvalidSequences) {
  EXPECT_EQ(SanitizeUtf8("ok §"), "ok §");
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // emoji survives
}

TEST(TextEscapeTest, XmlEscapeMarkupAndControls) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(XmlEscape(std::string("a\x01\x1b[0m\x7f"
                                  "b",
                                  8)),
            "a[0mb");
  EXPECT_EQ(XmlEscape(std::string("\0", 1)), "");
  EXPECT_EQ(XmlEscape("l1\nl2\tx\r"), "l1&#10;l2&#9;x&#13;");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBE"), "");  // U+FFFE is not an XML character
  EXPECT_EQ(XmlEscape("]]>"), "]]&gt;");
  EXPECT_EQ(XmlEscape("\xC2\x85"), "\xC2\x85");  // C1 is legal XML 1.0
  EXPECT_EQ(HtmlEscape("\xC2\x85"), "");         // but noise in HTML
}

TEST(TextEscapeTest, MarkdownCell) {
  EXPECT_EQ(MarkdownCell("a|b\nc <b>&"), "a\\|b<br>c &lt;b&gt;&amp;");
  EXPECT_EQ(MarkdownCell("x\r\n\ty\x01"), "x<br> y");
}

TEST(TextEscapeTest, MarkdownCodeFencesAroundBackticks) {
  EXPECT_EQ(MarkdownCode("abc"), "`abc`");
  EXPECT_EQ(MarkdownCode("a`b"), "``a`b``");
  EXPECT_EQ(MarkdownCode("`x``"), "``` `x`` ```");
  EXPECT_EQ(MarkdownCode("a\nb"), "`a b`");
  EXPECT_EQ(MarkdownCode("a|b", true), "`a\\|b`");
  EXPECT_EQ(MarkdownCode("a|b"), "`a|b`");
}

}  // namespace
}  // namespace harness::reports
