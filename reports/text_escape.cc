#include "reports/text_escape.h"

#include <cstdint>

namespace harness::reports {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one code point at text[*pos] and advances; invalid input yields U+FFFD and
// consumes one byte (the WHATWG "maximal subpart" rule is not needed for display).
char32_t Next(std::string_view text, size_t* pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t b0 = byte(*pos);
  size_t len;
  char32_t cp;
  char32_t min;
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++*pos;
    return kReplacement;
  }
  if (*pos + len > text.size()) {
    ++*pos;
    return kReplacement;
  }
  for (size_t i = 1; i < len; ++i) {
    uint8_t b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*pos;
    return kReplacement;
  }
  *pos += len;
  return cp;
}

bool XmlForbidden(char32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF;
}

std::string MarkupEscape(std::string_view text, bool drop_c1) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = Next(text, &pos);
    if (XmlForbidden(cp) || cp == 0x7F || (drop_c1 && cp >= 0x80 && cp <= 0x9F)) continue;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        AppendUtf8(cp, &out);
    }
  }
  return out;
}

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) AppendUtf8(Next(text, &pos), &out);
  return out;
}

std::string XmlEscape(std::string_view text) { return MarkupEscape(text, false); }

std::string HtmlEscape(std::string_view text) { return MarkupEscape(text, true); }

std::string MarkdownCell(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = Next(text, &pos);
    if (cp == '\r') continue;
    if (cp == '\n') {
      out += "<br>";
      continue;
    }
    if (cp == '\t') {
      out += ' ';
      continue;
    }
    if (XmlForbidden(cp) || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) continue;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '|':
        out += "\\|";
        break;
      default:
        AppendUtf8(cp, &out);
    }
  }
  return out;
}

std::string MarkdownCode(std::string_view text, bool in_table) {
  std::string body;
  size_t longest = 0;
  size_t run = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = Next(text, &pos);
    if (cp == '\n' || cp == '\r' || cp == '\t') cp = ' ';
    if (XmlForbidden(cp) || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) continue;
    run = cp == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
    if (in_table && cp == '|') body.push_back('\\');
    AppendUtf8(cp, &body);
  }
  std::string fence(longest + 1, '`');
  // CommonMark strips one space from each side when both are present, so pad when the
  // body touches a backtick.
  bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

}  // namespace harness::reports
