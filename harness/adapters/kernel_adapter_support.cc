#include "harness/adapters/kernel_adapter_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

namespace harness::adapters {
namespace {

bool HasBlank(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\n')) ++start;
  return s.substr(start);
}

}  // namespace

CommandRunner DefaultCommandRunner() {
  return [](const std::vector<std::string>& argv, const process::RunOptions& options) {
    return process::Run(argv, options);
  };
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

std::string DescribeCommand(const std::vector<std::string>& argv,
                            const std::vector<std::string>& secrets) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    const std::string shown = Redact(arg, secrets);
    line += HasBlank(shown) || shown.empty() ? "'" + shown + "'" : shown;
  }
  return line;
}

Result<std::string> RunTool(const CommandRunner& runner, const std::vector<std::string>& argv,
                            std::chrono::milliseconds limit,
                            const std::vector<std::string>& secrets) {
  process::RunOptions options;
  options.limit = limit;
  options.max_output_bytes = 64u << 10;
  const process::RunResult result = runner(argv, options);
  if (result.exited_ok()) return result.output;
  std::string message =
      "`" + DescribeCommand(argv, secrets) + "` failed (" + result.Describe() + ")";
  const std::string output = Trim(Redact(result.output, secrets));
  if (!output.empty()) message += ": " + output;
  return Status::Error(message);
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

KernelBackings::KernelBackings(std::filesystem::path work_dir, CommandRunner runner,
                               std::chrono::milliseconds limit)
    : work_dir_(std::move(work_dir)), runner_(std::move(runner)), limit_(limit) {}

KernelBackings::~KernelBackings() { ReleaseAll(); }

Result<std::filesystem::path> KernelBackings::CreateSparseFile(const LunSpec& lun) {
  if (work_dir_.empty()) {
    return Status::Error("LUN " + lun.name + ": no path given and the adapter has no work_dir");
  }
  if (lun.name.empty() || lun.name.find('/') != std::string::npos) {
    return Status::Error("LUN name \"" + lun.name + "\" cannot name a backing file");
  }
  std::error_code ec;
  std::filesystem::create_directories(work_dir_, ec);
  if (ec) return Status::Error(work_dir_.string() + ": cannot create: " + ec.message());
  const std::filesystem::path file = work_dir_ / (lun.name + ".img");
  // A leftover from an earlier run is replaced: every Start exports zeroed LUNs.
  std::filesystem::remove(file, ec);
  {
    std::ofstream create(file, std::ios::binary | std::ios::trunc);
    if (!create) return Status::Error(file.string() + ": cannot create");
  }
  // resize_file is ftruncate: the file stays sparse, as targetcli's own
  // `create ... sparse=true` makes it (targetcli-fb ui_backstore.py _create_file).
  std::filesystem::resize_file(file, lun.size_bytes, ec);
  if (ec) {
    std::filesystem::remove(file, ec);
    return Status::Error(file.string() + ": cannot size to " + std::to_string(lun.size_bytes) +
                         " bytes: " + ec.message());
  }
  return file;
}

Status KernelBackings::Prepare(LunSpec* lun) {
  if (!lun->path.empty()) return Status::Ok();
  if (lun->backing == Backing::kRamdisk || lun->backing == Backing::kNull) return Status::Ok();
  Result<std::filesystem::path> file = CreateSparseFile(*lun);
  if (!file.ok()) return file.status();
  Created created{file.value(), ""};
  if (lun->backing == Backing::kBlock) {
    Result<std::string> out =
        RunTool(runner_, {"losetup", "-f", "--show", file.value().string()}, limit_, {});
    const std::string device = out.ok() ? Trim(out.value()) : "";
    if (!out.ok() || device.rfind("/dev/loop", 0) != 0) {
      std::error_code ec;
      std::filesystem::remove(file.value(), ec);
      return Status::Error("LUN " + lun->name + ": cannot attach a loop device: " +
                           (out.ok() ? "losetup printed \"" + device + "\"" : out.error()));
    }
    created.loop_device = device;
    lun->path = device;
  } else {
    lun->path = file.value();
  }
  created_.emplace_back(lun->name, std::move(created));
  return Status::Ok();
}

Status KernelBackings::ReleaseOne(const Created& created) {
  Status status = Status::Ok();
  if (!created.loop_device.empty()) {
    Result<std::string> out = RunTool(runner_, {"losetup", "-d", created.loop_device}, limit_, {});
    if (!out.ok()) status = out.status();
  }
  std::error_code ec;
  std::filesystem::remove(created.file, ec);
  if (ec && status.ok()) {
    status = Status::Error(created.file.string() + ": cannot remove: " + ec.message());
  }
  return status;
}

Status KernelBackings::Release(const std::string& name) {
  for (auto it = created_.begin(); it != created_.end(); ++it) {
    if (it->first != name) continue;
    Created created = std::move(it->second);
    created_.erase(it);
    return ReleaseOne(created);
  }
  return Status::Ok();
}

Status KernelBackings::ReleaseAll() {
  Status first = Status::Ok();
  while (!created_.empty()) {
    Created created = std::move(created_.back().second);
    created_.pop_back();
    Status status = ReleaseOne(created);
    if (!status.ok() && first.ok()) first = status;
  }
  return first;
}

}  // namespace harness::adapters
