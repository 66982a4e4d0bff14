// Sizes as targetcli reads and prints them (ui_backstore.py human_to_bytes() and
// bytes_to_human()): every unit is a power of 1024, whatever its spelling.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "target/common/status.h"

namespace reftarget::admin {

// StorageObject sizes become off_t file sizes (and the reader's limit is the same).
inline constexpr uint64_t kMaxSizeBytes = INT64_MAX;

// Parses "4096" (bytes), "512B", "4k", "512M", "10G", "1T", "2P", with the unit in either
// case and optionally followed by "B", "iB" ("KiB", "MB", "gib"). A decimal fraction is
// accepted when it makes whole bytes ("1.5G", not "1.3B"). The value is 1..kMaxSizeBytes.
// On failure the message quotes `text` and gives examples, without naming the field:
//   '12Q' is not a size (examples: 512M, 10G)
Result<uint64_t> ParseSize(std::string_view text);

// Returns `bytes` as targetcli shows it: "512 bytes" below 1 KiB, else one decimal and the
// largest binary unit that keeps the number below 1024: "1.0GiB", "1.5MiB", "8192.0PiB".
std::string FormatSize(uint64_t bytes);

}  // namespace reftarget::admin
