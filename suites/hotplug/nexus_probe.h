// What the hotplug suite does over its idle session (the unit-attention probe): TEST UNIT
// READY until GOOD and REPORT LUNS after each change, and small verified reads and writes on
// a new or re-added LUN. One thread uses the session at a time (harness/iscsi/session.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "harness/common/status.h"
#include "harness/iscsi/session.h"
#include "suites/hotplug/oracle.h"

namespace harness::hotplug {

// How many TEST UNIT READYs a probe sends before it gives up on GOOD (libiscsi's full
// connect and the load generator allow 8 unit attentions in a row too).
inline constexpr int kMaxProbeAttempts = 8;

// Sends TEST UNIT READY to `lun` until GOOD (at most kMaxProbeAttempts), recording every
// CHECK CONDITION's sense, then REPORT LUNS to `lun`.
NexusProbe ProbeNexus(iscsi::Session& session, int lun, std::chrono::milliseconds limit);

// Sends REPORT LUNS (SELECT REPORT 00h) to `lun`; returns the LUNs listed.
Result<std::set<int>> ReportLuns(iscsi::Session& session, int lun, std::chrono::milliseconds limit);

// Runs `request`, again after each UNIT ATTENTION (at most kMaxProbeAttempts times), appending
// the attentions' triples to `*attentions`. Returns the last result.
iscsi::CommandResult ExecuteThroughAttentions(iscsi::Session& session,
                                              const iscsi::CommandRequest& request,
                                              std::vector<std::string>* attentions);

// A LUN's geometry as READ CAPACITY(16) (SBC-3 §5.16) reports it.
struct Capacity {
  uint64_t blocks = 0;  // RETURNED LOGICAL BLOCK ADDRESS + 1
  uint32_t block_size = 0;
  uint64_t bytes() const { return blocks * block_size; }
};
Result<Capacity> ReadCapacity(iscsi::Session& session, int lun, std::chrono::milliseconds limit,
                              std::vector<std::string>* attentions);

// Writes `blocks` blocks from `lba` with a pattern derived from (`seed`, LBA), with
// WRITE(16), in one command. Fails naming the LUN, LBA and what the target answered.
Status WritePattern(iscsi::Session& session, int lun, const Capacity& geometry, uint64_t lba,
                    uint32_t blocks, uint32_t seed, std::chrono::milliseconds limit,
                    std::vector<std::string>* attentions);

// Reads the blocks back with READ(16) and compares them with the pattern. Fails naming the
// first LBA and byte that differ, or what the target answered.
Status CheckPattern(iscsi::Session& session, int lun, const Capacity& geometry, uint64_t lba,
                    uint32_t blocks, uint32_t seed, std::chrono::milliseconds limit,
                    std::vector<std::string>* attentions);

// Returns the pattern byte `offset` of block `lba` (exposed for the unit test).
uint8_t PatternByte(uint32_t seed, uint64_t lba, uint32_t offset);

}  // namespace harness::hotplug
