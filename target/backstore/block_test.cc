#include "target/backstore/block.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "target/backstore/fileio.h"
#include "target/backstore/test_util.h"
#include "target/common/io_buffer.h"

namespace reftarget::backstore {
namespace {

using testing::FillPattern;
using testing::FlushSync;
using testing::LoopDevice;
using testing::ReadSync;
using testing::TempDir;
using testing::UnmapSync;
using testing::WriteSync;

constexpr uint64_t kMiB = 1 << 20;

class BlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason = LoopDevice::SkipReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
  }

  // Creates a sparse backing file of `size` bytes and attaches a loop device to it.
  std::unique_ptr<LoopDevice> Attach(uint64_t size, std::vector<std::string> args = {}) {
    backing_ = dir_.File("backing" + std::to_string(++files_) + ".img");
    int fd = ::open(backing_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ::close(fd);
    auto loop = LoopDevice::Attach(backing_, args);
    EXPECT_TRUE(loop.ok()) << loop.error();
    return loop.ok() ? std::move(loop).value() : nullptr;
  }

  static BackstoreSpec Spec(const std::string& dev) {
    BackstoreSpec spec;
    spec.plugin = "block";
    spec.name = "blk0";
    spec.dev = dev;
    return spec;
  }

  std::unique_ptr<BlockBackstore> MustOpen(const BackstoreSpec& spec) {
    auto r = BlockBackstore::Open(spec);
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  TempDir dir_;
  std::string backing_;
  int files_ = 0;
};

TEST_F(BlockTest, OpensLoopDeviceAndRoundTrips) {
  auto loop = Attach(16 * kMiB);
  ASSERT_TRUE(loop);
  auto store = MustOpen(Spec(loop->path()));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->kind(), "block");
  EXPECT_EQ(store->size_bytes(), 16 * kMiB);
  EXPECT_EQ(store->logical_block_size(), 512u);
  EXPECT_EQ(store->capabilities().block_size, 512u);
  EXPECT_FALSE(store->capabilities().read_only);

  IoBuffer out(256 * 1024);
  FillPattern(out.span(), 21);
  ASSERT_TRUE(WriteSync(*store, 5 * kMiB, out.span()).ok());
  ASSERT_TRUE(FlushSync(*store).ok());
  IoBuffer in(256 * 1024, true);
  ASSERT_TRUE(ReadSync(*store, 5 * kMiB, in.span()).ok());
  EXPECT_EQ(std::memcmp(in.data(), out.data(), out.size()), 0);

  // O_DIRECT went through the loop device to the backing file.
  store.reset();
  int fd = ::open(backing_.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> raw(out.size());
  ASSERT_EQ(::pread(fd, raw.data(), raw.size(), 5 * kMiB), static_cast<ssize_t>(raw.size()));
  ::close(fd);
  EXPECT_EQ(std::memcmp(raw.data(), out.data(), out.size()), 0);
}

TEST_F(BlockTest, MisalignedIoIsEinvalNotACrash) {
  auto loop = Attach(4 * kMiB);
  ASSERT_TRUE(loop);
  auto store = MustOpen(Spec(loop->path()));
  ASSERT_TRUE(store);
  IoBuffer buf(8192);
  EXPECT_EQ(ReadSync(*store, 0, buf.span().subspan(1, 4096)).error, EINVAL);
  EXPECT_EQ(WriteSync(*store, 0, buf.span().subspan(1, 4096)).error, EINVAL);
  EXPECT_EQ(ReadSync(*store, 100, buf.span().first(4096)).error, EINVAL);
  EXPECT_EQ(ReadSync(*store, 0, buf.span().first(1000)).error, EINVAL);
  EXPECT_TRUE(ReadSync(*store, 512, buf.span().subspan(512, 1024)).ok());
}

TEST_F(BlockTest, FourKibSectorDeviceNeedsMatchingBlockSize) {
  auto loop = Attach(8 * kMiB, {"--sector-size", "4096"});
  ASSERT_TRUE(loop);
  auto small = BlockBackstore::Open(Spec(loop->path()));
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.error().find("block/blk0: " + loop->path()), std::string::npos);
  EXPECT_NE(small.error().find("logical block size 4096"), std::string::npos) << small.error();

  BackstoreSpec spec = Spec(loop->path());
  spec.block_size = 4096;
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->logical_block_size(), 4096u);
  IoBuffer buf(4096);
  FillPattern(buf.span(), 4);
  EXPECT_TRUE(WriteSync(*store, 4096, buf.span()).ok());
  // 512-byte I/O cannot be done with O_DIRECT on a 4096-byte device.
  EXPECT_EQ(ReadSync(*store, 512, buf.span().first(512)).error, EINVAL);
}

TEST_F(BlockTest, WriteProtectedDeviceIsServedReadOnly) {
  auto loop = Attach(4 * kMiB, {"--read-only"});
  ASSERT_TRUE(loop);
  auto store = MustOpen(Spec(loop->path()));
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->capabilities().read_only);
  EXPECT_FALSE(store->Supports(IoType::kWrite));
  IoBuffer buf(4096);
  EXPECT_EQ(WriteSync(*store, 0, buf.span()).error, EROFS);
  EXPECT_TRUE(ReadSync(*store, 0, buf.span()).ok());
}

TEST_F(BlockTest, ExclusiveOpenRefusesASecondStore) {
  auto loop = Attach(4 * kMiB);
  ASSERT_TRUE(loop);
  auto first = MustOpen(Spec(loop->path()));
  ASSERT_TRUE(first);
  auto second = BlockBackstore::Open(Spec(loop->path()));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
}

TEST_F(BlockTest, RejectsRegularFileAndOversizedSpec) {
  TempDir dir;
  std::string file = dir.File("plain.img");
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto r = BlockBackstore::Open(Spec(file));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "block/blk0: " + file +
                           ": not a block device (the fileio plugin serves regular files)");

  auto loop = Attach(4 * kMiB);
  ASSERT_TRUE(loop);
  BackstoreSpec spec = Spec(loop->path());
  spec.size = 8 * kMiB;
  auto big = BlockBackstore::Open(spec);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().find("larger than"), std::string::npos) << big.error();
  spec.size = kMiB;
  auto part = MustOpen(spec);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->size_bytes(), kMiB);
}

TEST_F(BlockTest, FuaAndWriteThroughUseTheSyncPath) {
  auto loop = Attach(4 * kMiB);
  ASSERT_TRUE(loop);
  BackstoreSpec spec = Spec(loop->path());
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->capabilities().write_back);
  IoBuffer buf(4096);
  ASSERT_TRUE(WriteSync(*store, 0, buf.span(), false).ok());
  EXPECT_EQ(store->counters().sync_writes, 0u);
  ASSERT_TRUE(WriteSync(*store, 0, buf.span(), true).ok());
  EXPECT_EQ(store->counters().sync_writes, 1u);
  ASSERT_TRUE(store->SetWriteBack(false).ok());
  ASSERT_TRUE(WriteSync(*store, 4096, buf.span(), false).ok());
  EXPECT_EQ(store->counters().sync_writes, 2u);
  EXPECT_FALSE(store->capabilities().write_back);
}

TEST_F(BlockTest, UnmapZeroesAndDeallocatesTheBackingFile) {
  auto loop = Attach(8 * kMiB);
  ASSERT_TRUE(loop);
  BackstoreSpec spec = Spec(loop->path());
  spec.thin = true;
  auto store = MustOpen(spec);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Supports(IoType::kUnmap));
  IoBuffer data(2 * kMiB);
  FillPattern(data.span(), 8);
  ASSERT_TRUE(WriteSync(*store, 2 * kMiB, data.span(), true).ok());
  ASSERT_TRUE(UnmapSync(*store, 2 * kMiB, kMiB).ok());
  IoBuffer got(2 * kMiB, false);
  ASSERT_TRUE(ReadSync(*store, 2 * kMiB, got.span()).ok());
  EXPECT_EQ(std::memcmp(got.data(), std::vector<uint8_t>(kMiB, 0).data(), kMiB), 0);
  EXPECT_EQ(std::memcmp(got.data() + kMiB, data.data() + kMiB, kMiB), 0);
  EXPECT_EQ(UnmapSync(*store, 100, 512).error, EINVAL) << "unaligned unmap";

  // The loop driver turns WRITE ZEROES into a hole in the backing file.
  int fd = ::open(backing_.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  off_t next_data = ::lseek(fd, static_cast<off_t>(2 * kMiB), SEEK_DATA);
  ::close(fd);
  EXPECT_EQ(next_data, static_cast<off_t>(3 * kMiB)) << "expected a hole at [2 MiB, 3 MiB)";
}

TEST_F(BlockTest, FileioOnABlockDevice) {
  auto loop = Attach(4 * kMiB);
  ASSERT_TRUE(loop);
  BackstoreSpec spec = Spec(loop->path());
  spec.plugin = "fileio";
  spec.thin = true;
  auto r = FileioBackstore::Open(spec);
  ASSERT_TRUE(r.ok()) << r.error();
  auto& store = *r.value();
  EXPECT_TRUE(store.on_block_device());
  EXPECT_EQ(store.size_bytes(), 4 * kMiB);
  // Buffered: any buffer alignment is fine.
  std::vector<uint8_t> out(4096 + 1), in(4096 + 1);
  FillPattern(out, 2);
  std::span<uint8_t> out_span(out.data() + 1, 4096), in_span(in.data() + 1, 4096);
  ASSERT_TRUE(WriteSync(store, 8192, out_span, true).ok());
  ASSERT_TRUE(ReadSync(store, 8192, in_span).ok());
  EXPECT_TRUE(std::equal(in_span.begin(), in_span.end(), out_span.begin()));
  ASSERT_TRUE(UnmapSync(store, 8192, 4096).ok());
  ASSERT_TRUE(ReadSync(store, 8192, in_span).ok());
  EXPECT_EQ(std::vector<uint8_t>(in_span.begin(), in_span.end()), std::vector<uint8_t>(4096, 0));
  EXPECT_FALSE(store.IsDeallocated(8192, 4096)) << "a block device cannot tell";
}

}  // namespace
}  // namespace reftarget::backstore
