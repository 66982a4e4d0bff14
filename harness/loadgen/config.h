// LoadConfig: what the load generator connects to and what load it drives. Every field
// has a usable default except portal and target; Validate() names the field it rejects.
// Fields that depend on the LUN (block sizes versus the LUN's block size, LBA ranges
// versus its capacity) are checked again by LoadGenerator::Create once READ CAPACITY(16)
// has answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "harness/iscsi/session.h"
#include "harness/loadgen/block_format.h"
#include "harness/loadgen/journal.h"
#include "harness/loadgen/retry_policy.h"

namespace harness::loadgen {

struct BlockSizeWeight {
  uint32_t bytes = 4096;  // a multiple of every LUN's logical block size
  uint32_t weight = 1;    // relative frequency
};

// An LBA range of a LUN, in logical blocks. count 0: from `first` to the end of the LUN
// (capped at LoadConfig::max_tracked_blocks).
struct LbaRange {
  uint64_t first = 0;
  uint64_t count = 0;
};

// The load of one run. A generator can run several workloads in turn over the same
// sessions and the same block bookkeeping (write a range, disturb it, read it back).
struct Workload {
  int read_percent = 50;  // percent of new I/Os that are reads (fio's rwmixread)
  std::vector<BlockSizeWeight> block_sizes = {{4096, 1}};
  bool sequential = false;  // false: uniformly random offsets aligned to the I/O size
  // The run ends after `duration`, or, if io_count > 0, once every (session, LUN) stream
  // has issued io_count I/Os and they completed (retries do not count as new I/Os).
  std::chrono::milliseconds duration{10000};
  uint64_t io_count = 0;
  bool fua = false;  // WRITE(16) with FUA=1 (SBC-3 §5.34): acknowledged means on the medium
  // Percent of writes sent with FUA=1 when `fua` is false (0: none). Journaled as durable.
  int fua_percent = 0;
  // Every stream sends SYNCHRONIZE CACHE(10) over its LUN this often (0: never). Writes the
  // stream had acknowledged before it sent one that ends GOOD are journaled again as durable
  // (SBC-3 §5.24: the cache holds nothing of them that is not on the medium).
  std::chrono::milliseconds sync_interval{0};
  // New I/Os per second per (session, LUN) stream, at most queue_depth in flight; 0: as fast
  // as the queue depth allows. A fixed rate below saturation (fio's rate_iops) makes a
  // stream's throughput and latency a measure of its target alone, not of how much CPU the
  // other streams on a shared machine took.
  double rate_iops = 0;
  uint64_t seed = 0;  // 0: a random seed (reported in the result)
};

struct LoadConfig {
  std::string portal;  // "127.0.0.1:3260"
  std::string target;  // target IQN
  std::string initiator = "iqn.2003-01.org.reftarget.harness:loadgen";
  iscsi::ChapCredentials chap;
  iscsi::HeaderDigest header_digest = iscsi::HeaderDigest::kNone;
  std::vector<int> luns = {0};
  int sessions = 1;      // each its own Session, ISID and thread
  int queue_depth = 16;  // commands in flight per (session, LUN)
  // Per LUN number; LUNs not named use LbaRange{} (the whole LUN, capped).
  std::map<int, LbaRange> ranges;
  // false: each session gets its own slice of every LUN's range, so two writers never
  // write the same block. true: every session uses the whole range (the block map still
  // keeps two writes off the same block at once).
  bool shared_range = false;
  // Upper bound on tracked blocks per LUN (16 bytes of memory each).
  uint64_t max_tracked_blocks = uint64_t{1} << 22;
  // true: blocks never written must read back as zeros (a fresh ramdisk or sparse file);
  // false: their content is not checked.
  bool assume_zeroed = true;
  Workload workload;
  // retry.command_limit is the per-command time limit.
  RetryPolicy retry;
  std::chrono::milliseconds connect_limit{10000};
  // How long a session keeps trying to reconnect after a connection loss before its
  // commands fail and it stops.
  std::chrono::milliseconds reconnect_limit{60000};
  std::string journal_path;  // empty: no journal
  JournalOptions journal;
  size_t max_samples = 100;  // error and verification samples kept in the result
};

// Checks the fields that do not depend on the target. The message names the field
// ("LoadConfig.queue_depth: 0 is out of range 1..1024").
Status Validate(const LoadConfig& config);
// Checks a workload alone (also used for Run(workload)).
Status ValidateWorkload(const Workload& workload);

// Parses "4096", "4k", "64K", "1m" (binary units; a bare number is bytes).
Result<uint64_t> ParseSize(const std::string& text);
// Parses "4k", "4k,64k" or "4k:3,64k:1" (size[:weight], weights default to 1).
Result<std::vector<BlockSizeWeight>> ParseBlockSizes(const std::string& text);
// Returns "4k:3,64k:1" for `sizes` (the inverse of ParseBlockSizes).
std::string FormatBlockSizes(const std::vector<BlockSizeWeight>& sizes);

}  // namespace harness::loadgen
