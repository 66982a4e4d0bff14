// BlockMap: the generator's memory of one LUN's tracked LBA range: per block, the
// generation of the last acknowledged write and whether a write to it is in flight or
// ended without an answer. It is what a read is checked against, and it keeps two writes
// from ever being in flight on the same block at once (SAM-5 §8.6: SIMPLE tasks may be
// reordered, so two overlapping writes in flight have no defined result to verify).
//
// Generations come from one counter per LUN, so every write (all its blocks) has one
// generation, a block's generation only grows, and a read can tell "written while I was
// in flight" (generation above the counter at submission) from "older than the last
// acknowledged write" (stale). Thread-safe: every method takes the map's mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace harness::loadgen {

// What a read of one block may legitimately return, fixed when the read is (re)submitted
// (lo, hi, after) and when it completes (now).
struct BlockExpectation {
  uint64_t lo = 0;     // generation of the last acknowledged write (0: none, reads as zeros)
  uint64_t hi = 0;     // highest generation that may be there from before the read: > lo if
                       // a write was in flight or ended without GOOD (it may have landed)
  uint64_t after = 0;  // the LUN's generation counter at submission: any generation above
                       // it was issued while the read was in flight
  uint64_t now = 0;    // the block's last issued generation at completion

  // True if a block holding generation `g` (>= 1) is consistent with this expectation.
  bool Accepts(uint64_t g) const { return (g >= lo && g <= hi) || (g > after && g <= now); }
};

// The expectation of one read, captured at submission.
struct ReadSnapshot {
  uint64_t lba = 0;
  uint32_t blocks = 0;
  uint64_t after = 0;
  std::vector<uint64_t> lo;
  std::vector<uint64_t> hi;
};

// One block's bookkeeping, as Get() reports it.
struct BlockRecord {
  uint64_t acked = 0;   // last acknowledged generation (0: never)
  uint64_t issued = 0;  // last generation issued (== acked unless a write is in flight or failed)
  bool write_in_flight = false;
};

class BlockMap {
 public:
  // Tracks [first_lba, first_lba + count).
  BlockMap(uint64_t first_lba, uint64_t count);
  BlockMap(const BlockMap&) = delete;
  BlockMap& operator=(const BlockMap&) = delete;

  uint64_t first_lba() const { return first_lba_; }
  uint64_t count() const { return entries_.size(); }
  // True if [lba, lba + n) lies inside the tracked range.
  bool Contains(uint64_t lba, uint64_t n) const;

  // Reserves [lba, lba + n) for a write and returns its generation; nullopt (nothing
  // changed) if a write to any of those blocks is already in flight. REQUIRES: Contains.
  std::optional<uint64_t> BeginWrite(uint64_t lba, uint32_t n);
  // Ends the write of generation `gen`: `acknowledged` (GOOD) makes it the blocks'
  // acknowledged generation; otherwise the blocks may hold either it or what they held.
  void EndWrite(uint64_t lba, uint32_t n, uint64_t gen, bool acknowledged);
  // Returns the expectation of a read of [lba, lba + n) submitted now. REQUIRES: Contains.
  ReadSnapshot BeginRead(uint64_t lba, uint32_t n) const;
  // Returns the per-block expectations for `snapshot`, completing now.
  std::vector<BlockExpectation> Complete(const ReadSnapshot& snapshot) const;

  // Forgets what every block holds, after something outside the generator destroyed data
  // (a truncated backing file): zeros or any generation issued so far are accepted until
  // a block is written again.
  void Forget();
  // Returns one block's state. REQUIRES: Contains(lba, 1).
  BlockRecord Get(uint64_t lba) const;
  // Returns the LUN's generation counter (the last generation handed out).
  uint64_t counter() const;
  // Returns how many blocks have an acknowledged write.
  uint64_t WrittenBlocks() const;

 private:
  static constexpr uint64_t kInFlight = uint64_t{1} << 63;
  struct Entry {
    uint64_t acked = 0;
    uint64_t issued = 0;  // kInFlight bit: a write is in flight
  };

  const uint64_t first_lba_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  uint64_t counter_ = 0;
};

}  // namespace harness::loadgen
