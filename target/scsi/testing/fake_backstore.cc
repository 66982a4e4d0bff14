#include "target/scsi/testing/fake_backstore.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace reftarget::scsi::testing {

using backstore::IoCompletion;
using backstore::IoResult;
using backstore::IoType;

FakeBackstore::FakeBackstore(Options options)
    : block_size_(options.block_size),
      thin_(options.thin),
      read_only_(options.read_only),
      can_enable_write_back_(options.can_enable_write_back),
      data_(options.size / options.block_size * options.block_size, 0),
      deallocated_(options.size / options.block_size, options.thin),
      write_back_(options.write_back),
      worker_([this] { WorkerLoop(); }) {}

FakeBackstore::~FakeBackstore() {
  ReleaseHeld();
  {
    std::lock_guard<std::mutex> lock(qmu_);
    stop_ = true;
  }
  qcv_.notify_all();
  worker_.join();
}

uint64_t FakeBackstore::size_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reported_size_ != 0 ? reported_size_ : data_.size();
}

void FakeBackstore::OverrideReportedSize(uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  reported_size_ = size;
}

backstore::Capabilities FakeBackstore::capabilities() const {
  std::lock_guard<std::mutex> lock(mu_);
  backstore::Capabilities caps;
  caps.block_size = block_size_;
  caps.read_only = read_only_;
  caps.thin = thin_;
  caps.write_back = write_back_;
  return caps;
}

bool FakeBackstore::Supports(IoType type) const {
  switch (type) {
    case IoType::kRead:
    case IoType::kFlush:
      return true;
    case IoType::kWrite:
      return !read_only_;
    case IoType::kUnmap:
      return thin_ && !read_only_;
  }
  return false;
}

int FakeBackstore::TakeFault(IoType type, uint64_t offset, uint64_t length) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->type != type) continue;
    bool overlaps = type == IoType::kFlush ||
                    (offset < it->offset + std::min(it->length, UINT64_MAX - it->offset) &&
                     it->offset < offset + length);
    if (!overlaps) continue;
    int error = it->error;
    if (it->count > 0 && --it->count == 0) faults_.erase(it);
    return error;
  }
  return 0;
}

void FakeBackstore::Complete(std::function<int()> work, IoCompletion done) {
  auto run = [work = std::move(work), done = std::move(done)]() {
    int error = work();
    done(IoResult{error});
  };
  bool async;
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (hold_) {
      held_.push_back(std::move(run));
      return;
    }
    async = async_;
    delay = delay_;
  }
  if (!async) return run();
  {
    std::lock_guard<std::mutex> lock(qmu_);
    queue_.emplace_back(std::chrono::steady_clock::now() + delay, std::move(run));
  }
  qcv_.notify_all();
}

void FakeBackstore::WorkerLoop() {
  std::unique_lock<std::mutex> lock(qmu_);
  while (true) {
    qcv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    auto [due, fn] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::this_thread::sleep_until(due);
    fn();
    lock.lock();
  }
}

void FakeBackstore::Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) {
  Complete(
      [this, offset, buf]() {
        std::lock_guard<std::mutex> lock(mu_);
        records_.push_back({IoType::kRead, offset, buf.size(), false});
        if (int e = TakeFault(IoType::kRead, offset, buf.size())) return e;
        if (offset + buf.size() > data_.size()) return EINVAL;
        std::memcpy(buf.data(), data_.data() + offset, buf.size());
        return 0;
      },
      std::move(done));
}

void FakeBackstore::Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
                          IoCompletion done) {
  Complete(
      [this, offset, buf, fua]() {
        std::lock_guard<std::mutex> lock(mu_);
        records_.push_back({IoType::kWrite, offset, buf.size(), fua});
        if (int e = TakeFault(IoType::kWrite, offset, buf.size())) return e;
        if (read_only_) return EROFS;
        if (offset + buf.size() > data_.size()) return EINVAL;
        std::memcpy(data_.data() + offset, buf.data(), buf.size());
        for (uint64_t b = offset / block_size_; b < (offset + buf.size()) / block_size_; ++b) {
          deallocated_[b] = false;
        }
        return 0;
      },
      std::move(done));
}

void FakeBackstore::Flush(IoCompletion done) {
  Complete(
      [this]() {
        std::lock_guard<std::mutex> lock(mu_);
        records_.push_back({IoType::kFlush, 0, 0, false});
        return TakeFault(IoType::kFlush, 0, 0);
      },
      std::move(done));
}

void FakeBackstore::Unmap(uint64_t offset, uint64_t length, IoCompletion done) {
  Complete(
      [this, offset, length]() {
        std::lock_guard<std::mutex> lock(mu_);
        records_.push_back({IoType::kUnmap, offset, length, false});
        if (int e = TakeFault(IoType::kUnmap, offset, length)) return e;
        if (!thin_) return EOPNOTSUPP;
        if (offset + length > data_.size()) return EINVAL;
        std::memset(data_.data() + offset, 0, length);
        for (uint64_t b = offset / block_size_; b < (offset + length) / block_size_; ++b) {
          deallocated_[b] = true;
        }
        return 0;
      },
      std::move(done));
}

bool FakeBackstore::IsDeallocated(uint64_t offset, uint64_t length) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thin_) return false;
  for (uint64_t b = offset / block_size_; b < (offset + length + block_size_ - 1) / block_size_;
       ++b) {
    if (b >= deallocated_.size() || !deallocated_[b]) return false;
  }
  return true;
}

Status FakeBackstore::SetWriteBack(bool enabled) {
  std::lock_guard<std::mutex> lock(mu_);
  if (enabled && !can_enable_write_back_) return Status::Error("fake: no cache to enable");
  write_back_ = enabled;
  return Status::Ok();
}

void FakeBackstore::InjectError(IoType type, int error, int count, uint64_t offset,
                                uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back({type, error, count, offset, length});
}

void FakeBackstore::ClearErrors() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

void FakeBackstore::SetAsync(bool async, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  async_ = async;
  delay_ = delay;
}

void FakeBackstore::SetHold(bool hold) {
  std::lock_guard<std::mutex> lock(mu_);
  hold_ = hold;
}

size_t FakeBackstore::ReleaseHeld() {
  std::vector<std::function<void()>> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    held.swap(held_);
  }
  for (auto& fn : held) fn();
  return held.size();
}

size_t FakeBackstore::HeldCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

Status FakeBackstore::Resize(uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  data_.resize(size / block_size_ * block_size_, 0);
  deallocated_.resize(size / block_size_, thin_);
  return Status::Ok();
}

std::vector<uint8_t> FakeBackstore::Peek(uint64_t offset, uint64_t length) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<uint8_t>(data_.begin() + offset, data_.begin() + offset + length);
}

void FakeBackstore::Poke(uint64_t offset, std::span<const uint8_t> data) {
  std::lock_guard<std::mutex> lock(mu_);
  std::memcpy(data_.data() + offset, data.data(), data.size());
  for (uint64_t b = offset / block_size_; b < (offset + data.size()) / block_size_; ++b) {
    deallocated_[b] = false;
  }
}

std::vector<IoRecord> FakeBackstore::Records() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}

void FakeBackstore::ClearRecords() {
  std::lock_guard<std::mutex> lock(mu_);
  records_.clear();
}

size_t FakeBackstore::Count(IoType type) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::count_if(records_.begin(), records_.end(),
                       [type](const IoRecord& r) { return r.type == type; });
}

}  // namespace reftarget::scsi::testing
