// iSCSI text keys (RFC 7143 §6.1): a data segment of "key=value\0" pairs, parsed and encoded.
// Pure functions; no sockets. The parser checks every pair against the RFC's bounds so that
// nothing downstream sees an unbounded key or value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"

namespace reftarget::iscsi::login {

struct KeyValue {
  std::string key;
  std::string value;
};

// RFC 7143 §6.1: "standard-label ... must not exceed 63 characters".
inline constexpr size_t kMaxKeyLength = 63;
// RFC 7143 §6.1: a value is at most 255 bytes unless a key says otherwise.
inline constexpr size_t kMaxSimpleValueLength = 255;
// RFC 7143 §4.2.7.1: iSCSI names are at most 223 bytes (InitiatorName, TargetName).
inline constexpr size_t kMaxIscsiNameLength = 223;
// Whole-value bound for list-valued keys, whose every element is limited to 255 bytes.
inline constexpr size_t kMaxListValueLength = 8192;
// CHAP_C/CHAP_R: RFC 7143 §12.1.3 bounds their *binary* length at 1024 bytes (2 + 2048 hex
// digits). The parser lets encodings up to 16 KiB through so that ChapAuthenticator, which
// enforces the 1024-byte bound, answers an oversize one with authentication failure (0x0201)
// rather than a generic initiator error.
inline constexpr size_t kMaxChapBinaryEncodedLength = 16384;

// Returns the largest value length the parser accepts for `key` (see the constants above).
size_t MaxValueLength(std::string_view key);

// Returns true if `key` is a list-valued key whose elements are each bounded by 255 bytes.
bool IsListKey(std::string_view key);

// Parses a logical text data segment into pairs, in order. Every pair must be "key=value"
// followed by one NUL; zero bytes after the last pair (padding) are tolerated. Fails, naming
// the pair's index and the problem, on: a missing '=', an empty key, a key over 63 bytes or with
// a byte outside RFC 7143 §6.1's key characters (letters, digits, . - + @ _, and # for X#
// extension keys), a value over MaxValueLength(key) (per list element for list keys), an empty
// pair followed by more data, or a last pair without its NUL. Duplicates are not checked here.
Result<std::vector<KeyValue>> ParseTextKeys(std::span<const uint8_t> data);

// Appends "key=value\0" to `out`.
void AppendTextKey(std::string* out, std::string_view key, std::string_view value);

// Returns the concatenation of "key=value\0" for every pair.
std::string EncodeTextKeys(const std::vector<KeyValue>& keys);

// Returns the number of bytes EncodeTextKeys(keys) would produce.
size_t EncodedSize(const std::vector<KeyValue>& keys);

}  // namespace reftarget::iscsi::login
