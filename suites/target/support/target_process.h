// TargetProcess: runs the target under test (reftarget) as a child process for one test.
// It picks a free loopback port, writes saveconfig.json into a fresh temp dir, starts
// `reftarget --config FILE` with stderr in a log file there, and waits (bounded) until
// the portal accepts TCP. Destruction stops it with SIGTERM (SIGKILL after 10 s), prints
// the log tail if the current test failed, and removes the temp dir.
//
// The binary is $REFTARGET_BIN if set, else the path compiled in from the build.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "suites/target/support/saveconfig_builder.h"
#include "suites/target/support/temp_dir.h"

namespace itest {

struct TargetOptions {
  int threads = 0;                 // --threads; 0 leaves the target's default
  std::string log_level = "info";  // --log-level
  std::chrono::seconds start_timeout{10};
  std::chrono::seconds stop_timeout{10};
};

class TargetProcess {
 public:
  // Starts the target with `spec` on 127.0.0.1:<free port>. Returns null with `*error`
  // set (including the log tail) if it did not start serving within the timeout.
  static std::unique_ptr<TargetProcess> Start(const TargetSpec& spec, std::string* error,
                                              const TargetOptions& options = {});
  ~TargetProcess();
  TargetProcess(const TargetProcess&) = delete;
  TargetProcess& operator=(const TargetProcess&) = delete;

  // Returns true while the target process has not exited.
  bool Alive();
  // Sends SIGTERM, waits up to stop_timeout, then SIGKILL. Returns the exit code, or -1 if
  // it was killed or died by a signal. Idempotent.
  int Stop();
  // Returns "running", "exit N" or "signal N".
  std::string DescribeState();

  // Returns the target's process ID (for /proc measurements).
  pid_t pid() const { return pid_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // Returns "127.0.0.1:PORT".
  std::string portal() const { return host_ + ":" + std::to_string(port_); }
  const std::string& iqn() const { return iqn_; }
  // Returns the LUN number an initiator uses for config LUN `index`.
  int Lun(int index) const;
  // Returns "iscsi://127.0.0.1:PORT/IQN/LUN" for config LUN `index`.
  std::string Url(int index) const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::filesystem::path& log_path() const { return log_path_; }
  // Returns the last `max_lines` lines of the target's log.
  std::string LogTail(size_t max_lines = 40) const;

  // Returns the path of the target binary, or "" if none is configured.
  static std::string BinaryPath();

 private:
  TargetProcess();

  TempDir dir_;
  std::filesystem::path log_path_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string iqn_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int wait_status_ = 0;
  TargetOptions options_;
};

}  // namespace itest
