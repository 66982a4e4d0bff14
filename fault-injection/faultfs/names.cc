#include "fault-injection/faultfs/names.h"

#include <cctype>
#include <cerrno>
#include <charconv>

namespace reftarget::faultfs {
namespace {

struct ErrnoRow {
  const char* name;
  int value;
};

// The errnos a storage stack meets; anything else can be given by number.
constexpr ErrnoRow kErrnos[] = {
    {"EIO", EIO},
    {"ENOSPC", ENOSPC},
    {"EROFS", EROFS},
    {"EACCES", EACCES},
    {"EPERM", EPERM},
    {"ENOENT", ENOENT},
    {"EAGAIN", EAGAIN},
    {"EBUSY", EBUSY},
    {"ENOMEM", ENOMEM},
    {"ETIMEDOUT", ETIMEDOUT},
    {"EINTR", EINTR},
    {"EBADF", EBADF},
    {"EFBIG", EFBIG},
    {"EDQUOT", EDQUOT},
    {"ENXIO", ENXIO},
    {"ENODEV", ENODEV},
    {"EINVAL", EINVAL},
    {"EOPNOTSUPP", EOPNOTSUPP},
    {"ESTALE", ESTALE},
    {"ENOTCONN", ENOTCONN},
    {"ECANCELED", ECANCELED},
    {"ENOMEDIUM", ENOMEDIUM},
    {"EMEDIUMTYPE", EMEDIUMTYPE},
    {"EILSEQ", EILSEQ},
    {"ENODATA", ENODATA},
    {"EREMOTEIO", EREMOTEIO},
    {"EBADMSG", EBADMSG},
    {"EUCLEAN", EUCLEAN},
    {"ENOLINK", ENOLINK},
    {"EMFILE", EMFILE},
    {"ENFILE", ENFILE},
    {"EEXIST", EEXIST},
    {"ENOTEMPTY", ENOTEMPTY},
    {"EXDEV", EXDEV},
    {"ENOTSUP", ENOTSUP},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<int> ParseErrno(std::string_view text) {
  for (const ErrnoRow& row : kErrnos) {
    if (EqualsIgnoreCase(text, row.name)) return row.value;
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size() && value > 0 && value < 4096)
    return value;
  return Status::Error("unknown errno '" + std::string(text) +
                       "' (use a name such as EIO or a number 1..4095)");
}

std::string ErrnoName(int error) {
  for (const ErrnoRow& row : kErrnos) {
    if (row.value == error) return row.name;
  }
  return std::to_string(error);
}

Result<Op> ParseOp(std::string_view text) {
  if (text == "read") return Op::kRead;
  if (text == "write") return Op::kWrite;
  if (text == "fsync") return Op::kFsync;
  if (text == "open") return Op::kOpen;
  if (text == "any") return Op::kAny;
  return Status::Error("unknown op '" + std::string(text) + "' (read|write|fsync|open|any)");
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead:
      return "read";
    case Op::kWrite:
      return "write";
    case Op::kFsync:
      return "fsync";
    case Op::kOpen:
      return "open";
    case Op::kAny:
      return "any";
  }
  return "?";
}

Result<Action> ParseAction(std::string_view text) {
  if (text == "error") return Action::kError;
  if (text == "delay") return Action::kDelay;
  if (text == "hang") return Action::kHang;
  if (text == "corrupt") return Action::kCorrupt;
  if (text == "short") return Action::kShort;
  return Status::Error("unknown action '" + std::string(text) +
                       "' (error|delay|hang|corrupt|short)");
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kError:
      return "error";
    case Action::kDelay:
      return "delay";
    case Action::kHang:
      return "hang";
    case Action::kCorrupt:
      return "corrupt";
    case Action::kShort:
      return "short";
  }
  return "?";
}

Result<uint64_t> ParseSize(std::string_view text) {
  const std::string input(text);
  std::string_view rest = text;
  int base = 10;
  if (rest.size() > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')) {
    base = 16;
    rest.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value, base);
  if (ec != std::errc() || ptr == rest.data()) return Status::Error("bad size '" + input + "'");
  std::string_view suffix(ptr, rest.data() + rest.size() - ptr);
  unsigned shift = 0;
  if (!suffix.empty() && base == 10) {
    switch (std::tolower(static_cast<unsigned char>(suffix[0]))) {
      case 'k':
        shift = 10;
        break;
      case 'm':
        shift = 20;
        break;
      case 'g':
        shift = 30;
        break;
      case 't':
        shift = 40;
        break;
      default:
        return Status::Error("bad size suffix in '" + input + "' (k, M, G or T)");
    }
    suffix.remove_prefix(1);
    if (suffix == "iB" || suffix == "ib" || suffix == "B" || suffix == "b") suffix = {};
  }
  if (!suffix.empty()) return Status::Error("trailing characters in size '" + input + "'");
  if (shift > 0 && value > (UINT64_MAX >> shift))
    return Status::Error("size '" + input + "' overflows 64 bits");
  return value << shift;
}

}  // namespace reftarget::faultfs
