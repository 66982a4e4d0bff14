#include "suites/common/sparse_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace harness::suites {

Status CreateSparseFile(const std::filesystem::path& path, uint64_t bytes) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Error(path.string() + ": cannot create: " + std::strerror(errno));
  const bool sized = ::ftruncate(fd, static_cast<off_t>(bytes)) == 0;
  const int size_errno = errno;
  ::close(fd);
  if (!sized) {
    return Status::Error(path.string() + ": cannot size to " + std::to_string(bytes) + ": " +
                         std::strerror(size_errno));
  }
  return Status::Ok();
}

}  // namespace harness::suites
