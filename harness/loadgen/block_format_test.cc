#include "harness/loadgen/block_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/loadgen/block_verify.h"

namespace harness::loadgen {
namespace {

constexpr uint32_t kBs = 512;
constexpr uint32_t kRun = 0xabcdef01;

BlockHeader Header(uint64_t lba, uint64_t gen, uint16_t lun = 3, uint16_t writer = 1) {
  BlockHeader h;
  h.lun = lun;
  h.writer = writer;
  h.lba = lba;
  h.generation = gen;
  h.run_id = kRun;
  return h;
}

std::vector<uint8_t> Block(const BlockHeader& h, uint32_t size = kBs) {
  std::vector<uint8_t> b(size);
  EncodeBlock(h, b);
  return b;
}

// What a read expects of a block whose last acknowledged write was `gen`.
BlockExpectation Acked(uint64_t gen) {
  BlockExpectation e;
  e.lo = e.hi = gen;
  e.after = 100;
  e.now = gen;
  return e;
}

VerifyKind Classify(const std::vector<uint8_t>& b, uint64_t lba, const BlockExpectation& e,
                    bool zeroed = true) {
  return ClassifyBlock(DecodeBlock(b), BlockIdentity{3, lba, kRun}, e, zeroed);
}

TEST(BlockFormatTest, RoundTrip) {
  for (uint32_t size : {64u, 512u, 4096u}) {
    const BlockHeader h = Header(0x123456789aull, 77);
    const DecodedBlock d = DecodeBlock(Block(h, size));
    EXPECT_EQ(d.state, BlockState::kValid) << size;
    EXPECT_EQ(d.header, h);
    EXPECT_EQ(d.stored_crc, d.computed_crc);
  }
}

TEST(BlockFormatTest, PayloadDiffersBetweenBlocksAndGenerations) {
  const auto a = Block(Header(1, 1));
  const auto b = Block(Header(2, 1));
  const auto c = Block(Header(1, 2));
  EXPECT_NE(std::vector<uint8_t>(a.begin() + kHeaderSize, a.end()),
            std::vector<uint8_t>(b.begin() + kHeaderSize, b.end()));
  EXPECT_NE(std::vector<uint8_t>(a.begin() + kHeaderSize, a.end()),
            std::vector<uint8_t>(c.begin() + kHeaderSize, c.end()));
}

TEST(BlockFormatTest, ZeroAndForeignData) {
  EXPECT_EQ(DecodeBlock(std::vector<uint8_t>(kBs, 0)).state, BlockState::kZero);
  std::vector<uint8_t> junk(kBs, 0);
  junk[300] = 1;
  EXPECT_EQ(DecodeBlock(junk).state, BlockState::kNoHeader);
  EXPECT_EQ(DecodeBlock(std::vector<uint8_t>(10, 0)).state, BlockState::kZero);
}

TEST(BlockFormatTest, EveryFlippedByteIsDetected) {
  const auto good = Block(Header(9, 5));
  for (size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0x10;
    const DecodedBlock d = DecodeBlock(bad);
    EXPECT_NE(d.state, BlockState::kValid) << "byte " << i;
    EXPECT_EQ(Classify(bad, 9, Acked(5)), VerifyKind::kCorrupt) << "byte " << i;
  }
}

// A read that raced a write to the block may see the new header over old data: not an
// error, but only while a write was in flight and only with a header the read may see.
TEST(BlockVerifyTest, TornBlockIsARaceOnlyWhileAWriteWasInFlight) {
  auto torn = Block(Header(9, 6));
  const auto old_block = Block(Header(9, 5));
  std::copy(old_block.begin() + kBs / 2, old_block.end(), torn.begin() + kBs / 2);
  BlockExpectation racing = Acked(5);
  racing.hi = 6;  // generation 6 was in flight when the read was submitted
  EXPECT_EQ(Classify(torn, 9, racing), VerifyKind::kTornByRace);
  EXPECT_FALSE(IsVerifyError(VerifyKind::kTornByRace));
  EXPECT_EQ(Classify(torn, 9, Acked(6)), VerifyKind::kCorrupt) << "no write in flight";
  EXPECT_EQ(Classify(torn, 10, racing), VerifyKind::kCorrupt) << "another block's header";
  BlockExpectation other = Acked(3);
  other.hi = 4;
  EXPECT_EQ(Classify(torn, 9, other), VerifyKind::kCorrupt) << "a generation the read may not see";
}

TEST(BlockFormatTest, EncodeBlocksNumbersConsecutiveLbas) {
  std::vector<uint8_t> buf(4 * kBs);
  EncodeBlocks(Header(100, 8), kBs, buf);
  for (uint64_t i = 0; i < 4; ++i) {
    const DecodedBlock d = DecodeBlock(std::span<const uint8_t>(buf).subspan(i * kBs, kBs));
    ASSERT_EQ(d.state, BlockState::kValid);
    EXPECT_EQ(d.header.lba, 100 + i);
    EXPECT_EQ(d.header.generation, 8u);
  }
}

TEST(BlockVerifyTest, GoodBlockPasses) {
  EXPECT_EQ(Classify(Block(Header(9, 5)), 9, Acked(5)), VerifyKind::kOk);
}

TEST(BlockVerifyTest, WrongLbaIsMisdirected) {
  // Block 10's data (a valid block) read at LBA 9: a misdirected write or read.
  EXPECT_EQ(Classify(Block(Header(10, 5)), 9, Acked(5)), VerifyKind::kMisdirected);
}

TEST(BlockVerifyTest, WrongLunIsMisdirected) {
  EXPECT_EQ(Classify(Block(Header(9, 5, /*lun=*/4)), 9, Acked(5)), VerifyKind::kMisdirected);
}

TEST(BlockVerifyTest, OlderGenerationIsStale) {
  EXPECT_EQ(Classify(Block(Header(9, 4)), 9, Acked(5)), VerifyKind::kStale);
}

TEST(BlockVerifyTest, ZerosAfterAnAcknowledgedWriteAreLost) {
  EXPECT_EQ(Classify(std::vector<uint8_t>(kBs, 0), 9, Acked(5)), VerifyKind::kLost);
}

TEST(BlockVerifyTest, GenerationNeverWrittenIsUnknown) {
  EXPECT_EQ(Classify(Block(Header(9, 50)), 9, Acked(5)), VerifyKind::kUnknownGeneration);
}

TEST(BlockVerifyTest, AnotherRunsBlockIsForeign) {
  BlockHeader h = Header(9, 5);
  h.run_id = kRun + 1;
  EXPECT_EQ(Classify(Block(h), 9, Acked(5)), VerifyKind::kForeign);
}

TEST(BlockVerifyTest, NeverWrittenBlocks) {
  const BlockExpectation never = Acked(0);
  EXPECT_EQ(Classify(std::vector<uint8_t>(kBs, 0), 9, never), VerifyKind::kOk);
  std::vector<uint8_t> junk(kBs, 0xee);
  EXPECT_EQ(Classify(junk, 9, never, /*zeroed=*/true), VerifyKind::kNotZero);
  EXPECT_EQ(Classify(junk, 9, never, /*zeroed=*/false), VerifyKind::kSkipped);
  BlockHeader old = Header(9, 5);
  old.run_id = kRun + 1;  // an earlier run's block on a LUN that was not zeroed
  EXPECT_EQ(Classify(Block(old), 9, never, /*zeroed=*/false), VerifyKind::kSkipped);
  EXPECT_EQ(Classify(Block(old), 9, never, /*zeroed=*/true), VerifyKind::kForeign);
}

TEST(BlockVerifyTest, VerifyBlocksReportsEachBadBlock) {
  std::vector<uint8_t> buf(4 * kBs);
  EncodeBlocks(Header(200, 6), kBs, buf);
  buf[2 * kBs + 100] ^= 1;  // block 202: corrupt
  std::vector<BlockExpectation> expect(4, Acked(6));
  expect[3] = Acked(7);  // block 203 should have been newer: stale
  std::vector<VerifyError> errors;
  const uint64_t checked = VerifyBlocks(buf, kBs, 3, 200, kRun, expect, true, &errors);
  EXPECT_EQ(checked, 4u);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].lba, 202u);
  EXPECT_EQ(errors[0].kind, VerifyKind::kCorrupt);
  EXPECT_EQ(errors[1].lba, 203u);
  EXPECT_EQ(errors[1].kind, VerifyKind::kStale);
  EXPECT_NE(errors[1].Describe().find("stale"), std::string::npos) << errors[1].Describe();
  EXPECT_NE(errors[1].Describe().find("generation 6"), std::string::npos) << errors[1].Describe();
}

}  // namespace
}  // namespace harness::loadgen
