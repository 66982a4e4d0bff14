// The open file handles of the mount and the path each is known by now. The FUSE layer runs
// with nullpath_ok (no path lookup, hence no path lock, for I/O on an open handle: a hung
// read must not block a rename elsewhere), so it keeps the path for rule matching here and
// rewrites it when a rename moves the file or one of its parent directories.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace reftarget::faultfs {

// One open file: the source fd and how it was opened.
struct OpenFile {
  int fd = -1;
  bool durable_writes = false;  // Opened O_SYNC or O_DSYNC.
  std::string path;             // Relative to the mount; guarded by OpenFiles.
};

// Thread-safe registry of OpenFile handles (the handles are owned by the caller).
class OpenFiles {
 public:
  void Register(OpenFile* file);
  void Unregister(OpenFile* file);
  // Returns `file`'s current path.
  std::string PathOf(const OpenFile* file) const;
  // Applies a rename of `from` to `to` (both relative); with `exchange`, swaps them.
  void Rename(const std::string& from, const std::string& to, bool exchange);
  // Unregisters every handle and returns them (for cleanup after the session ended).
  std::vector<OpenFile*> TakeAll();

 private:
  mutable std::mutex mu_;
  std::set<OpenFile*> files_;
};

// Returns `path` with `from` (the whole path or a directory prefix of it) replaced by
// `to`; returns false and leaves `path` alone if `from` does not prefix it.
bool ReplacePathPrefix(const std::string& from, const std::string& to, std::string* path);

}  // namespace reftarget::faultfs
