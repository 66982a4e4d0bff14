// ResultBuilder: one test's result assembled while it runs (metrics, series, problems,
// notes) and turned into its TestResult: PASS with the notes as its reason, or FAIL naming
// every problem (the first kMaxReasons distinct ones, then "+N more").
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "reports/report_model.h"

namespace harness::reports {

class ResultBuilder {
 public:
  // `name` is the stable id "suite.Family.Test".
  ResultBuilder(std::string suite, std::string name, std::string family, std::string clause);

  // Adds a problem; the test FAILs. A problem already added is not repeated.
  void Fail(const std::string& why);
  bool failed() const { return !problems_.empty() || dropped_ > 0; }
  // Adds an observation that does not fail the test (shown as a PASS's reason).
  void Note(const std::string& what) { notes_.push_back(what); }
  void Metric(const std::string& key, double value) { metrics_[key] = value; }
  void AddSeries(TimeSeries series) { series_.push_back(std::move(series)); }
  std::vector<TimeSeries>& series() { return series_; }

  // Returns the result: PASS with the metrics, or FAIL with every problem as the reason.
  TestResult Finish(std::chrono::steady_clock::duration elapsed) const;
  // Returns a SKIP result with `reason` (and whatever metrics were recorded).
  TestResult Skip(std::string reason) const;

  static constexpr size_t kMaxReasons = 4;

 private:
  std::string suite_, name_, family_, clause_;
  std::vector<std::string> problems_;
  std::vector<std::string> notes_;
  size_t dropped_ = 0;
  std::map<std::string, double> metrics_;
  std::vector<TimeSeries> series_;
};

}  // namespace harness::reports
