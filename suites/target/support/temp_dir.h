// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace itest {

class TempDir {
 public:
  // Creates "<tmp>/<prefix>XXXXXX". On failure path() is empty and error() says why.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::filesystem::path& path() const { return path_; }
  const std::string& error() const { return error_; }

  // Creates a sparse file of `size` bytes at path()/name. Returns its path, or an empty
  // path with error() set.
  std::filesystem::path CreateFile(const std::string& name, uint64_t size);

 private:
  std::filesystem::path path_;
  std::string error_;
};

}  // namespace itest
