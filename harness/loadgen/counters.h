// Counters: what the load generator counts per second, per LUN and per run. One struct so
// that a time-series point, a LUN total and the run total add up the same way.
#pragma once

#include <cstdint>

namespace harness::loadgen {

enum class IoOp { kRead, kWrite };

// Things that happen to commands, besides their completion.
enum class Event {
  kRetry,             // a command was submitted again (any reason below)
  kUnitAttention,     // CHECK CONDITION, sense key UNIT ATTENTION (retried)
  kBusy,              // status BUSY (backed off, retried)
  kTaskSetFull,       // status TASK SET FULL (backed off, retried)
  kNotReady,          // NOT READY, becoming ready or similar (02/04/01 ...): backed off, retried
  kAborted,           // status TASK ABORTED, or ended locally by a TMF (retried)
  kSenseError,        // CHECK CONDITION with any other sense: an error
  kStatusError,       // any other status (RESERVATION CONFLICT, ACA ACTIVE, ...): an error
  kTimeout,           // no response within the command's limit: an error
  kConnectionLoss,    // the connection dropped (one per outage, not per command): an error
  kTransportError,    // libiscsi reported a protocol error, or a short Data-In: an error
  kRetriesExhausted,  // a retryable condition hit the retry limit: an error
  kVerifyError,       // a block read back was wrong (see block_verify.h)
  kVerifiedBlock,     // a block read back was checked
};

struct Counters {
  uint64_t reads = 0;
  uint64_t writes = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t retries = 0;
  uint64_t unit_attentions = 0;
  uint64_t busy = 0;
  uint64_t task_set_full = 0;
  uint64_t not_ready = 0;
  uint64_t aborted = 0;
  uint64_t sense_errors = 0;
  uint64_t status_errors = 0;
  uint64_t timeouts = 0;
  uint64_t connection_losses = 0;
  uint64_t transport_errors = 0;
  uint64_t retries_exhausted = 0;
  uint64_t verify_errors = 0;
  uint64_t verified_blocks = 0;

  // Returns the real failures: every error kind above (verification errors excluded).
  uint64_t errors() const {
    return sense_errors + status_errors + timeouts + connection_losses + transport_errors +
           retries_exhausted;
  }
  // Counts one completed I/O of `bytes`.
  void AddIo(IoOp op, uint64_t bytes) {
    if (op == IoOp::kRead) {
      ++reads;
      read_bytes += bytes;
    } else {
      ++writes;
      write_bytes += bytes;
    }
  }
  // Counts `n` occurrences of `event`.
  void Add(Event event, uint64_t n = 1);
  // Adds every counter of `other`.
  void Add(const Counters& other);
};

// Returns true for the events that are errors (Counters::errors()).
bool IsErrorEvent(Event event);
// Returns "retry", "unit attention", ...
const char* EventName(Event event);

}  // namespace harness::loadgen
