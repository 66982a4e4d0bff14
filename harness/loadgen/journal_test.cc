#include "harness/loadgen/journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "harness/loadgen/block_format.h"
#include "harness/loadgen/verify_journal.h"

namespace harness::loadgen {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("loadgen-journal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    path_ = (dir_ / "journal.bin").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static JournalRecord Rec(uint64_t lba, uint64_t gen, uint32_t blocks = 1) {
    JournalRecord r;
    r.lun = 2;
    r.writer = 1;
    r.lba = lba;
    r.blocks = blocks;
    r.block_size = 512;
    r.generation = gen;
    r.time_ns = 1700000000000000000ull + gen;
    return r;
  }

  void WriteRecords(int n) {
    auto w = JournalWriter::Create(path_, 0x5eed);
    ASSERT_TRUE(w.ok()) << w.error();
    for (int i = 0; i < n; ++i) w.value()->Append(Rec(static_cast<uint64_t>(i) * 8, i + 1, 8));
    EXPECT_TRUE(w.value()->Flush().ok());
    EXPECT_EQ(w.value()->records(), static_cast<uint64_t>(n));
  }

  std::vector<uint8_t> Bytes() const {
    std::ifstream in(path_, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(JournalTest, WriteThenReadBack) {
  WriteRecords(10);
  auto c = ReadJournal(path_);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.value().run_id, 0x5eedu);
  ASSERT_EQ(c.value().records.size(), 10u);
  EXPECT_EQ(c.value().records[3], Rec(24, 4, 8));
  EXPECT_FALSE(c.value().torn_tail);
  EXPECT_EQ(c.value().corrupt_records, 0u);
  EXPECT_EQ(fs::file_size(path_), kJournalHeaderSize + 10 * kJournalRecordSize);
}

TEST_F(JournalTest, TornLastRecordIsDroppedAndReported) {
  WriteRecords(5);
  fs::resize_file(path_, fs::file_size(path_) - 10);  // a crash in the middle of a write
  auto c = ReadJournal(path_);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.value().records.size(), 4u);
  EXPECT_TRUE(c.value().torn_tail);
  EXPECT_EQ(c.value().torn_bytes, kJournalRecordSize - 10);
  EXPECT_EQ(c.value().corrupt_records, 0u);
}

TEST_F(JournalTest, GarbledLastRecordIsATornTail) {
  WriteRecords(5);
  std::vector<uint8_t> b = Bytes();
  b[b.size() - 20] ^= 0xff;  // a full-length last record whose checksum fails
  auto c = ParseJournal(b, "mem");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.value().records.size(), 4u);
  EXPECT_TRUE(c.value().torn_tail);
  EXPECT_EQ(c.value().corrupt_records, 0u);
}

TEST_F(JournalTest, DamagedMiddleRecordIsCorruption) {
  WriteRecords(5);
  std::vector<uint8_t> b = Bytes();
  b[kJournalHeaderSize + kJournalRecordSize + 9] ^= 0x01;  // record 1
  auto c = ParseJournal(b, "mem");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.value().records.size(), 4u);
  EXPECT_EQ(c.value().corrupt_records, 1u);
  EXPECT_FALSE(c.value().torn_tail);
}

TEST_F(JournalTest, BadHeaderIsAnError) {
  WriteRecords(1);
  std::vector<uint8_t> b = Bytes();
  b[12] ^= 1;  // run id: header checksum fails
  auto c = ParseJournal(b, "mem");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find("header checksum"), std::string::npos) << c.error();
  EXPECT_FALSE(ParseJournal(std::vector<uint8_t>(10, 0), "mem").ok());
  EXPECT_FALSE(ReadJournal((dir_ / "missing").string()).ok());
}

TEST_F(JournalTest, BuffersUntilTheFlushInterval) {
  JournalOptions o;
  o.flush_interval = std::chrono::hours(1);
  auto w = JournalWriter::Create(path_, 1, o);
  ASSERT_TRUE(w.ok());
  w.value()->Append(Rec(0, 1));
  w.value()->MaybeFlush();
  EXPECT_EQ(fs::file_size(path_), kJournalHeaderSize);  // not yet written
  ASSERT_TRUE(w.value()->Flush().ok());
  EXPECT_EQ(fs::file_size(path_), kJournalHeaderSize + kJournalRecordSize);
}

TEST_F(JournalTest, ZeroIntervalWritesEveryRecord) {
  JournalOptions o;
  o.flush_interval = std::chrono::milliseconds(0);
  auto w = JournalWriter::Create(path_, 1, o);
  ASSERT_TRUE(w.ok());
  w.value()->Append(Rec(0, 1));
  EXPECT_EQ(fs::file_size(path_), kJournalHeaderSize + kJournalRecordSize);
}

TEST(JournaledBlocksTest, ExpandsAndKeepsTheHighestGeneration) {
  JournalContents c;
  JournalRecord a{2, 0, 10, 4, 512, 7, 0, 0};  // LBA 10..13 generation 7
  JournalRecord b{2, 1, 12, 1, 512, 9, 0, 0};  // LBA 12 rewritten, generation 9
  JournalRecord d{1, 0, 12, 1, 512, 3, 0, 0};  // another LUN
  c.records = {b, a, d};
  const std::vector<JournaledBlock> blocks = JournaledBlocks(c);
  ASSERT_EQ(blocks.size(), 5u);
  EXPECT_EQ(blocks[0].lun, 1);
  EXPECT_EQ(blocks[1].lba, 10u);
  EXPECT_EQ(blocks[3].lba, 12u);
  EXPECT_EQ(blocks[3].generation, 9u);
  EXPECT_EQ(blocks[4].generation, 7u);
}

constexpr uint32_t kRun = 77;

TEST(JournaledBlocksTest, ClassifiesWhatARestartLeft) {
  const JournaledBlock jb{2, 40, 9, 512, 0};
  auto block = [](uint64_t lba, uint64_t gen, uint32_t run = kRun) {
    std::vector<uint8_t> b(512);
    EncodeBlock(BlockHeader{2, 0, lba, gen, run}, b);
    return b;
  };
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(block(40, 9)), jb, kRun), VerifyKind::kOk);
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(block(40, 12)), jb, kRun), VerifyKind::kOk);  // newer
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(block(40, 8)), jb, kRun), VerifyKind::kStale);
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(block(41, 9)), jb, kRun), VerifyKind::kMisdirected);
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(block(40, 9, kRun + 1)), jb, kRun), VerifyKind::kForeign);
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(std::vector<uint8_t>(512, 0)), jb, kRun),
            VerifyKind::kLost);
  auto flipped = block(40, 9);
  flipped[511] ^= 4;
  EXPECT_EQ(ClassifyJournaled(DecodeBlock(flipped), jb, kRun), VerifyKind::kCorrupt);
}

}  // namespace
}  // namespace harness::loadgen
