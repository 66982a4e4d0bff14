#include "target/backstore/fileio.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "target/backstore/test_util.h"
#include "target/common/io_buffer.h"

namespace reftarget::backstore {
namespace {

using namespace std::chrono_literals;
using testing::FillPattern;
using testing::FlushSync;
using testing::Pending;
using testing::ReadSync;
using testing::TempDir;
using testing::UnmapSync;
using testing::WriteSync;

constexpr uint64_t kMiB = 1 << 20;

class FileioTest : public ::testing::Test {
 protected:
  BackstoreSpec Spec(const std::string& file, uint64_t size) {
    BackstoreSpec spec;
    spec.plugin = "fileio";
    spec.name = "disk0";
    spec.dev = dir_.File(file);
    spec.size = size;
    return spec;
  }
  std::unique_ptr<FileioBackstore> MustOpen(const BackstoreSpec& spec) {
    auto r = FileioBackstore::Open(spec);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? std::move(r).value() : nullptr;
  }
  static struct stat Stat(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st;
  }
  static void WriteFile(const std::string& path, const std::vector<uint8_t>& data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }

  TempDir dir_;
};

TEST_F(FileioTest, CreatesSparseFileOfGivenSize) {
  auto store = MustOpen(Spec("new.img", 64 * kMiB));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->kind(), "fileio");
  EXPECT_EQ(store->size_bytes(), 64 * kMiB);
  struct stat st = Stat(dir_.File("new.img"));
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), 64 * kMiB);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_blocks, 0) << "the file must be sparse";
  EXPECT_TRUE(store->IsDeallocated(0, 64 * kMiB));
}

TEST_F(FileioTest, MissingFileWithoutSizeIsAnError) {
  auto r = FileioBackstore::Open(Spec("absent.img", 0));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("fileio/disk0: " + dir_.File("absent.img")), std::string::npos)
      << r.error();
  EXPECT_NE(r.error().find("does not exist"), std::string::npos) << r.error();
}

TEST_F(FileioTest, OpenErrorNamesStoreDeviceAndErrno) {
  BackstoreSpec spec = Spec("no/such/dir/x.img", kMiB);
  auto r = FileioBackstore::Open(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "fileio/disk0: " + spec.dev + ": open: No such file or directory");
}

TEST_F(FileioTest, RejectsDirectory) {
  BackstoreSpec spec = Spec("", kMiB);
  spec.dev = dir_.path();
  auto r = FileioBackstore::Open(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("not a regular file or block device"), std::string::npos);
}

TEST_F(FileioTest, ExtendsShorterFileKeepingData) {
  std::vector<uint8_t> data(4096);
  FillPattern(data, 7);
  WriteFile(dir_.File("short.img"), data);
  auto store = MustOpen(Spec("short.img", 8 * kMiB));
  ASSERT_TRUE(store);
  EXPECT_EQ(Stat(dir_.File("short.img")).st_size, static_cast<off_t>(8 * kMiB));
  std::vector<uint8_t> got(4096);
  ASSERT_TRUE(ReadSync(*store, 0, got).ok());
  EXPECT_EQ(got, data);
  std::vector<uint8_t> tail(4096, 0xAA);
  ASSERT_TRUE(ReadSync(*store, 8 * kMiB - 4096, tail).ok());
  EXPECT_EQ(tail, std::vector<uint8_t>(4096, 0));
}

TEST_F(FileioTest, UsesFileSizeWhenSizeIsZeroRoundedToBlock) {
  WriteFile(dir_.File("odd.img"), std::vector<uint8_t>(5000, 1));
  auto store = MustOpen(Spec("odd.img", 0));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->size_bytes(), 4608u);  // 9 blocks of 512
  BackstoreSpec spec = Spec("odd.img", 0);
  store.reset();
  spec.block_size = 4096;
  store = MustOpen(spec);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->size_bytes(), 4096u);
  EXPECT_EQ(store->capabilities().block_size, 4096u);
}

TEST_F(FileioTest, SmallerSizeExportsPrefixWithoutTruncating) {
  WriteFile(dir_.File("big.img"), std::vector<uint8_t>(kMiB, 1));
  auto store = MustOpen(Spec("big.img", 64 * 1024));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->size_bytes(), 64u * 1024);
  EXPECT_EQ(Stat(dir_.File("big.img")).st_size, static_cast<off_t>(kMiB));
}

TEST_F(FileioTest, RejectedSpecLeavesNoFileBehind) {
  BackstoreSpec spec = Spec("rejected.img", 100);  // less than one block
  auto r = FileioBackstore::Open(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(::access(spec.dev.c_str(), F_OK), 0) << "the file it created must be removed";
}

TEST_F(FileioTest, LessThanOneBlockIsAnError) {
  WriteFile(dir_.File("tiny.img"), std::vector<uint8_t>(100, 1));
  auto r = FileioBackstore::Open(Spec("tiny.img", 0));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("less than one 512-byte block"), std::string::npos) << r.error();
}

TEST_F(FileioTest, SecondStoreOnSameFileIsRefused) {
  auto first = MustOpen(Spec("shared.img", kMiB));
  ASSERT_TRUE(first);
  auto second = FileioBackstore::Open(Spec("shared.img", kMiB));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("locked"), std::string::npos) << second.error();
  first.reset();
  EXPECT_TRUE(FileioBackstore::Open(Spec("shared.img", kMiB)).ok());
}

TEST_F(FileioTest, ReadWriteRoundTrip) {
  auto store = MustOpen(Spec("rw.img", 16 * kMiB));
  ASSERT_TRUE(store);
  IoBuffer out(128 * 1024);
  FillPattern(out.span(), 1);
  ASSERT_TRUE(WriteSync(*store, 3 * kMiB + 512, out.span()).ok());
  IoBuffer in(128 * 1024, true);
  ASSERT_TRUE(ReadSync(*store, 3 * kMiB + 512, in.span()).ok());
  EXPECT_EQ(std::memcmp(in.data(), out.data(), out.size()), 0);
  // The bytes are in the file itself, where a restart would find them.
  int fd = ::open(dir_.File("rw.img").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> raw(out.size());
  ASSERT_EQ(::pread(fd, raw.data(), raw.size(), 3 * kMiB + 512), static_cast<ssize_t>(raw.size()));
  ::close(fd);
  EXPECT_EQ(std::memcmp(raw.data(), out.data(), out.size()), 0);
  EXPECT_TRUE(FlushSync(*store).ok());
  EXPECT_EQ(store->counters().reads, 1u);
  EXPECT_EQ(store->counters().writes, 1u);
}

TEST_F(FileioTest, OutOfRangeIsEinval) {
  auto store = MustOpen(Spec("range.img", kMiB));
  ASSERT_TRUE(store);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(ReadSync(*store, kMiB - 512, buf).error, EINVAL);
  EXPECT_EQ(WriteSync(*store, kMiB, buf).error, EINVAL);
  EXPECT_EQ(ReadSync(*store, UINT64_MAX - 100, buf).error, EINVAL);
  EXPECT_TRUE(ReadSync(*store, kMiB - 4096, buf).ok());
}

TEST_F(FileioTest, ReadOnlyRefusesWritesAndUnmap) {
  WriteFile(dir_.File("ro.img"), std::vector<uint8_t>(kMiB, 3));
  BackstoreSpec spec = Spec("ro.img", 0);
  spec.read_only = true;
  spec.thin = true;
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->capabilities().read_only);
  EXPECT_FALSE(store->Supports(IoType::kWrite));
  EXPECT_FALSE(store->Supports(IoType::kUnmap));
  std::vector<uint8_t> buf(512, 9);
  EXPECT_EQ(WriteSync(*store, 0, buf).error, EROFS);
  EXPECT_EQ(UnmapSync(*store, 0, 512).error, EROFS);
  ASSERT_TRUE(ReadSync(*store, 0, buf).ok());
  EXPECT_EQ(buf[0], 3);
}

TEST_F(FileioTest, ReadOnlyCannotCreate) {
  BackstoreSpec spec = Spec("ro-new.img", kMiB);
  spec.read_only = true;
  auto r = FileioBackstore::Open(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("read-only"), std::string::npos) << r.error();
}

TEST_F(FileioTest, FuaTakesTheSyncPathOnlyWhenAsked) {
  auto store = MustOpen(Spec("fua.img", kMiB));
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->capabilities().write_back);
  std::vector<uint8_t> buf(4096, 1);
  ASSERT_TRUE(WriteSync(*store, 0, buf, /*fua=*/false).ok());
  EXPECT_EQ(store->counters().sync_writes, 0u);
  ASSERT_TRUE(WriteSync(*store, 4096, buf, /*fua=*/true).ok());
  EXPECT_EQ(store->counters().sync_writes, 1u);
  EXPECT_EQ(store->counters().fallback_syncs, 0u);
  ASSERT_TRUE(FlushSync(*store).ok());
  EXPECT_EQ(store->counters().flushes, 1u);
}

// T29: once an fdatasync has failed, the lost pages are gone and Linux will not report the
// error again; SYNCHRONIZE CACHE must keep failing rather than ever return GOOD.
TEST_F(FileioTest, FlushErrorIsSticky) {
  auto store = MustOpen(Spec("sticky.img", kMiB));
  ASSERT_TRUE(store);
  std::vector<uint8_t> buf(4096, 1);
  ASSERT_TRUE(WriteSync(*store, 0, buf).ok());
  ASSERT_TRUE(FlushSync(*store).ok());
  store->InjectSyncErrorForTesting(EIO);
  EXPECT_EQ(FlushSync(*store).error, EIO);
  EXPECT_EQ(FlushSync(*store).error, EIO);
  EXPECT_EQ(store->sticky_flush_error(), EIO);
  // Reads and writes themselves still work; only the durability promise is broken.
  EXPECT_TRUE(WriteSync(*store, 4096, buf).ok());
  EXPECT_TRUE(ReadSync(*store, 0, buf).ok());
  EXPECT_EQ(FlushSync(*store).error, EIO);
}

TEST_F(FileioTest, FuaFallsBackToFdatasyncWithoutRwfDsync) {
  auto store = MustOpen(Spec("fallback.img", kMiB));
  ASSERT_TRUE(store);
  store->DisableRwfDsyncForTesting();
  std::vector<uint8_t> buf(4096);
  FillPattern(buf, 3);
  ASSERT_TRUE(WriteSync(*store, 8192, buf, /*fua=*/true).ok());
  EXPECT_EQ(store->counters().sync_writes, 1u);
  EXPECT_EQ(store->counters().fallback_syncs, 1u);
  std::vector<uint8_t> got(4096);
  ASSERT_TRUE(ReadSync(*store, 8192, got).ok());
  EXPECT_EQ(got, buf);
}

TEST_F(FileioTest, WriteThroughMakesEveryWriteDurable) {
  BackstoreSpec spec = Spec("wt.img", kMiB);
  spec.write_back = false;
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->capabilities().write_back);
  std::vector<uint8_t> buf(4096, 2);
  ASSERT_TRUE(WriteSync(*store, 0, buf, /*fua=*/false).ok());
  ASSERT_TRUE(WriteSync(*store, 4096, buf, /*fua=*/false).ok());
  EXPECT_EQ(store->counters().sync_writes, 2u);
}

TEST_F(FileioTest, SetWriteBackSwitchesAtRuntime) {
  auto store = MustOpen(Spec("switch.img", kMiB));
  ASSERT_TRUE(store);
  std::vector<uint8_t> buf(4096, 4);
  ASSERT_TRUE(WriteSync(*store, 0, buf).ok());
  EXPECT_EQ(store->counters().sync_writes, 0u);

  ASSERT_TRUE(store->SetWriteBack(false).ok());
  EXPECT_FALSE(store->capabilities().write_back);
  ASSERT_TRUE(WriteSync(*store, 4096, buf).ok());
  EXPECT_EQ(store->counters().sync_writes, 1u);
  // Turning the cache off queued an fdatasync for the writes acknowledged before it. It
  // runs on a worker of its own, so wait for it (generously) rather than assume an order.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (store->counters().flushes < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(store->counters().flushes, 1u);

  ASSERT_TRUE(store->SetWriteBack(true).ok());
  EXPECT_TRUE(store->capabilities().write_back);
  ASSERT_TRUE(WriteSync(*store, 8192, buf).ok());
  EXPECT_EQ(store->counters().sync_writes, 1u);
}

TEST_F(FileioTest, SetWriteBackIsSafeUnderInFlightWrites) {
  auto store = MustOpen(Spec("flip.img", 16 * kMiB));
  ASSERT_TRUE(store);
  std::vector<uint8_t> buf(4096, 5);
  std::vector<Pending> pending(256);
  for (size_t i = 0; i < pending.size(); ++i) {
    store->Write(i * 4096, buf, false, pending[i].Callback());
    if (i % 16 == 0) {
      ASSERT_TRUE(store->SetWriteBack(i % 32 != 0).ok());
    }
  }
  for (Pending& p : pending) {
    auto r = p.Wait();
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->ok());
  }
}

TEST_F(FileioTest, UnmapPunchesHoleAndReadsZeroes) {
  BackstoreSpec spec = Spec("thin.img", 8 * kMiB);
  spec.thin = true;
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->Supports(IoType::kUnmap));
  std::vector<uint8_t> buf(2 * kMiB);
  FillPattern(buf, 11);
  ASSERT_TRUE(WriteSync(*store, kMiB, buf).ok());
  EXPECT_FALSE(store->IsDeallocated(kMiB, 4096));
  blkcnt_t before = Stat(spec.dev).st_blocks;

  ASSERT_TRUE(UnmapSync(*store, kMiB, kMiB).ok());
  EXPECT_TRUE(store->IsDeallocated(kMiB, kMiB));
  EXPECT_FALSE(store->IsDeallocated(kMiB, kMiB + 4096));  // next MiB still holds data
  EXPECT_LT(Stat(spec.dev).st_blocks, before);
  std::vector<uint8_t> got(2 * kMiB);
  ASSERT_TRUE(ReadSync(*store, kMiB, got).ok());
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + kMiB), std::vector<uint8_t>(kMiB, 0));
  EXPECT_TRUE(std::equal(got.begin() + kMiB, got.end(), buf.begin() + kMiB));
  EXPECT_EQ(Stat(spec.dev).st_size, static_cast<off_t>(8 * kMiB)) << "KEEP_SIZE";

  // A sub-page unmap zeroes just its blocks.
  ASSERT_TRUE(UnmapSync(*store, 2 * kMiB + 512, 512).ok());
  std::vector<uint8_t> block(1536);
  ASSERT_TRUE(ReadSync(*store, 2 * kMiB, block).ok());
  EXPECT_TRUE(std::equal(block.begin(), block.begin() + 512, buf.begin() + kMiB));
  EXPECT_EQ(std::vector<uint8_t>(block.begin() + 512, block.begin() + 1024),
            std::vector<uint8_t>(512, 0));
  EXPECT_TRUE(std::equal(block.begin() + 1024, block.end(), buf.begin() + kMiB + 1024));
  EXPECT_EQ(store->counters().unmaps, 2u);
}

TEST_F(FileioTest, UnmapRequiresThin) {
  auto store = MustOpen(Spec("thick.img", kMiB));
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->Supports(IoType::kUnmap));
  EXPECT_EQ(UnmapSync(*store, 0, 4096).error, EOPNOTSUPP);
}

TEST_F(FileioTest, TruncatedUnderLiveStoreReadsFailWithEio) {
  auto store = MustOpen(Spec("trunc.img", 4 * kMiB));
  ASSERT_TRUE(store);
  ASSERT_EQ(::truncate(dir_.File("trunc.img").c_str(), kMiB), 0);
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(ReadSync(*store, 2 * kMiB, buf).error, EIO);
  EXPECT_EQ(ReadSync(*store, kMiB - 2048, buf).error, EIO);  // straddles the new end
  EXPECT_TRUE(ReadSync(*store, 0, buf).ok());
  EXPECT_EQ(store->counters().errors, 2u);
}

TEST_F(FileioTest, ConcurrentWritersAndReadersSeeTheirData) {
  BackstoreSpec spec = Spec("conc.img", 16 * kMiB);
  spec.workers = 4;
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  constexpr int kThreads = 4;
  constexpr int kIos = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> out(4096), in(4096);
      for (int i = 0; i < kIos; ++i) {
        // Thread t owns every kThreads-th 4 KiB block.
        uint64_t offset = (static_cast<uint64_t>(i) * kThreads + t) * 4096;
        FillPattern(out, offset + 1);
        if (!WriteSync(*store, offset, out).ok()) failures++;
        if (!ReadSync(*store, offset, in).ok() || in != out) failures++;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(FileioTest, DestructionCompletesEveryQueuedOperationOnce) {
  std::vector<Pending> pending(200);
  std::vector<uint8_t> buf(4096, 6);
  {
    BackstoreSpec spec = Spec("drain.img", 4 * kMiB);
    spec.workers = 1;
    auto store = MustOpen(spec);
    ASSERT_TRUE(store);
    for (size_t i = 0; i < pending.size(); ++i) {
      store->Write((i % 1000) * 4096, buf, false, pending[i].Callback());
    }
  }
  for (Pending& p : pending) {
    EXPECT_EQ(p.calls(), 1);
  }
}

}  // namespace
}  // namespace reftarget::backstore
