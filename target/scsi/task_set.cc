#include "target/scsi/task_set.h"

namespace reftarget::scsi {

TaskSet::TaskSet() : current_(std::make_shared<Epoch>()) {}

TaskSet::EpochRef TaskSet::Join(uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  // Read under mu_: AbortAll bumps the generation and swaps the epoch under the same lock, so
  // a command stamped before an abort can never slip into the epoch after it.
  if (generation != 0 && generation != generation_.load(std::memory_order_relaxed)) {
    return nullptr;
  }
  current_->live_.fetch_add(1, std::memory_order_relaxed);
  return current_;
}

void TaskSet::Leave(const EpochRef& epoch) {
  if (epoch->live_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard<std::mutex> lock(epoch->mu_);
    if (!epoch->aborted_.load(std::memory_order_relaxed)) return;
    waiters.swap(epoch->on_drained_);
  }
  for (auto& fn : waiters) fn();
}

void TaskSet::AbortAll(std::function<void()> on_drained) {
  EpochRef old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::move(current_);
    current_ = std::make_shared<Epoch>();
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  // No command can join `old` any more; the ones in it either left already (live_ == 0 seen
  // below) or will find aborted_ set under mu_ when they leave last.
  {
    std::lock_guard<std::mutex> lock(old->mu_);
    old->aborted_.store(true, std::memory_order_release);
    if (old->live_.load(std::memory_order_acquire) != 0) {
      if (on_drained) old->on_drained_.push_back(std::move(on_drained));
      return;
    }
  }
  if (on_drained) on_drained();
}

}  // namespace reftarget::scsi
