#include "target/scsi/deferred_release.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace reftarget::scsi {
namespace {

thread_local int completion_depth = 0;

class Releaser {
 public:
  static Releaser& Instance() {
    static Releaser releaser;
    return releaser;
  }

  void Release(std::shared_ptr<void> object) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(object));
      if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    }
    cv_.notify_one();
  }

  ~Releaser() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Releaser() = default;

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      std::shared_ptr<void> object = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      object.reset();  // may close a store and join its workers: never under the lock
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<void>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

StoreCompletionScope::StoreCompletionScope() { ++completion_depth; }
StoreCompletionScope::~StoreCompletionScope() { --completion_depth; }

bool InStoreCompletion() { return completion_depth > 0; }

void ReleaseLater(std::shared_ptr<void> object) { Releaser::Instance().Release(std::move(object)); }

void EnsureReleaserExists() { Releaser::Instance(); }

}  // namespace reftarget::scsi
