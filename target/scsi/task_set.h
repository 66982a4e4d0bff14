// TaskSet: the commands a logical unit is executing, grouped into reset epochs, so that a
// LOGICAL UNIT RESET, CLEAR TASK SET or target reset can abort every command of every I_T
// nexus (SAM-5 §7.7) and learn when the last of them has stopped touching the medium.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace reftarget::scsi {

class TaskSet {
 public:
  // The commands that joined between two aborts.
  class Epoch {
   public:
    // Returns true once an abort has ended this epoch: its commands end with TASK ABORTED.
    bool aborted() const { return aborted_.load(std::memory_order_acquire); }

   private:
    friend class TaskSet;
    std::atomic<uint64_t> live_{0};
    std::atomic<bool> aborted_{false};
    std::mutex mu_;
    std::vector<std::function<void()>> on_drained_;  // guarded by mu_
  };
  using EpochRef = std::shared_ptr<Epoch>;

  TaskSet();

  // Enrolls a command in the current epoch. Returns nullptr if `generation` (the value of
  // generation() when the transport received the command; 0 = unknown) is older than the
  // current one: an abort happened since, so the command is already aborted.
  EpochRef Join(uint64_t generation);
  // Ends a command's membership; the last member of an aborted epoch runs its waiters.
  static void Leave(const EpochRef& epoch);
  // Aborts every command enrolled so far and starts a new epoch. `on_drained` runs once all
  // of them have left (inline if none is live), on whichever thread the last one leaves.
  void AbortAll(std::function<void()> on_drained);
  // Returns the number of aborts so far plus one; stamped on commands at receipt.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::mutex mu_;
  EpochRef current_;  // guarded by mu_
  std::atomic<uint64_t> generation_{1};
};

}  // namespace reftarget::scsi
