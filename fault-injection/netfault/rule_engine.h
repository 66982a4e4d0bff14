// The netfault rule engine: turns the bytes read from one side of a connection into the
// steps the other side's writer performs (send these bytes not before T, in pieces of at
// most N, at R bytes/s; hold until released; half-close; reset). No sockets and no clock of
// its own: the caller passes `now`, so tests compute every action's effect on a byte stream.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fault-injection/netfault/iscsi_framer.h"
#include "fault-injection/netfault/rules.h"
#include "target/common/status.h"

namespace reftarget::netfault {

// What the engine remembers about one direction of one connection.
struct StreamState {
  // `negotiation`: the connection's login, shared with the other direction (may be null).
  StreamState(uint64_t conn, Direction direction, IscsiNegotiation* negotiation = nullptr)
      : conn_id(conn), dir(direction), framer(direction, negotiation) {}

  // Set once a one-shot rule ends the stream; later bytes are discarded.
  enum class End { kOpen, kReset, kHalfClosed };
  // Per rule and stream: one-shot flag, a drop in progress, the draw generator.
  struct PerRule {
    bool fired = false;               // A one-shot fired here; rate/blackhole: first chunk logged.
    uint64_t drop_left = 0;           // Bytes a kDrop firing still has to discard.
    uint64_t rng = 0;                 // SplitMix64 state, seeded from (rule seed, conn, dir).
    std::vector<uint64_t> pdu_flips;  // Offsets a pdu_byte flip drew, not yet read.
  };

  uint64_t conn_id;
  Direction dir;
  uint64_t offset = 0;  // Bytes read from the source so far: the offset of the next byte.
  End end = End::kOpen;
  std::map<uint64_t, PerRule> per_rule;
  IscsiFramer framer;  // where the iSCSI PDUs begin, for pdu_byte flips
};

// One thing the writer of a direction does, in queue order.
struct Step {
  enum class Kind {
    kData,       // Send `data`.
    kStall,      // Hold everything behind it until released (rule_id's stall).
    kHalfClose,  // shutdown(SHUT_WR) toward the receiver (rule_id's half-close).
    kReset,      // RST both sockets (rule_id's reset).
    kFin,        // The source sent FIN: pass it on with shutdown(SHUT_WR).
    kPeerReset,  // The source reset its connection: reset the receiver too.
  };
  Kind kind = Kind::kData;
  std::string data;        // kData: the bytes.
  uint64_t offset = 0;     // Stream offset of data[0], or where the event happened.
  TimePoint not_before{};  // kData: no byte of it leaves before this (delay).
  uint64_t rate = 0;       // kData: bytes per second cap while it is sent; 0 = none.
  uint64_t max_send = 0;   // kData: largest send() (split); 0 = no limit.
  uint32_t gap_ms = 0;     // kData: pause between its send() calls and before the first.
  uint64_t rule_id = 0;    // The rule behind a kStall / kHalfClose / kReset.
  bool released = false;   // kStall: release has been called for it.
  TimePoint since{};       // kStall: when the stall fired.
};

// The result of running one chunk through the rules.
struct Plan {
  std::vector<Step> steps;
  std::vector<FaultEvent> faults;  // For the fault log, in the order they fired.
  uint64_t dropped = 0;            // Bytes discarded (blackhole, drop, after reset/half-close).
};

// The rule table, its counters and the per-chunk decisions. Not thread-safe: the proxy
// calls it from its event-loop thread only.
class RuleEngine {
 public:
  // `seed` feeds the draws of rules that carry no seed of their own.
  explicit RuleEngine(uint64_t seed = kDefaultSeed);
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  // Validates and adds a rule; `accepted` is the number of connections accepted so far, so
  // that `nth N` binds connection accepted + N. Returns the id (from 1, never reused).
  Result<uint64_t> Add(const RuleSpec& spec, uint64_t accepted = 0);
  // Returns a snapshot of every rule, exhausted ones included, in id order.
  std::vector<RuleState> List() const;
  // Returns true if rule `id` exists.
  bool Contains(uint64_t id) const { return rules_.count(id) > 0; }
  // Removes rule `id`; returns false if there is none.
  bool Clear(uint64_t id);
  // Removes every rule; returns how many there were.
  size_t ClearAll();

  // Runs `data`, the next bytes read from the source of `stream`, through the rules at
  // time `now`, advancing stream->offset. Rules are evaluated in id order on each piece of
  // the chunk between `after` boundaries: delay, rate, split and flip accumulate; stall
  // queues a hold; blackhole and drop discard; reset and half-close end the stream.
  Plan Process(StreamState* stream, std::string data, TimePoint now);

 private:
  struct Entry {
    RuleState state;
    uint64_t seed = 0;
  };
  // Returns true if rule `state` applies to `stream` at all.
  static bool Matches(const RuleState& state, const StreamState& stream);
  // Returns true with probability p, drawing from `per_rule`'s generator.
  static bool Draw(StreamState::PerRule* per_rule, double p);
  // Returns the per-stream state of rule `entry`, creating and seeding it.
  StreamState::PerRule* PerRuleOf(StreamState* stream, const Entry& entry);
  // Evaluates the rules on data[p, q) (stream offset base + p). Returns false if the stream
  // ended (reset or half-close).
  bool Segment(StreamState* stream, std::string* data, uint64_t base, size_t p, size_t q,
               TimePoint now, Plan* plan);
  // Draws, for each pdu_byte flip rule, which of the PDUs in `starts` it will hit.
  void AimPduFlips(StreamState* stream, const std::vector<PduStart>& starts);
  // Applies flip rule `entry` to data[p, q).
  void Flip(Entry* entry, StreamState* stream, std::string* data, uint64_t base, size_t p, size_t q,
            Plan* plan);

  const uint64_t seed_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Entry> rules_;
};

}  // namespace reftarget::netfault
