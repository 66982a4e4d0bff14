#include "fault-injection/faultfs/durability_tracker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "target/common/logging.h"

namespace reftarget::faultfs {
namespace {

Result<struct stat> Fstat(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Status::Error(std::string("fstat: ") + std::strerror(errno));
  return st;
}

// Reads [offset, offset + data->size()) fully; bytes past EOF read as zero (what a reader
// of the synced file saw there). Returns 0 or -errno.
int ReadFully(int fd, uint64_t offset, std::string* data) {
  size_t done = 0;
  while (done < data->size()) {
    const ssize_t n =
        pread(fd, data->data() + done, data->size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  std::fill(data->begin() + static_cast<std::ptrdiff_t>(done), data->end(), '\0');
  return 0;
}

int WriteFully(int fd, uint64_t offset, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

DurabilityTracker::DurabilityTracker(uint64_t shadow_limit_bytes)
    : shadow_limit_bytes_(shadow_limit_bytes) {}

Result<std::shared_ptr<DurabilityTracker::FileState>> DurabilityTracker::StateFor(int fd,
                                                                                  bool create) {
  Result<struct stat> st = Fstat(fd);
  if (!st.ok()) return st.status();
  const Key key{st.value().st_dev, st.value().st_ino};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(key);
  if (it != files_.end()) return it->second;
  if (!create) return std::shared_ptr<FileState>();
  auto state = std::make_shared<FileState>();
  // A file first seen now is taken as durable as it stands: faultfs cannot know better.
  state->synced_size = static_cast<uint64_t>(st.value().st_size);
  files_.emplace(key, state);
  return state;
}

void DurabilityTracker::DropShadow(FileState* state) {
  uint64_t freed = 0;
  for (const auto& [offset, data] : state->shadow) freed += data.size();
  shadow_bytes_.fetch_sub(freed);
  state->shadow.clear();
  state->shadow_cover.Clear();
}

void DurabilityTracker::Capture(int fd, FileState* state, uint64_t offset, uint64_t end) {
  if (!state->broken.empty()) return;
  end = std::min(end, state->synced_size);
  if (offset >= end) return;
  for (const Extent& gap : state->shadow_cover.Gaps(offset, end - offset)) {
    if (shadow_bytes_.load() + gap.length > shadow_limit_bytes_) {
      state->broken = "shadow limit of " + std::to_string(shadow_limit_bytes_) +
                      " bytes reached; power cut impossible until the next fsync";
      RT_LOG(kWarn, "faultfs") << "durability: " << state->broken;
      DropShadow(state);
      return;
    }
    std::string data(gap.length, '\0');
    const int rc = ReadFully(fd, gap.offset, &data);
    if (rc != 0) {
      state->broken = std::string("reading synced data to shadow failed: ") + std::strerror(-rc);
      RT_LOG(kWarn, "faultfs") << "durability: " << state->broken;
      DropShadow(state);
      return;
    }
    shadow_bytes_.fetch_add(gap.length);
    state->shadow.emplace(gap.offset, std::move(data));
    state->shadow_cover.Add(gap.offset, gap.length);
  }
}

void DurabilityTracker::EraseShadow(FileState* state, uint64_t offset, uint64_t end) {
  if (offset >= end) return;
  auto it = state->shadow.upper_bound(offset);
  if (it != state->shadow.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second.size() > offset) it = prev;
  }
  while (it != state->shadow.end() && it->first < end) {
    const uint64_t start = it->first;
    std::string data = std::move(it->second);
    it = state->shadow.erase(it);
    const uint64_t stop = start + data.size();
    uint64_t kept = 0;
    if (start < offset) {
      state->shadow.emplace(start, data.substr(0, offset - start));
      kept += offset - start;
    }
    if (stop > end) {
      it = state->shadow.emplace(end, data.substr(end - start)).first;
      kept += stop - end;
      ++it;
    }
    shadow_bytes_.fetch_sub(data.size() - kept);
  }
  state->shadow_cover.Remove(offset, end - offset);
}

ssize_t DurabilityTracker::Write(int fd, uint64_t offset, uint64_t length, bool durable,
                                 const std::function<ssize_t()>& write) {
  Result<std::shared_ptr<FileState>> found = StateFor(fd, true);
  if (!found.ok()) return write();
  FileState* state = found.value().get();
  std::lock_guard<std::mutex> lock(state->mu);
  if (!durable) Capture(fd, state, offset, offset + length);
  const ssize_t n = write();
  if (n <= 0) return n;
  const uint64_t written = static_cast<uint64_t>(n);
  if (durable) {
    // O_SYNC/O_DSYNC: these bytes are on stable storage when write() returns.
    state->unsynced.Remove(offset, written);
    EraseShadow(state, offset, offset + written);
    state->synced_size = std::max(state->synced_size, offset + written);
  } else {
    state->unsynced.Add(offset, written);
  }
  return n;
}

int DurabilityTracker::Zero(int fd, uint64_t offset, uint64_t length,
                            const std::function<int()>& zero) {
  Result<std::shared_ptr<FileState>> found = StateFor(fd, true);
  if (!found.ok()) return zero();
  FileState* state = found.value().get();
  std::lock_guard<std::mutex> lock(state->mu);
  Capture(fd, state, offset, offset + length);
  const int rc = zero();
  if (rc == 0) state->unsynced.Add(offset, length);
  return rc;
}

int DurabilityTracker::Truncate(int fd, uint64_t new_size, const std::function<int()>& truncate) {
  Result<std::shared_ptr<FileState>> found = StateFor(fd, true);
  if (!found.ok()) return truncate();
  FileState* state = found.value().get();
  std::lock_guard<std::mutex> lock(state->mu);
  Result<struct stat> st = Fstat(fd);
  const uint64_t size = st.ok() ? static_cast<uint64_t>(st.value().st_size) : 0;
  // Bytes in [size, synced_size) were cut by an earlier truncate and are already saved.
  if (new_size < size) Capture(fd, state, new_size, size);
  const int rc = truncate();
  if (rc != 0) return rc;
  state->unsynced.TruncateAt(new_size);
  if (new_size > size) state->unsynced.Add(size, new_size - size);
  return 0;
}

int DurabilityTracker::Sync(int fd, const std::function<int()>& sync) {
  Result<std::shared_ptr<FileState>> found = StateFor(fd, false);
  if (!found.ok() || !found.value()) return sync();
  FileState* state = found.value().get();
  std::lock_guard<std::mutex> lock(state->mu);
  const int rc = sync();
  // A failed fsync leaves the state as it was: nothing is known to be durable (fsyncgate).
  if (rc != 0) return rc;
  Result<struct stat> st = Fstat(fd);
  if (st.ok()) state->synced_size = static_cast<uint64_t>(st.value().st_size);
  state->unsynced.Clear();
  DropShadow(state);
  state->broken.clear();
  return 0;
}

void DurabilityTracker::Forget(int fd) {
  Result<struct stat> st = Fstat(fd);
  if (st.ok()) ForgetKey(st.value().st_dev, st.value().st_ino);
}

void DurabilityTracker::ForgetKey(dev_t dev, ino_t ino) {
  std::shared_ptr<FileState> state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(Key{dev, ino});
    if (it == files_.end()) return;
    state = std::move(it->second);
    files_.erase(it);
  }
  std::lock_guard<std::mutex> lock(state->mu);
  DropShadow(state.get());
}

Result<UnsyncedReport> DurabilityTracker::Unsynced(int fd) {
  Result<std::shared_ptr<FileState>> found = StateFor(fd, false);
  if (!found.ok()) return found.status();
  Result<struct stat> st = Fstat(fd);
  if (!st.ok()) return st.status();
  UnsyncedReport report;
  report.size = static_cast<uint64_t>(st.value().st_size);
  report.synced_size = report.size;
  if (!found.value()) return report;
  FileState* state = found.value().get();
  std::lock_guard<std::mutex> lock(state->mu);
  report.tracked = true;
  report.synced_size = state->synced_size;
  report.unsynced = state->unsynced.Extents();
  report.unsynced_bytes = state->unsynced.TotalBytes();
  for (const auto& [offset, data] : state->shadow) report.shadow_bytes += data.size();
  report.broken = state->broken;
  return report;
}

Result<PowerCutReport> DurabilityTracker::PowerCut(int fd) {
  Result<std::shared_ptr<FileState>> found = StateFor(fd, false);
  if (!found.ok()) return found.status();
  Result<struct stat> st = Fstat(fd);
  if (!st.ok()) return st.status();
  PowerCutReport report;
  report.size_before = static_cast<uint64_t>(st.value().st_size);
  report.size_after = report.size_before;
  if (!found.value()) return report;
  FileState* state = found.value().get();
  std::lock_guard<std::mutex> lock(state->mu);
  if (!state->broken.empty()) return Status::Error("power cut refused: " + state->broken);
  for (const auto& [offset, data] : state->shadow) {
    const int rc = WriteFully(fd, offset, data);
    if (rc != 0)
      return Status::Error(std::string("power cut: restoring synced data failed: ") +
                           std::strerror(-rc));
    report.restored_bytes += data.size();
    ++report.restored_extents;
  }
  if (ftruncate(fd, static_cast<off_t>(state->synced_size)) != 0) {
    return Status::Error(std::string("power cut: truncating to the synced size failed: ") +
                         std::strerror(errno));
  }
  if (fsync(fd) != 0)
    return Status::Error(std::string("power cut: fsync failed: ") + std::strerror(errno));
  report.size_after = state->synced_size;
  report.dropped_bytes = state->unsynced.TotalBytes();
  state->unsynced.Clear();
  DropShadow(state);
  return report;
}

}  // namespace reftarget::faultfs
