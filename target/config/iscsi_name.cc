#include "target/config/iscsi_name.h"

#include <cstdio>

namespace reftarget::config {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsLabelChar(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || c == '-'; }

// Renders a byte for a message: printable ASCII as itself, anything else as \xNN.
std::string ShowChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\x%02x", u);
  return buf;
}

Status Invalid(std::string_view why) { return Status::Error(std::string(why)); }

// eui. and naa. names: hex digits after the prefix; rtslib drops ':' and '-' separators.
Result<std::string> NormalizeHexName(const std::string& lower, std::string_view prefix,
                                     bool allow_32) {
  std::string out(prefix);
  for (size_t i = prefix.size(); i < lower.size(); ++i) {
    char c = lower[i];
    if (c == ':' || c == '-') continue;
    if (!IsHex(c)) {
      return Invalid(std::string(prefix) + " names take hex digits only, found " + ShowChar(c));
    }
    out += c;
  }
  size_t digits = out.size() - prefix.size();
  if (digits == 16 || (allow_32 && digits == 32)) return out;
  return Invalid(std::string(prefix) + " needs " + (allow_32 ? "16 or 32" : "16") +
                 " hex digits, found " + std::to_string(digits));
}

Result<std::string> NormalizeIqn(const std::string& lower) {
  // "iqn." YYYY "-" MM "." authority [":" unique]
  constexpr std::string_view kForm = "expected iqn.YYYY-MM.reversed.domain[:identifier]";
  if (lower.size() < 12 || !IsDigit(lower[4]) || !IsDigit(lower[5]) || !IsDigit(lower[6]) ||
      !IsDigit(lower[7]) || lower[8] != '-' || !IsDigit(lower[9]) || !IsDigit(lower[10]) ||
      lower[11] != '.') {
    return Invalid(kForm);
  }
  int month = (lower[9] - '0') * 10 + (lower[10] - '0');
  if (month < 1 || month > 12) {
    return Invalid("month " + lower.substr(9, 2) + " is not 01 to 12");
  }
  for (size_t i = 4; i < lower.size(); ++i) {
    char c = lower[i];
    unsigned char u = static_cast<unsigned char>(c);
    // RFC 3720 §3.2.6.2; rtslib also refuses ' ' and '_'.
    if (!(IsLabelChar(c) || c == '.' || c == ':' || u >= 0x80)) {
      return Invalid("character " + ShowChar(c) + " is not allowed (RFC 3720 §3.2.6.2)");
    }
  }
  // The naming authority: a reversed domain name of at least two labels (rtslib's pattern
  // iqn\.[0-9]{4}-[0-1][0-9]\..*\..* needs that dot).
  size_t end = lower.find(':', 12);
  std::string_view authority =
      std::string_view(lower).substr(12, end == std::string::npos ? std::string::npos : end - 12);
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    size_t dot = authority.find('.', start);
    std::string_view label = authority.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return Invalid("empty label in the naming authority");
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) {
    return Invalid("the naming authority needs a reversed domain name such as org.example");
  }
  return lower;
}

}  // namespace

Result<std::string> NormalizeIscsiName(std::string_view name) {
  if (name.empty()) return Invalid("empty");
  if (name.size() > kMaxIscsiNameLength) {
    return Invalid(std::to_string(name.size()) + " bytes long, RFC 3720 §3.2.6.1 allows " +
                   std::to_string(kMaxIscsiNameLength));
  }
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string_view prefix = std::string_view(lower).substr(0, 4);
  if (prefix == "iqn.") return NormalizeIqn(lower);
  if (prefix == "eui.") return NormalizeHexName(lower, "eui.", false);
  if (prefix == "naa.") return NormalizeHexName(lower, "naa.", true);
  return Invalid("expected an iqn., eui. or naa. name (RFC 3720 §3.2.6.3)");
}

}  // namespace reftarget::config
