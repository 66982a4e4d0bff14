#include "target/backstore/worker_pool.h"

#include <pthread.h>

#include <algorithm>
#include <utility>

namespace reftarget::backstore {

WorkerPool::WorkerPool(std::string name, unsigned threads) : name_(std::move(name)) {
  unsigned n = std::max(threads, 1u);
  threads_.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    threads_.emplace_back([this] { Run(); });
    // Linux limits thread names to 15 characters plus the terminator.
    std::string thread_name = name_ + "/" + std::to_string(i);
    if (thread_name.size() > 15) thread_name = thread_name.substr(thread_name.size() - 15);
    pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
  }
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::Submit(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // Workers exit only when the queue is empty, so every accepted task runs exactly once and
  // its completion is delivered.
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkerPool::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

void WorkerPool::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping_ and drained
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // destroy captures outside the lock
    lock.lock();
    --running_;
  }
}

}  // namespace reftarget::backstore
