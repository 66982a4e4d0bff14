// LioAdapter: drives LIO, the Linux kernel target, through targetcli-fb (or, optionally,
// rtslib-fb's `targetctl restore FILE`). The commands come from lio_commands.h; this file
// only checks that LIO can run, creates the backing storage, runs the commands with a time
// limit each, and checks configfs afterwards.
//
// LIO cannot run on the build machine (ENVIRONMENT.md: CONFIG_TARGET_CORE off, no
// /sys/kernel/config/target), so Start() there returns the reason without running anything.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/adapters/backing_files.h"
#include "harness/adapters/kernel_adapter_support.h"
#include "harness/adapters/lio_commands.h"
#include "harness/adapters/target_adapter.h"

namespace harness::adapters {

struct LioAdapterOptions : KernelAdapterOptions {
  // work_dir also holds the saveconfig.json of use_targetctl_restore.
  lio::Options portal;  // loopback address(es) and port
  std::filesystem::path configfs_dir = "/sys/kernel/config/target";
  std::string targetcli = "targetcli";
  std::string targetctl = "targetctl";
  // Configure with one `targetctl restore FILE` instead of the targetcli commands. rtslib
  // refuses to restore over existing storage objects or targets, so this suits a clean host.
  bool use_targetctl_restore = false;
};

class LioAdapter : public TargetAdapter {
 public:
  explicit LioAdapter(LioAdapterOptions options);
  ~LioAdapter() override;
  LioAdapter(const LioAdapter&) = delete;
  LioAdapter& operator=(const LioAdapter&) = delete;

  std::string name() const override { return "lio"; }
  // LIO's real abilities: live LUN changes, CHAP (one-way, mutual, discovery), ACLs, IPv6,
  // thin provisioning (fileio, iblock), read-only LUNs, 4096-byte blocks; no removable
  // media; no process faults (it is the kernel).
  Capabilities capabilities() const override;
  // Fails with the reason, running nothing, when configfs or targetcli is missing.
  Result<RunningTarget> Start(const TargetSpec& spec) override;
  Status Stop() override;
  Result<int> AddLun(const LunSpec& lun) override;
  Status RemoveLun(int lun_number) override;
  // Returns configfs's version line ("Target Engine Core ConfigFS Infrastructure v5.0 ..."),
  // or "" when LIO is absent.
  std::string version() const override;

  // Returns why LIO cannot be driven on this host, or "" if it can. Runs nothing.
  std::string Unavailable() const;

 private:
  // Runs `commands` in order; returns the first failure of a command that may not fail.
  Status RunCommands(const std::vector<lio::Command>& commands,
                     const std::vector<std::string>& secrets);
  Status RunSaveConfig(const TargetSpec& spec);
  Status CheckConfigfs(const std::vector<std::string>& paths) const;
  // Best effort: deletes whatever of `spec` exists and releases the backings.
  void Rollback(const TargetSpec& spec);

  LioAdapterOptions options_;
  AdminTool targetcli_;
  BackingFiles backings_;
  ExportedLuns exported_{"lio", "LIO"};
  lio::TpgPlan tpg_;
};

}  // namespace harness::adapters
