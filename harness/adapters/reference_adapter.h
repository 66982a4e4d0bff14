// The reference adapter: runs this project's reftarget as a child process on a free loopback
// port with a saveconfig.json generated in LIO's schema (the same file LIO's targetctl would
// restore, so the compatibility claim is exercised on every run), keeps its log, and stops it
// with SIGTERM (reftarget drains and exits 0). reftarget always gets an admin socket in the
// work directory; when the reftarget-ctl binary is found, LUNs are added, removed and
// resized live through it (reftarget_ctl.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/adapters/backing_files.h"
#include "harness/adapters/command_runner.h"
#include "harness/adapters/reftarget_ctl.h"
#include "harness/adapters/target_adapter.h"
#include "harness/process/child_process.h"

namespace harness::adapters {

struct ReferenceOptions {
  std::filesystem::path work_dir;   // saveconfig.json, the log and backing files
  std::filesystem::path reftarget;  // empty: FindReftarget()
  std::string log_level = "info";
  int threads = 0;                      // --threads; 0: reftarget's default (one per core)
  std::filesystem::path reftarget_ctl;  // empty: FindReftargetCtl(the reftarget binary)
  // --admin-socket; empty: WORK_DIR/admin.sock, or a path under /tmp when that would not
  // fit in sockaddr_un's 108 bytes.
  std::filesystem::path admin_socket;
  CommandRunner ctl_runner;                     // runs reftarget-ctl; empty: process::SpawnRun
  std::chrono::milliseconds ctl_limit{30'000};  // per reftarget-ctl command
};

// Returns the reftarget binary: $REFTARGET_BIN, else next to this program in the build tree
// (../../target/daemon/reftarget from harness/cli/), else `reftarget` in PATH; "" if none.
std::filesystem::path FindReftarget();

// Returns the reftarget-ctl binary: $REFTARGET_CTL_BIN, else beside `reftarget` (or in the
// build tree's target/admin or target/daemon next to it), else beside this program's build
// tree (../../target/{admin,daemon}/reftarget-ctl), else `reftarget-ctl` in PATH; "" if none.
std::filesystem::path FindReftargetCtl(const std::filesystem::path& reftarget);

// Returns the admin socket path for `work_dir`: WORK_DIR/admin.sock, or
// TMPDIR/reftarget-admin-PID-HASH.sock when that path is too long for a Unix socket.
std::filesystem::path AdminSocketPath(const std::filesystem::path& work_dir);

class ReferenceAdapter : public TargetAdapter {
 public:
  explicit ReferenceAdapter(ReferenceOptions options);
  ~ReferenceAdapter() override;

  std::string name() const override { return "reference"; }
  Capabilities capabilities() const override;
  Result<RunningTarget> Start(const TargetSpec& spec) override;
  Status Stop() override;
  Result<int> AddLun(const LunSpec& lun) override;
  Status RemoveLun(int lun_number) override;
  Status ResizeLun(int lun_number, uint64_t new_size_bytes) override;
  // Relaunches reftarget with the argv Start used (same saveconfig.json, admin socket and
  // port); the backing files are not touched.
  Result<RunningTarget> Restart() override;
  // Runs `reftarget-ctl sessions detail` through the admin socket.
  Result<std::chrono::milliseconds> QueryManagement(std::chrono::milliseconds limit) override;
  std::string version() const override;

  // The reftarget-ctl binary the adapter uses ("" when none was found: no live changes).
  const std::filesystem::path& reftarget_ctl() const { return ctl_; }
  // The admin socket reftarget was (or will be) started with.
  const std::filesystem::path& admin_socket() const { return socket_; }

 private:
  // Returns the failure for a live change when reftarget-ctl is missing or nothing runs.
  Status CheckLive(const std::string& what) const;
  // Waits (within the start limit) until reftarget has created its admin socket; uses log_.
  Status WaitForAdminSocket();

  ReferenceOptions options_;
  std::filesystem::path ctl_;
  std::filesystem::path socket_;
  std::unique_ptr<process::BackgroundProcess> reftarget_;
  std::unique_ptr<BackingFiles> files_;
  refctl::ReftargetLuns luns_;
  std::string last_stop_;  // how the last run ended ("exit 0")
  // What Restart() needs: the command line, the log and the target Start returned.
  std::vector<std::string> argv_;
  std::filesystem::path log_;
  RunningTarget running_;
};

}  // namespace harness::adapters
