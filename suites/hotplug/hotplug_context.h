// HotplugContext: the target, sessions and bookkeeping every hotplug scenario shares.
//   LUN A  loaded all the time by the verifying load generator (session 1, "hotplug-load"),
//          on a file of zeros the suite writes (so that its IOPS are steady from the start);
//   LUN C  idle, removed by RemoveLun.Idle;
//   LUN R  on a file the suite owns, loaded by a second generator and removed under I/O,
//          then re-added from the same file (its tail holds a pattern written before);
//   the idle session ("hotplug-idle", session 2) probes the unit attentions on LUN A after
//   every change and writes and reads new LUNs.
// Everything goes through the adapter contract; nothing depends on which target it is.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "harness/adapters/target_adapter.h"
#include "harness/iscsi/session.h"
#include "harness/loadgen/load_generator.h"
#include "harness/process/proc_usage.h"
#include "harness/runner/suite.h"
#include "suites/hotplug/hotplug_config.h"
#include "suites/hotplug/nexus_probe.h"
#include "suites/hotplug/scenario_record.h"

namespace harness::hotplug {

inline constexpr char kIqn[] = "iqn.2003-01.org.reftarget.harness:hotplug";
// The pattern on LUN R's last blocks, outside the second generator's range.
inline constexpr uint32_t kPatternBlocks = 16;

class HotplugContext {
 public:
  HotplugContext(const runner::SuiteEnv& env, HotplugConfig config);
  ~HotplugContext();
  HotplugContext(const HotplugContext&) = delete;
  HotplugContext& operator=(const HotplugContext&) = delete;

  // Starts the target with LUNs A, C and R, connects the idle session, reads the LUN
  // inventory, writes LUN R's pattern and logs the load generator in. Fails naming the step.
  Status Setup();
  // Stops the generators, the session and the target, and removes LUN R's file.
  void Teardown();

  // Applies one change with `apply` (which updates expected_luns when it succeeds), at least
  // config.change_interval after the previous one, marks it on `window`'s clock, then probes
  // the idle session on LUN A and judges the unit attention (`expected_triple` exactly once)
  // and REPORT LUNS. Returns apply's status.
  Status Change(LoadWindow& window, ScenarioRecord& record, const std::string& label,
                const std::function<Status()>& apply, const std::string& expected_triple);
  // Waits out the last change's slot, then `slots` slots of config.change_interval with no
  // change, marked quiet on `record`; the next change starts at once.
  void QuietSlots(LoadWindow& window, ScenarioRecord& record, int slots);
  // Adds `lun` through the adapter and to expected_luns; returns its number.
  Result<int> AddLun(const adapters::LunSpec& lun);
  // Removes LUN `number` through the adapter and from expected_luns.
  Status RemoveLun(int number);

  // Waits `d`, servicing the idle session so that it answers the target's NOP-Ins.
  void Pause(std::chrono::milliseconds d);
  // Returns the target process's fds and RSS, or nullopt if the adapter runs no process.
  std::optional<Result<process::ProcessUsage>> Usage() const;
  // True while the target process runs (or when the adapter started none).
  bool TargetAlive() const;
  // Returns the last lines of the target's log ("" without one).
  std::string LogTail() const;
  // Reconnects the idle session if it broke; records that as a problem of `record`.
  void EnsureIdleSession(ScenarioRecord& record);
  // Returns LunSpec `name` of `backing` and `bytes` (the churned and added LUNs).
  adapters::LunSpec SmallLun(const std::string& name, adapters::Backing backing) const;
  // Returns a LoadConfig for LUN `lun` with the suite's load and `initiator_suffix`.
  loadgen::LoadConfig LoadFor(int lun, const std::string& initiator_suffix) const;

  const runner::SuiteEnv& env;
  const HotplugConfig config;
  adapters::TargetAdapter* adapter;
  adapters::Capabilities caps;
  adapters::RunningTarget target;
  int lun_a = -1, lun_c = -1, lun_r = -1;
  adapters::LunSpec spec_a, spec_r;
  std::filesystem::path a_file;  // LUN A's backing, owned by the suite (written zeros)
  std::filesystem::path r_file;  // LUN R's backing, owned by the suite
  Capacity r_geometry;
  uint32_t pattern_seed = 0;
  bool r_removed = false;       // RemoveLun.UnderIo removed it
  std::set<int> expected_luns;  // what REPORT LUNS must list now
  std::unique_ptr<iscsi::Session> idle;
  std::unique_ptr<loadgen::LoadGenerator> load;  // LUN A
  double baseline_iops = 0;
  int added_serial = 0;  // names churned LUNs uniquely ("hp_cyc_3")

 private:
  bool started_ = false;
  std::optional<std::chrono::steady_clock::time_point> last_change_;
};

}  // namespace harness::hotplug
