#include "harness/runner/gtest_suite.h"

#include <cstdlib>
#include <fstream>
#include <map>

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
  auto started = env.adapter->Start(spec.value());
  if (!started.ok()) {
    emit(MakeResult("", setup, "setup", Outcome::kFail, "the target did not start: " + started.error()));
    return;
  }
  const adapters::RunningTarget& running = started.value();
  suite::TargetUnderTest t;
  t.adapter = env.adapter->name();
  t.portal = running.portal;
  t.ipv6_portal = running.ipv6_portal;
  t.iqn = running.iqn;
  for (size_t i = 0; i < spec.value().luns.size() && i < running.lun_numbers.size(); ++i) {
    t.luns.push_back({running.lun_numbers[i], spec.value().luns[i]});
  }
  for (const auto& acl : spec.value().acls) t.initiators.push_back({acl.initiator, acl.chap});
  t.discovery_chap = spec.value().discovery_chap;
  t.capabilities = caps;
  t.allow_data_loss = env.allow_data_loss;
  t.initiator_prefix = env.initiator_prefix;
  t.pid = running.pid;
  if (env.on_target_started) {
    if (auto open = t.OpenInitiator("probe")) env.on_target_started(running, *open);
  }
  const auto target_file = env.out_dir / (program.name + ".target.json");
  const auto results_file = env.out_dir / (program.name + ".results.json");
  std::error_code ec;
  std::filesystem::remove(results_file, ec);
  if (Status s = suite::WriteTargetFile(target_file, t); !s.ok()) {
    env.adapter->Stop();
    emit(MakeResult("", setup, "setup", Outcome::kFail, s.message()));
    return;
  }
  process::RunOptions o;
  o.limit = program.limit;
  o.env[suite::kTargetEnv] = target_file.string();
  o.env[suite::kResultsEnv] = results_file.string();
  o.output_file = env.out_dir / (program.name + ".log");
  process::RunResult run = process::Run({path}, o);

  size_t reported = 0;
  bool any_failed = false;
  std::ifstream in(results_file);
  nlohmann::json doc = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (doc.is_object() && doc.contains("tests")) {
    for (const auto& e : doc["tests"]) {
      reports::TestResult r = ResultFromGtest(program.name, e);
      any_failed = any_failed || r.outcome == Outcome::kFail;
      emit(std::move(r));
      ++reported;
    }
  }
  // A crash, a hang or a non-zero exit with no failed test to explain it is a failure of its own.
  if (!run.exited_ok() && !any_failed) {
    reports::TestResult r = MakeResult("", program.name + ".program.(exit)", "program", Outcome::kFail,
                                       program.program + " " + run.Describe() + " after " +
                                           std::to_string(reported) + " test(s)");
    r.log_excerpt = process::TailOfFile(o.output_file, 40);
    emit(std::move(r));
  }
  // The program's failures after a crash all read "connection refused"; name the cause.
  if (!TargetProcessAlive(running.pid)) {
    reports::TestResult r = MakeResult("", program.name + ".program.(target)", "program",
                                       Outcome::kFail,
                                       "the target process died while " + program.program +
                                           " ran (" + std::to_string(reported) +
                                           " test(s) reported); see the log excerpt");
    if (!running.log.empty()) r.log_excerpt = process::TailOfFile(running.log, 40);
    emit(std::move(r));
  }
  Status stopped = env.adapter->Stop();
  if (!stopped.ok()) {
    emit(MakeResult("", program.name + ".program.(target-stop)", "program", Outcome::kFail, stopped.message()));
  }
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
