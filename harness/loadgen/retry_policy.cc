#include "harness/loadgen/retry_policy.h"

#include <algorithm>

namespace harness::loadgen {

using iscsi::Outcome;
using std::chrono::milliseconds;
namespace scsi_status = iscsi::scsi_status;

const char* RetryActionName(RetryAction action) {
  switch (action) {
    case RetryAction::kDone:
      return "done";
    case RetryAction::kRetry:
      return "retry";
    case RetryAction::kReconnectRetry:
      return "reconnect+retry";
    case RetryAction::kAbortRetry:
      return "abort+retry";
    case RetryAction::kFail:
      return "fail";
  }
  return "?";
}

namespace {

// Linux scsi_io_completion_action(): NOT READY, ASC 04h, with one of these ASCQs is
// ACTION_DELAYED_RETRY (the unit will be ready); any other NOT READY fails the command.
bool IsDelayedRetryNotReady(const iscsi::CommandResult& r) {
  if (!r.decoded.has_key || r.decoded.key != iscsi::sense_key::kNotReady) return false;
  if (r.decoded.asc != 0x04) return false;
  switch (r.decoded.ascq) {
    case 0x01:
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07:
    case 0x08:
    case 0x09:
    case 0x14:
    case 0x1a:
    case 0x1b:
    case 0x1d:
    case 0x24:
    case 0x25:
      return true;
    default:
      return false;
  }
}

}  // namespace

RetryDecision DecideRetry(const iscsi::CommandResult& r, int retries, int busy_retries,
                          milliseconds elapsed, const RetryPolicy& policy) {
  RetryDecision d;
  // The midlayer's overall bound: (allowed + 1) * timeout since the command was first
  // queued; past it even a retryable condition fails the command.
  const bool out_of_time = elapsed >= policy.command_limit * (policy.max_retries + 1);
  const bool retries_left = retries < policy.max_retries && !out_of_time;
  auto retry_or_exhaust = [&](Event event, std::string why) {
    d.event = event;
    if (retries_left) {
      d.action = RetryAction::kRetry;
      d.reason = std::move(why);
    } else {
      d.action = RetryAction::kFail;
      d.event = Event::kRetriesExhausted;
      d.reason = why + " after " + std::to_string(retries) + " retries" +
                 (out_of_time ? " and " + std::to_string(elapsed.count()) + " ms" : "");
    }
  };
  switch (r.outcome) {
    case Outcome::kCompleted:
      break;
    case Outcome::kTimeout:
      d.event = Event::kTimeout;
      d.action = retries_left ? RetryAction::kAbortRetry : RetryAction::kFail;
      d.reason = "timeout: " + r.error;
      return d;
    case Outcome::kConnectionLost:
      d.event = Event::kConnectionLoss;
      d.action = out_of_time ? RetryAction::kFail : RetryAction::kReconnectRetry;
      d.reason = "connection lost: " + r.error;
      return d;
    case Outcome::kCancelled:
      // Ended locally after a TMF this session sent ("Function complete": the target sends
      // no response for it, RFC 7143 §4.2.3.5); the midlayer retries what its own error
      // handler aborted.
      retry_or_exhaust(Event::kAborted, "terminated by a task management function");
      return d;
    case Outcome::kTransportError:
    case Outcome::kNotSent:
      d.event = Event::kTransportError;
      d.action = RetryAction::kFail;
      d.reason = std::string(iscsi::OutcomeName(r.outcome)) + ": " + r.error;
      return d;
  }
  switch (r.status) {
    case scsi_status::kGood:
    case scsi_status::kConditionMet:
      d.action = RetryAction::kDone;
      return d;
    case scsi_status::kBusy:
    case scsi_status::kTaskSetFull: {
      const bool full = r.status == scsi_status::kTaskSetFull;
      d.event = full ? Event::kTaskSetFull : Event::kBusy;
      if (out_of_time) {
        d.action = RetryAction::kFail;
        d.event = Event::kRetriesExhausted;
        d.reason = std::string(full ? "TASK SET FULL" : "BUSY") + " for " +
                   std::to_string(elapsed.count()) + " ms";
        return d;
      }
      d.action = RetryAction::kRetry;
      const int shift = std::clamp(busy_retries, 0, 20);
      d.backoff = std::min(policy.max_backoff, policy.min_backoff * (int64_t{1} << shift));
      d.reason = full ? "TASK SET FULL" : "BUSY";
      return d;
    }
    case scsi_status::kTaskAborted:
      retry_or_exhaust(Event::kAborted, "TASK ABORTED");
      return d;
    case scsi_status::kCheckCondition:
      if (r.decoded.has_key && r.decoded.key == iscsi::sense_key::kUnitAttention) {
        retry_or_exhaust(Event::kUnitAttention, "UNIT ATTENTION " + r.decoded.Triple());
        return d;
      }
      if (IsDelayedRetryNotReady(r)) {
        d.event = Event::kNotReady;
        if (out_of_time) {
          d.action = RetryAction::kFail;
          d.event = Event::kRetriesExhausted;
          d.reason =
              "NOT READY " + r.decoded.Triple() + " for " + std::to_string(elapsed.count()) + " ms";
          return d;
        }
        d.action = RetryAction::kRetry;
        const int shift = std::clamp(busy_retries, 0, 20);
        d.backoff = std::min(policy.max_backoff, policy.min_backoff * (int64_t{1} << shift));
        d.reason = "NOT READY " + r.decoded.Triple();
        return d;
      }
      d.action = RetryAction::kFail;
      d.event = Event::kSenseError;
      d.reason = "CHECK CONDITION " + r.decoded.Describe();
      return d;
    default:
      d.action = RetryAction::kFail;
      d.event = Event::kStatusError;
      d.reason = iscsi::ScsiStatusName(r.status);
      return d;
  }
}

}  // namespace harness::loadgen
