#include "reports/junit_writer.h"

#include <cstdio>
#include <map>
#include <vector>

#include "reports/file_io.h"
#include "reports/text_escape.h"

namespace harness::reports {
namespace {

// Fixed-point: reporters parse "time" as a decimal and reject exponents.
std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", s < 0 ? 0.0 : s);
  return buf;
}

std::string Attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + XmlEscape(value) + "\"";
}

std::string Details(const TestResult& test) {
  std::string d;
  auto line = [&](const char* label, const std::string& value) {
    if (!value.empty()) d += std::string(label) + ": " + value + "\n";
  };
  line("reason", test.reason);
  line("clause", test.clause);
  if (test.failure) {
    line("expected", test.failure->expected);
    line("actual", test.failure->actual);
    line("cdb", test.failure->cdb_hex);
    line("sense", test.failure->sense_hex);
    line("message", test.failure->message);
  }
  return d;
}

void AppendTestcase(const TestResult& test, std::string* out) {
  *out += "    <testcase" + Attr("classname", TestClassName(test.name)) +
          Attr("name", TestShortName(test.name)) + Attr("time", Seconds(test.duration_s)) + ">\n";
  switch (test.outcome) {
    case Outcome::kPass:
      break;
    case Outcome::kFail:
      *out += "      <failure" + Attr("message", FailureHeadline(test)) +
              Attr("type", test.clause.empty() ? "FAIL" : test.clause) + ">" +
              XmlEscape(Details(test)) + "</failure>\n";
      break;
    case Outcome::kSkip:
      *out += "      <skipped" + Attr("message", test.reason) + "/>\n";
      break;
    case Outcome::kXfail:
      *out += "      <skipped" + Attr("type", "xfail") + Attr("message", "XFAIL: " + test.reason) +
              ">" + XmlEscape(Details(test)) + "</skipped>\n";
      break;
  }
  if (!test.log_excerpt.empty()) {
    *out += "      <system-out>" + XmlEscape(test.log_excerpt) + "</system-out>\n";
  }
  *out += "    </testcase>\n";
}

std::string Properties(const Report& report) {
  const Target& t = report.run.target;
  std::vector<std::pair<std::string, std::string>> props = {
      {"run_id", report.run.run_id},   {"harness_version", report.run.harness_version},
      {"profile", report.run.profile}, {"target.adapter", std::string(AdapterName(t.adapter))},
      {"target.portal", t.portal},     {"target.iqn", t.iqn},
      {"target.vendor", t.vendor},     {"target.product", t.product},
      {"target.revision", t.revision},
  };
  std::string out = "    <properties>\n";
  for (const auto& [name, value] : props) {
    if (value.empty()) continue;
    out += "      <property" + Attr("name", name) + Attr("value", value) + "/>\n";
  }
  return out + "    </properties>\n";
}

}  // namespace

std::string FailureHeadline(const TestResult& test) {
  if (test.failure && (!test.failure->expected.empty() || !test.failure->actual.empty())) {
    std::string s = "expected " + (test.failure->expected.empty() ? "?" : test.failure->expected) +
                    ", got " + (test.failure->actual.empty() ? "?" : test.failure->actual);
    if (!test.failure->sense_hex.empty()) s += " (sense " + test.failure->sense_hex + ")";
    return s;
  }
  if (!test.reason.empty()) return test.reason;
  if (test.failure && !test.failure->message.empty()) return test.failure->message;
  return "failed";
}

std::string RenderJunit(const Report& report) {
  // Group tests by suite in the report's suite order; a test naming an unlisted suite
  // still gets a <testsuite> so nothing is dropped.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const TestResult*>> by_suite;
  std::map<std::string, const SuiteResult*> suites;
  for (const SuiteResult& s : report.suites) {
    if (suites.emplace(s.name, &s).second) order.push_back(s.name);
  }
  for (const TestResult& t : report.tests) {
    if (by_suite.find(t.suite) == by_suite.end() && suites.find(t.suite) == suites.end()) {
      order.push_back(t.suite);
    }
    by_suite[t.suite].push_back(&t);
  }

  OutcomeCounts all;
  double all_time = 0;
  std::string body;
  std::string properties = Properties(report);
  for (const std::string& name : order) {
    OutcomeCounts c;
    double time = 0;
    for (const TestResult* t : by_suite[name]) {
      c.Add(t->outcome);
      time += t->duration_s;
    }
    if (auto it = suites.find(name); it != suites.end()) time = it->second->duration_s;
    all.pass += c.pass;
    all.fail += c.fail;
    all.skip += c.skip;
    all.xfail += c.xfail;
    all_time += time;
    body += "  <testsuite" + Attr("name", name) + Attr("tests", std::to_string(c.total())) +
            Attr("failures", std::to_string(c.fail)) + Attr("errors", "0") +
            Attr("skipped", std::to_string(c.skip + c.xfail)) + Attr("time", Seconds(time)) +
            Attr("timestamp", report.run.started_at) + Attr("hostname", report.run.host.hostname) +
            ">\n";
    body += properties;
    for (const TestResult* t : by_suite[name]) AppendTestcase(*t, &body);
    body += "  </testsuite>\n";
  }
  std::string title = "iscsi-harness " + report.run.run_id + " (" +
                      std::string(AdapterName(report.run.target.adapter)) + " " +
                      report.run.target.portal + ")";
  // junit-10.xsd gives <testsuites> no "skipped" attribute; reporters sum the suites.
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + Attr("name", title) +
         Attr("tests", std::to_string(all.total())) + Attr("failures", std::to_string(all.fail)) +
         Attr("errors", "0") + Attr("time", Seconds(all_time)) + ">\n" + body + "</testsuites>\n";
}

Status WriteJunit(const std::filesystem::path& path, const Report& report) {
  return WriteFileAtomically(path, RenderJunit(report));
}

}  // namespace harness::reports
