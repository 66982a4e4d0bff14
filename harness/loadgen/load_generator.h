// LoadGenerator: the harness's verifying load generator (issue 3). N sessions x M LUNs of
// READ(16) / WRITE(16) at a queue depth per (session, LUN), every written block
// self-describing (block_format.h) and every block read back checked against what was
// acknowledged (block_map.h, block_verify.h); unit attentions, BUSY and TASK SET FULL
// handled as Linux's midlayer does (retry_policy.h); connection losses recovered by
// reconnecting; acknowledged writes journaled (journal.h); a per-second time series per
// LUN (run_result.h).
//
// Usage:
//   LoadConfig config;  config.portal = ...; config.target = ...; config.luns = {0, 1};
//   auto gen = LoadGenerator::Create(config);          // logs in, probes the LUNs
//   Result<RunResult> r = gen.value()->Run();          // blocks for the workload
// or Start(workload) ... (disturb the target) ... Wait(). Several runs in turn share the
// sessions and the block bookkeeping, so a suite can write, disturb, then read back.
#pragma once

#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/common/status.h"
#include "harness/loadgen/block_map.h"
#include "harness/loadgen/config.h"
#include "harness/loadgen/journal.h"
#include "harness/loadgen/run_context.h"
#include "harness/loadgen/run_result.h"
#include "harness/loadgen/session_worker.h"

namespace harness::loadgen {

struct LunInfo {
  int lun = 0;
  uint32_t block_size = 0;
  uint64_t capacity_blocks = 0;
  LbaRange range;  // the tracked range (resolved: count > 0)
};

class LoadGenerator {
 public:
  // Validates `config`, logs in config.sessions sessions (each its own ISID), reads every
  // LUN's capacity, clears the unit attentions of each new I_T nexus, checks block sizes
  // and ranges against the LUNs, and opens the journal. Fails naming what is wrong.
  static Result<std::unique_ptr<LoadGenerator>> Create(const LoadConfig& config);
  // Stops a run in progress (RequestStop + Wait) and logs the sessions out.
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Runs config.workload (or `workload`) to its end and returns what it measured.
  Result<RunResult> Run();
  Result<RunResult> Run(const Workload& workload);
  // Starts `workload` on one thread per session and returns at once.
  Status Start(const Workload& workload);
  // Asks the run to end now: no new I/O; commands in flight complete (or fail) first.
  // Thread-safe (a signal-watching thread may call it while another thread is in Wait).
  void RequestStop();
  // Waits for the run Start() began and returns its result.
  Result<RunResult> Wait();
  bool running() const { return run_ != nullptr; }

  const LoadConfig& config() const { return config_; }
  uint32_t run_id() const { return run_id_; }
  // Unit attentions consumed by Create() (new I_T nexuses report POWER ON and the like).
  int setup_unit_attentions() const { return setup_unit_attentions_; }
  // Per LUN number: its geometry and tracked range, or null for a LUN not configured.
  const LunInfo* lun(int lun) const;
  // Forgets what LUN `lun`'s blocks hold (BlockMap::Forget), after a fault destroyed data.
  // REQUIRES: !running().
  void ForgetContents(int lun);
  // The acknowledged-generation bookkeeping of LUN number `lun`, or null.
  const BlockMap* block_map(int lun) const;
  // The journal (null without config.journal_path).
  JournalWriter* journal() const { return journal_.get(); }
  // Session `index` (0-based). REQUIRES: !running() (a worker thread owns it meanwhile).
  iscsi::Session& session(int index) { return workers_[index]->session(); }

  // Returns the LBA range session `session` of `sessions` uses in `range`: a contiguous
  // slice whose size is a multiple of `align` blocks (the last one takes the remainder),
  // or the whole range if `shared`. A slice of count 0 means the range is too small.
  static LbaRange Slice(const LbaRange& range, int session, int sessions, bool shared,
                        uint64_t align);

 private:
  explicit LoadGenerator(LoadConfig config);
  // Checks `workload` against every LUN (block sizes, slices). Names the field.
  Status CheckWorkload(const Workload& workload) const;

  LoadConfig config_;
  uint32_t run_id_ = 0;
  int setup_unit_attentions_ = 0;
  std::vector<LunInfo> luns_;                    // config_.luns order
  std::vector<std::unique_ptr<BlockMap>> maps_;  // same order
  std::vector<std::unique_ptr<SessionWorker>> workers_;
  std::unique_ptr<JournalWriter> journal_;
  std::mutex run_mu_;  // guards run_'s lifetime against RequestStop from another thread
  std::unique_ptr<RunContext> run_;
  std::vector<std::thread> threads_;
};

}  // namespace harness::loadgen
