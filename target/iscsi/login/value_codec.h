// Value encodings of iSCSI text keys (RFC 7143 §6.1): numbers, booleans, lists and binary
// values in hex ("0x") or base64 ("0b"). Pure functions; no allocation beyond the results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"

namespace reftarget::iscsi::login {

// Returns the value of a numerical-value (RFC 7143 §6.1: a decimal-constant without leading
// zeros, or a hex-constant "0x"/"0X" followed by hex digits) below 2^64; nullopt otherwise.
std::optional<uint64_t> ParseNumber(std::string_view text);

// Returns true for "Yes", false for "No", nullopt for anything else (values are case sensitive).
std::optional<bool> ParseBoolean(std::string_view text);
// Returns "Yes" or "No".
std::string_view BooleanText(bool value);

// Splits a list-of-values at its commas; "" yields one empty element.
std::vector<std::string_view> SplitList(std::string_view text);

// Decodes a binary value: "0x"/"0X" + an even number of hex digits, or "0b"/"0B" + padded
// base64 (RFC 4648). The encoded length is checked against `max_bytes` before decoding.
// Errors name the problem (odd digit count, bad character and its offset, oversize).
Result<std::vector<uint8_t>> DecodeBinary(std::string_view text, size_t max_bytes);

// Returns "0x" followed by two lowercase hex digits per byte.
std::string EncodeHex(std::span<const uint8_t> bytes);

// Returns `text` with bytes outside printable ASCII shown as \xNN, cut to `max_chars` with
// "..." appended: safe to put an untrusted value in a log line or error message.
std::string Printable(std::string_view text, size_t max_chars = 64);

}  // namespace reftarget::iscsi::login
