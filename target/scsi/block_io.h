// Backstore I/O on behalf of one command: large transfers are split into kIoChunkBytes pieces
// submitted concurrently, and `done(error)` runs once after every piece has completed, with
// the first error seen (0 if all succeeded). Each call counts as one command in flight.
// REQUIRES for every function: `lu` outlives `done` (callers' `done` holds the task, which
// holds the unit's state).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "target/scsi/lu_core.h"

namespace reftarget::scsi {

using IoDone = std::function<void(int error)>;

// Reads buf.size() bytes at `offset`. REQUIRES: `buf` stays valid until `done` runs.
void ReadBlocks(LuCore& lu, uint64_t offset, std::span<uint8_t> buf, IoDone done);
// Writes `buf` at `offset`, each piece with `fua`. REQUIRES: `buf` stays valid until `done`.
void WriteBlocks(LuCore& lu, uint64_t offset, std::span<const uint8_t> buf, bool fua, IoDone done);
// Writes `pattern` repeatedly over [offset, offset + length); the last piece is a prefix of
// `pattern`. REQUIRES: `pattern` stays valid until `done` runs.
void WriteRepeated(LuCore& lu, uint64_t offset, uint64_t length, std::span<const uint8_t> pattern,
                   bool fua, IoDone done);
// Deallocates each [offset, offset + length) range concurrently.
void UnmapRanges(LuCore& lu, std::vector<std::pair<uint64_t, uint64_t>> ranges, IoDone done);
// Flushes the store's volatile cache.
void FlushStore(LuCore& lu, IoDone done);

}  // namespace reftarget::scsi
