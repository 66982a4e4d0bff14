#include "target/iscsi/login/value_codec.h"

#include <limits>

namespace reftarget::iscsi::login {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Result<std::vector<uint8_t>> DecodeHexDigits(std::string_view digits, size_t max_bytes) {
  if (digits.empty()) return Status::Error("hex value has no digits");
  if (digits.size() % 2 != 0) {
    return Status::Error("hex value has an odd number of digits (" + std::to_string(digits.size()) +
                         ")");
  }
  // Length first: never decode more than the caller allows.
  if (digits.size() / 2 > max_bytes) {
    return Status::Error("hex value is " + std::to_string(digits.size() / 2) +
                         " bytes, more than " + std::to_string(max_bytes));
  }
  std::vector<uint8_t> out;
  out.reserve(digits.size() / 2);
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = HexDigit(digits[i]);
    int lo = HexDigit(digits[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? i : i + 1;
      return Status::Error("hex value has a non-hex character at digit " + std::to_string(bad));
    }
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

Result<std::vector<uint8_t>> DecodeBase64Digits(std::string_view digits, size_t max_bytes) {
  if (digits.empty()) return Status::Error("base64 value has no digits");
  if (digits.size() % 4 != 0) {
    return Status::Error("base64 value length " + std::to_string(digits.size()) +
                         " is not a multiple of 4");
  }
  size_t padding = 0;
  if (digits.back() == '=') padding = digits[digits.size() - 2] == '=' ? 2 : 1;
  size_t decoded = digits.size() / 4 * 3 - padding;
  if (decoded > max_bytes) {
    return Status::Error("base64 value is " + std::to_string(decoded) + " bytes, more than " +
                         std::to_string(max_bytes));
  }
  std::vector<uint8_t> out;
  out.reserve(decoded);
  for (size_t i = 0; i < digits.size(); i += 4) {
    bool last = i + 4 == digits.size();
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = digits[i + j];
      int v;
      if (c == '=' && last && j >= 4 - padding) {
        v = 0;
      } else {
        v = Base64Digit(c);
        if (v < 0) {
          return Status::Error("base64 value has an invalid character at digit " +
                               std::to_string(i + j));
        }
      }
      group = group << 6 | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<uint8_t>(group >> 16));
    if (!last || padding < 2) out.push_back(static_cast<uint8_t>(group >> 8));
    if (!last || padding < 1) out.push_back(static_cast<uint8_t>(group));
  }
  return out;
}

}  // namespace

std::optional<uint64_t> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    std::string_view digits = text.substr(2);
    if (digits.size() > 16) {
      // Leading zeros are legal in a hex-constant; only significant digits count.
      size_t first = digits.find_first_not_of('0');
      if (first == std::string_view::npos) return 0;
      digits = digits.substr(first);
      if (digits.size() > 16) return std::nullopt;
    }
    for (char c : digits) {
      int d = HexDigit(c);
      if (d < 0) return std::nullopt;
      value = value << 4 | static_cast<uint64_t>(d);
    }
    return value;
  }
  // RFC 7143 §6.1 decimal-constant: "0" or digits starting with a non-zero digit.
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (value > (kMax - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}

std::optional<bool> ParseBoolean(std::string_view text) {
  if (text == "Yes") return true;
  if (text == "No") return false;
  return std::nullopt;
}

std::string_view BooleanText(bool value) { return value ? "Yes" : "No"; }

std::vector<std::string_view> SplitList(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

Result<std::vector<uint8_t>> DecodeBinary(std::string_view text, size_t max_bytes) {
  if (text.size() < 2 || text[0] != '0') {
    return Status::Error("binary value must start with 0x (hex) or 0b (base64)");
  }
  if (text[1] == 'x' || text[1] == 'X') return DecodeHexDigits(text.substr(2), max_bytes);
  if (text[1] == 'b' || text[1] == 'B') return DecodeBase64Digits(text.substr(2), max_bytes);
  return Status::Error("binary value must start with 0x (hex) or 0b (base64)");
}

std::string EncodeHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  out.reserve(2 + bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string Printable(std::string_view text, size_t max_chars) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace reftarget::iscsi::login
