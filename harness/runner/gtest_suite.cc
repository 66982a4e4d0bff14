#include "harness/runner/gtest_suite.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "harness/process/child_process.h"
#include "harness/runner/iscsi_test_cu_suite.h"

namespace harness::runner {
namespace {

using adapters::Backing;
using reports::Outcome;

std::filesystem::path SelfDir() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

std::string Property(const nlohmann::json& props, const std::string& key) {
  auto it = props.find(key);
  return it != props.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Unhex(std::string s) {  // "12 00 01" -> "120001"
  std::string out;
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

std::string FindSuiteProgram(const std::string& program) {
  std::error_code ec;
  if (const char* dir = std::getenv("ISCSI_HARNESS_SUITES_DIR"); dir != nullptr && *dir) {
    auto p = std::filesystem::path(dir) / program;
    return std::filesystem::exists(p, ec) ? p.string() : "";
  }
  const auto suites = SelfDir() / ".." / ".." / "suites";
  for (const char* sub : {"conformance", "hotplug", "isolation", "performance"}) {
    auto p = suites / sub / program;
    if (std::filesystem::exists(p, ec)) return std::filesystem::weakly_canonical(p, ec).string();
  }
  return process::FindProgram(program);
}

reports::TestResult ResultFromGtest(const std::string& prefix, const nlohmann::json& e) {
  const std::string suite = e.value("suite", "?");
  reports::TestResult r = MakeResult("", prefix + "." + suite + "." + e.value("name", "?"), suite,
                                     Outcome::kFail);
  const std::string outcome = e.value("outcome", "FAIL");
  r.outcome = outcome == "PASS" ? Outcome::kPass : outcome == "SKIP" ? Outcome::kSkip : Outcome::kFail;
  r.reason = e.value("reason", "");
  if (r.outcome != Outcome::kPass && r.reason.empty()) r.reason = "no reason given";
  if (r.outcome == Outcome::kPass) r.reason.clear();
  r.duration_s = e.value("duration_s", 0.0);
  const nlohmann::json props = e.value("properties", nlohmann::json::object());
  r.clause = Property(props, "clause");
  if (r.outcome == Outcome::kFail) {
    // The first failed SCSI check (gtest_expect.h records scsi.<n>.*), if any.
    reports::Failure f;
    for (int n = 1; n < 1000; ++n) {
      const std::string base = "scsi." + std::to_string(n) + ".";
      if (!props.contains(base + "verdict")) break;
      if (Property(props, base + "verdict") == "pass") continue;
      f.expected = Property(props, base + "expected");
      f.actual = Property(props, base + "got");
      f.cdb_hex = Unhex(Property(props, base + "cdb"));
      f.sense_hex = Unhex(Property(props, base + "sense"));
      if (r.clause.empty()) r.clause = Property(props, base + "clause");
      break;
    }
    std::string message;
    for (const auto& m : e.value("failures", nlohmann::json::array())) {
      message += m.get<std::string>() + "\n";
    }
    f.message = message.substr(0, 4000);
    r.failure = f;
  }
  return r;
}

namespace {

constexpr auto kGroupLimit = std::chrono::seconds(300);
constexpr int kMaxTargetRestarts = 10;

// The test groups ("Digest", "DataSnInvalid/DataSnInvalid") of a gtest program, in order,
// from --gtest_list_tests; empty if the listing fails.
std::vector<std::string> ListTestGroups(const std::string& path) {
  process::RunOptions o;
  o.limit = std::chrono::seconds(30);
  o.separate_stderr = true;
  process::RunResult listed = process::Run({path, "--gtest_list_tests"}, o);
  std::vector<std::string> groups;
  if (!listed.exited_ok()) return groups;
  std::istringstream in(listed.output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == ' ') continue;
    line = line.substr(0, line.find_first_of(" #"));
    if (!line.empty() && line.back() == '.') groups.push_back(line.substr(0, line.size() - 1));
  }
  return groups;
}

// One gtest program against the target, a test group per run. A target that dies during a
// group is charged to it, restarted on the same spec, and the group's failed tests run again
// one at a time, so that each failure stands for itself and not for the crash before it.
class GtestRun {
 public:
  using Emit = std::function<void(reports::TestResult)>;
  GtestRun(const GtestProgram& program, std::string path, adapters::TargetSpec spec,
           const SuiteEnv& env, Emit emit)
      : program_(program), path_(std::move(path)), spec_(std::move(spec)), env_(env),
        emit_(std::move(emit)), target_file_(env.out_dir / (program.name + ".target.json")),
        log_dir_(env.out_dir / (program.name + ".logs")) {
    std::error_code ec;
    std::filesystem::create_directories(log_dir_, ec);
  }

  // Starts the target and writes the target file; false (with a result emitted) if not.
  bool StartTarget(const std::string& setup_name) {
    auto started = env_.adapter->Start(spec_);
    if (!started.ok()) {
      emit_(MakeResult("", setup_name, "setup", Outcome::kFail,
                       "the target did not start: " + started.error()));
      return false;
    }
    return Adopt(started.value(), setup_name);
  }

  void RunGroup(const std::string& group) {
    if (gone_) {
      emit_(MakeResult("", program_.name + "." + group + ".(not-run)", group, Outcome::kFail,
                       "not run: " + *gone_));
      return;
    }
    const std::string tag = Sanitize(group);
    std::vector<reports::TestResult> results = RunFilter(group + ".*", tag);
    if (TargetProcessAlive(running_.pid)) {
      for (auto& r : results) emit_(std::move(r));
      return;
    }
    emit_(TargetDiedResult("", program_.name + "." + group + ".(target)", group,
                           "test group " + group, running_));
    if (!Restart()) {
      for (auto& r : results) emit_(std::move(r));
      return;
    }
    // Run each failed test alone: its own outcome, on a live target.
    for (auto& r : results) {
      if (r.outcome != Outcome::kFail || gone_ || process::Interrupted()) {
        emit_(std::move(r));
        continue;
      }
      const std::string test = r.name.substr(program_.name.size() + 1);  // "Group.Test"
      std::vector<reports::TestResult> again = RunFilter(test, Sanitize(test));
      const bool killed = !TargetProcessAlive(running_.pid);
      if (again.size() != 1) {
        r.reason += " (a rerun alone gave no result)";
        emit_(std::move(r));
      } else {
        if (killed) {
          again[0].outcome = Outcome::kFail;
          again[0].reason = "the target process died during this test; " + again[0].reason;
          if (!running_.log.empty()) again[0].log_excerpt = process::TailOfFile(running_.log, 40);
        }
        emit_(std::move(again[0]));
      }
      if (killed) Restart();
    }
  }

  void Finish() {
    Status stopped = env_.adapter->Stop();
    if (!stopped.ok()) {
      emit_(MakeResult("", program_.name + ".program.(target-stop)", "program", Outcome::kFail,
                       stopped.message()));
    }
  }

 private:
  // Takes `running` as the target under test and writes the target file the suite program
  // reads; false (with a result emitted) if the file cannot be written.
  bool Adopt(const adapters::RunningTarget& running, const std::string& setup_name) {
    running_ = running;
    suite::TargetUnderTest t;
    t.adapter = env_.adapter->name();
    t.portal = running_.portal;
    t.ipv6_portal = running_.ipv6_portal;
    t.iqn = running_.iqn;
    for (size_t i = 0; i < spec_.luns.size() && i < running_.lun_numbers.size(); ++i) {
      t.luns.push_back({running_.lun_numbers[i], spec_.luns[i]});
    }
    for (const auto& acl : spec_.acls) t.initiators.push_back({acl.initiator, acl.chap});
    t.discovery_chap = spec_.discovery_chap;
    t.capabilities = env_.adapter->capabilities();
    t.allow_data_loss = env_.allow_data_loss;
    t.initiator_prefix = env_.initiator_prefix;
    t.pid = running_.pid;
    if (!probed_ && env_.on_target_started) {
      probed_ = true;
      if (auto open = t.OpenInitiator("probe")) env_.on_target_started(running_, *open);
    }
    if (Status s = suite::WriteTargetFile(target_file_, t); !s.ok()) {
      env_.adapter->Stop();
      emit_(MakeResult("", setup_name, "setup", Outcome::kFail, s.message()));
      return false;
    }
    return true;
  }

  static std::string Sanitize(std::string s) {
    for (char& c : s) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
    }
    return s;
  }

  // Stops the dead target and starts it again; false (with gone_ set) when it cannot.
  bool Restart() {
    const int before = restarter_.restarts();
    auto again = restarter_.Restart(spec_);
    const std::string setup_name =
        program_.name + ".setup.(restart-" + std::to_string(restarter_.restarts()) + ")";
    if (!again.ok()) {
      gone_ = again.error();
      // A start that failed is a setup failure of its own; a spent limit is said by gone_.
      if (restarter_.restarts() > before) {
        emit_(MakeResult("", setup_name, "setup", Outcome::kFail, again.error()));
      }
      return false;
    }
    if (!Adopt(again.value(), setup_name)) {
      gone_ = "the target file could not be written";
      return false;
    }
    return true;
  }

  // Runs the tests matching `filter`; returns their results, plus one FAIL for a crash, a
  // hang or a non-zero exit that no failed test explains.
  std::vector<reports::TestResult> RunFilter(const std::string& filter, const std::string& tag) {
    const auto results_file = log_dir_ / (tag + ".results.json");
    std::error_code ec;
    std::filesystem::remove(results_file, ec);
    process::RunOptions o;
    o.limit = std::min<std::chrono::seconds>(program_.limit, kGroupLimit);
    o.env[suite::kTargetEnv] = target_file_.string();
    o.env[suite::kResultsEnv] = results_file.string();
    o.output_file = log_dir_ / (tag + ".log");
    process::RunResult run = process::Run({path_, "--gtest_filter=" + filter}, o);
    std::vector<reports::TestResult> out;
    bool any_failed = false;
    std::ifstream in(results_file);
    nlohmann::json doc = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
    if (doc.is_object() && doc.contains("tests")) {
      for (const auto& e : doc["tests"]) {
        out.push_back(ResultFromGtest(program_.name, e));
        any_failed = any_failed || out.back().outcome == Outcome::kFail;
      }
    }
    if (!run.exited_ok() && !any_failed) {
      reports::TestResult r = MakeResult("", program_.name + "." + tag + ".(exit)", "program",
                                         Outcome::kFail,
                                         program_.program + " --gtest_filter=" + filter + ": " +
                                             run.Describe() + " after " +
                                             std::to_string(out.size()) + " test(s)");
      r.log_excerpt = process::TailOfFile(o.output_file, 40);
      out.push_back(std::move(r));
    }
    return out;
  }

  const GtestProgram& program_;
  const std::string path_;
  const adapters::TargetSpec spec_;
  const SuiteEnv& env_;
  Emit emit_;
  const std::filesystem::path target_file_;
  const std::filesystem::path log_dir_;
  adapters::RunningTarget running_;
  TargetRestarter restarter_{env_.adapter, kMaxTargetRestarts};
  bool probed_ = false;
  std::optional<std::string> gone_;
};

}  // namespace

void RunGtestProgram(const GtestProgram& program, const SuiteEnv& env,
                     std::vector<reports::TestResult>* results) {
  auto emit = [&](reports::TestResult r) {
    if (env.on_result) env.on_result(r);
    results->push_back(std::move(r));
  };
  const std::string setup = program.name + ".setup.(target)";
  const std::string path = FindSuiteProgram(program.program);
  if (path.empty()) {
    emit(MakeResult("", setup, "setup", Outcome::kSkip,
                    program.program + " is not built or installed (set ISCSI_HARNESS_SUITES_DIR)"));
    return;
  }
  const adapters::Capabilities caps = env.adapter->capabilities();
  auto spec = program.spec(caps);
  if (!spec.ok()) {
    emit(MakeResult("", setup, "setup", Outcome::kSkip, spec.error()));
    return;
  }
  GtestRun run(program, path, spec.value(), env, emit);
  if (!run.StartTarget(setup)) return;
  std::vector<std::string> groups = ListTestGroups(path);
  if (groups.empty()) groups = {"*"};  // listing failed: one run of everything
  for (const std::string& group : groups) {
    if (process::Interrupted()) break;
    run.RunGroup(group);
  }
  run.Finish();
}

Result<adapters::TargetSpec> OpenConformanceSpec(const adapters::Capabilities& caps) {
  if (!caps.managed) return Status::Error("the adapter does not manage the target's configuration");
  adapters::TargetSpec s;
  s.iqn = "iqn.2003-01.org.reftarget.harness:conformance-open";
  adapters::LunSpec disk = adapters::MakeLunSpec("conf_disk", Backing::kFileio, 64ull << 20);
  disk.thin = caps.thin;
  s.luns = {disk, adapters::MakeLunSpec("conf_ram", Backing::kRamdisk, 16ull << 20)};
  s.ipv6_portal = caps.ipv6;
  // The most permissive data-transfer keys a target may offer, so that the immediate and
  // unsolicited data tests reach the rules they check (InitialR2T is OR-negotiated).
  s.iscsi_parameters = {{"InitialR2T", "No"}, {"ImmediateData", "Yes"}};
  return s;
}

Result<adapters::TargetSpec> AuthConformanceSpec(const adapters::Capabilities& caps) {
  if (!caps.managed) return Status::Error("the adapter does not manage the target's configuration");
  if (!caps.acls || !caps.chap) return Status::Error("the adapter cannot configure ACLs with CHAP");
  adapters::TargetSpec s;
  s.iqn = "iqn.2003-01.org.reftarget.harness:conformance-auth";
  s.luns = {adapters::MakeLunSpec("conf_auth_disk", Backing::kFileio, 64ull << 20)};
  const std::string prefix = "iqn.2003-01.org.reftarget.harness";
  s.acls.push_back({prefix + ":chap-oneway",
                    adapters::ChapSpec{"harness-oneway", "OneWaySecret-16c", "", ""}});
  if (caps.mutual_chap) {
    s.acls.push_back({prefix + ":chap-mutual",
                      adapters::ChapSpec{"harness-mutual", "MutualSecret-16c", "harness-target",
                                         "TargetSecret-16c"}});
  }
  if (caps.discovery_auth) {
    s.discovery_chap = adapters::ChapSpec{"harness-discovery", "DiscoverySecret1", "", ""};
  }
  return s;
}

void ConformanceSuite::Run(const SuiteEnv& env, std::vector<reports::TestResult>* results) {
  RunGtestProgram({"protocol-open", "conformance_open_test", OpenConformanceSpec}, env, results);
  RunGtestProgram({"protocol-auth", "conformance_auth_test", AuthConformanceSpec}, env, results);
  IscsiTestCuSuite cu;
  cu.Run(env, results);
}

}  // namespace harness::runner
