#include "fault-injection/faultfs/durability_tracker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace reftarget::faultfs {
namespace {

// A temporary file, removed at the end of the test.
class TempFile {
 public:
  TempFile() {
    char path[] = "/tmp/faultfs_tracker_XXXXXX";
    fd_ = mkstemp(path);
    path_ = path;
  }
  ~TempFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string path_;
};

ssize_t Put(DurabilityTracker& tracker, int fd, uint64_t offset, const std::string& data,
            bool durable = false) {
  return tracker.Write(fd, offset, data.size(), durable, [&] {
    return pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
  });
}

int Sync(DurabilityTracker& tracker, int fd) {
  return tracker.Sync(fd, [fd] { return fsync(fd) == 0 ? 0 : -errno; });
}

std::string Contents(int fd) {
  struct stat st;
  fstat(fd, &st);
  std::string data(static_cast<size_t>(st.st_size), '\0');
  EXPECT_EQ(pread(fd, data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
  return data;
}

TEST(DurabilityTracker, ListsUnsyncedWritesUntilFsync) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(100, 'a')), 100);
  ASSERT_EQ(Put(tracker, file.fd(), 200, std::string(50, 'b')), 50);
  Result<UnsyncedReport> report = tracker.Unsynced(file.fd());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().tracked);
  EXPECT_EQ(report.value().synced_size, 0u);
  EXPECT_EQ(report.value().size, 250u);
  EXPECT_EQ(report.value().unsynced, (std::vector<Extent>{{0, 100}, {200, 50}}));
  EXPECT_EQ(report.value().shadow_bytes, 0u);  // Nothing synced was overwritten.
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  report = tracker.Unsynced(file.fd());
  EXPECT_TRUE(report.value().unsynced.empty());
  EXPECT_EQ(report.value().synced_size, 250u);
}

TEST(DurabilityTracker, PowerCutRevertsOverwritesAndAppends) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(4096, 'S')), 4096);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  ASSERT_EQ(Put(tracker, file.fd(), 1000, std::string(100, 'U')), 100);
  ASSERT_EQ(Put(tracker, file.fd(), 1050, std::string(100, 'V')), 100);  // Overlaps: shadow once.
  ASSERT_EQ(Put(tracker, file.fd(), 4000, std::string(200, 'W')), 200);  // Straddles EOF.
  Result<UnsyncedReport> report = tracker.Unsynced(file.fd());
  EXPECT_EQ(report.value().shadow_bytes, 150u + 96u);
  EXPECT_EQ(report.value().unsynced, (std::vector<Extent>{{1000, 150}, {4000, 200}}));
  Result<PowerCutReport> cut = tracker.PowerCut(file.fd());
  ASSERT_TRUE(cut.ok()) << cut.error();
  EXPECT_EQ(cut.value().size_before, 4200u);
  EXPECT_EQ(cut.value().size_after, 4096u);
  EXPECT_EQ(cut.value().restored_bytes, 246u);
  EXPECT_EQ(cut.value().dropped_bytes, 350u);
  EXPECT_EQ(Contents(file.fd()), std::string(4096, 'S'));
  EXPECT_EQ(tracker.shadow_bytes(), 0u);
}

TEST(DurabilityTracker, PowerCutKeepsSyncedWrites) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(10, 'a')), 10);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(5, 'b')), 5);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  ASSERT_EQ(Put(tracker, file.fd(), 5, std::string(5, 'c')), 5);
  ASSERT_TRUE(tracker.PowerCut(file.fd()).ok());
  EXPECT_EQ(Contents(file.fd()), "bbbbbaaaaa");
}

TEST(DurabilityTracker, DurableWritesAreSyncedAtOnce) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(10, 'a')), 10);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(4, 'x')), 4);                    // Unsynced.
  ASSERT_EQ(Put(tracker, file.fd(), 2, std::string(4, 'D'), /*durable=*/true), 4);  // O_DSYNC.
  ASSERT_EQ(Put(tracker, file.fd(), 10, std::string(2, 'E'), /*durable=*/true), 2);
  Result<UnsyncedReport> report = tracker.Unsynced(file.fd());
  EXPECT_EQ(report.value().unsynced, (std::vector<Extent>{{0, 2}}));
  EXPECT_EQ(report.value().synced_size, 12u);
  ASSERT_TRUE(tracker.PowerCut(file.fd()).ok());
  EXPECT_EQ(Contents(file.fd()), "aaDDDDaaaaEE");
}

TEST(DurabilityTracker, TruncateAndPunchAreReverted) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, "0123456789"), 10);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  const int fd = file.fd();
  ASSERT_EQ(tracker.Truncate(fd, 4, [fd] { return ftruncate(fd, 4); }), 0);
  ASSERT_EQ(tracker.Truncate(fd, 2, [fd] { return ftruncate(fd, 2); }), 0);
  ASSERT_EQ(tracker.Truncate(fd, 20, [fd] { return ftruncate(fd, 20); }), 0);
  ASSERT_EQ(tracker.Zero(fd, 0, 1, [fd] { return pwrite(fd, "\0", 1, 0) == 1 ? 0 : -errno; }), 0);
  Result<UnsyncedReport> report = tracker.Unsynced(fd);
  EXPECT_EQ(report.value().size, 20u);
  EXPECT_EQ(report.value().synced_size, 10u);
  EXPECT_EQ(report.value().shadow_bytes, 9u);  // [0,1) and [2,10).
  Result<PowerCutReport> cut = tracker.PowerCut(fd);
  ASSERT_TRUE(cut.ok()) << cut.error();
  EXPECT_EQ(Contents(fd), "0123456789");
}

TEST(DurabilityTracker, FailedFsyncKeepsDataUnsynced) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, "abc"), 3);
  EXPECT_EQ(tracker.Sync(file.fd(), [] { return -EIO; }), -EIO);
  EXPECT_EQ(tracker.Unsynced(file.fd()).value().unsynced_bytes, 3u);
  ASSERT_TRUE(tracker.PowerCut(file.fd()).ok());
  EXPECT_EQ(Contents(file.fd()), "");
}

TEST(DurabilityTracker, ShadowLimitRefusesPowerCutUntilFsync) {
  TempFile file;
  DurabilityTracker tracker(100);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(1000, 'a')), 1000);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  ASSERT_EQ(Put(tracker, file.fd(), 0, std::string(50, 'b')), 50);
  EXPECT_EQ(tracker.shadow_bytes(), 50u);
  ASSERT_EQ(Put(tracker, file.fd(), 500, std::string(80, 'c')), 80);  // Over the limit.
  Result<UnsyncedReport> report = tracker.Unsynced(file.fd());
  EXPECT_FALSE(report.value().broken.empty());
  EXPECT_EQ(tracker.shadow_bytes(), 0u);  // Freed.
  Result<PowerCutReport> cut = tracker.PowerCut(file.fd());
  EXPECT_FALSE(cut.ok());
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  EXPECT_TRUE(tracker.Unsynced(file.fd()).value().broken.empty());
  EXPECT_TRUE(tracker.PowerCut(file.fd()).ok());
}

TEST(DurabilityTracker, UntrackedFileReportsItsSizeAsSynced) {
  TempFile file;
  ASSERT_EQ(pwrite(file.fd(), "xyz", 3, 0), 3);
  DurabilityTracker tracker(1 << 20);
  Result<UnsyncedReport> report = tracker.Unsynced(file.fd());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report.value().tracked);
  EXPECT_EQ(report.value().synced_size, 3u);
  Result<PowerCutReport> cut = tracker.PowerCut(file.fd());
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(Contents(file.fd()), "xyz");
}

TEST(DurabilityTracker, ForgetDropsState) {
  TempFile file;
  DurabilityTracker tracker(1 << 20);
  ASSERT_EQ(Put(tracker, file.fd(), 0, "abc"), 3);
  ASSERT_EQ(Sync(tracker, file.fd()), 0);
  ASSERT_EQ(Put(tracker, file.fd(), 0, "x"), 1);
  EXPECT_EQ(tracker.shadow_bytes(), 1u);
  tracker.Forget(file.fd());
  EXPECT_EQ(tracker.shadow_bytes(), 0u);
  EXPECT_FALSE(tracker.Unsynced(file.fd()).value().tracked);
}

}  // namespace
}  // namespace reftarget::faultfs
