#include "fault-injection/faultfs/passthrough.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace reftarget::faultfs {
namespace {

FaultFs* Ctx() { return static_cast<FaultFs*>(fuse_get_context()->private_data); }

// FUSE paths start with '/'; rules and *at() calls use the relative form ("." for the root).
std::string Rel(const char* path) {
  if (path == nullptr) return ".";
  while (*path == '/') ++path;
  return *path == '\0' ? "." : path;
}

OpenFile* Handle(const fuse_file_info* fi) {
  return reinterpret_cast<OpenFile*>(static_cast<uintptr_t>(fi->fh));
}

const char* HangEndName(HangEnd end) {
  switch (end) {
    case HangEnd::kReleased:
      return "released";
    case HangEnd::kRuleCleared:
      return "rule-cleared";
    case HangEnd::kShutdown:
      return "shutdown";
  }
  return "?";
}

// Applies the delays and hangs for `request` and returns the terminal fault, if any.
std::optional<Fault> ApplyFaults(FaultFs* fs, const Request& request) {
  Verdict verdict = fs->engine->Evaluate(request);
  if (verdict.empty()) return std::nullopt;
  for (const Fault& wait : verdict.waits) {
    if (wait.action == Action::kDelay) {
      fs->log->Fault(request, wait);
      fs->engine->Sleep(wait.delay_ms);
    } else {
      fs->log->Fault(request, wait, "hang=start");
      const auto start = std::chrono::steady_clock::now();
      const HangEnd end = fs->engine->WaitHang(wait.rule_id);
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      fs->log->Fault(
          request, wait,
          std::string("hang=end reason=") + HangEndName(end) + " after_ms=" + std::to_string(ms));
    }
  }
  if (verdict.terminal) fs->log->Fault(request, *verdict.terminal);
  return verdict.terminal;
}

int Errno() { return -errno; }

// Source open flags: the kernel already applied O_CREAT/O_EXCL/O_TRUNC semantics or we do
// them explicitly; O_APPEND would make pwrite ignore the kernel's offset; O_DIRECT would
// force our buffers to be aligned and is meaningless below a FUSE daemon.
int SourceFlags(int flags) {
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_DIRECT);
  // The tracker reads old data before overwriting it, so write-only opens read too.
  if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
  return flags | O_CLOEXEC;
}

int OpenSource(FaultFs* fs, const std::string& rel, int flags, mode_t mode = 0) {
  int fd = openat(fs->source_fd, rel.c_str(), flags, mode);
  if (fd < 0 && errno == EACCES && (flags & O_ACCMODE) == O_RDWR) {
    // Not root and no read permission: fall back to write-only (the tracker then marks the
    // file as impossible to power-cut when it cannot read the old data).
    fd = openat(fs->source_fd, rel.c_str(), (flags & ~O_ACCMODE) | O_WRONLY, mode);
  }
  return fd;
}

// Installs an OpenFile for `fd` into `fi`.
void InstallHandle(FaultFs* fs, const std::string& rel, int fd, fuse_file_info* fi) {
  auto file = std::make_unique<OpenFile>();
  file->fd = fd;
  file->durable_writes = (fi->flags & (O_SYNC | O_DSYNC)) != 0;
  file->path = rel;
  fs->open_files.Register(file.get());
  fi->fh = reinterpret_cast<uintptr_t>(file.release());
  fi->direct_io = fs->direct_io ? 1 : 0;
  fi->keep_cache = 0;
}

int TruncateFd(FaultFs* fs, int fd, off_t size) {
  auto truncate = [fd, size] { return ftruncate(fd, size) == 0 ? 0 : Errno(); };
  return fs->tracker != nullptr ? fs->tracker->Truncate(fd, static_cast<uint64_t>(size), truncate)
                                : truncate();
}

void* FsInit(fuse_conn_info* conn, fuse_config* cfg) {
  // The tracker and the rules must see every write: no writeback cache, no splice.
  const FaultFs* fs = static_cast<const FaultFs*>(fuse_get_context()->private_data);
  conn->max_background = fs->max_background;
  conn->congestion_threshold = fs->max_background * 3 / 4;
  conn->want &= ~(FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
                  FUSE_CAP_SPLICE_MOVE);
  cfg->use_ino = 1;
  cfg->readdir_ino = 1;
  cfg->nullpath_ok = 1;  // I/O on open handles takes no path lock (see open_files.h).
  cfg->hard_remove = 1;  // Handles hold fds, so unlinked-but-open files need no hiding.
  // Attributes may change under us (powercut, the source edited directly): do not cache.
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  cfg->kernel_cache = 0;
  cfg->auto_cache = 0;
  return fuse_get_context()->private_data;
}

int FsGetattr(const char* path, struct stat* st, fuse_file_info* fi) {
  if (fi != nullptr) return fstat(Handle(fi)->fd, st) == 0 ? 0 : Errno();
  return fstatat(Ctx()->source_fd, Rel(path).c_str(), st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0
             ? 0
             : Errno();
}

int FsReadlink(const char* path, char* buf, size_t size) {
  if (size == 0) return -EINVAL;
  const ssize_t n = readlinkat(Ctx()->source_fd, Rel(path).c_str(), buf, size - 1);
  if (n < 0) return Errno();
  buf[n] = '\0';
  return 0;
}

void ChownToCaller(int dirfd, const std::string& rel, int fd) {
  if (geteuid() != 0) return;
  const fuse_context* ctx = fuse_get_context();
  int rc = fd >= 0 ? fchown(fd, ctx->uid, ctx->gid)
                   : fchownat(dirfd, rel.c_str(), ctx->uid, ctx->gid, AT_SYMLINK_NOFOLLOW);
  (void)rc;  // Best effort: ownership is cosmetic for a fault injector.
}

int FsMkdir(const char* path, mode_t mode) {
  FaultFs* fs = Ctx();
  const std::string rel = Rel(path);
  if (mkdirat(fs->source_fd, rel.c_str(), mode) != 0) return Errno();
  ChownToCaller(fs->source_fd, rel, -1);
  return 0;
}

int FsUnlink(const char* path) {
  FaultFs* fs = Ctx();
  const std::string rel = Rel(path);
  struct stat st;
  const bool known = fstatat(fs->source_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (unlinkat(fs->source_fd, rel.c_str(), 0) != 0) return Errno();
  // The last link is gone: drop the state before the inode number can be reused.
  if (known && fs->tracker != nullptr && st.st_nlink <= 1)
    fs->tracker->ForgetKey(st.st_dev, st.st_ino);
  return 0;
}

int FsRmdir(const char* path) {
  return unlinkat(Ctx()->source_fd, Rel(path).c_str(), AT_REMOVEDIR) == 0 ? 0 : Errno();
}

int FsSymlink(const char* target, const char* path) {
  FaultFs* fs = Ctx();
  const std::string rel = Rel(path);
  if (symlinkat(target, fs->source_fd, rel.c_str()) != 0) return Errno();
  ChownToCaller(fs->source_fd, rel, -1);
  return 0;
}

int FsRename(const char* from, const char* to, unsigned int flags) {
  FaultFs* fs = Ctx();
  const std::string rel_from = Rel(from);
  const std::string rel_to = Rel(to);
  struct stat replaced;
  const bool had_target =
      fstatat(fs->source_fd, rel_to.c_str(), &replaced, AT_SYMLINK_NOFOLLOW) == 0;
  if (renameat2(fs->source_fd, rel_from.c_str(), fs->source_fd, rel_to.c_str(), flags) != 0)
    return Errno();
  const bool exchange = (flags & RENAME_EXCHANGE) != 0;
  if (had_target && !exchange && fs->tracker != nullptr && S_ISREG(replaced.st_mode) &&
      replaced.st_nlink <= 1) {
    fs->tracker->ForgetKey(replaced.st_dev, replaced.st_ino);
  }
  fs->open_files.Rename(rel_from, rel_to, exchange);
  return 0;
}

int FsChmod(const char* path, mode_t mode, fuse_file_info* fi) {
  if (fi != nullptr) return fchmod(Handle(fi)->fd, mode) == 0 ? 0 : Errno();
  return fchmodat(Ctx()->source_fd, Rel(path).c_str(), mode, 0) == 0 ? 0 : Errno();
}

int FsChown(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
  if (fi != nullptr) return fchown(Handle(fi)->fd, uid, gid) == 0 ? 0 : Errno();
  return fchownat(Ctx()->source_fd, Rel(path).c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) == 0
             ? 0
             : Errno();
}

int FsTruncate(const char* path, off_t size, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  if (fi != nullptr) return TruncateFd(fs, Handle(fi)->fd, size);
  const int fd = openat(fs->source_fd, Rel(path).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Errno();
  const int rc = TruncateFd(fs, fd, size);
  close(fd);
  return rc;
}

int FsOpen(const char* path, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  const std::string rel = Rel(path);
  const Request request{rel, Op::kOpen, false, 0, 0};
  std::optional<Fault> fault = ApplyFaults(fs, request);
  if (fault && fault->action == Action::kError) return -fault->error;
  const int fd = OpenSource(fs, rel, SourceFlags(fi->flags));
  if (fd < 0) return Errno();
  if (fi->flags & O_TRUNC) {
    const int rc = TruncateFd(fs, fd, 0);
    if (rc != 0) {
      close(fd);
      return rc;
    }
  }
  InstallHandle(fs, rel, fd, fi);
  return 0;
}

int FsCreate(const char* path, mode_t mode, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  const std::string rel = Rel(path);
  const Request request{rel, Op::kOpen, false, 0, 0};
  std::optional<Fault> fault = ApplyFaults(fs, request);
  if (fault && fault->action == Action::kError) return -fault->error;
  // Create exclusively first so that a new file (which may reuse a dead file's inode
  // number) is known to be new and starts with clean durability state.
  int fd = OpenSource(fs, rel, SourceFlags(fi->flags) | O_CREAT | O_EXCL, mode);
  const bool created = fd >= 0;
  if (fd < 0 && errno == EEXIST && !(fi->flags & O_EXCL))
    fd = OpenSource(fs, rel, SourceFlags(fi->flags));
  if (fd < 0) return Errno();
  if (created) {
    ChownToCaller(fs->source_fd, rel, fd);
    if (fs->tracker != nullptr) fs->tracker->Forget(fd);
  } else if (fi->flags & O_TRUNC) {
    const int rc = TruncateFd(fs, fd, 0);
    if (rc != 0) {
      close(fd);
      return rc;
    }
  }
  InstallHandle(fs, rel, fd, fi);
  return 0;
}

int FsRead(const char* /*path*/, char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  OpenFile* file = Handle(fi);
  const std::string rel = fs->open_files.PathOf(file);
  const Request request{rel, Op::kRead, true, static_cast<uint64_t>(offset), size};
  std::optional<Fault> fault = ApplyFaults(fs, request);
  size_t want = size;
  if (fault) {
    if (fault->action == Action::kError) return -fault->error;
    if (fault->action == Action::kShort) want = ShortLength(request.offset, size, *fault);
  }
  size_t done = 0;
  while (done < want) {
    const ssize_t n = pread(file->fd, buf + done, want - done, offset + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (done == 0) return Errno();
      break;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (fault && fault->action == Action::kCorrupt)
    ApplyCorruption(request.offset, buf, done, *fault);
  return static_cast<int>(done);
}

ssize_t PwriteFully(int fd, const char* data, size_t size, off_t offset) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done, offset + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (done == 0) return Errno();
      break;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

int FsWrite(const char* /*path*/, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  OpenFile* file = Handle(fi);
  const std::string rel = fs->open_files.PathOf(file);
  const Request request{rel, Op::kWrite, true, static_cast<uint64_t>(offset), size};
  std::optional<Fault> fault = ApplyFaults(fs, request);
  size_t want = size;
  const char* data = buf;
  std::vector<char> corrupted;
  if (fault) {
    if (fault->action == Action::kError) return -fault->error;
    if (fault->action == Action::kShort) want = ShortLength(request.offset, size, *fault);
    if (fault->action == Action::kCorrupt) {
      // Silent write corruption: the medium stores other bytes than it was given.
      corrupted.assign(buf, buf + size);
      ApplyCorruption(request.offset, corrupted.data(), size, *fault);
      data = corrupted.data();
    }
  }
  auto write = [&] { return PwriteFully(file->fd, data, want, offset); };
  // A write is durable if the file was opened O_SYNC/O_DSYNC, or if this one write was
  // (pwritev2 RWF_DSYNC/RWF_SYNC: the kernel passes them in FUSE_WRITE's flags,
  // fuse_write_flags()); reftarget sends FUA and write-through writes that way.
  const bool durable = file->durable_writes || (fi->flags & (O_SYNC | O_DSYNC)) != 0;
  const ssize_t n = fs->tracker != nullptr
                        ? fs->tracker->Write(file->fd, request.offset, want, durable, write)
                        : write();
  return static_cast<int>(n);
}

int FsStatfs(const char* /*path*/, struct statvfs* st) {
  return fstatvfs(Ctx()->source_fd, st) == 0 ? 0 : Errno();
}

int FsFlush(const char* /*path*/, fuse_file_info* fi) {
  // close(2) on the mount: report what a close of the source would report (NFS-style).
  const int dup_fd = dup(Handle(fi)->fd);
  if (dup_fd < 0) return Errno();
  return close(dup_fd) == 0 ? 0 : Errno();
}

int FsRelease(const char* /*path*/, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  std::unique_ptr<OpenFile> file(Handle(fi));
  fs->open_files.Unregister(file.get());
  struct stat st;
  if (fs->tracker != nullptr && fstat(file->fd, &st) == 0 && st.st_nlink == 0)
    fs->tracker->Forget(file->fd);
  close(file->fd);
  return 0;
}

int FsFsync(const char* /*path*/, int datasync, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  OpenFile* file = Handle(fi);
  const std::string rel = fs->open_files.PathOf(file);
  const Request request{rel, Op::kFsync, false, 0, 0};
  std::optional<Fault> fault = ApplyFaults(fs, request);
  // A failed fsync leaves the data unsynced, as a real failed cache flush does.
  if (fault && fault->action == Action::kError) return -fault->error;
  const int fd = file->fd;
  auto sync = [fd, datasync] { return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : Errno(); };
  return fs->tracker != nullptr ? fs->tracker->Sync(fd, sync) : sync();
}

int FsOpendir(const char* path, fuse_file_info* fi) {
  const int fd = openat(Ctx()->source_fd, Rel(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno();
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    const int rc = Errno();
    close(fd);
    return rc;
  }
  fi->fh = reinterpret_cast<uintptr_t>(dir);
  return 0;
}

int FsReaddir(const char* /*path*/, void* buf, fuse_fill_dir_t filler, off_t /*offset*/,
              fuse_file_info* fi, fuse_readdir_flags /*flags*/) {
  DIR* dir = reinterpret_cast<DIR*>(static_cast<uintptr_t>(fi->fh));
  rewinddir(dir);
  // Offset 0 for every entry: libfuse buffers the whole listing (fine for test trees).
  while (true) {
    errno = 0;
    const dirent* entry = readdir(dir);
    if (entry == nullptr) return errno == 0 ? 0 : Errno();
    struct stat st {};
    st.st_ino = entry->d_ino;
    st.st_mode = static_cast<mode_t>(DTTOIF(entry->d_type));
    if (filler(buf, entry->d_name, &st, 0, static_cast<fuse_fill_dir_flags>(0)) != 0) return 0;
  }
}

int FsReleasedir(const char* /*path*/, fuse_file_info* fi) {
  closedir(reinterpret_cast<DIR*>(static_cast<uintptr_t>(fi->fh)));
  return 0;
}

int FsUtimens(const char* path, const struct timespec tv[2], fuse_file_info* fi) {
  if (fi != nullptr) return futimens(Handle(fi)->fd, tv) == 0 ? 0 : Errno();
  return utimensat(Ctx()->source_fd, Rel(path).c_str(), tv, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : Errno();
}

int FsFallocate(const char* /*path*/, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  FaultFs* fs = Ctx();
  OpenFile* file = Handle(fi);
  const std::string rel = fs->open_files.PathOf(file);
  const Request request{rel, Op::kWrite, true, static_cast<uint64_t>(offset),
                        static_cast<uint64_t>(length)};
  std::optional<Fault> fault = ApplyFaults(fs, request);
  if (fault && fault->action == Action::kError) return -fault->error;
  const int fd = file->fd;
  auto allocate = [fd, mode, offset, length] {
    return fallocate(fd, mode, offset, length) == 0 ? 0 : Errno();
  };
  if (fs->tracker == nullptr) return allocate();
  if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) {
    return -EOPNOTSUPP;  // Shifts data: the durability tracker cannot model it.
  }
  if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
    return fs->tracker->Zero(fd, static_cast<uint64_t>(offset), static_cast<uint64_t>(length),
                             allocate);
  }
  return allocate();  // Plain allocation keeps the contents; a size change past the synced size is
                      // cut anyway.
}

off_t FsLseek(const char* /*path*/, off_t offset, int whence, fuse_file_info* fi) {
  const off_t result = lseek(Handle(fi)->fd, offset, whence);
  return result < 0 ? Errno() : result;
}

}  // namespace

fuse_operations MakeFaultFsOperations() {
  fuse_operations ops{};
  ops.init = FsInit;
  ops.getattr = FsGetattr;
  ops.readlink = FsReadlink;
  ops.mkdir = FsMkdir;
  ops.unlink = FsUnlink;
  ops.rmdir = FsRmdir;
  ops.symlink = FsSymlink;
  ops.rename = FsRename;
  ops.chmod = FsChmod;
  ops.chown = FsChown;
  ops.truncate = FsTruncate;
  ops.open = FsOpen;
  ops.create = FsCreate;
  ops.read = FsRead;
  ops.write = FsWrite;
  ops.statfs = FsStatfs;
  ops.flush = FsFlush;
  ops.release = FsRelease;
  ops.fsync = FsFsync;
  ops.opendir = FsOpendir;
  ops.readdir = FsReaddir;
  ops.releasedir = FsReleasedir;
  ops.utimens = FsUtimens;
  ops.fallocate = FsFallocate;
  ops.lseek = FsLseek;
  return ops;
}

}  // namespace reftarget::faultfs
