// The isolation suite's judgements, as pure functions over what was measured, unit-tested on
// synthetic data (isolation_oracle_test.cc):
//   - an unaffected LUN during another LUN's fault: no error, at least 80% of its throughput
//     and at most twice its p99 latency (against the stretches before the fault and after
//     its clearing);
//   - the faulty LUN: the exact sense the fault calls for (TEST-PLAN S17: 03/11/00 read,
//     03/0C/00 write or flush, 07/27/07 out of space), nothing a target must never answer
//     (a dropped connection, another sense);
//   - task management and logins answered in time (TEST-PLAN T31).
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/loadgen/fine_rate.h"
#include "harness/loadgen/run_result.h"
#include "suites/isolation/isolation_config.h"

namespace harness::isolation {

using loadgen::Span;

// A LUN's figures over some spans of its run.
struct PhaseStats {
  double iops = 0;
  double seconds = 0;
  double p99_us = 0;  // mean over the whole seconds inside the spans of max(read, write) p99
  size_t p99_points = 0;
};

// Returns `lun`'s figures over `spans` (rate from its 50 ms bins, p99 from its per-second
// points that lie wholly inside a span).
PhaseStats StatsOver(const loadgen::LunResult& lun, const std::vector<Span>& spans);

// Returns the problems of an unaffected LUN `name` ("" if none): any error or wrong block
// over its whole run (`errors`, `verify_errors`), its IOPS during the fault below
// min_iops_ratio x its IOPS outside it, or its p99 above max_p99_ratio x and more than
// p99_slack_us above it.
std::vector<std::string> JudgeUnaffected(const std::string& name, uint64_t errors,
                                         uint64_t verify_errors, const PhaseStats& outside,
                                         const PhaseStats& during, const Thresholds& thresholds);

// What the faulty LUN's errors may and must be for one fault kind.
struct FaultyLunRule {
  // At least one CHECK CONDITION with one of these triples ("03/11/00"); empty: none needed.
  std::set<std::string> required_senses;
  // Further triples it may also get (the fence's 02/04/01 is always allowed as a retry).
  std::set<std::string> allowed_senses;
  bool timeouts_allowed = false;  // a hang: the initiator's own timer fires
  bool errors_allowed = true;     // false: the fault only slows the LUN (latency, unlink)
  // A network fault: the session must lose its connection at least once (and recover);
  // otherwise a lost connection is a failure (a backstore fault is answered with status).
  bool connection_loss_expected = false;
  // A network fault that may or may not cost the connection (a crawl, a blackhole that the
  // initiator's timers may or may not notice first).
  bool connection_loss_allowed = false;
};

// Counts the faulty LUN's failed commands by kind: "03/11/00" for a CHECK CONDITION (from
// the sample's detail), else the event's name ("timeout", "connection loss", ...).
std::map<std::string, uint64_t> ErrorKinds(const std::vector<loadgen::IoErrorSample>& samples,
                                           int lun);

// Returns the problems of the faulty LUN (empty if none) given its error `kinds`, its error
// count and the connection losses of its session.
std::vector<std::string> JudgeFaultyLun(const std::map<std::string, uint64_t>& kinds,
                                        uint64_t errors, uint64_t connection_losses,
                                        const FaultyLunRule& rule);

// Returns "" if `took` is at most `limit`, else "`what` took N ms (at most M ms)".
std::string JudgeWithin(const std::string& what, std::chrono::milliseconds took,
                        std::chrono::milliseconds limit);

}  // namespace harness::isolation
