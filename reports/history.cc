#include "reports/history.h"

#include <stdexcept>

#include "reports/file_io.h"

namespace harness::reports {
namespace {

using nlohmann::json;

}  // namespace

RunSummary Summarize(const Report& report) {
  RunSummary s;
  s.run_id = report.run.run_id;
  s.started_at = report.run.started_at;
  s.adapter = report.run.target.adapter;
  s.portal = report.run.target.portal;
  s.profile = report.run.profile;
  const Target& t = report.run.target;
  if (!t.product.empty()) s.product = t.vendor + " " + t.product + " " + t.revision;
  s.totals = report.totals.counts;
  s.duration_s = report.totals.duration_s;
  for (const TestResult& test : report.tests) {
    s.outcomes[test.name] = test.outcome;
    if (test.outcome != Outcome::kPass && !test.reason.empty()) s.reasons[test.name] = test.reason;
  }
  for (const Metric& m : report.metrics) {
    s.metrics[m.Key()] = MetricPoint{m.name, m.unit, m.value, m.spread, m.better};
  }
  return s;
}

void to_json(json& j, const RunSummary& v) {
  json outcomes = json::object();
  for (const auto& [id, outcome] : v.outcomes) outcomes[id] = std::string(OutcomeName(outcome));
  json metrics = json::object();
  for (const auto& [key, m] : v.metrics) {
    json point = {{"name", m.name},
                  {"unit", m.unit},
                  {"value", m.value},
                  {"better", m.better == Better::kHigher ? "higher" : "lower"}};
    if (m.spread) point["spread"] = *m.spread;
    metrics[key] = std::move(point);
  }
  j = json{{"history_version", kHistoryVersion},
           {"run_id", v.run_id},
           {"started_at", v.started_at},
           {"profile", v.profile},
           {"target",
            {{"adapter", std::string(AdapterName(v.adapter))},
             {"portal", v.portal},
             {"product", v.product}}},
           {"totals", v.totals},
           {"duration_s", v.duration_s},
           {"outcomes", std::move(outcomes)},
           {"reasons", v.reasons},
           {"metrics", std::move(metrics)}};
}

void from_json(const json& j, RunSummary& v) {
  int version = j.at("history_version").get<int>();
  if (version != kHistoryVersion) {
    throw std::invalid_argument("history_version " + std::to_string(version) +
                                " is not readable (reads " + std::to_string(kHistoryVersion) + ")");
  }
  v.run_id = j.at("run_id").get<std::string>();
  v.started_at = j.at("started_at").get<std::string>();
  v.profile = j.value("profile", std::string());
  const json& target = j.at("target");
  auto adapter = ParseAdapter(target.at("adapter").get<std::string>());
  if (!adapter) throw std::invalid_argument("unknown adapter " + target.at("adapter").dump());
  v.adapter = *adapter;
  v.portal = target.at("portal").get<std::string>();
  v.product = target.value("product", std::string());
  v.totals = j.at("totals").get<OutcomeCounts>();
  v.duration_s = j.at("duration_s").get<double>();
  v.outcomes.clear();
  for (const auto& [id, name] : j.at("outcomes").items()) {
    auto outcome = ParseOutcome(name.get<std::string>());
    if (!outcome) throw std::invalid_argument("test " + id + ": unknown outcome " + name.dump());
    v.outcomes[id] = *outcome;
  }
  v.reasons = j.value("reasons", std::map<std::string, std::string>());
  v.metrics.clear();
  for (const auto& [key, point] : j.at("metrics").items()) {
    MetricPoint m;
    m.name = point.at("name").get<std::string>();
    m.unit = point.at("unit").get<std::string>();
    m.value = point.at("value").get<double>();
    if (auto it = point.find("spread"); it != point.end()) m.spread = it->get<double>();
    m.better =
        point.value("better", std::string("higher")) == "lower" ? Better::kLower : Better::kHigher;
    v.metrics[key] = m;
  }
}

Status AppendHistory(const std::filesystem::path& dir, const Report& report) {
  json line = Summarize(report);
  return AppendLineDurably(dir / kHistoryFileName,
                           line.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<History> ReadHistory(const std::filesystem::path& dir) {
  std::filesystem::path path = dir / kHistoryFileName;
  History history;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return history;
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  const std::string& all = text.value();
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    bool torn = end == std::string::npos;  // no newline: the last append did not finish
    std::string line = all.substr(pos, torn ? std::string::npos : end - pos);
    pos = torn ? all.size() : end + 1;
    ++line_no;
    if (line.empty()) continue;
    std::string where = path.string() + ":" + std::to_string(line_no) + ": ";
    try {
      history.runs.push_back(json::parse(line).get<RunSummary>());
    } catch (const std::exception& e) {
      history.skipped.push_back(where + (torn ? "incomplete last line (torn write?): " : "") +
                                e.what());
    }
  }
  return history;
}

std::optional<RunSummary> FindBaseline(const History& history, const RunSummary& current) {
  for (auto it = history.runs.rbegin(); it != history.runs.rend(); ++it) {
    if (it->adapter == current.adapter && it->portal == current.portal &&
        it->run_id != current.run_id) {
      return *it;
    }
  }
  return std::nullopt;
}

}  // namespace harness::reports
