#include "target/scsi/command_gate.h"

#include <utility>
#include <vector>

#include "target/common/logging.h"

namespace reftarget::scsi {

std::shared_ptr<CommandGate> CommandGate::Create(std::string name) {
  return std::make_shared<CommandGate>(Key(), std::move(name));
}

void CommandGate::Admit(std::function<void()> run, std::function<void()> refuse) {
  if (holds_.load(std::memory_order_acquire) == 0) return run();
  std::unique_lock<std::mutex> lock(mu_);
  if (holds_.load(std::memory_order_relaxed) == 0) {
    lock.unlock();
    return run();
  }
  if (fenced_holds_ > 0) {
    lock.unlock();
    return refuse();
  }
  waiting_.push_back(Waiting{std::move(run), std::move(refuse)});
}

std::shared_ptr<CommandGate::Hold> CommandGate::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  holds_.fetch_add(1, std::memory_order_acq_rel);
  return std::make_shared<Hold>(shared_from_this());
}

bool CommandGate::fenced() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fenced_holds_ > 0;
}

size_t CommandGate::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

void CommandGate::FenceOne() {
  std::deque<Waiting> refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (++fenced_holds_ > 1) return;
    fenced_since_ = std::chrono::steady_clock::now();
    refused.swap(waiting_);
    RT_LOG(kWarn, "scsi") << name_ << ": fenced: commands aborted by task management are "
                          << "still in the backstore; new commands get 02/04/01 until they "
                          << "return (" << refused.size() << " waiting refused)";
  }
  // Outside the lock: a refusal completes a command, which may come straight back here.
  for (Waiting& w : refused) w.refuse();
}

void CommandGate::Release(bool fenced) {
  std::deque<Waiting> runnable;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fenced && --fenced_holds_ == 0) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - fenced_since_)
                          .count();
      RT_LOG(kInfo, "scsi") << name_ << ": fence lifted after " << ms
                            << " ms: the aborted commands have returned";
    }
    if (holds_.fetch_sub(1, std::memory_order_acq_rel) == 1) runnable.swap(waiting_);
  }
  for (Waiting& w : runnable) w.run();
}

CommandGate::Hold::~Hold() {
  bool fenced;
  {
    std::lock_guard<std::mutex> lock(gate_->mu_);
    fenced = fenced_;
  }
  gate_->Release(fenced);
}

void CommandGate::Hold::Fence() {
  {
    std::lock_guard<std::mutex> lock(gate_->mu_);
    if (fenced_) return;
    fenced_ = true;
  }
  gate_->FenceOne();
}

}  // namespace reftarget::scsi
