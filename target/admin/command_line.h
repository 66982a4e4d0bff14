// One targetcli command line, as configshell reads it: "[PATH] VERB [ARGS...]", where PATH
// is a word containing '/' (or "." / ".."), VERB a word of letters, digits and '_', and each
// ARG either positional or key=value (key of letters, digits, '_' and '-'; the value is
// everything after the first '='). Pure text handling: no I/O.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"

namespace reftarget::admin {

// The longest word accepted: a path of PATH_MAX less the NUL is the longest value any
// field takes (file_or_dev); anything longer is refused before it reaches an edit.
inline constexpr size_t kMaxWordLength = 4095;
// More words than any command takes (set attribute with every LIO attribute is about 40).
inline constexpr size_t kMaxWords = 256;
// The longest line SplitWords() reads.
inline constexpr size_t kMaxLineLength = 64 * 1024;

struct Command {
  std::string path;                          // absolute, normalized: "/iscsi/iqn.../tpg1/luns"
  std::string verb;                          // "create", "delete", "set", "get", "ls", ...
  std::vector<std::string> positional;       // in order
  std::map<std::string, std::string> named;  // key=value arguments

  bool operator==(const Command&) const = default;
};

// Splits one line into words with shell-like quoting: blanks separate words; '...' is
// literal; "..." allows \" and \\; a backslash outside quotes escapes the next character.
// Errors name the column of an unterminated quote or a trailing backslash.
Result<std::vector<std::string>> SplitWords(std::string_view line);

// Parses `words` as configshell does: "[PATH] VERB [ARGS...]". PATH is relative to `cwd`
// ("..", "." and "/" allowed); a PATH without a VERB is the verb "cd". Errors name the word
// (its position and text): control characters, over-long words, a key given twice.
Result<Command> ParseCommand(const std::vector<std::string>& words, const std::string& cwd = "/");

// Returns `path` made absolute against `cwd` (itself absolute) with ".", ".." and repeated
// '/' resolved and no trailing '/': "../luns" from "/iscsi/x/tpg1/acls" is
// "/iscsi/x/tpg1/luns"; ".." above "/" stays "/".
Result<std::string> NormalizePath(std::string_view path, std::string_view cwd = "/");

// Returns the components of a normalized path: "/iscsi/x/tpg1" -> {"iscsi", "x", "tpg1"}.
std::vector<std::string> PathComponents(std::string_view normalized_path);

// Returns `text` in single quotes for messages, with bytes outside printable ASCII shown as
// \xNN and anything past 64 bytes cut to "...".
std::string Quote(std::string_view text);

}  // namespace reftarget::admin
