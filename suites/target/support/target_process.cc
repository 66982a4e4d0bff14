#include "suites/target/support/target_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "harness/net/tcp_util.h"
#include "suites/target/support/subprocess.h"

#ifndef REFTARGET_BIN
#define REFTARGET_BIN ""
#endif

namespace itest {

namespace {

constexpr int kStartAttempts = 3;

// Developer hook: a target whose first disk LUN is not 0 (tgtd keeps LUN 0 for its
// controller) can run these suites with REFTARGET_ITEST_LUN_OFFSET=1.
int LunOffset() {
  const char* v = std::getenv("REFTARGET_ITEST_LUN_OFFSET");
  return v != nullptr ? std::atoi(v) : 0;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

TargetProcess::TargetProcess() : dir_("reftarget-itest-") {}

std::string TargetProcess::BinaryPath() {
  const char* env = std::getenv("REFTARGET_BIN");
  if (env != nullptr && *env != '\0') return env;
  return REFTARGET_BIN;
}

std::unique_ptr<TargetProcess> TargetProcess::Start(const TargetSpec& spec, std::string* error,
                                                    const TargetOptions& options) {
  const std::string binary = BinaryPath();
  if (binary.empty()) {
    *error = "no target binary: set REFTARGET_BIN";
    return nullptr;
  }
  std::unique_ptr<TargetProcess> t(new TargetProcess());
  if (!t->dir_.ok()) {
    *error = t->dir_.error();
    return nullptr;
  }
  t->iqn_ = spec.iqn;
  t->options_ = options;
  t->log_path_ = t->dir_.path() / "reftarget.log";
  const auto config_path = t->dir_.path() / "saveconfig.json";

  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    const harness::Result<int> picked = harness::net::PickFreePort();
    if (!picked.ok()) {
      *error = picked.error();
      return nullptr;
    }
    const int port = picked.value();
    {
      std::ofstream out(config_path);
      out << BuildSaveconfig(spec, t->host_, port).dump(2) << "\n";
      if (!out) {
        *error = "write " + config_path.string() + " failed";
        return nullptr;
      }
    }
    std::vector<std::string> argv = {binary, "--config", config_path.string(), "--log-level",
                                     options.log_level};
    if (options.threads > 0) {
      argv.push_back("--threads");
      argv.push_back(std::to_string(options.threads));
    }
    t->pid_ = SpawnBackground(argv, t->log_path_.string(), error);
    if (t->pid_ < 0) return nullptr;
    t->reaped_ = false;
    t->port_ = port;

    const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
    while (std::chrono::steady_clock::now() < deadline && t->Alive()) {
      if (harness::net::WaitForTcpPort(t->host_, port, std::chrono::milliseconds(200))) return t;
    }
    const bool died = !t->Alive();
    const std::string state = t->DescribeState();
    t->Stop();
    *error = binary + " did not serve " + t->portal() + " within " +
             std::to_string(options.start_timeout.count()) + " s (" + state + "); log tail:\n" +
             t->LogTail(30);
    if (!died) return nullptr;  // hung rather than failed to bind: retrying will not help
  }
  return nullptr;
}

TargetProcess::~TargetProcess() {
  const bool failed = ::testing::Test::HasFailure();
  const std::string state = pid_ > 0 ? DescribeState() : "never started";
  Stop();
  if (failed && !log_path_.empty()) {
    std::cerr << "---- reftarget (" << state << ", port " << port_ << ") log tail: " << log_path_
              << " ----\n"
              << LogTail(60) << "---- end of reftarget log ----\n";
  }
}

bool TargetProcess::Alive() {
  if (pid_ <= 0 || reaped_) return false;
  int status = 0;
  if (ChildAlive(pid_, &status)) return true;
  reaped_ = true;
  wait_status_ = status;
  return false;
}

std::string TargetProcess::DescribeState() {
  if (Alive()) return "running";
  if (pid_ <= 0) return "not started";
  return DescribeWaitStatus(wait_status_);
}

int TargetProcess::Stop() {
  if (pid_ <= 0) return -1;
  if (!reaped_) {
    if (Alive()) {
      int status = TerminateAndReap(pid_, options_.stop_timeout);
      reaped_ = true;
      wait_status_ = status;
      if (status == -1) return -1;
    }
  }
  if (WIFEXITED(wait_status_)) return WEXITSTATUS(wait_status_);
  return -1;
}

int TargetProcess::Lun(int index) const { return index + LunOffset(); }

std::string TargetProcess::Url(int index) const {
  return "iscsi://" + portal() + "/" + iqn_ + "/" + std::to_string(Lun(index));
}

std::string TargetProcess::LogTail(size_t max_lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::ostringstream out;
  for (const auto& l : lines) out << l << "\n";
  return out.str();
}

}  // namespace itest
