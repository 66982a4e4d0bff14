// What the load generator does with a command's result, modelled on Linux's SCSI midlayer
// (drivers/scsi/scsi_error.c scsi_decide_disposition() and scsi_lib.c
// scsi_io_completion_action()), so that a target is judged by what a Linux initiator would
// actually report to its applications:
//   - CHECK CONDITION with UNIT ATTENTION (06/xx/xx): recorded and retried at once (SAM-5
//     §5.14: the condition is reported once per I_T nexus, so the retry normally succeeds).
//   - BUSY, TASK SET FULL: recorded, retried after a short back-off (the midlayer requeues
//     with a ~3 ms device-blocked delay; here it doubles up to max_backoff).
//   - NOT READY with ASC 04h and an ASCQ the midlayer waits out (01h becoming ready, 04h
//     format in progress, 07h operation in progress, ...: scsi_io_completion_action's
//     ACTION_DELAYED_RETRY): recorded, retried after the same back-off, bounded only by the
//     overall time limit, as a fenced LUN that recovers by itself expects.
//   - TASK ABORTED status (TAS=1, another nexus's TMF) and commands ended locally by a TMF:
//     recorded, retried (the midlayer retries TASK ABORTED while retries remain).
//   - Timeout: an error; the command is aborted (ABORT TASK, else a reconnect) and then
//     retried, as the midlayer's error handler does.
//   - Connection loss: an error (counted once per outage by the caller); the session
//     reconnects and the command is retried (iSCSI session recovery re-queues it).
//   - Any other sense, any other status, a transport error: an error, not retried.
// Retries stop after max_retries (Linux sd: SD_MAX_RETRIES = 5) or once the command has
// been going for (max_retries + 1) x its time limit (the midlayer's wait_for bound): an
// endless stream of unit attentions becomes an error.
#pragma once

#include <chrono>
#include <string>

#include "harness/iscsi/command_result.h"
#include "harness/loadgen/counters.h"

namespace harness::loadgen {

struct RetryPolicy {
  int max_retries = 5;
  std::chrono::milliseconds command_limit{30000};  // one attempt's time limit
  std::chrono::milliseconds min_backoff{3};        // first BUSY / TASK SET FULL back-off
  std::chrono::milliseconds max_backoff{100};
};

enum class RetryAction {
  kDone,            // GOOD: the command succeeded
  kRetry,           // submit again after `backoff` (0: at once)
  kReconnectRetry,  // the connection is gone: reconnect, then submit again
  kAbortRetry,      // timed out: abort it (or reconnect), then submit again
  kFail,            // a real failure: count `event` as an error and give up
};

struct RetryDecision {
  RetryAction action = RetryAction::kDone;
  // What to record: kUnitAttention, kBusy, kTaskSetFull, kAborted for retries; the error
  // kind for kFail / kAbortRetry / kReconnectRetry (kTimeout, kConnectionLoss, ...).
  Event event = Event::kRetry;
  std::chrono::milliseconds backoff{0};
  std::string reason;  // for logs and error samples
};

// Decides what to do with `result`, the outcome of attempt `retries` + 1 of a command
// first submitted `elapsed` ago. `busy_retries` counts the BUSY / TASK SET FULL retries so
// far (they set the back-off and do not use up `retries`, as in the midlayer).
RetryDecision DecideRetry(const iscsi::CommandResult& result, int retries, int busy_retries,
                          std::chrono::milliseconds elapsed, const RetryPolicy& policy);

// Returns "done", "retry", "reconnect+retry", "abort+retry", "fail".
const char* RetryActionName(RetryAction action);

}  // namespace harness::loadgen
