// FaultfsMount: runs the faultfs FUSE tool (fault-injection/) over a source directory, so a
// test can make a backing file's reads hang or fail through faultfs-ctl. Unmounts on
// destruction, first releasing every hang so no thread stays stuck in the kernel.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace itest {

class FaultfsMount {
 public:
  // Returns false with `*reason` if the faultfs tools were not built or FUSE is unusable.
  static bool Available(std::string* reason);
  // Mounts `source` at `mount` with a control socket at `control`. Null with `*error`.
  static std::unique_ptr<FaultfsMount> Start(const std::string& source, const std::string& mount,
                                             const std::string& control, const std::string& log,
                                             std::string* error);
  ~FaultfsMount();
  FaultfsMount(const FaultfsMount&) = delete;
  FaultfsMount& operator=(const FaultfsMount&) = delete;

  // Runs `faultfs-ctl --control SOCK ARGS...`. False with `*error` (its output).
  bool Ctl(const std::vector<std::string>& args, std::string* error);

 private:
  FaultfsMount() = default;
  std::string mount_;
  std::string control_;
  pid_t pid_ = -1;
};

// Returns true if `path` is a mount point listed in /proc/self/mountinfo.
bool IsMountPoint(const std::string& path);

}  // namespace itest
