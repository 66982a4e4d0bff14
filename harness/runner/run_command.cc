#include "harness/runner/run_command.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <random>
#include <thread>

#include "harness/adapters/lio_adapter.h"
#include "harness/adapters/reference_adapter.h"
#include "harness/adapters/scst_adapter.h"
#include "harness/adapters/tgt_adapter.h"
#include "harness/adapters/url_adapter.h"
#include "harness/process/child_process.h"
#include "harness/runner/gtest_suite.h"
#include "harness/runner/probe.h"
#include "harness/runner/xfail_manifest.h"
#include "reports/compare.h"
#include "reports/history.h"
#include "reports/html_writer.h"
#include "reports/junit_writer.h"
#include "reports/markdown_writer.h"
#include "reports/report_io.h"
#include "suites/durability/durability_suite.h"
#include "suites/hotplug/hotplug_suite.h"
#include "suites/isolation/isolation_suite.h"

namespace harness::runner {
namespace {

constexpr const char* kHarnessVersion = "0.1.0";

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NewRunId() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "-%04x", rd() & 0xffff);
  return std::string(buf) + suffix;
}

reports::Host ThisHost() {
  reports::Host h;
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  h.hostname = name;
  utsname u{};
  if (uname(&u) == 0) h.kernel = std::string(u.sysname) + " " + u.release;
  h.cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  h.memory_bytes =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return h;
}

// A stable FNV-1a hash: sharding must put a suite on the same shard on every machine.
uint64_t StableHash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

Result<int> ParseInt(const std::string& option, const std::string& value) {
  try {
    size_t used = 0;
    int v = std::stoi(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  return Status::Error(option + ": not a number: '" + value + "'");
}

}  // namespace

Result<RunArgs> ParseRunArgs(const std::vector<std::string>& args) {
  RunArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Error(a + ": needs a value");
      return args[++i];
    };
    if (a == "--allow-data-loss") {
      out.allow_data_loss = true;
      continue;
    }
    auto v = value();
    if (!v.ok()) return v.status();
    const std::string& s = v.value();
    if (a == "--target" || a == "--adapter") {  // --adapter: the same, as issue 4 spells it
      out.target = s;
    } else if (a == "--suites") {
      out.suites.clear();
      std::string item;
      for (char c : s + ",") {
        if (c != ',') {
          item += c;
        } else if (!item.empty()) {
          out.suites.push_back(item);
          item.clear();
        }
      }
    } else if (a == "--out") {
      out.out = s;
    } else if (a == "--profile") {
      if (s == "quick") {
        out.profile = Profile::kQuick;
      } else if (s == "full") {
        out.profile = Profile::kFull;
      } else {
        return Status::Error("--profile: expected quick or full, got '" + s + "'");
      }
    } else if (a == "--baseline") {
      out.baseline = s;
    } else if (a == "--history") {
      out.history = s;
    } else if (a == "--reftarget") {
      out.reftarget = s;
    } else if (a == "--shard") {
      auto slash = s.find('/');
      if (slash == std::string::npos)
        return Status::Error("--shard: expected K/N, got '" + s + "'");
      auto k = ParseInt("--shard", s.substr(0, slash));
      auto n = ParseInt("--shard", s.substr(slash + 1));
      if (!k.ok()) return k.status();
      if (!n.ok()) return n.status();
      if (n.value() < 1 || k.value() < 1 || k.value() > n.value()) {
        return Status::Error("--shard: K must be in 1..N, got '" + s + "'");
      }
      out.shard_index = k.value() - 1;
      out.shard_count = n.value();
    } else {
      return Status::Error("unknown option '" + a + "'");
    }
  }
  return out;
}

std::vector<std::unique_ptr<Suite>> AllSuites() {
  std::vector<std::unique_ptr<Suite>> suites;
  suites.push_back(std::make_unique<ConformanceSuite>());
  suites.push_back(std::make_unique<hotplug::HotplugSuite>());
  suites.push_back(std::make_unique<isolation::IsolationSuite>());
  suites.push_back(std::make_unique<durability::DurabilitySuite>());
  return suites;
}

Result<std::unique_ptr<adapters::TargetAdapter>> MakeAdapter(
    const RunArgs& args, const std::filesystem::path& work_dir) {
  using Ptr = std::unique_ptr<adapters::TargetAdapter>;
  if (args.target == "reference") {
    adapters::ReferenceOptions o;
    o.work_dir = work_dir / "reference";
    o.reftarget = args.reftarget;
    return Ptr(std::make_unique<adapters::ReferenceAdapter>(o));
  }
  if (args.target == "tgt") {
    adapters::TgtOptions o;
    o.work_dir = work_dir / "tgt";
    return Ptr(std::make_unique<adapters::TgtAdapter>(o));
  }
  if (args.target == "lio") {
    adapters::LioAdapterOptions o;
    o.work_dir = work_dir / "lio";
    return Ptr(std::make_unique<adapters::LioAdapter>(o));
  }
  if (args.target == "scst") {
    adapters::ScstAdapterOptions o;
    o.work_dir = work_dir / "scst";
    return Ptr(std::make_unique<adapters::ScstAdapter>(o));
  }
  if (args.target.rfind("iscsi://", 0) == 0) {
    auto url = adapters::ParseIscsiUrl(args.target);
    if (!url.ok()) return Status::Error("--target: " + url.error());
    return Ptr(std::make_unique<adapters::UrlAdapter>(url.value(), args.allow_data_loss));
  }
  return Status::Error("--target: unknown adapter '" + args.target +
                       "' (known: reference, tgt, lio, scst, or an iscsi:// URL)");
}

int RunCommand(const RunArgs& args_in) {
  // Suite programs get file paths through the environment and run elsewhere: absolute only.
  RunArgs args = args_in;
  args.out = std::filesystem::absolute(args.out);
  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  if (ec) {
    std::cerr << "iscsi-harness: " << args.out.string() << ": cannot create: " << ec.message()
              << "\n";
    return 2;
  }
  auto adapter = MakeAdapter(args, args.out / "work");
  if (!adapter.ok()) {
    std::cerr << "iscsi-harness: " << adapter.error() << "\n";
    return 2;
  }
  std::vector<std::unique_ptr<Suite>> chosen;
  for (auto& suite : AllSuites()) {
    bool wanted = args.suites.empty();
    for (const auto& s : args.suites) wanted = wanted || s == suite->name() || s == "all";
    if (!wanted) continue;
    if (StableHash(suite->name()) % args.shard_count != static_cast<uint64_t>(args.shard_index)) {
      continue;
    }
    chosen.push_back(std::move(suite));
  }
  for (const auto& s : args.suites) {
    bool known = s == "all";
    for (const auto& suite : AllSuites()) known = known || suite->name() == s;
    if (!known) {
      std::cerr << "iscsi-harness: --suites: unknown suite '" << s
                << "' (see iscsi-harness list)\n";
      return 2;
    }
  }

  auto manifest = XfailManifest::ForAdapter(adapter.value()->name());
  if (!manifest.ok()) {
    std::cerr << "iscsi-harness: " << manifest.error() << "\n";
    return 2;
  }
  if (!manifest.value().source().empty()) {
    std::cerr << "expected failures: " << manifest.value().source().string() << " ("
              << manifest.value().entries().size() << " entries)\n";
  }

  reports::Report report;
  report.run.run_id = NewRunId();
  report.run.harness_version = kHarnessVersion;
  report.run.started_at = NowRfc3339();
  report.run.host = ThisHost();
  report.run.command_line = args.command_line;
  report.run.profile = ProfileName(args.profile);
  if (args.shard_count > 1) report.run.shard = reports::Shard{args.shard_index, args.shard_count};
  if (auto a = reports::ParseAdapter(adapter.value()->name())) report.run.target.adapter = *a;
  if (const std::string v = adapter.value()->version(); !v.empty()) {
    report.run.target.versions["software"] = v;
  }

  const bool tty = isatty(STDERR_FILENO) && std::getenv("CI") == nullptr;
  const std::filesystem::path history_dir =
      args.history ? *args.history : std::filesystem::absolute(args.out).parent_path();
  // The estimate: how long the last run of this adapter and profile took, from the history.
  std::optional<double> expected_s;
  if (auto history = reports::ReadHistory(history_dir); history.ok()) {
    for (const reports::RunSummary& past : history.value().runs) {
      if (past.adapter == report.run.target.adapter && past.profile == report.run.profile &&
          past.duration_s > 0) {
        expected_s = past.duration_s;
      }
    }
  }
  const auto run_start = std::chrono::steady_clock::now();
  for (auto& suite : chosen) {
    if (process::Interrupted()) break;
    SuiteEnv env;
    env.adapter = adapter.value().get();
    env.out_dir = args.out / "suites" / suite->name();
    std::filesystem::create_directories(env.out_dir, ec);
    env.profile = args.profile;
    // A managed target's LUNs are the harness's own scratch space.
    env.allow_data_loss = args.allow_data_loss || adapter.value()->capabilities().managed;
    env.on_target_started = [&](const adapters::RunningTarget& t, const std::string& initiator) {
      if (!report.run.target.portal.empty()) return;
      report.run.target.portal = t.portal.ToString();
      report.run.target.iqn = t.iqn;
      if (t.lun_numbers.empty()) return;
      std::cerr << "   probing " << t.portal.ToString() << " LUN " << t.lun_numbers[0] << "\n";
      RecordProbe(ProbeTarget(t.portal, t.iqn, t.lun_numbers[0], initiator), &report.run.target);
    };
    reports::OutcomeCounts counts;
    const auto start = std::chrono::steady_clock::now();
    env.on_result = [&](const reports::TestResult& r) {
      counts.Add(r.outcome);
      if (tty) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
        std::string eta;
        if (expected_s) {
          eta = *expected_s > elapsed
                    ? "  ~" + std::to_string(static_cast<long>(*expected_s - elapsed)) + "s left"
                    : "  (longer than the last run)";
        }
        std::fprintf(stderr, "\r\033[K%s: %lld pass %lld fail %lld skip  %.0fs%s  %s",
                     suite->name().c_str(), static_cast<long long>(counts.pass),
                     static_cast<long long>(counts.fail), static_cast<long long>(counts.skip),
                     elapsed, eta.c_str(), r.name.c_str());
      }
    };
    std::cerr << "== suite " << suite->name() << " (" << suite->description() << ")\n";
    std::vector<reports::TestResult> results;
    suite->Run(env, &results);
    if (tty) std::fprintf(stderr, "\n");
    reports::SuiteResult sr;
    sr.name = suite->name();
    sr.kind = suite->kind();
    sr.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.suites.push_back(sr);
    for (auto& r : results) r.suite = suite->name();
    for (const auto& fixed : manifest.value().Apply(&results)) {
      std::cerr << "   " << fixed << " is listed as an expected failure but passed\n";
    }
    // The final counts, with the manifest's expected failures as XFAIL.
    reports::OutcomeCounts final_counts;
    for (auto& r : results) {
      final_counts.Add(r.outcome);
      report.tests.push_back(std::move(r));
    }
    std::cerr << "   " << final_counts.pass << " pass, " << final_counts.fail << " fail, "
              << final_counts.skip << " skip";
    if (final_counts.xfail > 0) std::cerr << ", " << final_counts.xfail << " expected failures";
    std::cerr << "\n";
  }
  adapter.value()->Stop();
  if (report.run.target.portal.empty()) report.run.target.portal = "(no target was started)";
  report.run.ended_at = NowRfc3339();
  reports::RecomputeCounts(&report);

  int status = report.totals.counts.fail > 0 ? 1 : 0;
  if (process::Interrupted()) {
    std::cerr << "iscsi-harness: interrupted; the report holds what ran so far\n";
    status = 2;
  }
  const auto json_path = args.out / "report.json";
  for (const Status& s : {reports::WriteReport(json_path, report),
                          reports::WriteJunit(args.out / "junit.xml", report),
                          reports::WriteMarkdown(args.out / "summary.md", report),
                          reports::WriteHtml(args.out / "index.html", {report})}) {
    if (!s.ok()) {
      std::cerr << "iscsi-harness: " << s.message() << "\n";
      status = 2;
    }
  }
  std::filesystem::create_directories(history_dir, ec);
  if (Status s = reports::AppendHistory(history_dir, report); !s.ok()) {
    // The reports are written; a history that cannot grow is worth a warning, not a failure.
    std::cerr << "iscsi-harness: warning: history not appended: " << s.message() << "\n";
  }
  if (args.baseline) {
    auto old = reports::LoadReport(*args.baseline);
    if (!old.ok()) {
      std::cerr << "iscsi-harness: --baseline: " << old.error() << "\n";
      return 2;
    }
    reports::CompareResult cmp = reports::Compare(old.value(), report, reports::Thresholds{});
    std::cout << reports::RenderCompareText(cmp);
    if (cmp.regression) status = std::max(status, 1);
  }
  std::cout << json_path.string() << "\n";
  return status;
}

}  // namespace harness::runner
