// The tgt adapter: starts its own tgtd (Linux SCSI target framework, userspace) on a free
// loopback port and a private control port, and configures it with tgtadm. tgt numbers data
// LUNs from 1 (LUN 0 is its controller); it has no RAM disk, so RAMDISK LUNs are files on
// tmpfs (/dev/shm), as ENVIRONMENT.md measured it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapters/backing_files.h"
#include "harness/adapters/target_adapter.h"
#include "harness/process/child_process.h"

namespace harness::adapters {

struct TgtOptions {
  std::filesystem::path work_dir;  // logs and backing files
  std::string tgtd = "tgtd";       // program names or paths
  std::string tgtadm = "tgtadm";
  std::filesystem::path ram_dir = "/dev/shm";  // where RAMDISK LUN files go
};

// Returns the tgtadm argument lists that export `spec` as target `tid` (without the
// leading "tgtadm -C N"), given each LUN's resolved backing path.
std::vector<std::vector<std::string>> TgtSetupCommands(const TargetSpec& spec, int tid,
                                                       const std::vector<std::string>& paths);
// Returns the tgtadm argument lists that add `lun` as LUN number `lun_number`.
std::vector<std::vector<std::string>> TgtLunCommands(const LunSpec& lun, int tid, int lun_number,
                                                     const std::string& path);

class TgtAdapter : public TargetAdapter {
 public:
  explicit TgtAdapter(TgtOptions options);
  ~TgtAdapter() override;

  std::string name() const override { return "tgt"; }
  Capabilities capabilities() const override;
  Result<RunningTarget> Start(const TargetSpec& spec) override;
  Status Stop() override;
  Result<int> AddLun(const LunSpec& lun) override;
  Status RemoveLun(int lun_number) override;
  // Refuses: tgtadm (1.0.85) has no resize operation, and tgt reads a backing store's size
  // once, at `--op new` (tgt_device_path_update), so capabilities().live_resize is false.
  Status ResizeLun(int lun_number, uint64_t new_size_bytes) override;
  // Relaunches tgtd on the same portal and control port and re-applies the target, its
  // LUNs (as they are now, live changes included) and its ACLs with tgtadm; the backing
  // files are neither recreated nor truncated.
  Result<RunningTarget> Restart() override;
  // Runs `tgtadm --op show` (targets, LUNs and I_T nexuses), answered by tgtd's event loop.
  Result<std::chrono::milliseconds> QueryManagement(std::chrono::milliseconds limit) override;
  std::string version() const override;

 private:
  // Runs `tgtadm -C <control port> ARGS` within `limit`; the error names the command and its
  // output.
  Status Tgtadm(const std::vector<std::string>& args,
                std::chrono::milliseconds limit = kTgtadmLimit);
  // Creates the backing for `lun` and returns the path tgt should open.
  Result<std::string> PrepareBacking(const LunSpec& lun);
  // Removes what PrepareBacking created for `lun` (nothing if lun.path was given).
  void ReleaseBacking(const LunSpec& lun);
  // Starts tgtd on port_ and control_port_ and waits for its portal; the error quotes the log.
  Status LaunchTgtd();

  TgtOptions options_;
  std::unique_ptr<process::BackgroundProcess> tgtd_;
  std::unique_ptr<BackingFiles> files_;
  std::unique_ptr<BackingFiles> ram_files_;
  int control_port_ = 0;
  // LUN number -> the LunSpec it exports, so that RemoveLun releases the backing the adapter
  // created for it and AddLun reuses the lowest free number (as LIO and SCST adapters do).
  std::map<int, LunSpec> exported_;
  std::map<int, std::string> paths_;  // LUN number -> the backing path tgt opens
  // What Restart() needs: the spec Start got (its LUNs are in exported_) and the target.
  TargetSpec spec_;
  RunningTarget running_;
  int port_ = 0;
  static constexpr int kTid = 1;
  static constexpr std::chrono::milliseconds kTgtadmLimit{30'000};
};

}  // namespace harness::adapters
