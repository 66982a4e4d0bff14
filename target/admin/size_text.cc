#include "target/admin/size_text.h"

#include <cstdio>

#include "target/admin/command_line.h"

namespace reftarget::admin {
namespace {

// A fraction finer than this many digits cannot name whole bytes of any unit up to P.
constexpr size_t kMaxFractionDigits = 18;

Status NotASize(std::string_view text) {
  return Status::Error(Quote(text) + " is not a size (examples: 512M, 10G)");
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<uint64_t> ParseSize(std::string_view text) {
  size_t i = 0;
  unsigned __int128 whole = 0;
  while (i < text.size() && IsDigit(text[i])) {
    whole = whole * 10 + static_cast<unsigned>(text[i] - '0');
    if (whole > kMaxSizeBytes) {
      return Status::Error(Quote(text) + " is larger than the largest size, " +
                           std::to_string(kMaxSizeBytes) + " bytes");
    }
    ++i;
  }
  if (i == 0) return NotASize(text);
  unsigned __int128 fraction = 0;
  unsigned __int128 fraction_scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t digits = 0;
    while (i < text.size() && IsDigit(text[i])) {
      if (++digits > kMaxFractionDigits) return NotASize(text);
      fraction = fraction * 10 + static_cast<unsigned>(text[i] - '0');
      fraction_scale *= 10;
      ++i;
    }
    if (digits == 0) return NotASize(text);
  }
  // The unit: [kmgtp], then an optional 'i', then an optional 'b'; or a lone 'b' for bytes.
  unsigned __int128 unit = 1;
  std::string_view rest = text.substr(i);
  if (!rest.empty()) {
    constexpr std::string_view kUnits = "kmgtp";
    size_t power = kUnits.find(Lower(rest.front()));
    if (power != std::string_view::npos) {
      for (size_t p = 0; p <= power; ++p) unit *= 1024;
      rest.remove_prefix(1);
      if (!rest.empty() && Lower(rest.front()) == 'i') rest.remove_prefix(1);
    }
    if (!rest.empty() && Lower(rest.front()) == 'b') rest.remove_prefix(1);
    if (!rest.empty()) return NotASize(text);
  }
  unsigned __int128 scaled_fraction = fraction * unit;
  if (scaled_fraction % fraction_scale != 0) {
    return Status::Error(Quote(text) + " is not a whole number of bytes");
  }
  unsigned __int128 bytes = whole * unit + scaled_fraction / fraction_scale;
  if (bytes > kMaxSizeBytes) {
    return Status::Error(Quote(text) + " is larger than the largest size, " +
                         std::to_string(kMaxSizeBytes) + " bytes");
  }
  if (bytes == 0) return Status::Error(Quote(text) + " is zero; a size is at least 1 byte");
  return static_cast<uint64_t>(bytes);
}

std::string FormatSize(uint64_t bytes) {
  constexpr double kKilo = 1024.0;
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  // bytes_to_human(): divide first, then pick the first unit that keeps the value below
  // 1024; "%3.1f" rounds, so 1048575 bytes show as "1024.0KiB" exactly as targetcli does.
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double size = static_cast<double>(bytes) / kKilo;
  size_t unit = 0;
  while (size >= kKilo && unit + 1 < std::size(kUnits)) {
    size /= kKilo;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%3.1f%s", size, kUnits[unit]);
  return buf;
}

}  // namespace reftarget::admin
