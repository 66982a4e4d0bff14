#include "harness/adapters/backing_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace harness::adapters {

BackingFiles::BackingFiles(std::filesystem::path dir, BackingOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  if (!options_.runner) options_.runner = DefaultCommandRunner();
}

BackingFiles::~BackingFiles() { ReleaseAll(); }

Result<std::filesystem::path> BackingFiles::CreateSparseFile(const LunSpec& lun) {
  if (dir_.empty()) {
    return Status::Error("LUN " + lun.name + ": no path given and the adapter has no work_dir");
  }
  if (lun.name.empty() || lun.name.find('/') != std::string::npos) {
    return Status::Error("LUN name \"" + lun.name + "\" cannot name a backing file");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::Error(dir_.string() + ": cannot create: " + ec.message());
  const std::filesystem::path file = dir_ / (lun.name + ".img");
  // A leftover from an earlier run is replaced: every Start exports zeroed LUNs.
  std::filesystem::remove(file, ec);
  const int fd = ::open(file.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(file.string() + ": cannot create: " + std::strerror(errno));
  // ftruncate keeps the file sparse, as targetcli's own `create ... sparse=true` makes it
  // (targetcli-fb ui_backstore.py _create_file).
  const bool sized = ::ftruncate(fd, static_cast<off_t>(lun.size_bytes)) == 0;
  const std::string why = sized ? "" : std::strerror(errno);
  ::close(fd);
  if (!sized) {
    std::filesystem::remove(file, ec);
    return Status::Error(file.string() + ": cannot size to " + std::to_string(lun.size_bytes) +
                         " bytes: " + why);
  }
  created_.push_back(Created{lun.name, file, ""});
  return file;
}

Status BackingFiles::Prepare(LunSpec* lun) {
  if (!lun->path.empty()) return Status::Ok();
  if (lun->backing == Backing::kRamdisk || lun->backing == Backing::kNull) return Status::Ok();
  Result<std::filesystem::path> file = CreateSparseFile(*lun);
  if (!file.ok()) return file.status();
  if (lun->backing != Backing::kBlock) {
    lun->path = file.value();
    return Status::Ok();
  }
  std::vector<std::string> argv = {"losetup", "-f", "--show"};
  if (options_.loop_direct_io) argv.push_back("--direct-io=on");
  argv.push_back(file.value().string());
  Result<std::string> out = RunTool(options_.runner, argv, options_.limit, {});
  const std::string device = out.ok() ? TrimOutput(out.value()) : "";
  if (!out.ok() || device.rfind("/dev/loop", 0) != 0) {
    created_.pop_back();
    std::error_code ec;
    std::filesystem::remove(file.value(), ec);
    return Status::Error("LUN " + lun->name + ": cannot attach a loop device: " +
                         (out.ok() ? "losetup printed \"" + device + "\"" : out.error()) +
                         (::geteuid() != 0 ? " (BLOCK LUNs need root)" : ""));
  }
  created_.back().loop_device = device;
  lun->path = device;
  return Status::Ok();
}

Status BackingFiles::PrepareAll(std::vector<LunSpec>* luns) {
  const size_t before = created_.size();
  for (LunSpec& lun : *luns) {
    Status status = Prepare(&lun);
    if (status.ok()) continue;
    while (created_.size() > before) {
      Created created = std::move(created_.back());
      created_.pop_back();
      ReleaseOne(created);
    }
    return status;
  }
  return Status::Ok();
}

Status BackingFiles::ReleaseOne(const Created& created) {
  Status status = Status::Ok();
  if (!created.loop_device.empty()) {
    Result<std::string> out =
        RunTool(options_.runner, {"losetup", "-d", created.loop_device}, options_.limit, {});
    if (!out.ok()) status = out.status();
  }
  std::error_code ec;
  std::filesystem::remove(created.file, ec);
  if (ec && status.ok()) {
    status = Status::Error(created.file.string() + ": cannot remove: " + ec.message());
  }
  return status;
}

Status BackingFiles::Release(const std::string& name) {
  for (auto it = created_.begin(); it != created_.end(); ++it) {
    if (it->lun_name != name) continue;
    Created created = std::move(*it);
    created_.erase(it);
    return ReleaseOne(created);
  }
  return Status::Ok();
}

Status BackingFiles::ReleaseAll() {
  Status first = Status::Ok();
  while (!created_.empty()) {
    Created created = std::move(created_.back());
    created_.pop_back();
    Status status = ReleaseOne(created);
    if (!status.ok() && first.ok()) first = status;
  }
  return first;
}

}  // namespace harness::adapters
