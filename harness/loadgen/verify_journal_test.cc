// The journal's durable flag and VerifyJournal's power-cut mode (durable_only), on synthetic
// records and blocks: what a power cut with the write cache on may and may not leave.
#include "harness/loadgen/verify_journal.h"

#include <gtest/gtest.h>

#include <vector>

#include "harness/loadgen/block_format.h"
#include "harness/loadgen/config.h"
#include "harness/loadgen/journal.h"

namespace harness::loadgen {
namespace {

constexpr uint32_t kRun = 77;
constexpr uint32_t kPriorRun = 55;

JournalRecord Rec(uint64_t lba, uint64_t gen, bool durable, uint32_t blocks = 1) {
  JournalRecord r;
  r.lun = 2;
  r.lba = lba;
  r.blocks = blocks;
  r.block_size = 512;
  r.generation = gen;
  r.time_ns = 1700000000000000000ull + gen;
  r.flags = durable ? kJournalDurable : 0;
  return r;
}

DecodedBlock Block(uint64_t lba, uint64_t gen, uint32_t run = kRun, uint16_t lun = 2) {
  std::vector<uint8_t> b(512);
  EncodeBlock(BlockHeader{lun, 0, lba, gen, run}, b);
  return DecodeBlock(b);
}

DecodedBlock Zeros() { return DecodeBlock(std::vector<uint8_t>(512, 0)); }

TEST(JournalDurableFlag, RoundTripsAndOldRecordsReadAsNotDurable) {
  const std::string path = ::testing::TempDir() + "/durable-flag.journal";
  {
    auto w = JournalWriter::Create(path, kRun);
    ASSERT_TRUE(w.ok()) << w.error();
    w.value()->Append(Rec(10, 3, true));
    w.value()->Append(Rec(11, 4, false));
  }
  auto c = ReadJournal(path);
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_EQ(c.value().records.size(), 2u);
  EXPECT_TRUE(c.value().records[0].durable());
  EXPECT_FALSE(c.value().records[1].durable());
  EXPECT_EQ(c.value().records[0], Rec(10, 3, true));
  // Bytes [40, 44) were reserved and zero before the flag: such a record is not durable.
  const std::vector<uint8_t> encoded = EncodeJournalRecord(Rec(11, 4, false));
  EXPECT_EQ(encoded[40] | encoded[41] | encoded[42] | encoded[43], 0);
  EXPECT_EQ(EncodeJournalRecord(Rec(10, 3, true))[40], 1);
}

TEST(JournaledBlocksDurable, KeepsTheHighestDurableGeneration) {
  JournalContents c;
  // LBA 20: generation 5 with FUA, generation 7 plain, 7 again once a sync covered it;
  // LBA 21: generation 6 durable, then 9 plain (the newest write only in the cache).
  c.records = {Rec(20, 5, true), Rec(21, 6, true), Rec(20, 7, false), Rec(21, 9, false),
               Rec(20, 7, true)};
  const std::vector<JournaledBlock> blocks = JournaledBlocks(c);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].generation, 7u);
  EXPECT_EQ(blocks[0].durable_generation, 7u);
  EXPECT_EQ(blocks[1].generation, 9u);
  EXPECT_EQ(blocks[1].durable_generation, 6u);
}

TEST(ClassifyAfterPowerCut, NewestWriteDurableMustSurvive) {
  const JournaledBlock jb{2, 40, 9, 512, 9};
  const std::vector<uint64_t> gens = {4, 9};
  auto kind = [&](const DecodedBlock& b) {
    return ClassifyAfterPowerCut(b, jb, gens, kRun, {kPriorRun}).kind;
  };
  EXPECT_EQ(kind(Block(40, 9)), VerifyKind::kOk);
  EXPECT_EQ(kind(Block(40, 11)), VerifyKind::kOk);  // in flight at the cut, landed
  EXPECT_EQ(kind(Block(40, 4)), VerifyKind::kStale);
  EXPECT_EQ(kind(Zeros()), VerifyKind::kLost);
  EXPECT_FALSE(ClassifyAfterPowerCut(Block(40, 9), jb, gens, kRun, {}).older);
}

TEST(ClassifyAfterPowerCut, VolatileWriteMayFallBackToAnyJournaledGenerationFromTheDurableOne) {
  const JournaledBlock jb{2, 40, 9, 512, 5};  // 5 durable; 7 and 9 only in the write cache
  const std::vector<uint64_t> gens = {3, 5, 7, 9};
  auto verdict = [&](const DecodedBlock& b) {
    return ClassifyAfterPowerCut(b, jb, gens, kRun, {kPriorRun});
  };
  EXPECT_EQ(verdict(Block(40, 9)).kind, VerifyKind::kOk);
  EXPECT_FALSE(verdict(Block(40, 9)).older);
  EXPECT_EQ(verdict(Block(40, 7)).kind, VerifyKind::kOk);
  EXPECT_TRUE(verdict(Block(40, 7)).older);
  EXPECT_TRUE(verdict(Block(40, 5)).older);
  EXPECT_EQ(verdict(Block(40, 3)).kind, VerifyKind::kStale);  // older than the durable one
  EXPECT_EQ(verdict(Block(40, 6)).kind, VerifyKind::kUnknownGeneration);
  EXPECT_EQ(verdict(Block(40, 12)).kind, VerifyKind::kOk);  // newer: in flight at the cut
  EXPECT_EQ(verdict(Zeros()).kind, VerifyKind::kLost);
  EXPECT_EQ(verdict(Block(40, 2, kPriorRun)).kind, VerifyKind::kStale);
  EXPECT_EQ(verdict(Block(41, 7)).kind, VerifyKind::kMisdirected);
  EXPECT_EQ(verdict(Block(40, 7, kRun, 3)).kind, VerifyKind::kMisdirected);
  EXPECT_EQ(verdict(Block(40, 7, 99)).kind, VerifyKind::kForeign);
}

TEST(ClassifyAfterPowerCut, NothingDurableAllowsTheContentFromBeforeTheRun) {
  const JournaledBlock jb{2, 40, 9, 512, 0};
  const std::vector<uint64_t> gens = {9};
  auto verdict = [&](const DecodedBlock& b) {
    return ClassifyAfterPowerCut(b, jb, gens, kRun, {kPriorRun});
  };
  EXPECT_EQ(verdict(Zeros()).kind, VerifyKind::kOk);
  EXPECT_TRUE(verdict(Zeros()).older);
  EXPECT_EQ(verdict(Block(40, 2, kPriorRun)).kind, VerifyKind::kOk);
  EXPECT_TRUE(verdict(Block(40, 2, kPriorRun)).older);
  EXPECT_EQ(verdict(Block(44, 2, kPriorRun)).kind, VerifyKind::kMisdirected);
  EXPECT_EQ(verdict(Block(40, 4)).kind, VerifyKind::kUnknownGeneration);
}

TEST(ClassifyAfterPowerCut, TornBlocksAreNeverAllowed) {
  const JournaledBlock jb{2, 40, 9, 512, 0};
  std::vector<uint8_t> torn(512);
  EncodeBlock(BlockHeader{2, 0, 40, 9, kRun}, torn);
  std::vector<uint8_t> old(512);
  EncodeBlock(BlockHeader{2, 0, 40, 7, kRun}, old);
  std::copy(old.begin() + 256, old.end(), torn.begin() + 256);  // half new, half old
  EXPECT_EQ(ClassifyAfterPowerCut(DecodeBlock(torn), jb, {7, 9}, kRun, {}).kind,
            VerifyKind::kCorrupt);
  std::vector<uint8_t> garbage(512, 0xa5);
  EXPECT_EQ(ClassifyAfterPowerCut(DecodeBlock(garbage), jb, {7, 9}, kRun, {}).kind,
            VerifyKind::kCorrupt);
}

TEST(JournalVerifyReport, UnknownGenerationsFailAndReachTheJson) {
  JournalVerifyReport r;
  EXPECT_TRUE(r.passed());
  r.older = 3;
  r.volatile_blocks = 4;
  EXPECT_TRUE(r.passed()) << "older generations of volatile writes are allowed";
  r.unknown_generation = 1;
  EXPECT_FALSE(r.passed());
  const nlohmann::json j = r.ToJson();
  EXPECT_EQ(j["older"], 3);
  EXPECT_EQ(j["volatile_blocks"], 4);
  EXPECT_EQ(j["unknown_generation"], 1);
}

TEST(DurableWorkload, ValidateNamesTheField) {
  Workload w;
  EXPECT_TRUE(ValidateWorkload(w).ok());
  w.fua_percent = 101;
  Status s = ValidateWorkload(w);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Workload.fua_percent"), std::string::npos) << s.message();
  w.fua_percent = 30;
  w.sync_interval = std::chrono::milliseconds(-1);
  s = ValidateWorkload(w);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Workload.sync_interval"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace harness::loadgen
