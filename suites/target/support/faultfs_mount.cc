#include "suites/target/support/faultfs_mount.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "suites/target/support/subprocess.h"

#ifndef ITEST_FAULTFS_BIN
#define ITEST_FAULTFS_BIN ""
#endif
#ifndef ITEST_FAULTFS_CTL_BIN
#define ITEST_FAULTFS_CTL_BIN ""
#endif

namespace itest {

bool IsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (mount_point == path) return true;
  }
  return false;
}

bool FaultfsMount::Available(std::string* reason) {
  const std::string fs = ITEST_FAULTFS_BIN, ctl = ITEST_FAULTFS_CTL_BIN;
  if (fs.empty() || ctl.empty()) {
    *reason = "faultfs / faultfs-ctl were not built (fault-injection/ has no such targets)";
    return false;
  }
  if (access("/dev/fuse", R_OK | W_OK) != 0) {
    *reason = "/dev/fuse is not usable here";
    return false;
  }
  return true;
}

std::unique_ptr<FaultfsMount> FaultfsMount::Start(const std::string& source,
                                                  const std::string& mount,
                                                  const std::string& control,
                                                  const std::string& log, std::string* error) {
  std::unique_ptr<FaultfsMount> m(new FaultfsMount());
  m->mount_ = mount;
  m->control_ = control;
  m->pid_ = SpawnBackground(
      {ITEST_FAULTFS_BIN, "--source", source, "--mount", mount, "--control", control}, log, error);
  if (m->pid_ < 0) return nullptr;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (IsMountPoint(mount) && access(control.c_str(), F_OK) == 0) return m;
    int status = 0;
    if (!ChildAlive(m->pid_, &status)) {
      m->pid_ = -1;
      if (IsMountPoint(mount)) return m;  // it daemonized
      *error = "faultfs exited before mounting " + mount + "; see " + log;
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "faultfs did not mount " + mount + " within 10 s; see " + log;
  return nullptr;  // the destructor cleans up
}

bool FaultfsMount::Ctl(const std::vector<std::string>& args, std::string* error) {
  std::vector<std::string> argv = {ITEST_FAULTFS_CTL_BIN, "--control", control_};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = RunProcess(argv, std::chrono::seconds(10));
  if (!r.Ok()) {
    *error = "faultfs-ctl failed (" + r.Describe() + "): " + r.out + r.err;
    return false;
  }
  return true;
}

FaultfsMount::~FaultfsMount() {
  std::string ignored;
  if (access(control_.c_str(), F_OK) == 0) {
    Ctl({"release"}, &ignored);
    Ctl({"clear", "all"}, &ignored);
  }
  if (pid_ > 0) TerminateAndReap(pid_, std::chrono::seconds(10));
  if (IsMountPoint(mount_)) {
    RunProcess({"fusermount3", "-u", "-z", mount_}, std::chrono::seconds(10));
  }
  if (IsMountPoint(mount_)) RunProcess({"umount", "-l", mount_}, std::chrono::seconds(10));
}

}  // namespace itest
