// The self-describing block format the load generator writes: every logical block starts
// with a 32-byte header naming what it is (LUN, LBA, generation, writer, run) and a CRC32C
// over the whole block, so a read can tell a misdirected write (wrong LBA), stale data or
// a lost write (older generation, or zeros) and corruption (checksum) apart without any
// copy of the data (the approach of fio's verify_header and of Linux's blktests).
//
// Header layout, little-endian, at byte 0 of each logical block:
//    0  u32  magic kBlockMagic
//    4  u16  LUN
//    6  u16  writer (session index)
//    8  u64  LBA
//   16  u64  generation (>= 1; a per-LUN write sequence number, so each write to a block
//            gives it a higher generation)
//   24  u32  run id (random per generator; tells this run's blocks from an older run's)
//   28  u32  CRC32C of bytes [0, 28) followed by [32, block size)
// Bytes [32, block size) are a pseudo-random fill derived from the header, so that two
// blocks never share a payload (deduplicating or compressing backends see real data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace harness::loadgen {

inline constexpr size_t kHeaderSize = 32;
inline constexpr uint32_t kBlockMagic = 0x4b42474c;  // "LGBK" in memory order
// Smallest logical block the format supports (SBC-3 allows 512 and up in practice).
inline constexpr uint32_t kMinBlockSize = 64;

struct BlockHeader {
  uint16_t lun = 0;
  uint16_t writer = 0;
  uint64_t lba = 0;
  uint64_t generation = 0;
  uint32_t run_id = 0;

  bool operator==(const BlockHeader&) const = default;
};

// Writes `header`, the fill and the checksum into `block`.
// REQUIRES: block.size() >= kMinBlockSize and a multiple of 8.
void EncodeBlock(const BlockHeader& header, std::span<uint8_t> block);

// Encodes out.size() / block_size consecutive blocks, the first with `first` and each next
// one with LBA + 1 (same generation, writer, run). REQUIRES: out.size() % block_size == 0.
void EncodeBlocks(const BlockHeader& first, uint32_t block_size, std::span<uint8_t> out);

enum class BlockState {
  kValid,        // magic present and the checksum matches
  kZero,         // every byte is zero (never written, or unmapped)
  kNoHeader,     // not zero and no magic: foreign data or a destroyed header
  kBadChecksum,  // magic present but the checksum does not match: corruption
};

// Returns "valid", "zero", ...
const char* BlockStateName(BlockState state);

struct DecodedBlock {
  BlockState state = BlockState::kZero;
  BlockHeader header;  // as stored (meaningful for kValid and kBadChecksum)
  uint32_t stored_crc = 0;
  uint32_t computed_crc = 0;
};

// Decodes one block as read back. Never reads outside `block`.
DecodedBlock DecodeBlock(std::span<const uint8_t> block);

// Returns the block's checksum as EncodeBlock stores it (for tests that forge blocks).
uint32_t BlockChecksum(std::span<const uint8_t> block);

}  // namespace harness::loadgen
