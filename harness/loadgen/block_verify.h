// Checks blocks read back against what the generator knows was written (BlockMap's
// expectations) and names what went wrong in the words a storage engineer uses.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/loadgen/block_format.h"
#include "harness/loadgen/block_map.h"

namespace harness::loadgen {

enum class VerifyKind {
  kOk,
  kSkipped,            // never written and the LUN was not assumed zeroed: nothing to check
  kCorrupt,            // checksum mismatch, or a destroyed header where data was expected
  kMisdirected,        // a valid block of this run, but for another LBA or LUN
  kStale,              // a valid block older than the last acknowledged write
  kLost,               // zeros where a write was acknowledged
  kUnknownGeneration,  // a valid block with a generation never written to this block
  kForeign,            // a valid block from another run (run id differs)
  kNotZero,            // never written, LUN assumed zeroed, but the block is not zeros
  // The read raced a write to the same block and saw part of each: the checksum fails but
  // the header is ours and names a generation the read may see. SAM-5 leaves overlapping
  // SIMPLE commands unordered and buffered file I/O copies pages without excluding readers
  // (tgt and LIO FILEIO tear the same way), so this is not an error; a later read checks
  // the block again.
  kTornByRace,
};

// Returns "ok", "corrupt", "misdirected", "stale", "lost", ...
const char* VerifyKindName(VerifyKind kind);
// True for the kinds that are verification errors (not kOk, kSkipped or kTornByRace).
bool IsVerifyError(VerifyKind kind);

// Who the block should belong to.
struct BlockIdentity {
  uint16_t lun = 0;
  uint64_t lba = 0;
  uint32_t run_id = 0;
};

// Returns the verdict on one decoded block. `assume_zeroed`: a never-written block must
// read as zeros (otherwise its old content is not checked).
VerifyKind ClassifyBlock(const DecodedBlock& block, const BlockIdentity& who,
                         const BlockExpectation& expect, bool assume_zeroed);

// One verification failure, with what was expected and what was found.
struct VerifyError {
  VerifyKind kind = VerifyKind::kCorrupt;
  int lun = 0;
  uint64_t lba = 0;
  int session = -1;          // the session whose read found it
  uint64_t expected_lo = 0;  // acceptable generations [lo, hi] (see BlockExpectation)
  uint64_t expected_hi = 0;
  BlockState found_state = BlockState::kZero;
  BlockHeader found;  // header as read (if any)
  double t_s = 0;     // seconds since the run started

  // Returns "LUN 0 LBA 123: stale: generation 5 written by session 1, expected 7".
  std::string Describe() const;
};

// Checks `data` (snapshot.blocks blocks of `block_size` bytes) against `expectations`.
// Appends one VerifyError per bad block to `errors`; returns the number of blocks that were
// checked (not skipped).
uint64_t VerifyBlocks(std::span<const uint8_t> data, uint32_t block_size, uint16_t lun,
                      uint64_t first_lba, uint32_t run_id,
                      const std::vector<BlockExpectation>& expectations, bool assume_zeroed,
                      std::vector<VerifyError>* errors);

}  // namespace harness::loadgen
