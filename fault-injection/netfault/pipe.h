// One direction of one proxied connection, without sockets: the rule engine's steps in
// queue order and the shaping that decides when and how many bytes the next send() may
// carry (delay, token-bucket rate, split size and gap, stall holds). The proxy drives it
// with real sockets; tests drive it with a virtual clock.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "fault-injection/netfault/rule_engine.h"

namespace reftarget::netfault {

class Pipe {
 public:
  // `negotiation`: the connection's iSCSI login, shared by its two pipes (may be null).
  Pipe(uint64_t conn_id, Direction dir, IscsiNegotiation* negotiation = nullptr);
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Runs `data`, bytes just read from the source, through `engine` and queues the steps.
  // Returns the faults that fired, for the log.
  std::vector<FaultEvent> Push(RuleEngine* engine, std::string data, TimePoint now);
  // Queues the source's end. REQUIRES: kind is Step::Kind::kFin or Step::Kind::kPeerReset.
  void PushEnd(Step::Kind kind);

  // What the writer should do next.
  struct Next {
    enum class Kind {
      kIdle,  // Nothing queued.
      kSend,  // send() data[0, length) now.
      kWait,  // Nothing may leave before `until` (delay, rate, gap).
      kHeld,  // A stall holds the queue until released; `step` is the stall.
      kStep,  // Carry out `step` (kHalfClose, kReset, kFin, kPeerReset), then Pop().
    };
    Kind kind = Kind::kIdle;
    const char* data = nullptr;
    size_t length = 0;
    TimePoint until{};
    const Step* step = nullptr;
  };
  // Returns what to do at `now`. Released stalls at the head are passed here.
  Next Peek(TimePoint now);
  // Records that send() took `n` bytes of the last kSend at `now`.
  void Sent(size_t n, TimePoint now);
  // Removes the head step after the caller carried out a kStep.
  void Pop();
  // Releases the stalls of rule `id` (of every rule if nullopt). Returns copies of the
  // stalls released, for the log.
  std::vector<Step> Release(std::optional<uint64_t> id);
  // Returns the number of unreleased stalls of rule `id` (of every rule if nullopt).
  size_t Held(std::optional<uint64_t> id) const;
  // Discards everything queued (the receiver is gone). Returns the data bytes discarded.
  uint64_t DiscardAll();

  const StreamState& stream() const { return stream_; }
  bool empty() const { return queue_.empty(); }
  size_t queued_steps() const { return queue_.size(); }
  uint64_t queued_bytes() const { return queued_bytes_; }
  uint64_t read_bytes() const { return stream_.offset; }
  uint64_t sent_bytes() const { return sent_bytes_; }
  uint64_t dropped_bytes() const { return dropped_bytes_; }

 private:
  // Refills the token bucket for `rate` bytes/s at `now`.
  void Refill(uint64_t rate, TimePoint now);

  StreamState stream_;
  std::deque<Step> queue_;
  size_t head_sent_ = 0;  // Bytes of queue_.front() already sent.
  uint64_t queued_bytes_ = 0;
  uint64_t sent_bytes_ = 0;
  uint64_t dropped_bytes_ = 0;
  // Token bucket: holds up to 50 ms worth of bytes (at least one byte).
  uint64_t bucket_rate_ = 0;  // 0: the last data sent was not rate-limited.
  double tokens_ = 0;
  TimePoint refilled_{};
  TimePoint last_send_{};
  bool sent_any_ = false;
};

}  // namespace reftarget::netfault
