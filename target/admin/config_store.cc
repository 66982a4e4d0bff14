#include "target/admin/config_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "target/config/saveconfig_writer.h"

namespace reftarget::admin {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBackupPrefix = "saveconfig-";

fs::path BackupDir(const std::string& path) { return fs::path(path).parent_path() / "backup"; }

// Reads a whole file; nullopt if it does not exist or cannot be read.
std::optional<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H:%M:%S", &tm);
  return buf;
}

// A save killed between mkostemp and rename leaves "<file>.tmp.XXXXXX" behind; the next save
// of the same file removes them (one reftarget owns a configuration file).
void RemoveStaleTemporaries(const fs::path& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.find(".tmp.") != std::string::npos) {
      fs::remove(entry.path(), ec);
    }
  }
}

}  // namespace

std::vector<std::string> ListBackups(const std::string& path) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(BackupDir(path), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kBackupPrefix, 0) == 0 && name.size() > 5 &&
        name.compare(name.size() - 5, 5, ".json") == 0) {
      out.push_back(entry.path().string());
    }
  }
  // The timestamp sorts chronologically; without the extension, a "-N" suffix (two saves
  // in one second) sorts after the plain name.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.substr(0, a.size() - 5) < b.substr(0, b.size() - 5);
  });
  return out;
}

Status SaveWithBackup(const config::Config& config, const std::string& path, size_t keep) {
  const std::string text = config::SerializeConfig(config);
  const fs::path file(path);
  RemoveStaleTemporaries(file.parent_path().empty() ? fs::path(".") : file.parent_path(),
                         file.filename().string() + ".tmp.");
  RemoveStaleTemporaries(BackupDir(path), kBackupPrefix);
  std::optional<std::string> old = ReadAll(path);
  if (old && !old->empty() && *old != text && keep > 0) {
    std::error_code ec;
    fs::path dir = BackupDir(path);
    fs::create_directories(dir, ec);
    if (ec) return Status::Error(dir.string() + ": cannot create the backup folder: " + ec.message());
    ::chmod(dir.c_str(), 0700);  // backups hold CHAP secrets too
    std::string base = (dir / (kBackupPrefix + Timestamp())).string();
    std::string backup = base + ".json";
    for (int n = 1; fs::exists(backup, ec); ++n) backup = base + "-" + std::to_string(n) + ".json";
    // Make room first, so that a crash between the two steps never leaves more than `keep`.
    std::vector<std::string> backups = ListBackups(path);
    for (size_t i = 0; i + keep <= backups.size(); ++i) fs::remove(backups[i], ec);
    Status s = config::WriteFileAtomically(backup, *old);
    if (!s.ok()) return s;
  }
  return config::SaveConfigFile(config, path);
}

}  // namespace reftarget::admin
