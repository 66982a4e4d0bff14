// FaultyBackstore: a decorator that injects faults into another store, with the rule
// vocabulary of faultfs and SPDK's error bdev — {operation, byte range, fail with errno |
// delay | hang until released | corrupt a byte on read, count, probability}. SCSI unit tests
// use it to drive sense codes, timeouts and isolation without FUSE.
#pragma once

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "target/backstore/backstore.h"
#include "target/common/status.h"

namespace reftarget::backstore {

enum class FaultAction {
  kFail,     // complete with `error` without touching the inner store (inline)
  kDelay,    // forward to the inner store after `delay_ms`
  kHang,     // hold the operation until ReleaseHung() (or destruction), then forward it
  kCorrupt,  // reads only: forward, then XOR `corrupt_xor` into the first byte of the overlap
};

struct FaultRule {
  IoType op = IoType::kRead;
  // Byte range; an operation matches if it overlaps it. Flush has no range and matches any.
  uint64_t offset = 0;
  uint64_t length = std::numeric_limits<uint64_t>::max();
  FaultAction action = FaultAction::kFail;
  int error = EIO;             // kFail: a positive errno
  uint32_t delay_ms = 0;       // kDelay: at most kMaxDelayMs
  uint8_t corrupt_xor = 0xFF;  // kCorrupt: nonzero
  int64_t count = -1;          // how many operations it fires for; -1 = forever
  double probability = 1.0;    // chance that a matching operation fires, in [0, 1]
};

class FaultyBackstore : public Backstore {
 public:
  static constexpr uint32_t kMaxDelayMs = 3'600'000;

  // Wraps `inner`. `seed` makes probabilistic rules reproducible. Starts one timer thread
  // that forwards delayed and released operations, so no caller's thread ever waits.
  explicit FaultyBackstore(std::unique_ptr<Backstore> inner, uint64_t seed = 1);
  // Forwards every hung and delayed operation at once (each completion still runs exactly
  // once), then destroys the inner store, which drains it.
  ~FaultyBackstore() override;

  FaultyBackstore(const FaultyBackstore&) = delete;
  FaultyBackstore& operator=(const FaultyBackstore&) = delete;

  // Adds a rule, checked after the existing ones (the first rule that fires decides).
  // Returns its id, or an error naming the bad field. Thread-safe.
  Result<uint64_t> AddRule(const FaultRule& rule);
  // Removes rule `id`; returns false if there is none. Held operations stay held.
  bool RemoveRule(uint64_t id);
  // Removes every rule. Held operations stay held until ReleaseHung().
  void ClearRules();
  // Forwards every held operation to the inner store; returns how many.
  size_t ReleaseHung();
  // Returns the number of operations held by kHang rules right now.
  size_t hung() const;
  // Returns how many times rule `id` fired (0 for an unknown id).
  uint64_t fired(uint64_t id) const;
  // Returns the wrapped store.
  Backstore& inner() { return *inner_; }

  uint64_t size_bytes() const override { return inner_->size_bytes(); }
  Capabilities capabilities() const override { return inner_->capabilities(); }
  std::string kind() const override { return inner_->kind(); }
  bool Supports(IoType type) const override { return inner_->Supports(type); }
  void Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) override;
  void Write(uint64_t offset, std::span<const uint8_t> buf, bool fua, IoCompletion done) override;
  void Flush(IoCompletion done) override;
  void Unmap(uint64_t offset, uint64_t length, IoCompletion done) override;
  bool IsDeallocated(uint64_t offset, uint64_t length) const override {
    return inner_->IsDeallocated(offset, length);
  }
  Status SetWriteBack(bool enabled) override { return inner_->SetWriteBack(enabled); }
  Status Resize(uint64_t new_size) override { return inner_->Resize(new_size); }

 private:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;

  struct Entry {
    uint64_t id;
    FaultRule rule;
    uint64_t fired = 0;
  };
  // What Match() decided for one operation.
  struct Decision {
    bool fire = false;
    FaultRule rule;
  };

  // Returns the first rule that matches and fires, consuming one of its count.
  Decision Match(IoType type, uint64_t offset, uint64_t length);
  // Runs `forward` as the decision says: now, after a delay, or when released.
  void Dispatch(const Decision& decision, Task forward);
  void TimerLoop();

  std::unique_ptr<Backstore> inner_;

  mutable std::mutex rules_mu_;
  std::vector<Entry> rules_;            // guarded by rules_mu_
  std::map<uint64_t, uint64_t> fired_;  // id -> count, kept after removal; rules_mu_
  uint64_t next_id_ = 1;                // guarded by rules_mu_
  std::mt19937_64 rng_;                 // guarded by rules_mu_

  mutable std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  std::multimap<Clock::time_point, Task> timers_;  // guarded by timer_mu_
  std::vector<Task> hung_;                         // guarded by timer_mu_
  bool stopping_ = false;                          // guarded by timer_mu_
  std::thread timer_thread_;                       // last: started after everything it uses exists
};

}  // namespace reftarget::backstore
