// WorkerPool: a fixed set of threads owned by one backstore, fed from one FIFO queue.
//
// Each store owns its pool so that a stalled device (a hung NFS file, a dead disk, a FUSE
// daemon that stopped answering) ties up only that store's threads; every other LUN keeps
// its own threads and keeps moving (DESIGN.md: "Isolation is a feature").
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace reftarget::backstore {

class WorkerPool {
 public:
  using Task = std::function<void()>;

  // Starts `threads` threads (at least 1) named "<name>/<i>" (truncated to the kernel's 15
  // characters) for ps/top/gdb.
  WorkerPool(std::string name, unsigned threads);
  // Runs Shutdown(). REQUIRES: not called from one of this pool's threads.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` to run on one of the pool's threads; returns false (and drops `task`
  // unrun) once Shutdown() has begun. Never blocks on a running task.
  //
  // The queue itself is unbounded: admission control belongs to the layers above (the
  // iSCSI command window and the per-LUN queue depth), and refusing work here would turn a
  // slow disk into spurious errors.
  bool Submit(Task task);

  // Stops accepting tasks, runs every task already queued, waits for the running ones and
  // joins the threads. Idempotent. REQUIRES: not called from one of this pool's threads.
  void Shutdown();

  // Returns the number of tasks queued but not yet started.
  size_t queued() const;
  // Returns the number of tasks running right now.
  size_t running() const;
  // Returns the number of threads.
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  const std::string& name() const { return name_; }

 private:
  void Run();

  const std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;  // guarded by mu_
  size_t running_ = 0;      // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace reftarget::backstore
