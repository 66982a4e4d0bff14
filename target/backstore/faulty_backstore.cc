#include "target/backstore/faulty_backstore.h"

#include <errno.h>

#include <algorithm>
#include <utility>

namespace reftarget::backstore {
namespace {

bool Overlaps(uint64_t a_offset, uint64_t a_length, uint64_t b_offset, uint64_t b_length) {
  uint64_t a_end = a_offset + std::min(a_length, UINT64_MAX - a_offset);
  uint64_t b_end = b_offset + std::min(b_length, UINT64_MAX - b_offset);
  // A zero-length operation matches a rule whose range contains its offset.
  if (a_length == 0) return a_offset >= b_offset && a_offset < b_end;
  return a_offset < b_end && b_offset < a_end;
}

}  // namespace

FaultyBackstore::FaultyBackstore(std::unique_ptr<Backstore> inner, uint64_t seed)
    : inner_(std::move(inner)), rng_(seed), timer_thread_([this] { TimerLoop(); }) {}

FaultyBackstore::~FaultyBackstore() {
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  timer_thread_.join();
  // inner_ is destroyed after this body, draining whatever was forwarded to it.
}

Result<uint64_t> FaultyBackstore::AddRule(const FaultRule& rule) {
  if (rule.action == FaultAction::kFail && rule.error <= 0) {
    return Status::Error("fault rule: error " + std::to_string(rule.error) +
                         ": must be a positive errno");
  }
  if (rule.action == FaultAction::kDelay && rule.delay_ms > kMaxDelayMs) {
    return Status::Error("fault rule: delay_ms " + std::to_string(rule.delay_ms) + ": at most " +
                         std::to_string(kMaxDelayMs));
  }
  if (rule.action == FaultAction::kCorrupt) {
    if (rule.op != IoType::kRead) {
      return Status::Error("fault rule: action corrupt: applies to reads only");
    }
    if (rule.corrupt_xor == 0) return Status::Error("fault rule: corrupt_xor 0: flips nothing");
  }
  if (rule.count < -1 || rule.count == 0) {
    return Status::Error("fault rule: count " + std::to_string(rule.count) +
                         ": must be -1 (forever) or positive");
  }
  if (!(rule.probability >= 0.0 && rule.probability <= 1.0)) {
    return Status::Error("fault rule: probability " + std::to_string(rule.probability) +
                         ": must be in [0, 1]");
  }
  std::lock_guard<std::mutex> lock(rules_mu_);
  uint64_t id = next_id_++;
  rules_.push_back(Entry{id, rule, 0});
  fired_[id] = 0;
  return id;
}

bool FaultyBackstore::RemoveRule(uint64_t id) {
  std::lock_guard<std::mutex> lock(rules_mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [id](const Entry& e) { return e.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  return true;
}

void FaultyBackstore::ClearRules() {
  std::lock_guard<std::mutex> lock(rules_mu_);
  rules_.clear();
}

size_t FaultyBackstore::ReleaseHung() {
  size_t n;
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    n = hung_.size();
    Clock::time_point now = Clock::now();
    for (Task& task : hung_) timers_.emplace(now, std::move(task));
    hung_.clear();
  }
  timer_cv_.notify_all();
  return n;
}

size_t FaultyBackstore::hung() const {
  std::lock_guard<std::mutex> lock(timer_mu_);
  return hung_.size();
}

uint64_t FaultyBackstore::fired(uint64_t id) const {
  std::lock_guard<std::mutex> lock(rules_mu_);
  auto it = fired_.find(id);
  return it == fired_.end() ? 0 : it->second;
}

FaultyBackstore::Decision FaultyBackstore::Match(IoType type, uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(rules_mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    const FaultRule& rule = it->rule;
    if (rule.op != type) continue;
    if (type != IoType::kFlush && !Overlaps(offset, length, rule.offset, rule.length)) continue;
    if (rule.probability < 1.0) {
      std::uniform_real_distribution<double> coin(0.0, 1.0);
      if (!(coin(rng_) < rule.probability)) continue;
    }
    Decision decision{true, rule};
    ++fired_[it->id];
    if (it->rule.count > 0 && --it->rule.count == 0) rules_.erase(it);
    return decision;
  }
  return Decision{};
}

void FaultyBackstore::Dispatch(const Decision& decision, Task forward) {
  if (!decision.fire) {
    forward();
    return;
  }
  switch (decision.rule.action) {
    case FaultAction::kDelay: {
      std::lock_guard<std::mutex> lock(timer_mu_);
      timers_.emplace(Clock::now() + std::chrono::milliseconds(decision.rule.delay_ms),
                      std::move(forward));
      break;
    }
    case FaultAction::kHang: {
      std::lock_guard<std::mutex> lock(timer_mu_);
      hung_.push_back(std::move(forward));
      return;  // nothing to wake
    }
    case FaultAction::kFail:
    case FaultAction::kCorrupt:
      forward();  // the callers handle these before dispatching
      return;
  }
  timer_cv_.notify_all();
}

void FaultyBackstore::TimerLoop() {
  std::unique_lock<std::mutex> lock(timer_mu_);
  for (;;) {
    if (stopping_) {
      // Hung and delayed operations go through now so that every completion runs once.
      for (Task& task : hung_) timers_.emplace(Clock::time_point::min(), std::move(task));
      hung_.clear();
      if (timers_.empty()) return;
    } else if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    } else if (timers_.begin()->first > Clock::now()) {
      timer_cv_.wait_until(lock, timers_.begin()->first);
      continue;
    }
    Task task = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    lock.unlock();
    task();
    task = nullptr;
    lock.lock();
  }
}

void FaultyBackstore::Read(uint64_t offset, std::span<uint8_t> buf, IoCompletion done) {
  Decision d = Match(IoType::kRead, offset, buf.size());
  if (d.fire && d.rule.action == FaultAction::kFail) {
    done(IoResult{d.rule.error});
    return;
  }
  if (d.fire && d.rule.action == FaultAction::kCorrupt) {
    uint64_t start = std::max(offset, d.rule.offset);
    uint64_t index = start - offset;  // < buf.size(): the ranges overlap
    uint8_t mask = d.rule.corrupt_xor;
    inner_->Read(offset, buf, [buf, index, mask, done = std::move(done)](IoResult r) {
      if (r.ok() && index < buf.size()) buf[index] ^= mask;
      done(r);
    });
    return;
  }
  Dispatch(d, [this, offset, buf, done = std::move(done)]() mutable {
    inner_->Read(offset, buf, std::move(done));
  });
}

void FaultyBackstore::Write(uint64_t offset, std::span<const uint8_t> buf, bool fua,
                            IoCompletion done) {
  Decision d = Match(IoType::kWrite, offset, buf.size());
  if (d.fire && d.rule.action == FaultAction::kFail) {
    done(IoResult{d.rule.error});
    return;
  }
  Dispatch(d, [this, offset, buf, fua, done = std::move(done)]() mutable {
    inner_->Write(offset, buf, fua, std::move(done));
  });
}

void FaultyBackstore::Flush(IoCompletion done) {
  Decision d = Match(IoType::kFlush, 0, 0);
  if (d.fire && d.rule.action == FaultAction::kFail) {
    done(IoResult{d.rule.error});
    return;
  }
  Dispatch(d, [this, done = std::move(done)]() mutable { inner_->Flush(std::move(done)); });
}

void FaultyBackstore::Unmap(uint64_t offset, uint64_t length, IoCompletion done) {
  Decision d = Match(IoType::kUnmap, offset, length);
  if (d.fire && d.rule.action == FaultAction::kFail) {
    done(IoResult{d.rule.error});
    return;
  }
  Dispatch(d, [this, offset, length, done = std::move(done)]() mutable {
    inner_->Unmap(offset, length, std::move(done));
  });
}

}  // namespace reftarget::backstore
