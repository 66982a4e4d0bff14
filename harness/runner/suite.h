// Suite: one named group of tests the runner can run against any adapter. A suite starts the
// target with the LUNs it needs, runs, records one TestResult per test, and stops the target.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapters/target_adapter.h"
#include "reports/report_model.h"

namespace harness::runner {

enum class Profile { kQuick, kFull };
// Returns "quick" or "full".
const char* ProfileName(Profile profile);

class XfailManifest;

// What the runner hands every suite.
struct SuiteEnv {
  adapters::TargetAdapter* adapter = nullptr;
  std::filesystem::path out_dir;  // this suite's folder for logs and tool output
  Profile profile = Profile::kQuick;
  bool allow_data_loss = false;
  std::string initiator_prefix = "iqn.2003-01.org.reftarget.harness";
  // Set by the runner; called as each test ends (for progress display).
  std::function<void(const reports::TestResult&)> on_result;
  // Set by the runner; a suite calls it after starting the target, naming LUN index 0's
  // number and an initiator the target accepts without CHAP (for the report's target and
  // the probe step).
  std::function<void(const adapters::RunningTarget&, const std::string& initiator)>
      on_target_started;
};

class Suite {
 public:
  virtual ~Suite() = default;
  // Returns the stable suite name used on the command line and in reports.
  virtual std::string name() const = 0;
  virtual reports::SuiteKind kind() const = 0;
  // Returns one line for `iscsi-harness list`.
  virtual std::string description() const = 0;
  // Runs every test; appends one result per test to `*results`. A test that cannot run is
  // SKIP with the reason; the suite never reports PASS for something it did not check.
  virtual void Run(const SuiteEnv& env, std::vector<reports::TestResult>* results) = 0;
};

// Returns a result for `name` in `suite` with `outcome` and `reason`.
reports::TestResult MakeResult(const std::string& suite, const std::string& name,
                               const std::string& family, reports::Outcome outcome,
                               std::string reason = "");

// A FAIL result `name` saying that the target process died during `what`, with the tail
// of the target's log when the adapter keeps one.
reports::TestResult TargetDiedResult(const std::string& suite, const std::string& name,
                                     const std::string& family, const std::string& what,
                                     const adapters::RunningTarget& target);

// Restarts a managed target that died, at most `limit` times in one suite run, so that one
// crashing input costs the tests it breaks and not the rest of the run.
class TargetRestarter {
 public:
  TargetRestarter(adapters::TargetAdapter* adapter, int limit) : adapter_(adapter), limit_(limit) {}
  // Stops the dead target and starts `spec` again; the new target, or why there is none
  // (the limit is spent, or the start failed).
  Result<adapters::RunningTarget> Restart(const adapters::TargetSpec& spec);
  int restarts() const { return restarts_; }

 private:
  adapters::TargetAdapter* adapter_;
  const int limit_;
  int restarts_ = 0;
};

// Returns false once the target process `pid` has exited (a zombie counts as exited);
// true when it runs or when the adapter started no process of its own.
bool TargetProcessAlive(const std::optional<int>& pid);

}  // namespace harness::runner
