#include "target/config/json_document.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

namespace reftarget::config {
namespace {

using nlohmann::json;

void AppendEscapedByte(unsigned char u, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "\\x%02x", u);
  *out += buf;
}

// nlohmann quotes the bytes it read last, which may be the invalid UTF-8 it refused.
std::string AsciiOnly(std::string_view text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      AppendEscapedByte(u, &out);
    } else {
      out += c;
    }
  }
  return out;
}

// Builds the DOM through nlohmann's SAX interface so that each event can be checked.
class CheckingBuilder : public nlohmann::json_sax<json> {
 public:
  explicit CheckingBuilder(std::string_view text) : text_(text) {}

  bool null() override { return Add(json(nullptr)); }
  bool boolean(bool v) override { return Add(json(v)); }
  bool number_integer(number_integer_t v) override { return Add(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Add(json(v)); }
  bool number_float(number_float_t v, const string_t& /*text*/) override {
    if (!std::isfinite(v)) return Refuse(ChildPath(), "number out of range");
    return Add(json(v));
  }
  bool string(string_t& v) override { return Add(json(std::move(v))); }
  bool binary(binary_t& /*v*/) override { return Refuse(ChildPath(), "binary value"); }

  bool start_object(std::size_t /*elements*/) override { return Open(json::object()); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t /*elements*/) override { return Open(json::array()); }
  bool end_array() override { return Close(); }

  bool key(string_t& k) override {
    const json& parent = *stack_.back().value;
    if (parent.contains(k)) {
      return Refuse(stack_.back().path, "duplicate key \"" + Printable(k) + "\"");
    }
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) override {
    syntax_position_ = position;
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line L, column C:
    // syntax error while parsing value - invalid literal; last read: 'x'". Keep what follows
    // "syntax error "; the position is computed from `position` below.
    std::string what = ex.what();
    size_t at = what.find("syntax error ");
    if (at != std::string::npos) {
      syntax_message_ = what.substr(at + 13);
    } else {
      size_t colon = what.find(": ");
      syntax_message_ = colon == std::string::npos ? what : what.substr(colon + 2);
    }
    return false;
  }

  // Returns the error message (without the source name), or "" if none.
  std::string Error(std::string_view source) const {
    if (syntax_position_) {
      auto [line, column] = LineColumn(*syntax_position_);
      return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column) +
             ": syntax error: " + AsciiOnly(syntax_message_);
    }
    if (refusal_) return std::string(source) + ": " + *refusal_;
    return "";
  }

  json TakeRoot() { return std::move(root_); }

 private:
  struct Open_ {
    json* value;
    std::string path;
  };

  // The pointer of the value about to be added.
  std::string ChildPath() const {
    if (stack_.empty()) return "";
    const Open_& top = stack_.back();
    if (top.value->is_array()) return JsonPointerAppend(top.path, top.value->size());
    return JsonPointerAppend(top.path, key_);
  }

  json* Insert(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json* parent = stack_.back().value;
    if (parent->is_array()) {
      parent->push_back(std::move(v));
      return &parent->back();
    }
    json& slot = (*parent)[key_];
    slot = std::move(v);
    return &slot;
  }

  bool Add(json v) {
    Insert(std::move(v));
    return true;
  }

  bool Open(json container) {
    std::string path = ChildPath();
    if (stack_.size() >= kMaxJsonDepth) {
      return Refuse(path.empty() ? "/" : path,
                    "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    json* v = Insert(std::move(container));
    stack_.push_back({v, std::move(path)});
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  bool Refuse(const std::string& path, std::string problem) {
    refusal_ = (path.empty() ? std::string("/") : path) + ": " + std::move(problem);
    return false;
  }

  // nlohmann reports the count of bytes read; the offending byte is the last of them.
  std::pair<size_t, size_t> LineColumn(size_t position) const {
    size_t end = position == 0 ? 0 : std::min(position - 1, text_.size());
    size_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < end; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return {line, end - line_start + 1};
  }

  std::string_view text_;
  json root_;
  std::vector<Open_> stack_;
  std::string key_;
  std::optional<size_t> syntax_position_;
  std::string syntax_message_;
  std::optional<std::string> refusal_;
};

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      AppendEscapedByte(u, &out);
    } else {
      out += c;
    }
  }
  return out;
}

std::string JsonPointerAppend(std::string_view path, std::string_view key) {
  std::string out(path);
  out += '/';
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else if (u < 0x20 || u == 0x7f) {
      AppendEscapedByte(u, &out);
    } else {
      out += c;
    }
  }
  return out;
}

std::string JsonPointerAppend(std::string_view path, size_t index) {
  std::string out(path);
  out += '/';
  out += std::to_string(index);
  return out;
}

Result<nlohmann::json> ParseJsonDocument(std::string_view text, std::string_view source_name) {
  bool blank = true;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      blank = false;
      break;
    }
  }
  if (blank)
    return Status::Error(std::string(source_name) + ": empty file (expected a JSON object)");
  CheckingBuilder builder(text);
  bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  if (!ok) {
    std::string error = builder.Error(source_name);
    if (error.empty()) error = std::string(source_name) + ": cannot parse JSON";
    return Status::Error(std::move(error));
  }
  return builder.TakeRoot();
}

}  // namespace reftarget::config
