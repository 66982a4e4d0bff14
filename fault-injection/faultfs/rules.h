// The faultfs rule engine: which request gets which fault. Pure logic, no FUSE, so that the
// FUSE daemon, the control protocol and a FaultyBackstore can share one vocabulary (SPDK's
// error bdev: {operation, range, errno | delay | hang | corrupt, count, probability}).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "target/common/status.h"

namespace reftarget::faultfs {

// The operations a rule can select. kAny matches every intercepted operation.
enum class Op { kRead, kWrite, kFsync, kOpen, kAny };

// What a fired rule does. kDelay and kHang are "waits": they stall the request and let the
// remaining rules run; kError, kCorrupt and kShort are "terminal": the first one that fires
// decides the request's outcome.
enum class Action { kError, kDelay, kHang, kCorrupt, kShort };

// A rule as a user writes it.
struct RuleSpec {
  std::string file = "*";  // fnmatch(3) pattern on the path relative to the mount.
  Op op = Op::kAny;
  uint64_t offset = 0;             // Byte range [offset, offset + length).
  std::optional<uint64_t> length;  // nullopt: to the end of the file (no upper bound).
  Action action = Action::kError;
  int error = 0;                  // errno for kError (positive, e.g. EIO).
  uint32_t delay_ms = 0;          // For kDelay.
  uint8_t corrupt_xor = 0xFF;     // For kCorrupt: XORed into every byte in range.
  std::optional<uint64_t> count;  // Fires at most this many times; nullopt: unlimited.
  double probability = 1.0;       // Chance to fire when it matches, in [0, 1].
  std::optional<uint64_t> seed;   // Seed of this rule's draws; nullopt: engine seed ^ id.
};

// Returns Ok if every field of `spec` is in range; the error names the field.
Status ValidateRule(const RuleSpec& spec);

// A rule as the engine holds it: the spec plus its counters.
struct RuleState {
  uint64_t id = 0;
  RuleSpec spec;
  uint64_t hits = 0;     // Times it fired.
  uint64_t skipped = 0;  // Times it matched but its probability draw said no.
  uint64_t hanging = 0;  // Requests waiting in this rule's hang now.
  // Returns true when a count limit exists and has been used up.
  bool Exhausted() const { return spec.count && hits >= *spec.count; }
};

// One intercepted request. Requests without a range (open, fsync) match any rule range.
struct Request {
  std::string_view file;  // Relative to the mount, no leading '/'.
  Op op = Op::kRead;      // Never kAny.
  bool has_range = false;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// One fired rule, copied out so the caller can act without holding the engine's lock.
struct Fault {
  uint64_t rule_id = 0;
  Action action = Action::kError;
  int error = 0;
  uint32_t delay_ms = 0;
  uint8_t corrupt_xor = 0xFF;
  uint64_t range_offset = 0;
  std::optional<uint64_t> range_length;
};

// The faults that fired for one request, in rule order.
struct Verdict {
  std::vector<Fault> waits;       // kDelay and kHang, to be applied first, in order.
  std::optional<Fault> terminal;  // The first kError, kCorrupt or kShort that fired.
  bool empty() const { return waits.empty() && !terminal; }
};

// Why a hang ended.
enum class HangEnd { kReleased, kRuleCleared, kShutdown };

// Returns true if a request for `request_op` is selected by a rule for `rule_op`.
bool OpMatches(Op rule_op, Op request_op);
// Returns true if [a_off, a_off + a_len) meets [b_off, b_off + b_len); nullopt length is
// unbounded. A zero-length request meets a range if its offset lies inside it.
bool RangesOverlap(uint64_t a_off, uint64_t a_len, uint64_t b_off, std::optional<uint64_t> b_len);
// Returns how many bytes a short read or write of [offset, offset + length) moves under
// `fault`: the bytes before the rule's range or, if the request starts inside the range,
// half the request (rounded down to a 512-byte multiple when that leaves at least 512).
uint64_t ShortLength(uint64_t offset, uint64_t length, const Fault& fault);
// XORs fault.corrupt_xor into the bytes of `data` (which holds file bytes starting at
// `offset`) that lie inside the fault's range. Returns the number of bytes changed.
uint64_t ApplyCorruption(uint64_t offset, char* data, uint64_t length, const Fault& fault);

// Thread-safe rule table with hit counters, seeded probability draws, and the wait queue
// that hung requests sleep on.
class RuleEngine {
 public:
  // `seed` feeds the probability draws of rules that carry no seed of their own.
  explicit RuleEngine(uint64_t seed = 0x5EEDFA17u);
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  // Validates and adds a rule; returns its id (ids start at 1 and are never reused).
  Result<uint64_t> Add(const RuleSpec& spec);
  // Returns a snapshot of every rule, exhausted ones included, in id order.
  std::vector<RuleState> List() const;
  // Removes rule `id` and wakes requests hanging in it. Returns false if there is no such rule.
  bool Clear(uint64_t id);
  // Removes every rule and wakes every hung request. Returns how many rules were removed.
  size_t ClearAll();
  // Decides the faults for `request`, counting hits and drawing probabilities.
  Verdict Evaluate(const Request& request);

  // Blocks until the hang of `rule_id` is released, the rule is cleared, or Shutdown().
  HangEnd WaitHang(uint64_t rule_id);
  // Wakes requests hanging in rule `id` (all rules if nullopt); the rule stays and hangs the
  // next requests it matches. Returns how many requests were woken.
  size_t Release(std::optional<uint64_t> id);
  // Sleeps `ms` milliseconds; returns false early if Shutdown() is called.
  bool Sleep(uint32_t ms);
  // Wakes every hang and delay, and makes later hangs and delays return at once.
  void Shutdown();
  bool shut_down() const;
  // Returns the number of requests hanging now.
  uint64_t HangingCount() const;

 private:
  struct Entry {
    RuleState state;
    uint64_t release_epoch = 0;
    std::mt19937_64 rng;
  };
  // Returns true with probability p using `rng` (53-bit draw, same on every platform).
  static bool Draw(std::mt19937_64& rng, double p);

  const uint64_t seed_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_id_ = 1;
  bool shutdown_ = false;
  std::map<uint64_t, Entry> rules_;
};

}  // namespace reftarget::faultfs
