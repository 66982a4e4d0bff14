// Reactor: one epoll event loop on its own thread. Connections live on exactly one reactor
// and are touched only from its thread; other threads hand work over with Post().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "target/common/status.h"

namespace reftarget::net {

class Reactor {
 public:
  using FdHandler = std::function<void(uint32_t epoll_events)>;

  // Creates the epoll instance and the wake-up eventfd. Throws std::system_error on failure.
  explicit Reactor(std::string name);
  // Stops the loop (if running) and joins the thread.
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Starts the loop thread. REQUIRES: not started.
  void Start();
  // Asks the loop to exit after the current iteration and joins it. Idempotent.
  void Stop();

  // Runs `fn` on the reactor thread soon. Thread-safe; never blocks on the loop.
  void Post(std::function<void()> fn);
  // Registers `fd` for `events` (EPOLLIN, EPOLLOUT, ...). Reactor thread only.
  Status Add(int fd, uint32_t events, FdHandler handler);
  // Changes the events watched for `fd`. Reactor thread only.
  void Modify(int fd, uint32_t events);
  // Stops watching `fd` (does not close it). Safe inside a handler. Reactor thread only.
  void Remove(int fd);
  // Calls `fn` every `period` on the reactor thread (for NOP pings and login timers) until
  // it returns false. Thread-safe.
  void AddPeriodic(std::chrono::milliseconds period, std::function<bool()> fn);

  // Returns true when called on this reactor's loop thread.
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_.load(); }
  const std::string& name() const { return name_; }

 private:
  struct Periodic {
    std::chrono::milliseconds period;
    std::chrono::steady_clock::time_point next;
    std::function<bool()> fn;
  };

  void Loop();
  void DrainPosted();
  void RunPeriodics();
  int NextTimeoutMs() const;

  std::string name_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> stop_{false};

  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;
  bool wake_pending_ = false;  // guarded by posted_mu_: one eventfd write per batch

  std::unordered_map<int, std::shared_ptr<FdHandler>> handlers_;
  std::vector<Periodic> periodics_;  // touched only on the loop thread after Start()
};

// A fixed set of reactors; connections are spread over them round-robin.
class ReactorPool {
 public:
  // Creates `count` reactors (at least 1) named "net-N".
  explicit ReactorPool(unsigned count);
  void Start();
  void Stop();
  // Returns the next reactor in round-robin order. Thread-safe.
  Reactor& Next();
  size_t size() const { return reactors_.size(); }
  Reactor& at(size_t i) { return *reactors_[i]; }

 private:
  std::vector<std::unique_ptr<Reactor>> reactors_;
  std::atomic<size_t> next_{0};
};

}  // namespace reftarget::net
