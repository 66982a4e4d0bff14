// RunResult: what one load-generator run measured and found, and its JSON form for
// report.json (a test's metrics) and for `iscsi-loadgen --json`.
//
// JSON shape ("schema": "iscsi-loadgen/1"); times in seconds, latencies in microseconds:
// {
//   "schema": "iscsi-loadgen/1",
//   "run_id": 3735928559, "seed": 42, "elapsed_s": 3.02, "duration_s": 3,   // 0: I/O count
//   "ok": true,                        // no error and no verification error
//   "totals": COUNTERS + {"read_latency_us": LAT, "write_latency_us": LAT,
//                         "read_iops", "write_iops", "read_mib_s", "write_mib_s",
//                         "outage_s"},
//   "luns": [{"lun": 0, "block_size": 512, "capacity_blocks": N, "lba_first": 0,
//             "lba_count": N, "totals": (as above, without outage_s),
//             "series": [{"t": 0, "seconds": 1, "read_iops", "write_iops", "read_mib_s",
//                         "write_mib_s", "read_latency_us": LAT, "write_latency_us": LAT,
//                         "errors", "retries", "unit_attentions", "verify_errors", ...
//                         every COUNTERS field}, ...]}],
//   "sessions": [{"session": 0, "isid": "0x80123456789a", "connection_losses": 0,
//                 "reconnects": 0, "outage_s": 0, "aborts_sent": 0, "gave_up": false,
//                 "last_error": ""}],
//   "unit_attentions": [{"lun": 0, "session": 1, "sense": "06/29/03", "count": 2}],
//   "error_samples": [{"t_s", "session", "lun", "op", "lba", "blocks", "kind", "detail"}],
//                     (a connection loss has no "lun", "op", "lba", "blocks")
//   "verify_samples": [{"t_s", "session", "lun", "lba", "kind", "found_state",
//                       "found_lun", "found_lba", "found_generation", "found_writer",
//                       "found_run_id", "expected_lo", "expected_hi", "detail"}],
//   "journal": {"path": "...", "records": N}          // only with a journal
// }
// COUNTERS = {"reads", "writes", "read_bytes", "write_bytes", "errors", "retries",
//   "unit_attentions", "busy", "task_set_full", "aborted", "sense_errors", "status_errors",
//   "timeouts", "connection_losses", "transport_errors", "retries_exhausted",
//   "verify_errors", "verified_blocks"}
// LAT = {"count", "p50", "p99", "p999", "max", "mean"}
// Latency is from the first submission to the final completion (retries, back-offs and
// reconnects included): what an application above the midlayer would see.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/loadgen/block_verify.h"
#include "harness/loadgen/counters.h"
#include "harness/loadgen/time_series.h"

namespace harness::loadgen {

// One command that failed for real (an error), as it was seen.
struct IoErrorSample {
  double t_s = 0;
  int session = 0;
  int lun = 0;  // -1: about the whole session (a connection loss); op, lba, blocks unset
  IoOp op = IoOp::kRead;
  uint64_t lba = 0;
  uint32_t blocks = 0;
  Event kind = Event::kSenseError;
  std::string detail;
};

struct UnitAttentionCount {
  int lun = 0;
  int session = 0;
  std::string sense;  // "06/29/03"
  uint64_t count = 0;
};

struct LunResult {
  int lun = 0;
  uint32_t block_size = 0;
  uint64_t capacity_blocks = 0;
  uint64_t lba_first = 0;
  uint64_t lba_count = 0;
  Counters totals;
  LatencySummary read_latency;
  LatencySummary write_latency;
  std::vector<SeriesPoint> series;
  std::vector<uint32_t> fine_completions;  // per kFineBinSeconds (time_series.h)
};

struct SessionResult {
  int session = 0;
  std::string isid;  // "0x80" + 24 random bits + 16-bit qualifier, as on the wire
  uint64_t connection_losses = 0;
  uint64_t reconnects = 0;
  double outage_s = 0;       // total time without a usable connection
  uint64_t aborts_sent = 0;  // ABORT TASK after a timeout
  bool gave_up = false;      // could not reconnect within reconnect_limit
  std::string last_error;
};

struct RunResult {
  uint32_t run_id = 0;
  uint64_t seed = 0;
  double elapsed_s = 0;
  double duration_s = 0;  // configured; 0 for an I/O-count run
  Counters totals;        // sum over LUNs; connection_losses = sum over sessions
  LatencySummary read_latency;
  LatencySummary write_latency;
  double outage_s = 0;
  std::vector<LunResult> luns;
  std::vector<SessionResult> sessions;
  std::vector<UnitAttentionCount> unit_attentions;
  std::vector<IoErrorSample> error_samples;
  std::vector<VerifyError> verify_samples;
  std::string journal_path;
  uint64_t journal_records = 0;  // appended since the generator was created (every run)

  uint64_t errors() const { return totals.errors(); }
  uint64_t verify_errors() const { return totals.verify_errors; }
  // True if nothing failed and nothing read back was wrong.
  bool ok() const { return errors() == 0 && verify_errors() == 0; }
  // Returns the result for LUN number `lun`, or null.
  const LunResult* Lun(int lun) const;
  // Returns how many unit attentions were seen on `lun` (all sessions), optionally only
  // those with sense `triple` ("06/29/03").
  uint64_t UnitAttentions(int lun, const std::string& triple = "") const;
};

// Returns the JSON document described at the top of this file.
nlohmann::json ToJson(const RunResult& result);
nlohmann::json ToJson(const Counters& counters);
nlohmann::json ToJson(const LatencySummary& latency);
// Returns a flat name -> number map for report.json's per-test metrics: "read_iops",
// "write_iops", "read_mib_s", "write_mib_s", "read_p99_us", "write_p99_us", ..., "errors",
// "verify_errors", "retries", "unit_attentions", "outage_s", and the same per LUN
// prefixed "lun<N>." ("lun0.read_iops").
std::map<std::string, double> FlatMetrics(const RunResult& result);
// Returns a few human lines (what the CLI prints).
std::string Summary(const RunResult& result);

}  // namespace harness::loadgen
