#include "target/admin/command_line.h"

#include <cstdio>

namespace reftarget::admin {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// configshell's command token: Word(alphanums + '_').
bool IsVerbWord(std::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!IsAlnum(c) && c != '_') return false;
  }
  return true;
}

// configshell's keyword before '=': Word(alphanums + '_-'). Returns the length of the key,
// or 0 if `word` is not key=value.
size_t KeyLength(std::string_view word) {
  size_t eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) return 0;
  for (size_t i = 0; i < eq; ++i) {
    if (!IsAlnum(word[i]) && word[i] != '_' && word[i] != '-') return 0;
  }
  return eq;
}

// configshell's path token: it holds a '/', or is "." or "..".
bool IsPathWord(std::string_view word) {
  return word == "." || word == ".." || word.find('/') != std::string_view::npos;
}

std::string WordName(size_t index, std::string_view word) {
  return "word " + std::to_string(index + 1) + " " + Quote(word);
}

// Words become paths, names and values written to configfs-like places and log lines; a
// control character in one is always a mistake (or an attack on a log).
Status CheckWord(size_t index, std::string_view word) {
  if (word.size() > kMaxWordLength) {
    return Status::Error(WordName(index, word) + ": " + std::to_string(word.size()) +
                         " bytes long; at most " + std::to_string(kMaxWordLength));
  }
  for (char c : word) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::Error(WordName(index, word) + ": contains a control character");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    unsigned char u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u < 0x7f) {
      out += text[i];
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

Result<std::vector<std::string>> SplitWords(std::string_view line) {
  if (line.size() > kMaxLineLength) {
    return Status::Error("command line is " + std::to_string(line.size()) +
                         " bytes long; at most " + std::to_string(kMaxLineLength));
  }
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return Status::Error("column " + std::to_string(i + 1) + ": unterminated ' quote");
      }
      word.append(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      size_t start = i;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += line[i++];
      }
      if (!closed) {
        return Status::Error("column " + std::to_string(start + 1) + ": unterminated \" quote");
      }
    } else if (c == '\\') {
      if (i + 1 >= line.size()) {
        return Status::Error("column " + std::to_string(i + 1) + ": trailing backslash");
      }
      word += line[i + 1];
      i += 2;
    } else {
      word += c;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<std::string> NormalizePath(std::string_view path, std::string_view cwd) {
  if (cwd.empty() || cwd.front() != '/') {
    return Status::Error("current path " + Quote(cwd) + " is not absolute");
  }
  std::vector<std::string> parts;
  if (path.empty() || path.front() != '/') parts = PathComponents(cwd);
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    size_t end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += "/" + part;
  if (out.empty()) out = "/";
  return out;
}

std::vector<std::string> PathComponents(std::string_view normalized_path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < normalized_path.size()) {
    size_t slash = normalized_path.find('/', start);
    size_t end = slash == std::string_view::npos ? normalized_path.size() : slash;
    if (end > start) parts.emplace_back(normalized_path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

Result<Command> ParseCommand(const std::vector<std::string>& words, const std::string& cwd) {
  if (words.empty()) return Status::Error("empty command");
  if (words.size() > kMaxWords) {
    return Status::Error("command has " + std::to_string(words.size()) + " words; at most " +
                         std::to_string(kMaxWords));
  }
  for (size_t i = 0; i < words.size(); ++i) {
    if (Status s = CheckWord(i, words[i]); !s.ok()) return s;
  }
  Command command;
  size_t next = 0;
  std::string path_text = ".";
  if (IsPathWord(words[0])) {
    path_text = words[0];
    next = 1;
  }
  auto path = NormalizePath(path_text, cwd);
  if (!path.ok()) return path.status();
  command.path = std::move(path).value();
  if (next == words.size()) {
    // configshell: a path alone changes the current path.
    command.verb = "cd";
    return command;
  }
  const std::string& verb = words[next];
  if (!IsVerbWord(verb)) {
    return Status::Error(WordName(next, verb) +
                         ": is not a command name (letters, digits and '_'); a command line "
                         "reads [PATH] COMMAND [ARGS...]");
  }
  command.verb = verb;
  for (size_t i = next + 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    size_t key_length = KeyLength(word);
    if (key_length == 0) {
      command.positional.push_back(word);
      continue;
    }
    std::string key = word.substr(0, key_length);
    auto [it, inserted] = command.named.emplace(key, word.substr(key_length + 1));
    if (!inserted) {
      return Status::Error(WordName(i, word) + ": argument '" + key + "' is given twice");
    }
  }
  return command;
}

}  // namespace reftarget::admin
