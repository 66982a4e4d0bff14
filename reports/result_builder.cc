#include "reports/result_builder.h"

#include <algorithm>

namespace harness::reports {

ResultBuilder::ResultBuilder(std::string suite, std::string name, std::string family,
                             std::string clause)
    : suite_(std::move(suite)),
      name_(std::move(name)),
      family_(std::move(family)),
      clause_(std::move(clause)) {}

void ResultBuilder::Fail(const std::string& why) {
  if (std::find(problems_.begin(), problems_.end(), why) != problems_.end()) return;
  if (problems_.size() < kMaxReasons) {
    problems_.push_back(why);
  } else {
    ++dropped_;
  }
}

TestResult ResultBuilder::Finish(std::chrono::steady_clock::duration elapsed) const {
  TestResult r;
  r.suite = suite_;
  r.name = name_;
  r.family = family_;
  r.clause = clause_;
  r.duration_s = std::chrono::duration<double>(elapsed).count();
  r.metrics = metrics_;
  r.series = series_;
  if (!failed()) {
    r.outcome = Outcome::kPass;
    for (const std::string& n : notes_) r.reason += (r.reason.empty() ? "" : "; ") + n;
    return r;
  }
  r.outcome = Outcome::kFail;
  for (const std::string& p : problems_) r.reason += (r.reason.empty() ? "" : "; ") + p;
  if (dropped_ > 0) r.reason += " (+" + std::to_string(dropped_) + " more)";
  return r;
}

TestResult ResultBuilder::Skip(std::string reason) const {
  TestResult r = Finish(std::chrono::steady_clock::duration::zero());
  r.outcome = Outcome::kSkip;
  r.reason = std::move(reason);
  return r;
}

}  // namespace harness::reports
