#include "harness/loadgen/block_format.h"

#include <algorithm>
#include <cstring>

#include "harness/rawpdu/crc32c.h"

namespace harness::loadgen {

using harness::rawpdu::Crc32cExtend;
namespace {

void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t Get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// SplitMix64: a cheap, well-mixed seed from the header fields.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

const char* BlockStateName(BlockState state) {
  switch (state) {
    case BlockState::kValid:
      return "valid";
    case BlockState::kZero:
      return "zero";
    case BlockState::kNoHeader:
      return "no header";
    case BlockState::kBadChecksum:
      return "bad checksum";
  }
  return "?";
}

uint32_t BlockChecksum(std::span<const uint8_t> block) {
  if (block.size() < kHeaderSize) return 0;
  uint32_t crc = Crc32cExtend(0, block.data(), 28);
  return Crc32cExtend(crc, block.data() + kHeaderSize, block.size() - kHeaderSize);
}

void EncodeBlock(const BlockHeader& h, std::span<uint8_t> block) {
  uint8_t* p = block.data();
  Put32(p, kBlockMagic);
  Put16(p + 4, h.lun);
  Put16(p + 6, h.writer);
  Put64(p + 8, h.lba);
  Put64(p + 16, h.generation);
  Put32(p + 24, h.run_id);
  // xorshift64 fill: one 8-byte word per step.
  uint64_t x = Mix(h.lba ^ Mix(h.generation ^ (uint64_t{h.run_id} << 32) ^ (uint64_t{h.lun} << 16) ^
                               h.writer)) |
               1;
  for (size_t off = kHeaderSize; off + 8 <= block.size(); off += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(p + off, &x, 8);
  }
  Put32(p + 28, BlockChecksum(block));
}

void EncodeBlocks(const BlockHeader& first, uint32_t block_size, std::span<uint8_t> out) {
  BlockHeader h = first;
  for (size_t off = 0; off + block_size <= out.size(); off += block_size) {
    EncodeBlock(h, out.subspan(off, block_size));
    ++h.lba;
  }
}

DecodedBlock DecodeBlock(std::span<const uint8_t> block) {
  DecodedBlock d;
  if (block.size() < kHeaderSize) {
    d.state = std::all_of(block.begin(), block.end(), [](uint8_t b) { return b == 0; })
                  ? BlockState::kZero
                  : BlockState::kNoHeader;
    return d;
  }
  const uint8_t* p = block.data();
  if (Get32(p) != kBlockMagic) {
    d.state = std::all_of(block.begin(), block.end(), [](uint8_t b) { return b == 0; })
                  ? BlockState::kZero
                  : BlockState::kNoHeader;
    return d;
  }
  d.header.lun = Get16(p + 4);
  d.header.writer = Get16(p + 6);
  d.header.lba = Get64(p + 8);
  d.header.generation = Get64(p + 16);
  d.header.run_id = Get32(p + 24);
  d.stored_crc = Get32(p + 28);
  d.computed_crc = BlockChecksum(block);
  d.state = d.stored_crc == d.computed_crc ? BlockState::kValid : BlockState::kBadChecksum;
  return d;
}

}  // namespace harness::loadgen
