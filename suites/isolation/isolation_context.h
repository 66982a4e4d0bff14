// IsolationContext: what every isolation scenario shares. Two faultfs mounts, one each, hold
// the backing of two LUNs (FILEIO on a file, BLOCK on a loop device over a file): one FUSE
// daemon per LUN, so that a fault on one LUN's file system is not also a load on the
// other's. Two more LUNs live elsewhere (a RAM disk, and FILEIO on the ordinary file system). Each
// LUN has its own verifying load generator on its own session, and a probe session times task
// management, logins and recovery on the faulty LUN. The RAMDISK LUN's load reaches the
// target through netfault, for the network faults.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "harness/common/status.h"
#include "harness/faults/faultfs_daemon.h"
#include "harness/faults/loop_device.h"
#include "harness/faults/netfault_proxy.h"
#include "harness/iscsi/session.h"
#include "harness/loadgen/load_generator.h"
#include "harness/runner/suite.h"
#include "suites/isolation/isolation_config.h"

namespace harness::isolation {

inline constexpr char kIqn[] = "iqn.2003-01.org.reftarget.harness:isolation";

// The LUNs, in the order the target exports them.
enum LunIndex : size_t { kFaultyFile = 0, kFaultyBlock = 1, kRamdisk = 2, kPlainFile = 3 };
// The LUN whose load runs through netfault: its backstore is never faulted, so a network
// fault on its connection is the only thing that can disturb it.
inline constexpr LunIndex kNetLun = kRamdisk;
inline constexpr size_t kLunCount = 4;
// Blocks at the end of every LUN that the generators leave alone, for the probes.
inline constexpr uint64_t kProbeReserveBlocks = 64;

struct IsoLun {
  std::string label;  // "FILEIO on faultfs"
  adapters::LunSpec spec;
  int number = -1;           // its LUN number on the target
  std::string faultfs_file;  // its file relative to the mount ("" if not on faultfs)
  faults::FaultfsDaemon* faultfs = nullptr;  // the mount it lives on (null if none)
  std::unique_ptr<loadgen::LoadGenerator> load;
};

class IsolationContext {
 public:
  IsolationContext(const runner::SuiteEnv& env, IsolationConfig config);
  ~IsolationContext();
  IsolationContext(const IsolationContext&) = delete;
  IsolationContext& operator=(const IsolationContext&) = delete;

  // Mounts faultfs, creates the backing, starts the target, logs every generator and the
  // probe session in. Fails naming the step.
  Status Setup();
  // Stops everything Setup started, releasing faultfs's hangs first. Idempotent.
  void Teardown();

  // Waits `d`, servicing the probe session so that it answers the target's NOP-Ins.
  void Pause(std::chrono::milliseconds d);
  // Logs a new session in to LUN R and out again; returns how long the login took.
  Result<std::chrono::milliseconds> TimedLogin();
  // Returns the target's log tail ("" without one).
  std::string LogTail() const;
  // True while the target process runs (or when the adapter started none).
  bool TargetAlive() const;

  const runner::SuiteEnv& env;
  const IsolationConfig config;
  adapters::TargetAdapter* adapter;
  adapters::RunningTarget target;
  std::unique_ptr<faults::FaultfsDaemon> file_fs;   // under LUN kFaultyFile
  std::unique_ptr<faults::FaultfsDaemon> block_fs;  // under LUN kFaultyBlock's loop device
  std::unique_ptr<faults::LoopDevice> loop;
  // In front of the target for kNetLun's load (null, with net_unavailable saying why, when
  // netfault cannot run).
  std::unique_ptr<faults::NetfaultProxy> net;
  std::string net_unavailable;
  std::vector<IsoLun> luns;
  std::unique_ptr<iscsi::Session> probe;

 private:
  Status StartGenerators();
  // Starts `net`, or says in net_unavailable why it cannot.
  void StartNetfault();
  // Starts a faultfs named `name` under the output folder.
  Result<std::unique_ptr<faults::FaultfsDaemon>> StartFaultfs(const std::string& name);
  bool started_ = false;
  std::filesystem::path plain_file_;
};

}  // namespace harness::isolation
