#include "reports/report_check.h"

#include <map>
#include <string>

#include "reports/rfc3339.h"

namespace harness::reports {
namespace {

std::string Describe(const OutcomeCounts& c) {
  return "{pass " + std::to_string(c.pass) + ", fail " + std::to_string(c.fail) + ", skip " +
         std::to_string(c.skip) + ", xfail " + std::to_string(c.xfail) + "}";
}

}  // namespace

std::vector<ValidationError> CheckConsistency(const Report& report) {
  std::vector<ValidationError> errors;
  auto started = ParseRfc3339Utc(report.run.started_at);
  auto ended = ParseRfc3339Utc(report.run.ended_at);
  if (started && ended && *ended < *started) {
    errors.push_back({"/run/ended_at", "run ends (" + report.run.ended_at + ") before it starts (" +
                                           report.run.started_at + ")"});
  }
  if (report.run.shard && report.run.shard->index >= report.run.shard->count) {
    errors.push_back({"/run/shard/index", "shard index " + std::to_string(report.run.shard->index) +
                                              " is not below the shard count " +
                                              std::to_string(report.run.shard->count)});
  }

  std::map<std::string, size_t> suite_index;
  for (size_t i = 0; i < report.suites.size(); ++i) {
    auto [it, inserted] = suite_index.emplace(report.suites[i].name, i);
    if (!inserted) {
      errors.push_back({"/suites/" + std::to_string(i) + "/name",
                        "duplicate suite name \"" + report.suites[i].name +
                            "\" (first at /suites/" + std::to_string(it->second) + ")"});
    }
  }

  std::map<std::string, size_t> test_index;
  std::vector<OutcomeCounts> counted(report.suites.size());
  for (size_t i = 0; i < report.tests.size(); ++i) {
    const TestResult& test = report.tests[i];
    std::string at = "/tests/" + std::to_string(i);
    auto [it, inserted] = test_index.emplace(test.name, i);
    if (!inserted) {
      errors.push_back({at + "/name", "duplicate test id \"" + test.name + "\" (first at /tests/" +
                                          std::to_string(it->second) + ")"});
    }
    auto suite = suite_index.find(test.suite);
    if (suite == suite_index.end()) {
      errors.push_back({at + "/suite", "names suite \"" + test.suite + "\" that /suites lacks"});
    } else {
      counted[suite->second].Add(test.outcome);
    }
  }

  std::map<std::string, size_t> metric_index;
  for (size_t i = 0; i < report.metrics.size(); ++i) {
    std::string key = report.metrics[i].Key();
    auto [it, inserted] = metric_index.emplace(key, i);
    if (!inserted) {
      errors.push_back(
          {"/metrics/" + std::to_string(i),
           "duplicate metric " + key + " (first at /metrics/" + std::to_string(it->second) + ")"});
    }
  }

  OutcomeCounts sum;
  for (size_t i = 0; i < report.suites.size(); ++i) {
    const OutcomeCounts& c = report.suites[i].counts;
    if (!(c == counted[i])) {
      errors.push_back({"/suites/" + std::to_string(i) + "/counts",
                        "counts " + Describe(c) + " differ from the tests naming suite \"" +
                            report.suites[i].name + "\" " + Describe(counted[i])});
    }
    sum.pass += c.pass;
    sum.fail += c.fail;
    sum.skip += c.skip;
    sum.xfail += c.xfail;
  }
  if (!(report.totals.counts == sum)) {
    errors.push_back({"/totals/counts", "totals " + Describe(report.totals.counts) +
                                            " differ from the sum over suites " + Describe(sum)});
  }
  return errors;
}

}  // namespace harness::reports
