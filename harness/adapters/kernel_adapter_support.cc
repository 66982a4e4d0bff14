#include "harness/adapters/kernel_adapter_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <system_error>
#include <utility>

namespace harness::adapters {

ExportedLuns::ExportedLuns(std::string adapter, std::string product)
    : adapter_(std::move(adapter)), product_(std::move(product)) {}

Status ExportedLuns::CheckIdle() const {
  if (!running_) return Status::Ok();
  return Status::Error("the " + adapter_ + " adapter is already running " + spec_.iqn);
}

RunningTarget ExportedLuns::Start(TargetSpec spec) {
  running_ = true;
  spec_ = std::move(spec);
  numbers_.clear();
  for (size_t i = 0; i < spec_.luns.size(); ++i) numbers_.push_back(static_cast<int>(i));
  RunningTarget target;
  target.iqn = spec_.iqn;
  target.lun_numbers = numbers_;
  return target;
}

void ExportedLuns::Stop() {
  running_ = false;
  spec_ = TargetSpec{};
  numbers_.clear();
}

Result<int> ExportedLuns::FreeNumber() const {
  if (!running_) {
    return Status::Error("the " + adapter_ + " adapter has no running target to add a LUN to");
  }
  int number = 0;
  while (std::find(numbers_.begin(), numbers_.end(), number) != numbers_.end()) ++number;
  return number;
}

Result<size_t> ExportedLuns::Find(int lun_number) const {
  if (!running_) return Status::Error("the " + adapter_ + " adapter has no running target");
  auto it = std::find(numbers_.begin(), numbers_.end(), lun_number);
  if (it == numbers_.end()) {
    return Status::Error(product_ + ": LUN " + std::to_string(lun_number) + " is not exported by " +
                         spec_.iqn);
  }
  return static_cast<size_t>(it - numbers_.begin());
}

void ExportedLuns::Add(LunSpec lun, int lun_number) {
  spec_.luns.push_back(std::move(lun));
  numbers_.push_back(lun_number);
}

LunSpec ExportedLuns::Remove(size_t index) {
  LunSpec lun = std::move(spec_.luns[index]);
  spec_.luns.erase(spec_.luns.begin() + static_cast<std::ptrdiff_t>(index));
  numbers_.erase(numbers_.begin() + static_cast<std::ptrdiff_t>(index));
  return lun;
}

AdminTool::AdminTool(std::string product, std::string program, CommandRunner runner,
                     std::chrono::milliseconds limit)
    : product_(std::move(product)),
      program_(std::move(program)),
      runner_(runner ? std::move(runner) : DefaultCommandRunner()),
      limit_(limit) {}

Status AdminTool::RunStep(std::vector<std::string> argv, size_t index, size_t count,
                          const std::vector<std::string>& secrets) const {
  argv[0] = program_;
  Result<std::string> out = RunTool(runner_, argv, limit_, secrets);
  if (out.ok()) return Status::Ok();
  return Status::Error(product_ + ": step " + std::to_string(index + 1) + " of " +
                       std::to_string(count) + ": " + out.error());
}

Status WritePrivateFile(const std::filesystem::path& path, const std::string& content) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::remove(path, ec);  // O_CREAT does not narrow an existing file's mode
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(path.string() + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status::Error(path.string() + ": cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return Status::Error(path.string() + ": cannot close: " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string ReadFirstLine(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  return line;
}

std::optional<std::filesystem::path> FirstMissing(const std::filesystem::path& root,
                                                  const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::exists(root / path, ec)) return root / path;
  }
  return std::nullopt;
}

std::string DescribeChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte <= 0x7e) return "'" + std::string(1, c) + "'";
  if (byte == ' ') return "a space";
  static const char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

Status ValidateIscsiName(const std::string& field, const std::string& name) {
  if (name.empty()) return Status::Error(field + ": empty iSCSI name");
  if (name.size() > 223) {
    return Status::Error(field + ": iSCSI name is " + std::to_string(name.size()) +
                         " bytes, longer than 223 (RFC 7143 §4.2.7)");
  }
  if (name.rfind("iqn.", 0) != 0 && name.rfind("eui.", 0) != 0 && name.rfind("naa.", 0) != 0) {
    return Status::Error(field + " \"" + name + "\": not an iqn., eui. or naa. name");
  }
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
    if (!ok) {
      return Status::Error(field + " \"" + name + "\": character " + DescribeChar(c) +
                           " is not allowed (lowercase letters, digits, '.', '-', ':'; "
                           "RFC 3722)");
    }
  }
  return Status::Ok();
}

Status CheckPrintableToken(const std::string& field, const std::string& value, size_t max_length,
                           bool secret, std::string_view forbidden, const std::string& why) {
  if (value.empty()) return Status::Error(field + ": empty");
  if (value.size() > max_length) {
    return Status::Error(field + ": " + std::to_string(value.size()) + " bytes, longer than " +
                         std::to_string(max_length));
  }
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || forbidden.find(c) != std::string_view::npos) {
      return Status::Error(field + (secret ? "" : " \"" + value + "\"") + ": contains " +
                           DescribeChar(c) + ", " + why);
    }
  }
  return Status::Ok();
}

Status CheckLunSize(const std::string& field, const LunSpec& lun) {
  if (lun.size_bytes == 0 || lun.size_bytes % lun.block_size != 0) {
    return Status::Error(field + ".size_bytes " + std::to_string(lun.size_bytes) +
                         ": must be a non-zero multiple of block_size " +
                         std::to_string(lun.block_size));
  }
  return Status::Ok();
}

Status CheckChap(const std::string& field, const ChapSpec& chap, const ValueCheck& check) {
  Status status = check(field + ".userid", chap.userid, false);
  if (status.ok()) status = check(field + ".password", chap.password, true);
  if (!status.ok()) return status;
  if (chap.mutual_userid.empty() != chap.mutual_password.empty()) {
    return Status::Error(field +
                         ": mutual_userid and mutual_password must both be set or "
                         "both be empty");
  }
  if (chap.mutual_userid.empty()) return Status::Ok();
  status = check(field + ".mutual_userid", chap.mutual_userid, false);
  if (status.ok()) status = check(field + ".mutual_password", chap.mutual_password, true);
  return status;
}

Status ValidateLunsAndAcls(const TargetSpec& spec, const LunCheck& check_lun,
                           const ValueCheck& check_chap_value) {
  std::set<std::string> names;
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    const std::string field = "luns[" + std::to_string(i) + "]";
    Status status = check_lun(field, spec.luns[i]);
    if (!status.ok()) return status;
    if (!names.insert(spec.luns[i].name).second) {
      return Status::Error(field + ".name \"" + spec.luns[i].name + "\": used twice");
    }
  }
  std::set<std::string> initiators;
  for (size_t i = 0; i < spec.acls.size(); ++i) {
    const std::string field = "acls[" + std::to_string(i) + "]";
    Status status = ValidateIscsiName(field + ".initiator", spec.acls[i].initiator);
    if (!status.ok()) return status;
    if (!initiators.insert(spec.acls[i].initiator).second) {
      return Status::Error(field + ".initiator \"" + spec.acls[i].initiator + "\": listed twice");
    }
    if (spec.acls[i].chap) {
      status = CheckChap(field + ".chap", *spec.acls[i].chap, check_chap_value);
      if (!status.ok()) return status;
    }
  }
  if (spec.discovery_chap) {
    return CheckChap("discovery_chap", *spec.discovery_chap, check_chap_value);
  }
  return Status::Ok();
}

Status CheckPathPresent(const std::string& field, const LunSpec& lun) {
  if ((lun.backing == Backing::kFileio || lun.backing == Backing::kBlock) && lun.path.empty()) {
    return Status::Error(field + ".path: empty (a " + std::string(BackingName(lun.backing)) +
                         " LUN needs its file or device)");
  }
  return Status::Ok();
}

Status CheckPathsPresent(const TargetSpec& spec) {
  for (size_t i = 0; i < spec.luns.size(); ++i) {
    Status status = CheckPathPresent("luns[" + std::to_string(i) + "]", spec.luns[i]);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status CheckNotExported(const TargetSpec& running, const LunSpec& lun) {
  for (const LunSpec& existing : running.luns) {
    if (existing.name == lun.name) {
      return Status::Error("lun.name \"" + lun.name + "\": already exported");
    }
  }
  return Status::Ok();
}

}  // namespace harness::adapters
