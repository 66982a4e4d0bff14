#include "reports/html_sections.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "reports/junit_writer.h"
#include "reports/number_format.h"
#include "reports/text_escape.h"

namespace harness::reports::html {
namespace {

constexpr Outcome kOutcomes[] = {Outcome::kPass, Outcome::kFail, Outcome::kSkip, Outcome::kXfail};

std::vector<ChartSeries> OutcomeSeries() {
  std::vector<ChartSeries> series;
  for (Outcome o : kOutcomes) series.push_back({std::string(OutcomeName(o)), OutcomeColor(o)});
  return series;
}

BarChart OutcomesBy(const Report& report, const std::string& title,
                    std::string (*key)(const TestResult&)) {
  BarChart chart{title, "tests", {}, OutcomeSeries(), {}, {}};
  std::map<std::string, size_t> index;
  for (const TestResult& t : report.tests) {
    auto [it, inserted] = index.emplace(key(t), chart.categories.size());
    if (inserted) {
      chart.categories.push_back(it->first);
      chart.values.emplace_back(std::size(kOutcomes), 0.0);
    }
    chart.values[it->second][static_cast<size_t>(t.outcome)] += 1;
  }
  return chart;
}

std::string Td(const std::string& text, const std::string& attrs = "") {
  return "<td" + attrs + ">" + HtmlEscape(text) + "</td>";
}

std::string OutcomeCell(Outcome o, const std::string& tooltip) {
  std::string name(OutcomeName(o));
  return "<td class=\"o o-" + name + "\" title=\"" + HtmlEscape(tooltip) + "\">" + name + "</td>";
}

std::string FailureDetails(const TestResult& t) {
  std::string rows;
  auto row = [&](const char* label, const std::string& v) {
    if (!v.empty())
      rows += "<dt>" + std::string(label) + "</dt><dd><code>" + HtmlEscape(v) + "</code></dd>";
  };
  if (t.failure) {
    row("expected", t.failure->expected);
    row("actual", t.failure->actual);
    row("cdb", t.failure->cdb_hex);
    row("sense", t.failure->sense_hex);
    row("message", t.failure->message);
  }
  for (const auto& [name, value] : t.metrics) row(name.c_str(), FormatQuantity(value));
  std::string log;
  if (!t.log_excerpt.empty()) log = "<pre>" + HtmlEscape(t.log_excerpt) + "</pre>";
  if (rows.empty() && log.empty()) return HtmlEscape(t.reason);
  std::string summary = t.outcome == Outcome::kFail ? FailureHeadline(t) : t.reason;
  if (summary.empty()) summary = "details";
  return "<details><summary>" + HtmlEscape(summary) + "</summary>" +
         (t.outcome == Outcome::kFail && !t.reason.empty() && summary != t.reason
              ? "<p>" + HtmlEscape(t.reason) + "</p>"
              : std::string()) +
         (rows.empty() ? "" : "<dl>" + rows + "</dl>") + log + "</details>";
}

std::string FamilyKey(const TestResult& t) { return t.family; }
std::string SuiteKey(const TestResult& t) { return t.suite; }

}  // namespace

std::string OutcomeColor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "#2e7d32";
    case Outcome::kFail:
      return "#c62828";
    case Outcome::kSkip:
      return "#9e9e9e";
    case Outcome::kXfail:
      return "#ef6c00";
  }
  return "#000000";
}

std::string RunLabel(const std::vector<Report>& runs, size_t i) {
  std::string adapter(AdapterName(runs[i].run.target.adapter));
  size_t same = 0;
  for (const Report& r : runs) same += r.run.target.adapter == runs[i].run.target.adapter;
  return same > 1 ? adapter + " " + runs[i].run.run_id : adapter;
}

BarChart OutcomesBySuite(const Report& report) {
  BarChart chart = OutcomesBy(report, "Outcomes by suite", SuiteKey);
  // Suites without per-test entries (counts only) still get their bar.
  for (const SuiteResult& s : report.suites) {
    if (std::find(chart.categories.begin(), chart.categories.end(), s.name) !=
        chart.categories.end()) {
      continue;
    }
    chart.categories.push_back(s.name);
    chart.values.push_back({static_cast<double>(s.counts.pass), static_cast<double>(s.counts.fail),
                            static_cast<double>(s.counts.skip),
                            static_cast<double>(s.counts.xfail)});
  }
  return chart;
}

BarChart OutcomesByFamily(const Report& report) {
  BarChart chart = OutcomesBy(report, "Outcomes by command family", FamilyKey);
  // Alphabetical, so the same family sits in the same place in every run's page.
  std::vector<size_t> order(chart.categories.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return chart.categories[a] < chart.categories[b]; });
  BarChart sorted{chart.title, chart.unit, {}, chart.series, {}, {}};
  for (size_t i : order) {
    sorted.categories.push_back(chart.categories[i]);
    sorted.values.push_back(chart.values[i]);
  }
  return sorted;
}

BarChart SuiteDurations(const Report& report) {
  BarChart chart{"Suite durations", "s", {}, {{"duration", "#0072b2"}}, {}, {}};
  for (const SuiteResult& s : report.suites) {
    chart.categories.push_back(s.name);
    chart.values.push_back({s.duration_s});
  }
  return chart;
}

BarChart SlowestTests(const Report& report, size_t limit) {
  std::vector<const TestResult*> tests;
  for (const TestResult& t : report.tests) tests.push_back(&t);
  std::stable_sort(tests.begin(), tests.end(), [](const TestResult* a, const TestResult* b) {
    return a->duration_s > b->duration_s;
  });
  if (tests.size() > limit) tests.resize(limit);
  BarChart chart{"Slowest " + std::to_string(tests.size()) + " tests", "s", {}, {}, {}, {}};
  for (Outcome o : kOutcomes)
    chart.series.push_back({std::string(OutcomeName(o)), OutcomeColor(o)});
  for (const TestResult* t : tests) {
    chart.categories.push_back(t->name);
    std::vector<double> row(std::size(kOutcomes), NAN);
    row[static_cast<size_t>(t->outcome)] = t->duration_s;
    chart.values.push_back(row);
  }
  return chart;
}

std::vector<BarChart> MetricCharts(const std::vector<Report>& runs) {
  using GroupKey = std::tuple<std::string, std::string, std::string>;  // suite, name, unit
  struct Cell {
    size_t run;
    const Metric* metric;
  };
  std::map<GroupKey, std::vector<Cell>> groups;
  std::vector<GroupKey> order;
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const Metric& m : runs[r].metrics) {
      GroupKey key{m.suite, m.name, m.unit};
      auto [it, inserted] = groups.try_emplace(key);
      if (inserted) order.push_back(key);
      it->second.push_back({r, &m});
    }
  }
  std::vector<BarChart> charts;
  for (const GroupKey& key : order) {
    const std::vector<Cell>& cells = groups[key];
    BarChart chart{std::get<0>(key) + ": " + std::get<1>(key), std::get<2>(key), {}, {}, {}, {}};
    // Pick the series: the runs, or the label with the fewest distinct values above one.
    std::string series_label;
    if (runs.size() == 1) {
      std::map<std::string, std::set<std::string>> distinct;
      for (const Cell& c : cells) {
        for (const auto& [k, v] : c.metric->labels) distinct[k].insert(v);
      }
      size_t best = SIZE_MAX;
      for (const auto& [k, values] : distinct) {
        if (values.size() > 1 && values.size() < best && distinct.size() > 1) {
          best = values.size();
          series_label = k;
        }
      }
    }
    std::map<std::string, size_t> series_index;
    std::map<std::string, size_t> category_index;
    for (const Cell& c : cells) {
      std::map<std::string, std::string> rest = c.metric->labels;
      std::string series_name;
      if (runs.size() > 1) {
        series_name = RunLabel(runs, c.run);
      } else if (!series_label.empty()) {
        series_name = series_label + "=" + rest[series_label];
        rest.erase(series_label);
      } else {
        series_name = std::get<1>(key);
      }
      auto [s, new_series] = series_index.emplace(series_name, chart.series.size());
      if (new_series) {
        chart.series.push_back({series_name, PaletteColor(chart.series.size())});
        for (auto& row : chart.values) row.push_back(NAN);
        for (auto& row : chart.spreads) row.push_back(NAN);
      }
      auto [cat, new_cat] = category_index.emplace(FormatLabels(rest), chart.categories.size());
      if (new_cat) {
        chart.categories.push_back(cat->first);
        chart.values.emplace_back(chart.series.size(), NAN);
        chart.spreads.emplace_back(chart.series.size(), NAN);
      }
      chart.values[cat->second][s->second] = c.metric->value;
      chart.spreads[cat->second][s->second] = c.metric->spread.value_or(NAN);
    }
    charts.push_back(std::move(chart));
  }
  return charts;
}

std::vector<LineChart> SeriesCharts(const Report& report) {
  std::vector<LineChart> charts;
  for (const TestResult& t : report.tests) {
    std::vector<std::string> units;
    for (const TimeSeries& s : t.series) {
      if (std::find(units.begin(), units.end(), s.unit) == units.end()) units.push_back(s.unit);
    }
    for (const std::string& unit : units) {
      LineChart chart;
      chart.title = t.name;
      chart.y_unit = unit;
      std::set<std::tuple<double, double, std::string>> seen_markers;
      for (const TimeSeries& s : t.series) {
        if (s.unit != unit) continue;
        LineSeries line{s.name, PaletteColor(chart.series.size()), {}, false};
        for (const TimePoint& p : s.points) line.points.push_back({p.t_s, p.value});
        line.dashed = !s.points.empty() && s.points.size() <= 2 &&
                      s.points.front().value == s.points.back().value;
        // A series point is a value over an interval (schema: until the next point's t_s).
        line.steps = !line.dashed;
        chart.series.push_back(std::move(line));
        for (const SeriesMarker& m : s.markers) {
          const double end = m.end_s.value_or(NAN);
          // Series of one test usually share their markers: draw each once.
          if (!seen_markers.emplace(m.t_s, m.end_s.value_or(-1), m.label).second) continue;
          chart.markers.push_back({m.t_s, end, m.label});
        }
      }
      charts.push_back(std::move(chart));
    }
  }
  return charts;
}

std::string TestTable(const Report& report, const std::string& table_id) {
  std::string out = "<table class=\"tests\" id=\"" + HtmlEscape(table_id) +
                    "\"><thead><tr><th data-sort=\"text\">test</th><th data-sort=\"text\">"
                    "family</th><th data-sort=\"text\">outcome</th><th data-sort=\"num\">time"
                    "</th><th data-sort=\"text\">clause</th><th>reason / details</th></tr>"
                    "</thead><tbody>\n";
  for (const TestResult& t : report.tests) {
    std::string outcome(OutcomeName(t.outcome));
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.3f", t.duration_s);
    out += "<tr data-outcome=\"" + outcome + "\">" + Td(t.name, " class=\"id\"") + Td(t.family) +
           OutcomeCell(t.outcome, t.reason) + "<td class=\"num\" data-value=\"" + seconds + "\">" +
           HtmlEscape(FormatSeconds(t.duration_s)) + "</td>" + Td(t.clause) + "<td>" +
           FailureDetails(t) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string ComparisonMatrix(const std::vector<Report>& runs) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  std::vector<std::map<std::string, const TestResult*>> by_run(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const TestResult& t : runs[r].tests) {
      by_run[r].emplace(t.name, &t);
      if (seen.insert(t.name).second) ids.push_back(t.name);
    }
  }
  std::string head = "<thead><tr><th>test</th>";
  for (size_t r = 0; r < runs.size(); ++r) head += "<th>" + HtmlEscape(RunLabel(runs, r)) + "</th>";
  head += "</tr></thead>";
  std::string differing;
  std::string all;
  size_t n_differing = 0;
  for (const std::string& id : ids) {
    std::string row = "<tr>" + Td(id, " class=\"id\"");
    std::set<std::string> outcomes;
    for (size_t r = 0; r < runs.size(); ++r) {
      auto it = by_run[r].find(id);
      if (it == by_run[r].end()) {
        row += "<td class=\"o o-none\">—</td>";
        outcomes.insert("none");
      } else {
        row += OutcomeCell(it->second->outcome, it->second->reason);
        outcomes.insert(std::string(OutcomeName(it->second->outcome)));
      }
    }
    row += "</tr>\n";
    if (outcomes.size() > 1) {
      differing += row;
      ++n_differing;
    }
    all += row;
  }
  std::string out = "<h3>Tests whose outcome differs (" + std::to_string(n_differing) + " of " +
                    std::to_string(ids.size()) + ")</h3>\n";
  out += n_differing == 0
             ? "<p>Every test has the same outcome in every run.</p>\n"
             : "<table class=\"matrix\">" + head + "<tbody>\n" + differing + "</tbody></table>\n";
  out += "<details><summary>All " + std::to_string(ids.size()) +
         " tests</summary><table class=\"matrix\">" + head + "<tbody>\n" + all +
         "</tbody></table></details>\n";
  return out;
}

std::string RunsOverview(const std::vector<Report>& runs) {
  std::string out =
      "<table class=\"overview\"><thead><tr><th>run</th><th>target</th><th>portal</th>"
      "<th>product</th><th>verdict</th><th>PASS</th><th>FAIL</th><th>SKIP</th><th>XFAIL</th>"
      "<th>time</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const Report& r = runs[i];
    const OutcomeCounts& c = r.totals.counts;
    Verdict v = VerdictOf(c);
    std::string verdict(VerdictName(v));
    std::string klass = v == Verdict::kPass ? "o-PASS" : v == Verdict::kFail ? "o-FAIL" : "o-SKIP";
    out += "<tr><td><a href=\"#run-" + std::to_string(i) + "\">" + HtmlEscape(r.run.run_id) +
           "</a></td>" + Td(RunLabel(runs, i)) + Td(r.run.target.portal) +
           Td(r.run.target.vendor + " " + r.run.target.product + " " + r.run.target.revision) +
           "<td class=\"o " + klass + "\">" + HtmlEscape(verdict) + "</td>" +
           Td(std::to_string(c.pass), " class=\"num\"") +
           Td(std::to_string(c.fail), " class=\"num\"") +
           Td(std::to_string(c.skip), " class=\"num\"") +
           Td(std::to_string(c.xfail), " class=\"num\"") +
           Td(FormatSeconds(r.totals.duration_s), " class=\"num\"") + "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

}  // namespace harness::reports::html
