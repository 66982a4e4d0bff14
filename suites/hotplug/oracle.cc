#include "suites/hotplug/oracle.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>

#include "reports/number_format.h"

namespace harness::hotplug {
namespace {

using reports::Fixed;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string FormatLuns(const std::set<int>& luns) {
  std::string out = "{";
  for (int lun : luns) out += (out.size() > 1 ? ", " : "") + std::to_string(lun);
  return out + "}";
}

std::string JudgeIdleProbe(const NexusProbe& probe, const std::string& expected_triple,
                           const std::set<int>& expected_luns, const std::string& change) {
  std::vector<std::string> wrong;
  const auto expected = static_cast<size_t>(
      std::count(probe.tur_senses.begin(), probe.tur_senses.end(), expected_triple));
  if (expected != 1 || probe.tur_senses.size() != expected) {
    wrong.push_back("TEST UNIT READY saw [" + Join(probe.tur_senses) + "], expected exactly one " +
                    expected_triple);
  }
  if (!probe.tur_good) {
    wrong.push_back("TEST UNIT READY never became GOOD" +
                    (probe.tur_problem.empty() ? "" : " (" + probe.tur_problem + ")"));
  }
  if (!probe.report_ok) {
    wrong.push_back("REPORT LUNS failed: " + probe.report_problem);
  } else if (probe.reported != expected_luns) {
    wrong.push_back("REPORT LUNS listed " + FormatLuns(probe.reported) + ", expected " +
                    FormatLuns(expected_luns));
  }
  if (wrong.empty()) return "";
  std::string out = "after " + change + ": ";
  for (size_t i = 0; i < wrong.size(); ++i) out += (i == 0 ? "" : "; ") + wrong[i];
  return out;
}

std::string JudgeLoadUnitAttentions(uint64_t seen, uint64_t changes,
                                    const std::string& expected_triple) {
  if (seen == changes) return "";
  return "the load session saw " + expected_triple + " " + std::to_string(seen) + " times for " +
         std::to_string(changes) + " change" + (changes == 1 ? "" : "s") +
         " (expected once per change)";
}

WindowStats Window(const std::vector<loadgen::SeriesPoint>& points, double t0_s, double t1_s,
                   double min_point_s) {
  WindowStats w;
  uint64_t ios = 0;
  for (const loadgen::SeriesPoint& p : points) {
    const double start = p.t;
    const double end = start + p.seconds;
    if (end <= t0_s || start > t1_s || p.seconds < min_point_s) continue;
    ++w.points;
    w.seconds += p.seconds;
    ios += p.counters.reads + p.counters.writes;
    w.max_latency_ms = std::max(
        {w.max_latency_ms, p.read_latency.max_us / 1000.0, p.write_latency.max_us / 1000.0});
    w.errors += p.counters.errors();
    w.verify_errors += p.counters.verify_errors;
  }
  w.iops = w.seconds > 0 ? static_cast<double>(ios) / w.seconds : 0;
  return w;
}

Baseline BaselineOf(const std::vector<loadgen::SeriesPoint>& points, double from_s, double to_s,
                    double min_point_s) {
  std::vector<double> iops;
  for (const loadgen::SeriesPoint& p : points) {
    if (p.seconds < min_point_s || p.t < from_s || p.t + p.seconds > to_s + 1e-9) continue;
    iops.push_back(PointIops(p));
  }
  Baseline b;
  b.points = iops.size();
  if (iops.empty()) return b;
  double sum = 0;
  for (double v : iops) sum += v;
  b.iops = sum / static_cast<double>(iops.size());
  double var = 0;
  for (double v : iops) var += (v - b.iops) * (v - b.iops);
  b.spread = b.iops > 0 ? std::sqrt(var / static_cast<double>(iops.size())) / b.iops : 0;
  return b;
}

std::string JudgeChurnRatio(const Rate& during_changes, const Rate& quiet, double min_ratio) {
  if (!(quiet.seconds > 0)) return "LUN A has no quiet slot between the changes to compare with";
  if (!(during_changes.seconds > 0)) return "LUN A has no change slot to judge";
  if (!(quiet.iops > 0)) {
    return "LUN A completed no I/O in " + Fixed(quiet.seconds, 2) +
           " s of quiet slots between the changes";
  }
  const double ratio = during_changes.iops / quiet.iops;
  if (ratio >= min_ratio) return "";
  return "LUN A ran at " + Fixed(during_changes.iops, 0) + " IOPS in the change slots (" +
         Fixed(during_changes.seconds, 2) + " s), " + Fixed(100 * ratio, 1) + "% of the " +
         Fixed(quiet.iops, 0) + " IOPS of the quiet slots between them (" +
         Fixed(quiet.seconds, 2) + " s; at least " + Fixed(100 * min_ratio, 0) + "% required)";
}

std::string JudgeStall(double stall_ms, double max_stall_ms) {
  if (stall_ms <= max_stall_ms) return "";
  return "LUN A's longest I/O around the changes took " + Fixed(stall_ms, 1) + " ms (at most " +
         Fixed(max_stall_ms, 0) + " ms allowed)";
}

std::string JudgeUsage(const process::ProcessUsage& before, const process::ProcessUsage& after,
                       const Thresholds& thresholds) {
  std::vector<std::string> wrong;
  const int64_t fd_growth = after.open_fds - before.open_fds;
  if (fd_growth > thresholds.max_fd_growth) {
    wrong.push_back("open fds grew from " + std::to_string(before.open_fds) + " to " +
                    std::to_string(after.open_fds) + " (at most +" +
                    std::to_string(thresholds.max_fd_growth) + ")");
  }
  if (after.rss_bytes > before.rss_bytes &&
      after.rss_bytes - before.rss_bytes > thresholds.max_rss_growth_bytes) {
    wrong.push_back(
        "RSS grew from " + Fixed(static_cast<double>(before.rss_bytes) / kMiB, 1) + " MiB to " +
        Fixed(static_cast<double>(after.rss_bytes) / kMiB, 1) + " MiB (at most +" +
        Fixed(static_cast<double>(thresholds.max_rss_growth_bytes) / kMiB, 0) + " MiB)");
  }
  std::string out;
  for (const std::string& w : wrong) out += (out.empty() ? "the target's " : "; ") + w;
  return out;
}

Result<std::set<int>> ParseReportLuns(std::span<const uint8_t> data) {
  if (data.size() < 8) {
    return Status::Error("REPORT LUNS data: " + std::to_string(data.size()) +
                         " bytes, shorter than its 8-byte header");
  }
  const uint32_t list_length = static_cast<uint32_t>(data[0]) << 24 |
                               static_cast<uint32_t>(data[1]) << 16 |
                               static_cast<uint32_t>(data[2]) << 8 | data[3];
  if (list_length % 8 != 0) {
    return Status::Error("REPORT LUNS data: LUN LIST LENGTH " + std::to_string(list_length) +
                         " is not a multiple of 8");
  }
  if (uint64_t{list_length} + 8 > data.size()) {
    return Status::Error("REPORT LUNS data: LUN LIST LENGTH " + std::to_string(list_length) +
                         " runs past the " + std::to_string(data.size()) +
                         " bytes returned (allocation length too small?)");
  }
  std::set<int> luns;
  for (size_t off = 8; off < 8 + size_t{list_length}; off += 8) {
    const uint8_t method = data[off] >> 6;  // SAM-5 §4.7.2 ADDRESS METHOD
    const bool rest_zero = std::all_of(data.begin() + static_cast<std::ptrdiff_t>(off) + 2,
                                       data.begin() + static_cast<std::ptrdiff_t>(off) + 8,
                                       [](uint8_t b) { return b == 0; });
    if (method == 0 && (data[off] & 0x3f) == 0 && rest_zero) {
      luns.insert(data[off + 1]);  // peripheral device addressing, bus 0: LUN 0..255
    } else if (method == 1 && rest_zero) {
      luns.insert((data[off] & 0x3f) << 8 | data[off + 1]);  // flat space: 0..16383
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "%02x", data[off]);
      return Status::Error("REPORT LUNS data: byte " + std::to_string(off) + " (0x" + hex +
                           "): a LUN in an addressing method the harness does not decode");
    }
  }
  return luns;
}

std::map<std::string, uint64_t> FailureKinds(const std::vector<loadgen::IoErrorSample>& samples) {
  static const std::regex kTriple("CHECK CONDITION ([0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{2})");
  std::map<std::string, uint64_t> kinds;
  for (const loadgen::IoErrorSample& s : samples) {
    std::smatch m;
    if (s.kind == loadgen::Event::kSenseError && std::regex_search(s.detail, m, kTriple)) {
      ++kinds[m[1].str()];
    } else {
      ++kinds[loadgen::EventName(s.kind)];
    }
  }
  return kinds;
}

std::string JudgeRemovedLunFailures(const std::map<std::string, uint64_t>& kinds) {
  std::vector<std::string> wrong;
  for (const auto& [kind, count] : kinds) {
    if (kind != kLunNotSupported) wrong.push_back(std::to_string(count) + " x " + kind);
  }
  if (wrong.empty()) return "";
  return "the removed LUN's commands got " + Join(wrong) + " (only GOOD, a retried abort or " +
         kLunNotSupported + " LOGICAL UNIT NOT SUPPORTED are clean)";
}

}  // namespace harness::hotplug
