#include "target/backstore/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace reftarget::backstore {
namespace {

using namespace std::chrono_literals;

// A one-shot gate that tasks can wait on (std::latch would do; this also counts waiters).
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits up to 5 s until `n` tasks are blocked in Wait().
  bool AwaitWaiters(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(WorkerPoolTest, RunsEveryTaskOnce) {
  std::atomic<int> runs{0};
  WorkerPool pool("wp-test", 4);
  EXPECT_EQ(pool.threads(), 4u);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pool.Submit([&] { runs.fetch_add(1); }));
  pool.Shutdown();
  EXPECT_EQ(runs.load(), 1000);
}

TEST(WorkerPoolTest, ZeroThreadsMeansOne) {
  WorkerPool pool("wp-test", 0);
  EXPECT_EQ(pool.threads(), 1u);
  std::promise<void> ran;
  pool.Submit([&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(5s), std::future_status::ready);
}

TEST(WorkerPoolTest, BoundedThreadsQueueTheRest) {
  Gate gate;
  std::atomic<int> runs{0};
  WorkerPool pool("wp-test", 3);
  for (int i = 0; i < 8; ++i) {
    pool.Submit([&] {
      gate.Wait();
      runs.fetch_add(1);
    });
  }
  ASSERT_TRUE(gate.AwaitWaiters(3));
  EXPECT_EQ(pool.running(), 3u);
  EXPECT_EQ(pool.queued(), 5u);
  gate.Open();
  pool.Shutdown();
  EXPECT_EQ(runs.load(), 8);
  EXPECT_EQ(pool.running(), 0u);
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(WorkerPoolTest, ShutdownWaitsForRunningAndRunsQueued) {
  Gate gate;
  std::atomic<int> runs{0};
  WorkerPool pool("wp-test", 1);
  pool.Submit([&] {
    gate.Wait();
    runs.fetch_add(1);
  });
  for (int i = 0; i < 10; ++i) pool.Submit([&] { runs.fetch_add(1); });
  ASSERT_TRUE(gate.AwaitWaiters(1));
  std::atomic<bool> shut{false};
  std::thread stopper([&] {
    pool.Shutdown();
    shut = true;
  });
  // Shutdown cannot finish while a task runs; once the gate opens, all 11 tasks ran.
  EXPECT_FALSE(shut.load());
  gate.Open();
  stopper.join();
  EXPECT_TRUE(shut.load());
  EXPECT_EQ(runs.load(), 11);
}

TEST(WorkerPoolTest, SubmitAfterShutdownIsRefused) {
  WorkerPool pool("wp-test", 2);
  pool.Shutdown();
  bool ran = false;
  EXPECT_FALSE(pool.Submit([&] { ran = true; }));
  EXPECT_FALSE(ran);
  pool.Shutdown();  // idempotent
}

TEST(WorkerPoolTest, StalledPoolDoesNotDelayAnother) {
  Gate gate;
  WorkerPool stalled("wp-stalled", 2);
  WorkerPool healthy("wp-healthy", 2);
  // Every thread of `stalled` is stuck, and more work queues behind them.
  for (int i = 0; i < 6; ++i) stalled.Submit([&] { gate.Wait(); });
  ASSERT_TRUE(gate.AwaitWaiters(2));
  for (int i = 0; i < 100; ++i) {
    std::promise<void> ran;
    healthy.Submit([&] { ran.set_value(); });
    ASSERT_EQ(ran.get_future().wait_for(5s), std::future_status::ready) << "task " << i;
  }
  EXPECT_EQ(stalled.queued(), 4u);
  gate.Open();
}

}  // namespace
}  // namespace reftarget::backstore
