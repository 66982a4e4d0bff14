// iscsi-harness: runs conformance, hotplug, isolation and performance suites against an
// iSCSI target and writes report.json, junit.xml, summary.md and index.html.
//   iscsi-harness run --target reference|tgt|lio|scst|URL --suites LIST --out DIR
//                     [--profile quick|full] [--baseline FILE] [--history DIR]
//                     [--allow-data-loss] [--shard K/N]
//   iscsi-harness list
//   iscsi-harness compare OLD NEW
//   iscsi-harness report DIR|report.json... [--out DIR]
// Exit status: 0 all passed, 1 a test failed or regressed, 2 the harness could not run.
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "harness/process/child_process.h"
#include "harness/runner/run_command.h"
#include "reports/compare.h"
#include "reports/html_writer.h"
#include "reports/junit_writer.h"
#include "reports/markdown_writer.h"
#include "reports/report_io.h"

namespace {

constexpr const char* kUsage =
    "usage: iscsi-harness run --target ADAPTER|URL [--suites LIST] [--out DIR]\n"
    "                         [--profile quick|full] [--baseline FILE] [--history DIR]\n"
    "                         [--allow-data-loss] [--shard K/N] [--reftarget PATH]\n"
    "       iscsi-harness list\n"
    "       iscsi-harness compare OLD.json NEW.json\n"
    "       iscsi-harness report DIR|report.json... [--out DIR]\n";

// SIGINT/SIGTERM: kill the running tool's process group, let the suite stop its target
// (RAII stops tgtd/reftarget and detaches loop devices), and write what ran so far.
void OnInterrupt(int) { harness::process::InterruptAll(); }

int List() {
  for (const auto& suite : harness::runner::AllSuites()) {
    std::cout << suite->name() << "\t" << suite->description() << "\n";
  }
  return 0;
}

int CompareReports(const std::string& old_path, const std::string& new_path) {
  auto old_report = harness::reports::LoadReport(old_path);
  if (!old_report.ok()) {
    std::cerr << "iscsi-harness compare: " << old_report.error() << "\n";
    return 2;
  }
  auto new_report = harness::reports::LoadReport(new_path);
  if (!new_report.ok()) {
    std::cerr << "iscsi-harness compare: " << new_report.error() << "\n";
    return 2;
  }
  auto result = harness::reports::Compare(old_report.value(), new_report.value());
  std::cout << harness::reports::RenderCompareText(result);
  return result.regression ? 1 : 0;
}

// Re-renders the reports of finished runs from their report.json (the source of truth).
// One run: junit.xml, summary.md and index.html beside its report.json (or in --out).
// Several runs (e.g. reference and tgt): one index.html with the comparison matrix in --out.
int RenderReports(const std::vector<std::string>& args) {
  std::vector<std::filesystem::path> inputs;
  std::optional<std::filesystem::path> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out") {
      if (i + 1 >= args.size()) {
        std::cerr << "iscsi-harness report: --out needs a directory\n" << kUsage;
        return 2;
      }
      out = args[++i];
    } else if (args[i].rfind("--", 0) == 0) {
      std::cerr << "iscsi-harness report: unknown option '" << args[i] << "'\n" << kUsage;
      return 2;
    } else {
      inputs.emplace_back(args[i]);
    }
  }
  if (inputs.empty()) {
    std::cerr << "iscsi-harness report: name at least one run directory or report.json\n" << kUsage;
    return 2;
  }
  if (inputs.size() > 1 && !out) {
    std::cerr << "iscsi-harness report: several runs need --out DIR for the combined report\n";
    return 2;
  }
  std::vector<harness::reports::Report> runs;
  for (std::filesystem::path p : inputs) {
    if (std::filesystem::is_directory(p)) p /= "report.json";
    auto report = harness::reports::LoadReport(p);
    if (!report.ok()) {
      std::cerr << "iscsi-harness report: " << report.error() << "\n";
      return 2;
    }
    runs.push_back(std::move(report).value());
  }
  const std::filesystem::path dir =
      out ? *out : (std::filesystem::is_directory(inputs[0]) ? inputs[0] : inputs[0].parent_path());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "iscsi-harness report: " << dir.string() << ": cannot create: " << ec.message() << "\n";
    return 2;
  }
  std::vector<harness::Status> written = {harness::reports::WriteHtml(dir / "index.html", runs)};
  if (runs.size() == 1) {
    written.push_back(harness::reports::WriteJunit(dir / "junit.xml", runs[0]));
    written.push_back(harness::reports::WriteMarkdown(dir / "summary.md", runs[0]));
  }
  int status = 0;
  for (const harness::Status& s : written) {
    if (!s.ok()) {
      std::cerr << "iscsi-harness report: " << s.message() << "\n";
      status = 2;
    }
  }
  if (status == 0) std::cout << (dir / "index.html").string() << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cerr << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "list") return List();
  if (command == "report") return RenderReports(rest);
  if (command == "compare") {
    if (rest.size() != 2) {
      std::cerr << "iscsi-harness compare: expected OLD.json NEW.json\n" << kUsage;
      return 2;
    }
    return CompareReports(rest[0], rest[1]);
  }
  if (command == "run") {
    struct sigaction sa {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    auto parsed = harness::runner::ParseRunArgs(rest);
    if (!parsed.ok()) {
      std::cerr << "iscsi-harness run: " << parsed.error() << "\n" << kUsage;
      return 2;
    }
    parsed.value().command_line = std::vector<std::string>(argv, argv + argc);
    return harness::runner::RunCommand(parsed.value());
  }
  std::cerr << "iscsi-harness: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
