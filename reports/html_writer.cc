#include "reports/html_writer.h"

#include "reports/file_io.h"
#include "reports/html_sections.h"
#include "reports/number_format.h"
#include "reports/text_escape.h"

namespace harness::reports {
namespace {

// No network at all: a stray external reference is blocked (and shows up as a console
// error in the browser test) instead of silently fetching.
constexpr const char* kCsp =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:";

constexpr const char* kStyle = R"css(
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
th[data-sort] { cursor: pointer; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { font-family: monospace; }
td.o { font-weight: bold; text-align: center; color: #fff; }
.o-PASS { background: #2e7d32; color: #fff; }
.o-FAIL { background: #c62828; color: #fff; }
.o-SKIP { background: #9e9e9e; color: #fff; }
.o-XFAIL { background: #ef6c00; color: #fff; }
.o-none { background: #fff; color: #999; }
.verdict { display: inline-block; padding: 0.2em 0.6em; border-radius: 4px; color: #fff; }
.facts td:first-child { color: #555; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 0.8em 0; }
details pre { white-space: pre-wrap; background: #f7f7f7; padding: 0.5em; max-height: 20em;
  overflow: auto; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 8px; margin: 0.3em 0; }
dt { color: #555; }
dd { margin: 0; }
.controls { margin: 0.5em 0; }
)css";

// Progressive enhancement only: every table is complete without it. It ends by marking
// <html data-script-ok="1">, which the browser test looks for.
constexpr const char* kScript = R"js(
(function () {
  'use strict';
  var tables = document.querySelectorAll('table.tests');
  Array.prototype.forEach.call(tables, function (table) {
    var controls = document.querySelector('.controls[data-for="' + table.id + '"]');
    var body = table.tBodies[0];
    if (controls) {
      controls.hidden = false;
      var text = controls.querySelector('input');
      var outcome = controls.querySelector('select');
      var apply = function () {
        var needle = text.value.toLowerCase();
        var want = outcome.value;
        Array.prototype.forEach.call(body.rows, function (row) {
          var show = (!want || row.getAttribute('data-outcome') === want) &&
              (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0);
          row.hidden = !show;
        });
      };
      text.addEventListener('input', apply);
      outcome.addEventListener('change', apply);
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var kind = th.getAttribute('data-sort');
      if (!kind) return;
      th.addEventListener('click', function () {
        var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
        th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          if (kind === 'num') {
            return dir * (parseFloat(x.getAttribute('data-value')) -
                          parseFloat(y.getAttribute('data-value')));
          }
          return dir * x.textContent.localeCompare(y.textContent);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.documentElement.setAttribute('data-script-ok', '1');
})();
)js";

std::string Facts(const Report& r) {
  const Run& run = r.run;
  std::string out = "<table class=\"facts\"><tbody>\n";
  auto row = [&](const char* k, const std::string& v) {
    if (!v.empty())
      out += "<tr><td>" + std::string(k) + "</td><td>" + HtmlEscape(v) + "</td></tr>\n";
  };
  row("target", std::string(AdapterName(run.target.adapter)) + " " + run.target.portal);
  row("iqn", run.target.iqn);
  if (!run.target.product.empty()) {
    row("product", run.target.vendor + " " + run.target.product + " " + run.target.revision);
  }
  for (const auto& [component, version] : run.target.versions) {
    row("version", component + " " + version);
  }
  row("profile", run.profile);
  row("started", run.started_at);
  row("ended", run.ended_at);
  row("host",
      run.host.hostname + " (" + run.host.kernel + ", " + std::to_string(run.host.cpus) +
          " CPUs, " +
          FormatQuantity(static_cast<double>(run.host.memory_bytes) / (1024.0 * 1024 * 1024)) +
          " GiB)");
  row("harness", run.harness_version);
  std::string command;
  for (const std::string& arg : run.command_line) command += (command.empty() ? "" : " ") + arg;
  row("command", command);
  out += "</tbody></table>\n";
  if (run.target.probe.is_object() && !run.target.probe.empty()) {
    out +=
        "<details><summary>target probe</summary><pre>" +
        HtmlEscape(run.target.probe.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) +
        "</pre></details>\n";
  }
  return out;
}

std::string Controls(const std::string& table_id) {
  return "<div class=\"controls\" data-for=\"" + HtmlEscape(table_id) +
         "\" hidden><label>filter <input type=\"search\"></label> <label>outcome <select>"
         "<option value=\"\">any</option><option>PASS</option><option>FAIL</option>"
         "<option>SKIP</option><option>XFAIL</option></select></label></div>\n";
}

std::string RunSection(const std::vector<Report>& runs, size_t i) {
  const Report& r = runs[i];
  Verdict v = VerdictOf(r.totals.counts);
  std::string klass = v == Verdict::kPass ? "o-PASS" : v == Verdict::kFail ? "o-FAIL" : "o-SKIP";
  std::string id = "run-" + std::to_string(i);
  std::string out = "<section id=\"" + id + "\">\n<h2>" + HtmlEscape(html::RunLabel(runs, i)) +
                    ": <span class=\"verdict " + klass + "\">" +
                    HtmlEscape(std::string(VerdictName(v))) + "</span> " +
                    HtmlEscape(r.run.run_id) + "</h2>\n";
  out += Facts(r);
  out += RenderStackedBars(html::OutcomesBySuite(r));
  out += RenderStackedBars(html::OutcomesByFamily(r));
  out += RenderGroupedBars(html::SuiteDurations(r));
  // Stacked with one non-empty segment per row: one compact bar coloured by outcome.
  if (!r.tests.empty()) out += RenderStackedBars(html::SlowestTests(r, 15));
  // Time series (e.g. a hotplug scenario's LUN A IOPS with the LUN changes marked).
  const std::vector<LineChart> series = html::SeriesCharts(r);
  if (!series.empty()) {
    out += "<h3>Time series</h3>\n";
    for (const LineChart& chart : series) out += RenderLineChart(chart);
  }
  out += "<h3>Tests</h3>\n" + Controls(id + "-tests") + html::TestTable(r, id + "-tests");
  return out + "</section>\n";
}

}  // namespace

std::string RenderHtml(const Report& report) { return RenderHtml(std::vector<Report>{report}); }

std::string RenderHtml(const std::vector<Report>& runs) {
  OutcomeCounts all;
  for (const Report& r : runs) {
    all.pass += r.totals.counts.pass;
    all.fail += r.totals.counts.fail;
    all.skip += r.totals.counts.skip;
    all.xfail += r.totals.counts.xfail;
  }
  std::string title = "iscsi-harness: " + std::string(VerdictName(VerdictOf(all)));
  for (size_t i = 0; i < runs.size(); ++i)
    title += (i == 0 ? " — " : ", ") + html::RunLabel(runs, i);

  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + std::string(kCsp) + "\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + HtmlEscape(title) + "</title>\n<style>" + std::string(kStyle) +
          "</style>\n</head>\n<body>\n";
  page += "<h1>" + HtmlEscape(title) + "</h1>\n<nav>";
  if (runs.size() > 1) page += "<a href=\"#compare\">comparison</a>";
  page += "<a href=\"#metrics\">metrics</a>";
  for (size_t i = 0; i < runs.size(); ++i) {
    page += "<a href=\"#run-" + std::to_string(i) + "\">" + HtmlEscape(html::RunLabel(runs, i)) +
            "</a>";
  }
  page += "</nav>\n<h2>Runs</h2>\n" + html::RunsOverview(runs);
  if (runs.size() > 1) {
    page += "<section id=\"compare\">\n<h2>Comparison</h2>\n" + html::ComparisonMatrix(runs) +
            "</section>\n";
  }
  page += "<section id=\"metrics\">\n<h2>Metrics</h2>\n";
  std::vector<BarChart> charts = html::MetricCharts(runs);
  if (charts.empty()) page += "<p>No performance metrics in this run.</p>\n";
  for (const BarChart& chart : charts) page += RenderGroupedBars(chart);
  page += "</section>\n";
  for (size_t i = 0; i < runs.size(); ++i) page += RunSection(runs, i);
  page += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return page;
}

Status WriteHtml(const std::filesystem::path& path, const std::vector<Report>& runs) {
  return WriteFileAtomically(path, RenderHtml(runs));
}

}  // namespace harness::reports
