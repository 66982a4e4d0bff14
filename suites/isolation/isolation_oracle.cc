#include "suites/isolation/isolation_oracle.h"

#include <algorithm>
#include <cstdio>
#include <regex>

#include "harness/loadgen/time_series.h"
#include "reports/number_format.h"

namespace harness::isolation {
namespace {

using reports::Fixed;

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool Inside(double t0, double t1, const std::vector<Span>& spans) {
  for (const Span& s : spans) {
    if (t0 >= s.t0_s - 1e-9 && t1 <= s.t1_s + 1e-9) return true;
  }
  return false;
}

}  // namespace

PhaseStats StatsOver(const loadgen::LunResult& lun, const std::vector<Span>& spans) {
  PhaseStats p;
  const loadgen::Rate r = loadgen::RateOver(lun.fine_completions, loadgen::kFineBinSeconds, spans);
  p.iops = r.iops;
  p.seconds = r.seconds;
  double sum = 0;
  for (const loadgen::SeriesPoint& point : lun.series) {
    if (point.seconds < 0.99 || !Inside(point.t, point.t + point.seconds, spans)) continue;
    if (point.read_latency.count + point.write_latency.count == 0) continue;
    sum += std::max(point.read_latency.p99_us, point.write_latency.p99_us);
    ++p.p99_points;
  }
  p.p99_us = p.p99_points > 0 ? sum / static_cast<double>(p.p99_points) : 0;
  return p;
}

std::vector<std::string> JudgeUnaffected(const std::string& name, uint64_t errors,
                                         uint64_t verify_errors, const PhaseStats& outside,
                                         const PhaseStats& during, const Thresholds& thresholds) {
  std::vector<std::string> problems;
  if (errors > 0) problems.push_back(name + " had " + std::to_string(errors) + " I/O errors");
  if (verify_errors > 0) {
    problems.push_back(name + " read back " + std::to_string(verify_errors) + " wrong blocks");
  }
  if (!(outside.iops > 0)) {
    problems.push_back(name + " completed no I/O outside the fault window to compare with");
    return problems;
  }
  const double ratio = during.iops / outside.iops;
  if (ratio < thresholds.min_iops_ratio) {
    problems.push_back(name + " ran at " + Fixed(during.iops, 0) + " IOPS during the fault, " +
                       Fixed(100 * ratio, 1) + "% of its " + Fixed(outside.iops, 0) +
                       " IOPS outside it (at least " + Fixed(100 * thresholds.min_iops_ratio, 0) +
                       "% required)");
  }
  if (outside.p99_points > 0 && during.p99_points > 0 &&
      during.p99_us > thresholds.max_p99_ratio * outside.p99_us &&
      during.p99_us - outside.p99_us > thresholds.p99_slack_us) {
    problems.push_back(name + "'s p99 latency was " + Fixed(during.p99_us, 0) +
                       " us during the fault, " + Fixed(during.p99_us / outside.p99_us, 2) +
                       "x its " + Fixed(outside.p99_us, 0) + " us outside it (at most " +
                       Fixed(thresholds.max_p99_ratio, 1) + "x)");
  }
  return problems;
}

std::map<std::string, uint64_t> ErrorKinds(const std::vector<loadgen::IoErrorSample>& samples,
                                           int lun) {
  static const std::regex kTriple("CHECK CONDITION ([0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{2})");
  std::map<std::string, uint64_t> kinds;
  for (const loadgen::IoErrorSample& s : samples) {
    if (s.lun != lun && s.lun != -1) continue;
    std::smatch m;
    if (s.kind == loadgen::Event::kSenseError && std::regex_search(s.detail, m, kTriple)) {
      ++kinds[m[1].str()];
    } else {
      ++kinds[loadgen::EventName(s.kind)];
    }
  }
  return kinds;
}

std::vector<std::string> JudgeFaultyLun(const std::map<std::string, uint64_t>& kinds,
                                        uint64_t errors, uint64_t connection_losses,
                                        const FaultyLunRule& rule) {
  std::vector<std::string> problems;
  if (rule.connection_loss_expected) {
    if (connection_losses == 0) {
      problems.push_back(
          "the faulty LUN's session never lost its connection (the network "
          "fault did not reach it)");
    }
  } else if (connection_losses > 0 && !rule.connection_loss_allowed) {
    problems.push_back("the faulty LUN's session lost its connection " +
                       std::to_string(connection_losses) +
                       " times (a backstore fault must be answered with status, not a dropped "
                       "connection)");
  }
  if (!rule.errors_allowed && errors > 0) {
    std::string first = kinds.empty() ? "" : ": " + kinds.begin()->first;
    problems.push_back("the faulty LUN had " + std::to_string(errors) +
                       " errors where the fault only slows it" + first);
  }
  bool required_seen = rule.required_senses.empty();
  std::vector<std::string> unexpected;
  for (const auto& [kind, count] : kinds) {
    if (rule.required_senses.count(kind) != 0) {
      required_seen = true;
      continue;
    }
    if (rule.allowed_senses.count(kind) != 0 || kind == "02/04/01") continue;
    if (rule.timeouts_allowed && (kind == "timeout" || kind == "retries exhausted")) continue;
    if (kind == "connection loss") continue;  // reported above
    if (!rule.errors_allowed) continue;       // reported above
    unexpected.push_back(std::to_string(count) + " x " + kind);
  }
  if (!required_seen) {
    problems.push_back("the faulty LUN never got " + Join(rule.required_senses) +
                       (kinds.empty() ? " (no errors at all)" : ""));
  }
  if (!unexpected.empty()) {
    std::string list;
    for (const std::string& u : unexpected) list += (list.empty() ? "" : ", ") + u;
    std::set<std::string> expected = rule.required_senses;
    expected.insert(rule.allowed_senses.begin(), rule.allowed_senses.end());
    expected.insert("02/04/01");
    problems.push_back("the faulty LUN got " + list + " (expected only " + Join(expected) +
                       (rule.timeouts_allowed ? ", timeouts" : "") + ")");
  }
  return problems;
}

std::string JudgeWithin(const std::string& what, std::chrono::milliseconds took,
                        std::chrono::milliseconds limit) {
  if (took <= limit) return "";
  return what + " took " + std::to_string(took.count()) + " ms (at most " +
         std::to_string(limit.count()) + " ms)";
}

}  // namespace harness::isolation
