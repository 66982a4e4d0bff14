#include "fault-injection/netfault/pipe.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace reftarget::netfault {

Pipe::Pipe(uint64_t conn_id, Direction dir, IscsiNegotiation* negotiation)
    : stream_(conn_id, dir, negotiation) {}

std::vector<FaultEvent> Pipe::Push(RuleEngine* engine, std::string data, TimePoint now) {
  Plan plan = engine->Process(&stream_, std::move(data), now);
  for (Step& step : plan.steps) {
    queued_bytes_ += step.data.size();
    queue_.push_back(std::move(step));
  }
  dropped_bytes_ += plan.dropped;
  return std::move(plan.faults);
}

void Pipe::PushEnd(Step::Kind kind) {
  Step step;
  step.kind = kind;
  step.offset = stream_.offset;
  queue_.push_back(std::move(step));
}

void Pipe::Refill(uint64_t rate, TimePoint now) {
  const double capacity = std::max(1.0, static_cast<double>(rate) / 20.0);
  if (bucket_rate_ == 0) {
    tokens_ = capacity;  // A rate that starts now starts with a full bucket.
  } else {
    const double elapsed = std::chrono::duration<double>(now - refilled_).count();
    tokens_ += std::max(0.0, elapsed) * static_cast<double>(rate);
  }
  tokens_ = std::min(tokens_, capacity);
  bucket_rate_ = rate;
  refilled_ = now;
}

Pipe::Next Pipe::Peek(TimePoint now) {
  Next next;
  while (!queue_.empty()) {
    Step& head = queue_.front();
    if (head.kind == Step::Kind::kStall) {
      if (head.released) {
        queue_.pop_front();
        continue;
      }
      next.kind = Next::Kind::kHeld;
      next.step = &head;
      return next;
    }
    if (head.kind != Step::Kind::kData) {
      next.kind = Next::Kind::kStep;
      next.step = &head;
      return next;
    }
    if (now < head.not_before) {
      next.kind = Next::Kind::kWait;
      next.until = head.not_before;
      return next;
    }
    if (head.gap_ms != 0 && sent_any_) {
      const TimePoint ready = last_send_ + std::chrono::milliseconds(head.gap_ms);
      if (now < ready) {
        next.kind = Next::Kind::kWait;
        next.until = ready;
        return next;
      }
    }
    size_t n = head.data.size() - head_sent_;
    if (head.max_send != 0) n = static_cast<size_t>(std::min<uint64_t>(n, head.max_send));
    if (head.rate != 0) {
      Refill(head.rate, now);
      if (tokens_ < 1.0) {
        const double wait_ns = std::ceil((1.0 - tokens_) * 1e9 / static_cast<double>(head.rate));
        next.kind = Next::Kind::kWait;
        next.until = now + std::chrono::nanoseconds(static_cast<int64_t>(wait_ns));
        return next;
      }
      n = std::min(n, static_cast<size_t>(tokens_));
    } else {
      bucket_rate_ = 0;
    }
    next.kind = Next::Kind::kSend;
    next.data = head.data.data() + head_sent_;
    next.length = n;
    return next;
  }
  return next;
}

void Pipe::Sent(size_t n, TimePoint now) {
  if (queue_.empty() || queue_.front().kind != Step::Kind::kData) return;
  Step& head = queue_.front();
  n = std::min(n, head.data.size() - head_sent_);
  head_sent_ += n;
  sent_bytes_ += n;
  queued_bytes_ -= n;
  if (bucket_rate_ != 0) tokens_ -= static_cast<double>(n);
  last_send_ = now;
  sent_any_ = true;
  if (head_sent_ == head.data.size()) {
    queue_.pop_front();
    head_sent_ = 0;
  }
}

void Pipe::Pop() {
  if (queue_.empty()) return;
  if (queue_.front().kind == Step::Kind::kData) {
    queued_bytes_ -= queue_.front().data.size() - head_sent_;
    head_sent_ = 0;
  }
  queue_.pop_front();
}

std::vector<Step> Pipe::Release(std::optional<uint64_t> id) {
  std::vector<Step> released;
  for (Step& step : queue_) {
    if (step.kind != Step::Kind::kStall || step.released) continue;
    if (id && step.rule_id != *id) continue;
    step.released = true;
    released.push_back(step);
  }
  return released;
}

size_t Pipe::Held(std::optional<uint64_t> id) const {
  size_t held = 0;
  for (const Step& step : queue_) {
    if (step.kind == Step::Kind::kStall && !step.released && (!id || step.rule_id == *id)) ++held;
  }
  return held;
}

uint64_t Pipe::DiscardAll() {
  const uint64_t discarded = queued_bytes_;
  dropped_bytes_ += discarded;
  queue_.clear();
  head_sent_ = 0;
  queued_bytes_ = 0;
  return discarded;
}

}  // namespace reftarget::netfault
