// VerifyJournal: after a target restart or crash, reads back every block the journal
// says was acknowledged and reports what the target lost. A block passes if it holds the
// journaled generation or a newer one (a write acknowledged after the journal's last
// flush, or in flight at the crash, may legitimately have landed); it fails as lost
// (zeros), stale (an older generation), corrupt (checksum), misdirected (another block's
// data) or foreign (another run's data). TEST-PLAN T39 (process crash: every GOOD write
// survives) and T40 (power cut: every FUA / synced write survives).
//
// With JournalVerifyOptions::durable_only (a power cut with the write cache on), only what
// the journal marks durable must survive: a block whose newest journaled write was not
// durable passes ("older") if it holds any generation journaled for it from its newest
// durable one on, or, when nothing durable was written to it, what it held before the run
// (zeros, or a block of one of prior_run_ids). Torn 512-byte blocks, misdirected data and
// generations never written to the block still fail.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "harness/iscsi/session.h"
#include "harness/loadgen/block_verify.h"
#include "harness/loadgen/journal.h"
#include "harness/loadgen/retry_policy.h"

namespace harness::loadgen {

struct JournalVerifyOptions {
  RetryPolicy retry;  // retry.command_limit: each READ(16)'s limit
  uint32_t max_blocks_per_read = 256;
  size_t max_samples = 100;
  // false: every journaled write must read back (a process crash, or a power cut with the
  // write cache off). true: only durable records must (see the top of this file).
  bool durable_only = false;
  // durable_only: earlier runs on the same LUNs, whose blocks count as a block's content
  // from before this run.
  std::vector<uint32_t> prior_run_ids;
};

struct JournalVerifyReport {
  uint64_t records = 0;  // journal records read
  uint64_t blocks = 0;   // distinct blocks journaled
  uint64_t ok = 0;       // hold the journaled generation
  uint64_t newer = 0;    // hold a newer generation (also fine)
  // durable_only: blocks whose newest journaled write was not durable, and those of them
  // that hold an older journaled generation or their content from before the run (fine:
  // the write cache lost them, as a power cut may).
  uint64_t volatile_blocks = 0;
  uint64_t older = 0;
  uint64_t unknown_generation = 0;  // a generation never written to the block
  uint64_t lost = 0;
  uint64_t stale = 0;
  uint64_t corrupt = 0;
  uint64_t misdirected = 0;
  uint64_t foreign = 0;
  uint64_t unreadable = 0;     // blocks whose READ failed after retries
  bool torn_tail = false;      // the journal's last record was cut short (not an error)
  size_t corrupt_records = 0;  // journal records damaged in the middle (an error)
  std::vector<VerifyError> samples;
  std::vector<std::string> read_errors;  // the first max_samples READ failures

  // True if every journaled block is intact and the journal itself is sound.
  bool passed() const {
    return lost + stale + corrupt + misdirected + foreign + unknown_generation + unreadable == 0 &&
           corrupt_records == 0;
  }
  nlohmann::json ToJson() const;
};

// The journaled generation of one block: the highest any record gives it.
struct JournaledBlock {
  uint16_t lun = 0;
  uint64_t lba = 0;
  uint64_t generation = 0;
  uint32_t block_size = 0;
  uint64_t durable_generation = 0;  // the highest generation a durable record gives it; 0: none
};

// Returns every journaled block once, with its highest generation, sorted by (LUN, LBA).
std::vector<JournaledBlock> JournaledBlocks(const JournalContents& journal);

// The verdict on one block after a power cut with the write cache on (durable_only).
struct PowerCutVerdict {
  VerifyKind kind = VerifyKind::kOk;  // kOk: allowed
  bool older = false;                 // kOk, but older than the newest journaled write
};

// Classifies one block read back after a power cut (exposed for tests). `generations`: every
// generation journaled for this block, ascending. A block whose newest write was durable
// must hold it or a newer one, as ClassifyJournaled says.
PowerCutVerdict ClassifyAfterPowerCut(const DecodedBlock& block, const JournaledBlock& expected,
                                      const std::vector<uint64_t>& generations, uint32_t run_id,
                                      const std::vector<uint32_t>& prior_run_ids);

// Classifies one block read back against its journaled generation (exposed for tests).
// Returns kOk for the journaled or a newer generation.
VerifyKind ClassifyJournaled(const DecodedBlock& block, const JournaledBlock& expected,
                             uint32_t run_id);

// Reads back every block of `journal` through `session` (the LUNs the records name) and
// reports. Unit attentions after the restart are retried as the generator does. Fails
// only if the session is unusable; block problems are in the report.
Result<JournalVerifyReport> VerifyJournal(iscsi::Session& session, const JournalContents& journal,
                                          const JournalVerifyOptions& options = {});

}  // namespace harness::loadgen
