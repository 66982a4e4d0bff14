#include "harness/loadgen/run_result.h"

#include <cstdio>

namespace harness::loadgen {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

const char* OpName(IoOp op) { return op == IoOp::kRead ? "read" : "write"; }

// Adds iops / MiB/s for `c` over `seconds` to `j`.
void AddRates(nlohmann::json& j, const Counters& c, double seconds) {
  const double s = seconds > 0 ? seconds : 1;
  j["read_iops"] = static_cast<double>(c.reads) / s;
  j["write_iops"] = static_cast<double>(c.writes) / s;
  j["read_mib_s"] = static_cast<double>(c.read_bytes) / kMiB / s;
  j["write_mib_s"] = static_cast<double>(c.write_bytes) / kMiB / s;
}

}  // namespace

const LunResult* RunResult::Lun(int lun) const {
  for (const LunResult& l : luns) {
    if (l.lun == lun) return &l;
  }
  return nullptr;
}

uint64_t RunResult::UnitAttentions(int lun, const std::string& triple) const {
  uint64_t n = 0;
  for (const UnitAttentionCount& u : unit_attentions) {
    if (u.lun == lun && (triple.empty() || u.sense == triple)) n += u.count;
  }
  return n;
}

nlohmann::json ToJson(const Counters& c) {
  return {{"reads", c.reads},
          {"writes", c.writes},
          {"read_bytes", c.read_bytes},
          {"write_bytes", c.write_bytes},
          {"errors", c.errors()},
          {"retries", c.retries},
          {"unit_attentions", c.unit_attentions},
          {"busy", c.busy},
          {"task_set_full", c.task_set_full},
          {"not_ready", c.not_ready},
          {"aborted", c.aborted},
          {"sense_errors", c.sense_errors},
          {"status_errors", c.status_errors},
          {"timeouts", c.timeouts},
          {"connection_losses", c.connection_losses},
          {"transport_errors", c.transport_errors},
          {"retries_exhausted", c.retries_exhausted},
          {"verify_errors", c.verify_errors},
          {"verified_blocks", c.verified_blocks}};
}

nlohmann::json ToJson(const LatencySummary& l) {
  return {{"count", l.count},  {"p50", l.p50_us}, {"p99", l.p99_us},
          {"p999", l.p999_us}, {"max", l.max_us}, {"mean", l.mean_us}};
}

nlohmann::json ToJson(const RunResult& r) {
  nlohmann::json j;
  j["schema"] = "iscsi-loadgen/1";
  j["run_id"] = r.run_id;
  j["seed"] = r.seed;
  j["elapsed_s"] = r.elapsed_s;
  j["duration_s"] = r.duration_s;
  j["ok"] = r.ok();
  nlohmann::json totals = ToJson(r.totals);
  totals["read_latency_us"] = ToJson(r.read_latency);
  totals["write_latency_us"] = ToJson(r.write_latency);
  AddRates(totals, r.totals, r.elapsed_s);
  totals["outage_s"] = r.outage_s;
  j["totals"] = totals;
  j["luns"] = nlohmann::json::array();
  for (const LunResult& l : r.luns) {
    nlohmann::json lj = {{"lun", l.lun},
                         {"block_size", l.block_size},
                         {"capacity_blocks", l.capacity_blocks},
                         {"lba_first", l.lba_first},
                         {"lba_count", l.lba_count}};
    nlohmann::json lt = ToJson(l.totals);
    lt["read_latency_us"] = ToJson(l.read_latency);
    lt["write_latency_us"] = ToJson(l.write_latency);
    AddRates(lt, l.totals, r.elapsed_s);
    lj["totals"] = lt;
    lj["series"] = nlohmann::json::array();
    for (const SeriesPoint& p : l.series) {
      nlohmann::json pj = ToJson(p.counters);
      pj["t"] = p.t;
      pj["seconds"] = p.seconds;
      AddRates(pj, p.counters, p.seconds);
      pj["read_latency_us"] = ToJson(p.read_latency);
      pj["write_latency_us"] = ToJson(p.write_latency);
      lj["series"].push_back(pj);
    }
    j["luns"].push_back(lj);
  }
  j["sessions"] = nlohmann::json::array();
  for (const SessionResult& s : r.sessions) {
    j["sessions"].push_back({{"session", s.session},
                             {"isid", s.isid},
                             {"connection_losses", s.connection_losses},
                             {"reconnects", s.reconnects},
                             {"outage_s", s.outage_s},
                             {"aborts_sent", s.aborts_sent},
                             {"gave_up", s.gave_up},
                             {"last_error", s.last_error}});
  }
  j["unit_attentions"] = nlohmann::json::array();
  for (const UnitAttentionCount& u : r.unit_attentions) {
    j["unit_attentions"].push_back(
        {{"lun", u.lun}, {"session", u.session}, {"sense", u.sense}, {"count", u.count}});
  }
  j["error_samples"] = nlohmann::json::array();
  for (const IoErrorSample& e : r.error_samples) {
    nlohmann::json ej = {
        {"t_s", e.t_s}, {"session", e.session}, {"kind", EventName(e.kind)}, {"detail", e.detail}};
    if (e.lun >= 0) {
      ej["lun"] = e.lun;
      ej["op"] = OpName(e.op);
      ej["lba"] = e.lba;
      ej["blocks"] = e.blocks;
    }
    j["error_samples"].push_back(ej);
  }
  j["verify_samples"] = nlohmann::json::array();
  for (const VerifyError& v : r.verify_samples) {
    j["verify_samples"].push_back({{"t_s", v.t_s},
                                   {"session", v.session},
                                   {"lun", v.lun},
                                   {"lba", v.lba},
                                   {"kind", VerifyKindName(v.kind)},
                                   {"found_state", BlockStateName(v.found_state)},
                                   {"found_lun", v.found.lun},
                                   {"found_lba", v.found.lba},
                                   {"found_generation", v.found.generation},
                                   {"found_writer", v.found.writer},
                                   {"found_run_id", v.found.run_id},
                                   {"expected_lo", v.expected_lo},
                                   {"expected_hi", v.expected_hi},
                                   {"detail", v.Describe()}});
  }
  if (!r.journal_path.empty()) {
    j["journal"] = {{"path", r.journal_path}, {"records", r.journal_records}};
  }
  return j;
}

std::map<std::string, double> FlatMetrics(const RunResult& r) {
  std::map<std::string, double> m;
  auto add = [&m, &r](const std::string& prefix, const Counters& c, const LatencySummary& rl,
                      const LatencySummary& wl) {
    const double s = r.elapsed_s > 0 ? r.elapsed_s : 1;
    m[prefix + "read_iops"] = static_cast<double>(c.reads) / s;
    m[prefix + "write_iops"] = static_cast<double>(c.writes) / s;
    m[prefix + "read_mib_s"] = static_cast<double>(c.read_bytes) / kMiB / s;
    m[prefix + "write_mib_s"] = static_cast<double>(c.write_bytes) / kMiB / s;
    m[prefix + "read_p50_us"] = rl.p50_us;
    m[prefix + "read_p99_us"] = rl.p99_us;
    m[prefix + "read_p999_us"] = rl.p999_us;
    m[prefix + "read_max_us"] = rl.max_us;
    m[prefix + "write_p50_us"] = wl.p50_us;
    m[prefix + "write_p99_us"] = wl.p99_us;
    m[prefix + "write_p999_us"] = wl.p999_us;
    m[prefix + "write_max_us"] = wl.max_us;
    m[prefix + "errors"] = static_cast<double>(c.errors());
    m[prefix + "verify_errors"] = static_cast<double>(c.verify_errors);
    m[prefix + "retries"] = static_cast<double>(c.retries);
    m[prefix + "unit_attentions"] = static_cast<double>(c.unit_attentions);
  };
  add("", r.totals, r.read_latency, r.write_latency);
  m["outage_s"] = r.outage_s;
  m["connection_losses"] = static_cast<double>(r.totals.connection_losses);
  for (const LunResult& l : r.luns) {
    add("lun" + std::to_string(l.lun) + ".", l.totals, l.read_latency, l.write_latency);
  }
  return m;
}

std::string Summary(const RunResult& r) {
  char line[512];
  std::string out;
  const double s = r.elapsed_s > 0 ? r.elapsed_s : 1;
  std::snprintf(
      line, sizeof line,
      "run %08x: %.2f s, read %.0f IOPS %.1f MiB/s p99 %.0f us, write %.0f IOPS %.1f MiB/s "
      "p99 %.0f us\n",
      r.run_id, r.elapsed_s, static_cast<double>(r.totals.reads) / s,
      static_cast<double>(r.totals.read_bytes) / kMiB / s, r.read_latency.p99_us,
      static_cast<double>(r.totals.writes) / s,
      static_cast<double>(r.totals.write_bytes) / kMiB / s, r.write_latency.p99_us);
  out += line;
  std::snprintf(line, sizeof line,
                "errors %llu, verify errors %llu (%llu blocks checked), retries %llu, unit "
                "attentions %llu, connection losses %llu, outage %.2f s\n",
                static_cast<unsigned long long>(r.errors()),
                static_cast<unsigned long long>(r.verify_errors()),
                static_cast<unsigned long long>(r.totals.verified_blocks),
                static_cast<unsigned long long>(r.totals.retries),
                static_cast<unsigned long long>(r.totals.unit_attentions),
                static_cast<unsigned long long>(r.totals.connection_losses), r.outage_s);
  out += line;
  for (const IoErrorSample& e : r.error_samples) {
    if (e.lun < 0) {
      out += "  error: session " + std::to_string(e.session) + ": " + e.detail + "\n";
      continue;
    }
    out += "  error: LUN " + std::to_string(e.lun) + " " + OpName(e.op) + " LBA " +
           std::to_string(e.lba) + "+" + std::to_string(e.blocks) + " (session " +
           std::to_string(e.session) + "): " + e.detail + "\n";
  }
  for (const VerifyError& v : r.verify_samples) out += "  verify: " + v.Describe() + "\n";
  return out;
}

}  // namespace harness::loadgen
