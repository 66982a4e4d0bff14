// The sections of index.html; internal to html_writer.cc and its tests.
#pragma once

#include <string>
#include <vector>

#include "reports/report_model.h"
#include "reports/svg_chart.h"

namespace harness::reports::html {

// Returns the CSS color of an outcome (PASS green, FAIL red, SKIP grey, XFAIL orange).
std::string OutcomeColor(Outcome outcome);

// Returns a short name for run `i` of `runs`: the adapter, made unique with the run id.
std::string RunLabel(const std::vector<Report>& runs, size_t i);

// Returns the stacked outcome chart with one bar per suite.
BarChart OutcomesBySuite(const Report& report);
// Returns the stacked outcome chart with one bar per test family.
BarChart OutcomesByFamily(const Report& report);
// Returns suite durations; and the `limit` slowest tests.
BarChart SuiteDurations(const Report& report);
BarChart SlowestTests(const Report& report, size_t limit);

// Returns one grouped chart per (suite, metric name, unit) across `runs`. With one run the
// series are the values of the label that varies least (e.g. backstore) and the categories
// the other labels (e.g. job); with several runs the series are the runs.
std::vector<BarChart> MetricCharts(const std::vector<Report>& runs);

// Returns one line chart per test and unit of its series (e.g. "LUN A IOPS" of a hotplug
// scenario) with the series' markers. Series are drawn as steps (a point's value holds until
// the next point); a series holding one constant value over at most two points (a baseline
// or threshold) is drawn as a dashed line instead.
std::vector<LineChart> SeriesCharts(const Report& report);

// Returns the <table> of every test in `report`; `table_id` must be unique in the page.
std::string TestTable(const Report& report, const std::string& table_id);

// Returns the test x run matrix with coloured outcome cells: tests whose outcome differs
// between runs first, then (collapsed) all tests.
std::string ComparisonMatrix(const std::vector<Report>& runs);

// Returns the overview table of runs: target, verdict, counts, duration.
std::string RunsOverview(const std::vector<Report>& runs);

}  // namespace harness::reports::html
