#include "target/backstore/ramdisk.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "target/backstore/null_store.h"
#include "target/backstore/test_util.h"

namespace reftarget::backstore {
namespace {

using testing::FillPattern;
using testing::FlushSync;
using testing::Pending;
using testing::ReadSync;
using testing::UnmapSync;
using testing::WriteSync;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kGiB = 1 << 30;

BackstoreSpec RamSpec(uint64_t size, bool thin = true) {
  BackstoreSpec spec;
  spec.plugin = "ramdisk";
  spec.name = "rd0";
  spec.size = size;
  spec.thin = thin;
  return spec;
}

std::unique_ptr<RamdiskBackstore> MustOpen(const BackstoreSpec& spec) {
  auto r = RamdiskBackstore::Open(spec);
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(RamdiskTest, NeverWrittenBlocksReadZeroes) {
  auto rd = MustOpen(RamSpec(kGiB));
  ASSERT_TRUE(rd);
  EXPECT_EQ(rd->kind(), "ramdisk");
  EXPECT_EQ(rd->size_bytes(), kGiB);
  std::vector<uint8_t> buf(64 * 1024, 0xEE);
  ASSERT_TRUE(ReadSync(*rd, 512 * kMiB - 4096, buf).ok());
  EXPECT_EQ(buf, std::vector<uint8_t>(buf.size(), 0));
}

TEST(RamdiskTest, AllocatesLazilyByChunk) {
  auto rd = MustOpen(RamSpec(kGiB));
  ASSERT_TRUE(rd);
  EXPECT_EQ(rd->allocated_bytes(), 0u);
  std::vector<uint8_t> buf(4096, 1);
  ASSERT_TRUE(WriteSync(*rd, 100 * kMiB, buf).ok());
  EXPECT_EQ(rd->allocated_bytes(), RamdiskBackstore::kChunkSize);
  // A write straddling a chunk boundary allocates both chunks.
  ASSERT_TRUE(WriteSync(*rd, 200 * kMiB - 2048, buf).ok());
  EXPECT_EQ(rd->allocated_bytes(), 3 * RamdiskBackstore::kChunkSize);
}

TEST(RamdiskTest, RoundTripAcrossChunks) {
  auto rd = MustOpen(RamSpec(16 * kMiB));
  ASSERT_TRUE(rd);
  std::vector<uint8_t> out(3 * kMiB + 4096);
  FillPattern(out, 5);
  ASSERT_TRUE(WriteSync(*rd, kMiB - 512, out).ok());
  std::vector<uint8_t> in(out.size());
  ASSERT_TRUE(ReadSync(*rd, kMiB - 512, in).ok());
  EXPECT_EQ(in, out);
}

TEST(RamdiskTest, CompletesInline) {
  auto rd = MustOpen(RamSpec(kMiB));
  ASSERT_TRUE(rd);
  std::vector<uint8_t> buf(512);
  Pending w, r, f, u;
  rd->Write(0, buf, true, w.Callback());
  EXPECT_EQ(w.calls(), 1);
  rd->Read(0, buf, r.Callback());
  EXPECT_EQ(r.calls(), 1);
  rd->Flush(f.Callback());
  EXPECT_EQ(f.calls(), 1);
  rd->Unmap(0, 512, u.Callback());
  EXPECT_EQ(u.calls(), 1);
}

TEST(RamdiskTest, UnmapFreesWholeChunksAndZeroesPartialRanges) {
  auto rd = MustOpen(RamSpec(8 * kMiB));
  ASSERT_TRUE(rd);
  std::vector<uint8_t> data(4 * kMiB);
  FillPattern(data, 9);
  ASSERT_TRUE(WriteSync(*rd, 0, data).ok());
  EXPECT_EQ(rd->allocated_bytes(), 4 * kMiB);
  EXPECT_FALSE(rd->IsDeallocated(0, 4096));

  // [0.5 MiB, 2.5 MiB): chunk 1 is covered whole and freed; chunks 0 and 2 are zeroed in part.
  ASSERT_TRUE(UnmapSync(*rd, kMiB / 2, 2 * kMiB).ok());
  EXPECT_EQ(rd->allocated_bytes(), 3 * kMiB);
  EXPECT_TRUE(rd->IsDeallocated(kMiB, kMiB));
  EXPECT_FALSE(rd->IsDeallocated(kMiB / 2, 4096));  // zeroed, but its chunk is allocated

  std::vector<uint8_t> got(4 * kMiB);
  ASSERT_TRUE(ReadSync(*rd, 0, got).ok());
  std::vector<uint8_t> expect = data;
  std::fill(expect.begin() + kMiB / 2, expect.begin() + kMiB / 2 + 2 * kMiB, 0);
  EXPECT_EQ(got, expect);
  EXPECT_TRUE(rd->IsDeallocated(5 * kMiB, 3 * kMiB));
}

TEST(RamdiskTest, UnmapOfPartialLastChunkFreesIt) {
  // 1.5 MiB: the last chunk holds only 0.5 MiB of capacity.
  auto rd = MustOpen(RamSpec(kMiB + kMiB / 2));
  ASSERT_TRUE(rd);
  std::vector<uint8_t> buf(4096, 7);
  ASSERT_TRUE(WriteSync(*rd, kMiB + 4096, buf).ok());
  ASSERT_TRUE(UnmapSync(*rd, kMiB, kMiB / 2).ok());
  EXPECT_EQ(rd->allocated_bytes(), 0u);
}

TEST(RamdiskTest, UnmapRequiresThin) {
  auto rd = MustOpen(RamSpec(kMiB, /*thin=*/false));
  ASSERT_TRUE(rd);
  EXPECT_FALSE(rd->Supports(IoType::kUnmap));
  EXPECT_EQ(UnmapSync(*rd, 0, 512).error, EOPNOTSUPP);
}

TEST(RamdiskTest, RangeAndReadOnlyChecks) {
  auto rd = MustOpen(RamSpec(kMiB));
  ASSERT_TRUE(rd);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(ReadSync(*rd, kMiB - 512, buf).error, EINVAL);
  EXPECT_EQ(WriteSync(*rd, UINT64_MAX - 10, buf).error, EINVAL);
  EXPECT_EQ(UnmapSync(*rd, kMiB - 512, 1024).error, EINVAL);

  BackstoreSpec spec = RamSpec(kMiB);
  spec.read_only = true;
  auto ro = MustOpen(spec);
  ASSERT_TRUE(ro);
  EXPECT_EQ(WriteSync(*ro, 0, buf).error, EROFS);
  EXPECT_TRUE(ReadSync(*ro, 0, buf).ok());
}

TEST(RamdiskTest, NoWriteCache) {
  auto rd = MustOpen(RamSpec(kMiB));
  ASSERT_TRUE(rd);
  EXPECT_FALSE(rd->capabilities().write_back);
  EXPECT_TRUE(FlushSync(*rd).ok());
  EXPECT_TRUE(rd->SetWriteBack(false).ok());
  Status s = rd->SetWriteBack(true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ramdisk/rd0"), std::string::npos) << s.message();
}

TEST(RamdiskTest, SizeIsChecked) {
  auto zero = RamdiskBackstore::Open(RamSpec(0));
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().find("ramdisk/rd0: size 0"), std::string::npos) << zero.error();
  auto huge = RamdiskBackstore::Open(RamSpec(RamdiskBackstore::kMaxSize + 512));
  EXPECT_FALSE(huge.ok());
  auto odd = MustOpen(RamSpec(kMiB + 100));
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->size_bytes(), kMiB);
}

// Several threads write, read back and unmap their own interleaved 4 KiB blocks, many of
// them sharing chunks and lock shards, and check every byte.
TEST(RamdiskTest, ConcurrentHammeringKeepsEveryThreadsData) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  constexpr uint64_t kBlock = 4096;
  constexpr uint64_t kSize = 64 * kMiB;
  auto rd = MustOpen(RamSpec(kSize));
  ASSERT_TRUE(rd);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> out(2 * kBlock), in(2 * kBlock);
      uint64_t x = static_cast<uint64_t>(t) + 1;
      for (int i = 0; i < kRounds; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        // Slot s of thread t covers blocks 2*(s*kThreads+t) and the next one.
        uint64_t slots = kSize / (2 * kBlock * kThreads);
        uint64_t slot = (x >> 33) % slots;
        uint64_t offset = (slot * kThreads + t) * 2 * kBlock;
        FillPattern(out, x);
        if (!WriteSync(*rd, offset, out).ok()) failures++;
        if (!ReadSync(*rd, offset, in).ok() || in != out) failures++;
        if (i % 7 == 0) {
          if (!UnmapSync(*rd, offset, 2 * kBlock).ok()) failures++;
          if (!ReadSync(*rd, offset, in).ok() || in != std::vector<uint8_t>(in.size(), 0)) {
            failures++;
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(NullStoreTest, ReadsZeroesAndDiscardsWrites) {
  BackstoreSpec spec = RamSpec(kGiB);
  spec.plugin = "null";
  auto r = NullBackstore::Open(spec);
  ASSERT_TRUE(r.ok()) << r.error();
  auto& store = *r.value();
  EXPECT_EQ(store.kind(), "null");
  EXPECT_EQ(store.size_bytes(), kGiB);
  EXPECT_FALSE(store.capabilities().write_back);
  std::vector<uint8_t> buf(4096, 0x5A);
  Pending w;
  store.Write(0, buf, false, w.Callback());
  EXPECT_EQ(w.calls(), 1) << "completes inline";
  ASSERT_TRUE(ReadSync(store, 0, buf).ok());
  EXPECT_EQ(buf, std::vector<uint8_t>(4096, 0));
  EXPECT_TRUE(FlushSync(store).ok());
  EXPECT_TRUE(UnmapSync(store, 0, 4096).ok());
  EXPECT_TRUE(store.IsDeallocated(0, 4096));
  EXPECT_EQ(ReadSync(store, kGiB, buf).error, EINVAL);
  EXPECT_FALSE(store.SetWriteBack(true).ok());
  EXPECT_FALSE(NullBackstore::Open(RamSpec(0)).ok());
}

}  // namespace
}  // namespace reftarget::backstore
