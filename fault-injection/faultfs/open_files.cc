#include "fault-injection/faultfs/open_files.h"

namespace reftarget::faultfs {

bool ReplacePathPrefix(const std::string& from, const std::string& to, std::string* path) {
  if (*path == from) {
    *path = to;
    return true;
  }
  if (path->size() > from.size() && path->compare(0, from.size(), from) == 0 &&
      (*path)[from.size()] == '/') {
    *path = to + path->substr(from.size());
    return true;
  }
  return false;
}

void OpenFiles::Register(OpenFile* file) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.insert(file);
}

void OpenFiles::Unregister(OpenFile* file) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(file);
}

std::string OpenFiles::PathOf(const OpenFile* file) const {
  std::lock_guard<std::mutex> lock(mu_);
  return file->path;
}

void OpenFiles::Rename(const std::string& from, const std::string& to, bool exchange) {
  std::lock_guard<std::mutex> lock(mu_);
  for (OpenFile* file : files_) {
    if (ReplacePathPrefix(from, to, &file->path)) continue;
    if (exchange) ReplacePathPrefix(to, from, &file->path);
  }
}

std::vector<OpenFile*> OpenFiles::TakeAll() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OpenFile*> out(files_.begin(), files_.end());
  files_.clear();
  return out;
}

}  // namespace reftarget::faultfs
