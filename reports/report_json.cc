// JSON conversion of the report model. Optional fields are written only when set, so a
// report carries no empty noise and the schema's "required" lists stay meaningful.
#include <cmath>
#include <stdexcept>

#include "reports/report_model.h"

namespace harness::reports {
namespace {

using nlohmann::json;

template <typename E>
E ParseOrThrow(std::optional<E> parsed, const json& j, const char* what) {
  if (!parsed) throw std::invalid_argument(std::string("unknown ") + what + " " + j.dump());
  return *parsed;
}

void PutIfSet(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

std::string GetOr(const json& j, const char* key) { return j.value(key, std::string()); }

}  // namespace

void to_json(json& j, const Host& v) {
  j = json{{"hostname", v.hostname},
           {"kernel", v.kernel},
           {"cpus", v.cpus},
           {"memory_bytes", v.memory_bytes}};
}

void from_json(const json& j, Host& v) {
  v.hostname = j.at("hostname").get<std::string>();
  v.kernel = j.at("kernel").get<std::string>();
  v.cpus = j.at("cpus").get<int>();
  v.memory_bytes = j.at("memory_bytes").get<uint64_t>();
}

void to_json(json& j, const Target& v) {
  j = json{{"adapter", std::string(AdapterName(v.adapter))}, {"portal", v.portal}};
  PutIfSet(j, "iqn", v.iqn);
  PutIfSet(j, "vendor", v.vendor);
  PutIfSet(j, "product", v.product);
  PutIfSet(j, "revision", v.revision);
  if (!v.versions.empty()) j["versions"] = v.versions;
  if (v.probe.is_object() && !v.probe.empty()) j["probe"] = v.probe;
}

void from_json(const json& j, Target& v) {
  const json& adapter = j.at("adapter");
  v.adapter = ParseOrThrow(ParseAdapter(adapter.get<std::string>()), adapter, "adapter");
  v.portal = j.at("portal").get<std::string>();
  v.iqn = GetOr(j, "iqn");
  v.vendor = GetOr(j, "vendor");
  v.product = GetOr(j, "product");
  v.revision = GetOr(j, "revision");
  v.versions = j.value("versions", std::map<std::string, std::string>());
  v.probe = j.value("probe", json::object());
}

void to_json(json& j, const Run& v) {
  j = json{{"run_id", v.run_id},
           {"harness_version", v.harness_version},
           {"started_at", v.started_at},
           {"ended_at", v.ended_at},
           {"host", v.host},
           {"command_line", v.command_line},
           {"profile", v.profile},
           {"target", v.target}};
  if (v.shard) j["shard"] = json{{"index", v.shard->index}, {"count", v.shard->count}};
  if (v.config.is_object() && !v.config.empty()) j["config"] = v.config;
}

void from_json(const json& j, Run& v) {
  v.run_id = j.at("run_id").get<std::string>();
  v.harness_version = j.at("harness_version").get<std::string>();
  v.started_at = j.at("started_at").get<std::string>();
  v.ended_at = j.at("ended_at").get<std::string>();
  v.host = j.at("host").get<Host>();
  v.command_line = j.at("command_line").get<std::vector<std::string>>();
  v.profile = j.at("profile").get<std::string>();
  v.shard.reset();
  if (auto it = j.find("shard"); it != j.end()) {
    v.shard = Shard{it->at("index").get<int>(), it->at("count").get<int>()};
  }
  v.target = j.at("target").get<Target>();
  v.config = j.value("config", json::object());
}

void to_json(json& j, const OutcomeCounts& v) {
  j = json{{"total", v.total()},
           {"pass", v.pass},
           {"fail", v.fail},
           {"skip", v.skip},
           {"xfail", v.xfail}};
}

void from_json(const json& j, OutcomeCounts& v) {
  v.pass = j.at("pass").get<int64_t>();
  v.fail = j.at("fail").get<int64_t>();
  v.skip = j.at("skip").get<int64_t>();
  v.xfail = j.at("xfail").get<int64_t>();
}

void to_json(json& j, const SuiteResult& v) {
  j = json{{"name", v.name},
           {"kind", std::string(SuiteKindName(v.kind))},
           {"duration_s", v.duration_s},
           {"counts", v.counts}};
}

void from_json(const json& j, SuiteResult& v) {
  v.name = j.at("name").get<std::string>();
  const json& kind = j.at("kind");
  v.kind = ParseOrThrow(ParseSuiteKind(kind.get<std::string>()), kind, "suite kind");
  v.duration_s = j.at("duration_s").get<double>();
  v.counts = j.at("counts").get<OutcomeCounts>();
}

void to_json(json& j, const Failure& v) {
  j = json::object();
  PutIfSet(j, "expected", v.expected);
  PutIfSet(j, "actual", v.actual);
  PutIfSet(j, "cdb_hex", v.cdb_hex);
  PutIfSet(j, "sense_hex", v.sense_hex);
  PutIfSet(j, "message", v.message);
}

void from_json(const json& j, Failure& v) {
  v.expected = GetOr(j, "expected");
  v.actual = GetOr(j, "actual");
  v.cdb_hex = GetOr(j, "cdb_hex");
  v.sense_hex = GetOr(j, "sense_hex");
  v.message = GetOr(j, "message");
}

void to_json(json& j, const TimeSeries& v) {
  json points = json::array();
  // JSON has no NaN or infinity (nlohmann would write null, which the schema refuses): a
  // point without a finite value is left out, as a gap.
  for (const TimePoint& p : v.points) {
    if (std::isfinite(p.t_s) && std::isfinite(p.value)) {
      points.push_back(json{{"t_s", p.t_s}, {"value", p.value}});
    }
  }
  j = json{{"name", v.name}, {"unit", v.unit}, {"points", std::move(points)}};
  if (!v.markers.empty()) {
    json markers = json::array();
    for (const SeriesMarker& m : v.markers) {
      json one = {{"t_s", m.t_s}, {"label", m.label}};
      if (m.end_s) one["end_s"] = *m.end_s;
      markers.push_back(std::move(one));
    }
    j["markers"] = std::move(markers);
  }
}

void from_json(const json& j, TimeSeries& v) {
  v.name = j.at("name").get<std::string>();
  v.unit = j.at("unit").get<std::string>();
  v.points.clear();
  for (const json& p : j.at("points")) {
    v.points.push_back(TimePoint{p.at("t_s").get<double>(), p.at("value").get<double>()});
  }
  v.markers.clear();
  if (auto it = j.find("markers"); it != j.end()) {
    for (const json& m : *it) {
      SeriesMarker marker;
      marker.t_s = m.at("t_s").get<double>();
      if (auto end = m.find("end_s"); end != m.end()) marker.end_s = end->get<double>();
      marker.label = m.at("label").get<std::string>();
      v.markers.push_back(std::move(marker));
    }
  }
}

void to_json(json& j, const TestResult& v) {
  j = json{{"suite", v.suite},
           {"name", v.name},
           {"family", v.family},
           {"outcome", std::string(OutcomeName(v.outcome))},
           {"duration_s", v.duration_s}};
  PutIfSet(j, "reason", v.reason);
  PutIfSet(j, "clause", v.clause);
  if (v.failure && !v.failure->empty()) j["failure"] = *v.failure;
  if (!v.metrics.empty()) j["metrics"] = v.metrics;
  if (!v.series.empty()) j["series"] = v.series;
  PutIfSet(j, "log_excerpt", v.log_excerpt);
}

void from_json(const json& j, TestResult& v) {
  v.suite = j.at("suite").get<std::string>();
  v.name = j.at("name").get<std::string>();
  v.family = j.at("family").get<std::string>();
  const json& outcome = j.at("outcome");
  v.outcome = ParseOrThrow(ParseOutcome(outcome.get<std::string>()), outcome, "outcome");
  v.reason = GetOr(j, "reason");
  v.duration_s = j.at("duration_s").get<double>();
  v.clause = GetOr(j, "clause");
  v.failure.reset();
  if (auto it = j.find("failure"); it != j.end()) v.failure = it->get<Failure>();
  v.metrics = j.value("metrics", std::map<std::string, double>());
  v.series = j.value("series", std::vector<TimeSeries>());
  v.log_excerpt = GetOr(j, "log_excerpt");
}

void to_json(json& j, const Metric& v) {
  j = json{{"suite", v.suite},
           {"name", v.name},
           {"labels", v.labels},
           {"unit", v.unit},
           {"value", v.value}};
  if (!v.samples.empty()) j["samples"] = v.samples;
  if (v.spread) j["spread"] = *v.spread;
  j["better"] = v.better == Better::kHigher ? "higher" : "lower";
}

void from_json(const json& j, Metric& v) {
  v.suite = j.at("suite").get<std::string>();
  v.name = j.at("name").get<std::string>();
  v.labels = j.at("labels").get<std::map<std::string, std::string>>();
  v.unit = j.at("unit").get<std::string>();
  v.value = j.at("value").get<double>();
  v.samples = j.value("samples", std::vector<double>());
  v.spread.reset();
  if (auto it = j.find("spread"); it != j.end()) v.spread = it->get<double>();
  v.better = j.value("better", std::string("higher")) == "lower" ? Better::kLower : Better::kHigher;
}

void to_json(json& j, const Totals& v) {
  j = json{{"counts", v.counts}, {"duration_s", v.duration_s}};
}

void from_json(const json& j, Totals& v) {
  v.counts = j.at("counts").get<OutcomeCounts>();
  v.duration_s = j.at("duration_s").get<double>();
}

void to_json(json& j, const Report& v) {
  j = json{{"schema_version", v.schema_version},
           {"run", v.run},
           {"suites", v.suites},
           {"tests", v.tests},
           {"metrics", v.metrics},
           {"totals", v.totals}};
}

void from_json(const json& j, Report& v) {
  v.schema_version = j.at("schema_version").get<std::string>();
  v.run = j.at("run").get<Run>();
  v.suites = j.at("suites").get<std::vector<SuiteResult>>();
  v.tests = j.at("tests").get<std::vector<TestResult>>();
  v.metrics = j.at("metrics").get<std::vector<Metric>>();
  v.totals = j.at("totals").get<Totals>();
}

}  // namespace harness::reports
