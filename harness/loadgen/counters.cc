#include "harness/loadgen/counters.h"

namespace harness::loadgen {

void Counters::Add(Event event, uint64_t n) {
  switch (event) {
    case Event::kRetry:
      retries += n;
      break;
    case Event::kUnitAttention:
      unit_attentions += n;
      break;
    case Event::kBusy:
      busy += n;
      break;
    case Event::kTaskSetFull:
      task_set_full += n;
      break;
    case Event::kNotReady:
      not_ready += n;
      break;
    case Event::kAborted:
      aborted += n;
      break;
    case Event::kSenseError:
      sense_errors += n;
      break;
    case Event::kStatusError:
      status_errors += n;
      break;
    case Event::kTimeout:
      timeouts += n;
      break;
    case Event::kConnectionLoss:
      connection_losses += n;
      break;
    case Event::kTransportError:
      transport_errors += n;
      break;
    case Event::kRetriesExhausted:
      retries_exhausted += n;
      break;
    case Event::kVerifyError:
      verify_errors += n;
      break;
    case Event::kVerifiedBlock:
      verified_blocks += n;
      break;
  }
}

void Counters::Add(const Counters& o) {
  reads += o.reads;
  writes += o.writes;
  read_bytes += o.read_bytes;
  write_bytes += o.write_bytes;
  retries += o.retries;
  unit_attentions += o.unit_attentions;
  busy += o.busy;
  task_set_full += o.task_set_full;
  not_ready += o.not_ready;
  aborted += o.aborted;
  sense_errors += o.sense_errors;
  status_errors += o.status_errors;
  timeouts += o.timeouts;
  connection_losses += o.connection_losses;
  transport_errors += o.transport_errors;
  retries_exhausted += o.retries_exhausted;
  verify_errors += o.verify_errors;
  verified_blocks += o.verified_blocks;
}

bool IsErrorEvent(Event event) {
  switch (event) {
    case Event::kSenseError:
    case Event::kStatusError:
    case Event::kTimeout:
    case Event::kConnectionLoss:
    case Event::kTransportError:
    case Event::kRetriesExhausted:
      return true;
    default:
      return false;
  }
}

const char* EventName(Event event) {
  switch (event) {
    case Event::kRetry:
      return "retry";
    case Event::kUnitAttention:
      return "unit attention";
    case Event::kBusy:
      return "busy";
    case Event::kTaskSetFull:
      return "task set full";
    case Event::kNotReady:
      return "not ready";
    case Event::kAborted:
      return "aborted";
    case Event::kSenseError:
      return "sense error";
    case Event::kStatusError:
      return "status error";
    case Event::kTimeout:
      return "timeout";
    case Event::kConnectionLoss:
      return "connection loss";
    case Event::kTransportError:
      return "transport error";
    case Event::kRetriesExhausted:
      return "retries exhausted";
    case Event::kVerifyError:
      return "verify error";
    case Event::kVerifiedBlock:
      return "verified block";
  }
  return "?";
}

}  // namespace harness::loadgen
