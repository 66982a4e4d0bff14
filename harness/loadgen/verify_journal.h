// VerifyJournal: after a target restart or crash, reads back every block the journal
// says was acknowledged and reports what the target lost. A block passes if it holds the
// journaled generation or a newer one (a write acknowledged after the journal's last
// flush, or in flight at the crash, may legitimately have landed); it fails as lost
// (zeros), stale (an older generation), corrupt (checksum), misdirected (another block's
// data) or foreign (another run's data). TEST-PLAN T39 (process crash: every GOOD write
// survives) and T40 (power cut: every FUA / synced write survives).
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
};

struct JournalVerifyReport {
  uint64_t records = 0;  // journal records read
  uint64_t blocks = 0;   // distinct blocks journaled
  uint64_t ok = 0;       // hold the journaled generation
  uint64_t newer = 0;    // hold a newer generation (also fine)
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
    return lost + stale + corrupt + misdirected + foreign + unreadable == 0 && corrupt_records == 0;
  }
  nlohmann::json ToJson() const;
};

// The journaled generation of one block: the highest any record gives it.
struct JournaledBlock {
  uint16_t lun = 0;
  uint64_t lba = 0;
  uint64_t generation = 0;
  uint32_t block_size = 0;
};

// Returns every journaled block once, with its highest generation, sorted by (LUN, LBA).
std::vector<JournaledBlock> JournaledBlocks(const JournalContents& journal);

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
