// The report model: one run of iscsi-harness against one target, as report.json holds it.
// schema/report.schema.json is the source of truth; these structs mirror it field by field.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::reports {

// The schema version this library writes, and the highest 1.x it reads.
inline constexpr std::string_view kSchemaVersion = "1.1";

// PASS: checked and correct. FAIL: checked and wrong. SKIP: not run (reason says why).
// XFAIL: failed as a known, recorded defect (reason names it). DESIGN.md: nothing the
// harness cannot check is PASS.
enum class Outcome { kPass, kFail, kSkip, kXfail };

// Returns "PASS", "FAIL", "SKIP" or "XFAIL".
std::string_view OutcomeName(Outcome outcome);
// Returns the outcome spelled `name` as OutcomeName() spells it; nullopt otherwise.
std::optional<Outcome> ParseOutcome(std::string_view name);

enum class Adapter { kReference, kTgt, kLio, kScst, kUrl, kIstgt };
// Returns the schema spelling: "reference", "tgt", "lio", "scst", "url", "istgt".
std::string_view AdapterName(Adapter adapter);
// Returns the adapter spelled `name`; nullopt otherwise.
std::optional<Adapter> ParseAdapter(std::string_view name);

// kLoadgen: a suite run inside iscsi-harness that drives the verifying load generator
// (harness/loadgen) while it changes the target (hotplug, isolation).
enum class SuiteKind { kGtest, kIscsiTestCu, kFio, kExternal, kLoadgen };
// Returns the schema spelling: "gtest", "iscsi-test-cu", "fio", "external", "loadgen".
std::string_view SuiteKindName(SuiteKind kind);
// Returns the kind spelled `name`; nullopt otherwise.
std::optional<SuiteKind> ParseSuiteKind(std::string_view name);

struct Host {
  std::string hostname;
  std::string kernel;
  int cpus = 1;
  uint64_t memory_bytes = 0;
};

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
};

struct Target {
  Adapter adapter = Adapter::kReference;
  std::string portal;  // "127.0.0.1:3260", "[::1]:3260"
  std::string iqn;     // empty: not known
  std::string vendor;  // INQUIRY T10 VENDOR IDENTIFICATION, trimmed
  std::string product;
  std::string revision;
  std::map<std::string, std::string> versions;      // component -> version
  nlohmann::json probe = nlohmann::json::object();  // VPD B0/B2, opcodes, login keys
};

struct Run {
  std::string run_id;
  std::string harness_version;
  std::string started_at;  // RFC 3339 UTC, e.g. "2024-05-01T12:00:00Z"
  std::string ended_at;
  Host host;
  std::vector<std::string> command_line;
  std::string profile;  // "quick", "full", ...
  std::optional<Shard> shard;
  Target target;
  nlohmann::json config = nlohmann::json::object();
};

struct OutcomeCounts {
  int64_t pass = 0;
  int64_t fail = 0;
  int64_t skip = 0;
  int64_t xfail = 0;

  int64_t total() const { return pass + fail + skip + xfail; }
  // Adds one result with `outcome`.
  void Add(Outcome outcome);
  // Returns the count for `outcome`.
  int64_t Get(Outcome outcome) const;
  bool operator==(const OutcomeCounts&) const = default;
};

struct SuiteResult {
  std::string name;
  SuiteKind kind = SuiteKind::kGtest;
  double duration_s = 0;
  OutcomeCounts counts;
};

// What a failed check expected and saw; every field optional (empty: not recorded).
struct Failure {
  std::string expected;  // "CHECK CONDITION 05/21/00 LBA OUT OF RANGE"
  std::string actual;
  std::string cdb_hex;    // lower-case hex, no separators
  std::string sense_hex;  // lower-case hex, no separators
  std::string message;

  bool empty() const;
};

// One sample of a time series: `value` over the interval that starts at `t_s`.
struct TimePoint {
  double t_s = 0;  // seconds since the series started
  double value = 0;
};

// Something done to the target while the series ran: an instant ("add LUN 3"), or a span
// [t_s, end_s] ("change window").
struct SeriesMarker {
  double t_s = 0;
  std::optional<double> end_s;
  std::string label;
};

// What a test measured over time, e.g. LUN A's IOPS per second while LUNs were changed, with
// the changes marked (the hotplug suite; rendered as a line chart in index.html).
struct TimeSeries {
  std::string name;  // "lun_a_iops"
  std::string unit;  // "IOPS"
  std::vector<TimePoint> points;
  std::vector<SeriesMarker> markers;
};

struct TestResult {
  std::string suite;
  std::string name;    // stable id "Suite.Family.Test"
  std::string family;  // command or protocol family, e.g. "Read10", "Login"
  Outcome outcome = Outcome::kPass;
  std::string reason;  // required for FAIL, SKIP and XFAIL
  double duration_s = 0;
  std::string clause;  // "RFC 7143 §11.5.1", "SBC-3 5.8"
  std::optional<Failure> failure;
  std::map<std::string, double> metrics;
  std::vector<TimeSeries> series;  // since schema 1.1
  std::string log_excerpt;
};

// Returns `r`'s metric `key`, or `fallback` if it has none.
inline double MetricOr(const TestResult& r, const std::string& key, double fallback = -1) {
  auto it = r.metrics.find(key);
  return it == r.metrics.end() ? fallback : it->second;
}

enum class Better { kHigher, kLower };

// One performance cell, e.g. IOPS of job randread-4k-qd32 on backstore fileio.
struct Metric {
  std::string suite;
  std::string name;  // "iops", "bw", "lat_p99"
  std::map<std::string, std::string> labels;
  std::string unit;  // "IOPS", "MiB/s", "us"
  double value = 0;  // the figure compared across runs (e.g. median of samples)
  std::vector<double> samples;
  std::optional<double> spread;  // relative: stddev / mean, a fraction
  Better better = Better::kHigher;

  // Returns "suite/name{k=v,...}": the identity used to match metrics across runs.
  std::string Key() const;
};

struct Totals {
  OutcomeCounts counts;
  double duration_s = 0;
};

struct Report {
  std::string schema_version = std::string(kSchemaVersion);
  Run run;
  std::vector<SuiteResult> suites;
  std::vector<TestResult> tests;
  std::vector<Metric> metrics;
  Totals totals;
};

// The headline of a run: FAIL if anything failed; NOTHING CHECKED if no test passed or
// xfailed (all skipped, or none); PASS otherwise.
enum class Verdict { kPass, kFail, kNothingChecked };
// Returns the verdict for `counts`.
Verdict VerdictOf(const OutcomeCounts& counts);
// Returns "PASS", "FAIL" or "NOTHING CHECKED".
std::string_view VerdictName(Verdict verdict);

// Sets every suite's counts from the tests that name it and the totals from the suites
// (counts and duration). Tests naming an unknown suite get a suite of kind "external".
void RecomputeCounts(Report* report);

// Returns the relative spread (population stddev / |mean|) of `samples`; nullopt for fewer
// than two samples or a zero mean.
std::optional<double> RelativeSpread(const std::vector<double>& samples);

// Returns "Suite.Family" of the stable id "Suite.Family.Test" (the JUnit classname); the id
// itself if it has fewer than two dots.
std::string_view TestClassName(std::string_view id);
// Returns "Test" of "Suite.Family.Test" (everything after the second dot); the id itself
// if it has fewer than two dots.
std::string_view TestShortName(std::string_view id);

// JSON conversion, found by nlohmann::json through ADL. from_json expects a document that
// passed the schema (LoadReport/ParseReport check that first) and throws otherwise.
void to_json(nlohmann::json& j, const Host& v);
void from_json(const nlohmann::json& j, Host& v);
void to_json(nlohmann::json& j, const Target& v);
void from_json(const nlohmann::json& j, Target& v);
void to_json(nlohmann::json& j, const Run& v);
void from_json(const nlohmann::json& j, Run& v);
void to_json(nlohmann::json& j, const OutcomeCounts& v);
void from_json(const nlohmann::json& j, OutcomeCounts& v);
void to_json(nlohmann::json& j, const SuiteResult& v);
void from_json(const nlohmann::json& j, SuiteResult& v);
void to_json(nlohmann::json& j, const Failure& v);
void from_json(const nlohmann::json& j, Failure& v);
void to_json(nlohmann::json& j, const TimeSeries& v);
void from_json(const nlohmann::json& j, TimeSeries& v);
void to_json(nlohmann::json& j, const TestResult& v);
void from_json(const nlohmann::json& j, TestResult& v);
void to_json(nlohmann::json& j, const Metric& v);
void from_json(const nlohmann::json& j, Metric& v);
void to_json(nlohmann::json& j, const Totals& v);
void from_json(const nlohmann::json& j, Totals& v);
void to_json(nlohmann::json& j, const Report& v);
void from_json(const nlohmann::json& j, Report& v);

}  // namespace harness::reports
