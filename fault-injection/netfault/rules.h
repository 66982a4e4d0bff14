// The netfault rule vocabulary: which bytes of which connection direction get which fault.
// Pure data, no sockets and no JSON, so that the proxy, the control protocol and an
// in-memory transport in target unit tests share one vocabulary (Seastar's loopback error
// injector: one policy per direction returning pass / delay / drop / corrupt / reset).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "target/common/status.h"

namespace reftarget::netfault {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// A stream's direction: kUp carries initiator -> target bytes, kDown target -> initiator.
enum class Direction { kUp, kDown };

// The directions a rule selects.
enum class DirSelector { kUp, kDown, kBoth };

// What a rule does to the bytes it matches.
//   kDelay      every matching chunk is held delay_ms before it may be sent (order kept).
//   kRate       matching bytes leave at most `rate` bytes per second (token bucket).
//   kBlackhole  matching bytes are discarded; the connection stays open.
//   kDrop       each firing discards the next drop_bytes bytes (0: the rest of the chunk).
//   kReset      both sockets are closed with RST (SO_LINGER 0) once earlier bytes are out.
//   kHalfClose  shutdown(SHUT_WR) toward the receiver; later bytes that way are discarded.
//   kFlip       XOR `mask` into the byte at stream offset `at`; or, with `pdu_byte`, into
//               that byte of the BHS of each iSCSI PDU (of `opcode`, if given) beginning at
//               or after `after` that wins its probability draw (iscsi_framer.h); or else
//               into each matching byte that wins its draw.
//   kSplit      matching bytes leave in send() calls of at most `split` bytes, `gap_ms`
//               apart.
//   kStall      the direction holds its bytes from the trigger on until `release`.
enum class Action { kDelay, kRate, kBlackhole, kDrop, kReset, kHalfClose, kFlip, kSplit, kStall };

// Limits that keep one typo from wedging a test run.
inline constexpr uint32_t kMaxDelayMs = 3600 * 1000;
inline constexpr uint32_t kMaxGapMs = 60 * 1000;
inline constexpr uint64_t kMaxRate = 64ull << 30;  // Bytes per second.
inline constexpr uint64_t kMaxSplit = 1ull << 20;
inline constexpr uint64_t kDefaultSeed = 0x5EEDFA17u;
inline constexpr uint32_t kBhsBytes = 48;

// A rule as a user writes it. Fields that do not belong to `action` are ignored.
struct RuleSpec {
  DirSelector dir = DirSelector::kBoth;
  std::optional<uint64_t> conn;   // Only connection id `conn` (ids count accepts from 1).
  std::optional<uint64_t> nth;    // Only the nth connection accepted after the rule is added.
  uint64_t after = 0;             // Acts on stream offsets >= after (bytes read that way).
  std::optional<uint64_t> count;  // Fires at most this many times; nullopt: unlimited.
  double probability = 1.0;       // Chance per chunk (per byte for kFlip without `at`).
  std::optional<uint64_t> seed;   // Seed of this rule's draws; nullopt: engine seed ^ id.
  Action action = Action::kDelay;
  uint32_t delay_ms = 0;             // kDelay: 1..kMaxDelayMs.
  uint64_t rate = 0;                 // kRate: bytes per second, 1..kMaxRate.
  uint64_t drop_bytes = 0;           // kDrop: bytes per firing; 0 = the rest of the chunk.
  std::optional<uint64_t> at;        // kFlip: the one stream offset to flip.
  uint8_t mask = 0x01;               // kFlip: XOR mask, nonzero.
  std::optional<uint32_t> pdu_byte;  // kFlip: the BHS byte (0..47) to flip in iSCSI PDUs.
  std::optional<uint8_t> opcode;     // kFlip with pdu_byte: only PDUs of this opcode.
  uint64_t split = 0;                // kSplit: largest send(), 1..kMaxSplit.
  uint32_t gap_ms = 0;               // kSplit: pause between sends, 0..kMaxGapMs.
};

// Returns Ok if every field of `spec` that its action uses is in range; the error names
// the field.
Status ValidateRule(const RuleSpec& spec);

// Returns true for actions that act at most once per connection direction: kReset,
// kHalfClose and kStall change the stream's state rather than a chunk's bytes.
bool IsOneShot(Action action);

// Returns true if a rule selecting `selector` covers a stream going `dir`.
bool DirMatches(DirSelector selector, Direction dir);

// A rule as the engine holds it: the spec, the connection it is bound to, its counters.
struct RuleState {
  uint64_t id = 0;
  RuleSpec spec;
  std::optional<uint64_t> bound_conn;  // From spec.conn, or resolved from spec.nth at Add.
  uint64_t hits = 0;                   // Times it fired.
  uint64_t skipped = 0;                // Draws it lost (per byte for flip without `at`).
  // Returns true when a count limit exists and has been used up.
  bool Exhausted() const { return spec.count && hits >= *spec.count; }
};

// One injected fault, for the fault log: what happened where in which stream.
struct FaultEvent {
  uint64_t rule_id = 0;
  uint64_t conn_id = 0;
  Direction dir = Direction::kUp;
  uint64_t offset = 0;  // Stream offset of the first byte affected.
  uint64_t length = 0;  // Bytes affected (0 for state changes such as reset).
  Action action = Action::kDelay;
  std::string detail;  // Action parameters, e.g. "delay_ms=200".
};

}  // namespace reftarget::netfault
