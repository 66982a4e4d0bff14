#include "reports/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace harness::reports {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

Status IoError(const std::filesystem::path& path, std::string_view what, int err) {
  return Status::Error(path.string() + ": " + std::string(what) + ": " + ErrnoText(err));
}

// Owns one file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns close(2)'s errno, 0 on success.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Writes all of `data`, resuming after short writes and EINTR; returns 0 or the errno.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

int FsyncDirectory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno;
  return ::fsync(fd.get()) == 0 ? 0 : errno;
}

}  // namespace

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return IoError(path, "cannot open", errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path, "read failed", errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  std::filesystem::path dir = path.parent_path();
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError(tmp, "cannot create", errno);
  int err = WriteAll(fd.get(), contents);
  if (err == 0 && ::fsync(fd.get()) != 0) err = errno;
  int close_err = fd.Close();
  if (err == 0) err = close_err;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return IoError(tmp, "write failed", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    return IoError(path, "cannot rename temporary file over it", err);
  }
  err = FsyncDirectory(dir);
  if (err != 0) return IoError(dir.empty() ? "." : dir, "fsync of directory failed", err);
  return Status::Ok();
}

Status AppendLineDurably(const std::filesystem::path& path, std::string_view line) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError(path, "cannot open for append", errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError(path, "fstat failed", errno);
  std::string record;
  if (st.st_size > 0) {
    char last = 0;
    ssize_t n = ::pread(fd.get(), &last, 1, st.st_size - 1);
    if (n != 1) return IoError(path, "cannot read last byte", n < 0 ? errno : EIO);
    if (last != '\n') record.push_back('\n');
  }
  record.append(line);
  record.push_back('\n');
  int err = WriteAll(fd.get(), record);
  if (err != 0) return IoError(path, "append failed", err);
  if (::fsync(fd.get()) != 0) return IoError(path, "fsync failed", errno);
  err = fd.Close();
  if (err != 0) return IoError(path, "close failed", err);
  if (st.st_size == 0) {
    err = FsyncDirectory(path.parent_path());
    if (err != 0) return IoError(path.parent_path(), "fsync of directory failed", err);
  }
  return Status::Ok();
}

}  // namespace harness::reports
