// iscsi-loadgen: the verifying load generator as a program, for people and for suites
// that drive it as a process. See Usage() in cli_args.cc.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "harness/loadgen/cli_args.h"
#include "harness/loadgen/load_generator.h"
#include "harness/loadgen/verify_journal.h"

namespace {

using harness::loadgen::CliOptions;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitCannotRun = 2;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "iscsi-loadgen: %s\n", message.c_str());
  return code;
}

bool WriteJson(const std::string& path, const nlohmann::json& j) {
  if (path == "-") {
    std::cout << j.dump(2) << "\n";
    return true;
  }
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

int VerifyJournalMode(const CliOptions& o) {
  auto journal = harness::loadgen::ReadJournal(o.verify_journal_path);
  if (!journal.ok()) return Fail(kExitCannotRun, journal.error());
  harness::iscsi::ConnectOptions c;
  c.portal = o.config.portal;
  c.target = o.config.target;
  c.initiator = o.config.initiator;
  c.chap = o.config.chap;
  c.header_digest = o.config.header_digest;
  c.lun = o.config.luns.front();
  c.check_lun = false;
  c.connect_limit = o.config.connect_limit;
  auto session = harness::iscsi::Session::Connect(c);
  if (!session.ok()) return Fail(kExitCannotRun, session.error());
  harness::loadgen::JournalVerifyOptions vo;
  vo.retry = o.config.retry;
  vo.max_samples = o.config.max_samples;
  auto report = harness::loadgen::VerifyJournal(*session.value(), journal.value(), vo);
  if (!report.ok()) return Fail(kExitCannotRun, report.error());
  const auto& r = report.value();
  if (!o.quiet || !r.passed()) {
    std::printf(
        "journal %s: %llu records, %llu blocks: %llu ok, %llu newer, %llu lost, %llu stale, "
        "%llu corrupt, %llu misdirected, %llu foreign, %llu unreadable%s\n",
        o.verify_journal_path.c_str(), static_cast<unsigned long long>(r.records),
        static_cast<unsigned long long>(r.blocks), static_cast<unsigned long long>(r.ok),
        static_cast<unsigned long long>(r.newer), static_cast<unsigned long long>(r.lost),
        static_cast<unsigned long long>(r.stale), static_cast<unsigned long long>(r.corrupt),
        static_cast<unsigned long long>(r.misdirected), static_cast<unsigned long long>(r.foreign),
        static_cast<unsigned long long>(r.unreadable), r.torn_tail ? " (torn last record)" : "");
    for (const auto& e : r.samples) std::printf("  %s\n", e.Describe().c_str());
    for (const auto& e : r.read_errors) std::printf("  read error: %s\n", e.c_str());
  }
  if (!o.json_path.empty() && !WriteJson(o.json_path, r.ToJson())) {
    return Fail(kExitCannotRun, "--json: cannot write " + o.json_path);
  }
  return r.passed() ? kExitOk : kExitFailed;
}

int LoadMode(const CliOptions& o) {
  // SIGINT / SIGTERM end the run early (commands in flight drain) instead of killing it:
  // blocked here, before any thread starts, and taken by a watcher thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto gen = harness::loadgen::LoadGenerator::Create(o.config);
  if (!gen.ok()) return Fail(kExitCannotRun, gen.error());
  std::atomic<bool> done{false};
  harness::loadgen::LoadGenerator* g = gen.value().get();
  std::thread watcher([&] {
    const timespec tick{0, 200 * 1000 * 1000};
    while (!done.load()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) g->RequestStop();
    }
  });
  auto result = g->Run();
  done.store(true);
  watcher.join();
  if (!result.ok()) return Fail(kExitCannotRun, result.error());
  const auto& r = result.value();
  if (!o.quiet || !r.ok()) std::fputs(harness::loadgen::Summary(r).c_str(), stdout);
  if (!o.json_path.empty() && !WriteJson(o.json_path, harness::loadgen::ToJson(r))) {
    return Fail(kExitCannotRun, "--json: cannot write " + o.json_path);
  }
  if (r.verify_errors() > 0) return kExitFailed;
  if (r.errors() > o.max_errors) return kExitFailed;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = harness::loadgen::ParseCommandLine(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "iscsi-loadgen: %s (see --help)\n", parsed.error().c_str());
    return kExitCannotRun;
  }
  const CliOptions& o = parsed.value();
  if (o.help) {
    std::fputs(harness::loadgen::Usage().c_str(), stdout);
    return kExitOk;
  }
  if (!o.verify_journal_path.empty()) return VerifyJournalMode(o);
  return LoadMode(o);
}
