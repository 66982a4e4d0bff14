// ScstAdapter: drives SCST (out-of-tree kernel target) with an scst.conf applied by
// `scstadmin -config FILE`, and scstadmin commands for live LUN changes and teardown. The
// text and commands come from scst_config.h; this file checks that SCST can run, creates the
// backing storage, runs scstadmin with a time limit each, and checks sysfs afterwards.
//
// iscsi-scstd's listening address and port are its own command-line options (-p PORT), not
// part of scst.conf: the adapter reports `port` as given and does not start the daemon.
// SCST cannot run on the build machine (ENVIRONMENT.md), so Start() there returns the
// reason without running anything.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/adapters/backing_files.h"
#include "harness/adapters/kernel_adapter_support.h"
#include "harness/adapters/target_adapter.h"

namespace harness::adapters {

struct ScstAdapterOptions : KernelAdapterOptions {
  std::string ipv4_address = "127.0.0.1";
  std::string ipv6_address = "::1";
  int port = 3260;  // the port iscsi-scstd listens on
  std::filesystem::path sysfs_dir = "/sys/kernel/scst_tgt";
  std::string scstadmin = "scstadmin";
};

class ScstAdapter : public TargetAdapter {
 public:
  explicit ScstAdapter(ScstAdapterOptions options);
  ~ScstAdapter() override;
  ScstAdapter(const ScstAdapter&) = delete;
  ScstAdapter& operator=(const ScstAdapter&) = delete;

  std::string name() const override { return "scst"; }
  // SCST's abilities as configured here: live LUN changes, CHAP (one-way, mutual,
  // discovery; per target, not per ACL), initiator groups as ACLs, thin provisioning
  // (fileio, blockio), read-only LUNs, 4096-byte blocks; FILEIO, BLOCK and NULL backings (no
  // RAM disk); no removable media with eject; no process faults (it is the kernel).
  Capabilities capabilities() const override;
  // Fails with the reason, running nothing, when SCST's sysfs tree or scstadmin is missing.
  Result<RunningTarget> Start(const TargetSpec& spec) override;
  Status Stop() override;
  Result<int> AddLun(const LunSpec& lun) override;
  Status RemoveLun(int lun_number) override;
  // Returns /sys/kernel/scst_tgt/version's first line, or "" when SCST is absent.
  std::string version() const override;

  // Returns why SCST cannot be driven on this host, or "" if it can. Runs nothing.
  std::string Unavailable() const;

 private:
  // Runs each argv; returns the first failure (after running the rest if `keep_going`).
  Status RunAll(const std::vector<std::vector<std::string>>& commands,
                const std::vector<std::string>& secrets, bool keep_going);
  Status CheckSysfs(const std::vector<std::string>& paths) const;
  std::filesystem::path ConfigFile() const;

  ScstAdapterOptions options_;
  AdminTool scstadmin_;
  BackingFiles backings_;
  ExportedLuns exported_{"scst", "SCST"};
};

}  // namespace harness::adapters
