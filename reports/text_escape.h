// Escaping of untrusted text (target strings, captured logs, sense descriptions) for the
// XML, HTML and Markdown renderings.
#pragma once

#include <string>
#include <string_view>

namespace harness::reports {

// Returns `text` with every invalid UTF-8 sequence (overlong, surrogate, truncated, above
// U+10FFFF) replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

// Returns `text` as XML 1.0 character data safe in both content and attribute values:
// invalid UTF-8 replaced, characters XML 1.0 forbids (C0 controls other than TAB, LF, CR;
// U+FFFE; U+FFFF) removed, & < > " ' escaped, and TAB, LF, CR written as character
// references so that attribute-value normalisation keeps them.
std::string XmlEscape(std::string_view text);

// Returns `text` escaped for HTML content and quoted attribute values (as XmlEscape, with
// C1 controls also removed).
std::string HtmlEscape(std::string_view text);

// Returns `text` as the content of one Markdown table cell: HTML-escaped, '|' escaped,
// line breaks as <br>, controls removed.
std::string MarkdownCell(std::string_view text);

// Returns `text` as an inline Markdown code span fenced with more backticks than it holds;
// line breaks become spaces. In a table cell ('in_table') '|' is escaped, as GFM requires
// even inside code spans.
std::string MarkdownCode(std::string_view text, bool in_table = false);

}  // namespace harness::reports
