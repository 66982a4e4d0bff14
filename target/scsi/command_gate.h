// CommandGate: keeps a logical unit's new commands away from its medium while commands that a
// task management function aborted are still in the backstore and cannot be cancelled (a
// pread/pwrite stuck in a hung file system). TEST-PLAN S21: once a TMF has completed, no
// aborted command may still change the medium; a late write of an "aborted" command landing
// after a newer one is silent corruption.
//
// While any Hold lives, new commands wait, in arrival order. When a TMF can wait no longer
// (its answer is due), it fences its hold: the waiting commands and every new one are refused
// with 02/04/01 instead, so the TMF can answer truthfully: nothing newer can reach the medium
// before the stuck commands return. When the last hold is gone (they returned), the gate opens
// and the waiting commands run. The unit recovers by itself; nothing has to be reset.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace reftarget::scsi {

class CommandGate : public std::enable_shared_from_this<CommandGate> {
 public:
  // One reason to keep the gate closed; releases it when destroyed.
  class Hold {
   public:
    explicit Hold(std::shared_ptr<CommandGate> gate) : gate_(std::move(gate)) {}
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

    // From now until this hold is gone, waiting and new commands are refused, not kept.
    // Idempotent.
    void Fence();

   private:
    std::shared_ptr<CommandGate> gate_;
    bool fenced_ = false;  // guarded by gate_->mu_
  };

  // Only Create makes one (a Hold keeps its gate alive through shared_from_this).
  class Key {
    friend class CommandGate;
    Key() = default;
  };
  CommandGate(Key, std::string name) : name_(std::move(name)) {}

  // `name` names the unit in the log lines.
  static std::shared_ptr<CommandGate> Create(std::string name);

  // Runs `run` now if no hold lives (lock-free then); otherwise keeps it until the gate opens,
  // or calls `refuse` if a hold is fenced (at once, or when the fence falls on it). Exactly
  // one of the two runs, possibly on another thread.
  void Admit(std::function<void()> run, std::function<void()> refuse);
  // Closes the gate until the returned hold (and every other) is gone.
  std::shared_ptr<Hold> Close();

  // Returns true if no hold lives (a command may run without Admit's bookkeeping).
  bool open() const { return holds_.load(std::memory_order_acquire) == 0; }
  // Returns true while a fenced hold lives (new commands are refused).
  bool fenced() const;
  // Returns the number of commands kept waiting.
  size_t waiting() const;

 private:
  struct Waiting {
    std::function<void()> run;
    std::function<void()> refuse;
  };
  void Release(bool fenced);
  void FenceOne();

  const std::string name_;
  std::atomic<int> holds_{0};  // changed under mu_; read lock-free on the fast path
  mutable std::mutex mu_;
  int fenced_holds_ = 0;                                // guarded by mu_
  std::chrono::steady_clock::time_point fenced_since_;  // guarded by mu_
  std::deque<Waiting> waiting_;                         // guarded by mu_
};

}  // namespace reftarget::scsi
