#include "target/iscsi/login/text_keys.h"

#include <algorithm>
#include <cstring>

#include "target/iscsi/login/value_codec.h"

namespace reftarget::iscsi::login {
namespace {

// RFC 7143 §6.1 key characters: letters, digits, dot, minus, plus, commercial at, underscore;
// '#' appears in public extension keys ("X#...", RFC 7143 §13.22).
bool IsKeyChar(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '+' || c == '@' || c == '_' || c == '#';
}

std::string PairName(size_t index, size_t offset) {
  return "text key pair " + std::to_string(index) + " (offset " + std::to_string(offset) + ")";
}

template <typename Where>
Status CheckValueLength(std::string_view key, std::string_view value, const Where& where) {
  size_t limit = MaxValueLength(key);
  if (value.size() > limit) {
    return Status::Error(where() + ": value of " + std::string(key) + " is " +
                         std::to_string(value.size()) + " bytes, limit " + std::to_string(limit));
  }
  if (IsListKey(key)) {
    for (std::string_view element : SplitList(value)) {
      if (element.size() > kMaxSimpleValueLength) {
        return Status::Error(where() + ": an element of " + std::string(key) + " is " +
                             std::to_string(element.size()) + " bytes, limit " +
                             std::to_string(kMaxSimpleValueLength));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsListKey(std::string_view key) {
  return key == "HeaderDigest" || key == "DataDigest" || key == "AuthMethod" || key == "CHAP_A" ||
         key == "TaskReporting";
}

size_t MaxValueLength(std::string_view key) {
  if (key == "CHAP_C" || key == "CHAP_R") return kMaxChapBinaryEncodedLength;
  if (key == "InitiatorName" || key == "TargetName") return kMaxIscsiNameLength;
  if (IsListKey(key)) return kMaxListValueLength;
  return kMaxSimpleValueLength;
}

Result<std::vector<KeyValue>> ParseTextKeys(std::span<const uint8_t> data) {
  std::vector<KeyValue> pairs;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t index = pairs.size();
    const size_t offset = pos;
    auto where = [index, offset] { return PairName(index, offset); };
    if (data[pos] == 0) {
      // RFC 7143 §6.1: one NUL ends each pair. Zeros after the last pair are padding; an empty
      // pair followed by more text is malformed.
      bool all_zero = std::all_of(data.begin() + static_cast<ptrdiff_t>(pos), data.end(),
                                  [](uint8_t b) { return b == 0; });
      if (all_zero) break;
      return Status::Error(where() + " is empty (two NULs in a row before more text)");
    }
    const uint8_t* begin = data.data() + pos;
    size_t remaining = data.size() - pos;
    const void* nul = std::memchr(begin, 0, remaining);
    std::string_view pair(
        reinterpret_cast<const char*>(begin),
        nul == nullptr ? remaining : static_cast<size_t>(static_cast<const uint8_t*>(nul) - begin));
    if (nul == nullptr) {
      return Status::Error(where() + " is not NUL-terminated: \"" + Printable(pair, 40) + "\"");
    }
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Status::Error(where() + " has no '=': \"" + Printable(pair, 40) + "\"");
    }
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    if (key.empty()) return Status::Error(where() + " has an empty key");
    if (key.size() > kMaxKeyLength) {
      return Status::Error(where() + ": key \"" + Printable(key, 40) + "\" is " +
                           std::to_string(key.size()) + " bytes, limit " +
                           std::to_string(kMaxKeyLength));
    }
    for (size_t i = 0; i < key.size(); ++i) {
      if (!IsKeyChar(static_cast<uint8_t>(key[i]))) {
        return Status::Error(where() + ": key \"" + Printable(key) +
                             "\" has an invalid character at " + std::to_string(i));
      }
    }
    if (Status s = CheckValueLength(key, value, where); !s.ok()) return s;
    pairs.push_back(KeyValue{std::string(key), std::string(value)});
    pos += pair.size() + 1;
  }
  return pairs;
}

void AppendTextKey(std::string* out, std::string_view key, std::string_view value) {
  out->reserve(out->size() + key.size() + value.size() + 2);
  out->append(key);
  out->push_back('=');
  out->append(value);
  out->push_back('\0');
}

std::string EncodeTextKeys(const std::vector<KeyValue>& keys) {
  std::string out;
  out.reserve(EncodedSize(keys));
  for (const auto& kv : keys) AppendTextKey(&out, kv.key, kv.value);
  return out;
}

size_t EncodedSize(const std::vector<KeyValue>& keys) {
  size_t total = 0;
  for (const auto& kv : keys) total += kv.key.size() + kv.value.size() + 2;
  return total;
}

}  // namespace reftarget::iscsi::login
