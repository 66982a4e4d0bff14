#include "fault-injection/faultfs/test_daemon.h"

#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "fault-injection/faultfs/control_client.h"

extern char** environ;

namespace reftarget::faultfs::testing {
namespace {

using Clock = std::chrono::steady_clock;

int RemoveEntry(const char* path, const struct stat* /*st*/, int /*flag*/, struct FTW* /*ftw*/) {
  remove(path);
  return 0;
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

// Waits for `pid` until `deadline`; returns its wait status or nullopt.
std::optional<int> WaitPid(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t rc = waitpid(pid, &status, WNOHANG);
    if (rc == pid) return status;
    if (rc < 0 && errno != EINTR) return 0;  // Already reaped.
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TempTree::TempTree() {
  char path[] = "/tmp/faultfs_it_XXXXXX";
  root_ = mkdtemp(path);
  mkdir(src().c_str(), 0755);
  mkdir(mnt().c_str(), 0755);
}

TempTree::~TempTree() {
  // FTW_MOUNT: never descend into a file system that is still mounted here.
  nftw(root_.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

bool IsMountPoint(const std::string& path) {
  struct stat st;
  struct stat parent;
  if (stat(path.c_str(), &st) != 0) return errno == ENOTCONN;
  if (stat((path + "/..").c_str(), &parent) != 0) return false;
  return st.st_dev != parent.st_dev;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ProcessResult RunProcess(const std::vector<std::string>& argv_in,
                         std::chrono::milliseconds timeout) {
  ProcessResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = Argv(args);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    result.output = std::string("posix_spawn: ") + std::strerror(rc);
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  std::optional<int> status;
  while (true) {
    char buf[4096];
    ssize_t n;
    while ((n = read(pipe_fds[0], buf, sizeof(buf))) > 0)
      result.output.append(buf, static_cast<size_t>(n));
    if (status) break;
    status = WaitPid(pid, Clock::now());
    if (!status && Clock::now() >= deadline) {
      kill(pid, SIGKILL);
      status = WaitPid(pid, Clock::now() + std::chrono::seconds(5));
      result.timed_out = true;
    }
    if (!status) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  close(pipe_fds[0]);
  if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  return result;
}

FaultFsDaemon::FaultFsDaemon(std::string binary, const TempTree& tree)
    : binary_(std::move(binary)), tree_(tree) {}

FaultFsDaemon::~FaultFsDaemon() { Stop(); }

Status FaultFsDaemon::Start(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {binary_,     "--source",   tree_.src(), "--mount",  tree_.mnt(),
                                   "--control", tree_.sock(), "--log",     tree_.log()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv = Argv(args);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, tree_.daemon_output().c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return Status::Error(std::string("posix_spawn ") + binary_ + ": " + std::strerror(rc));
  }
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    std::optional<int> exited = WaitPid(pid_, Clock::now());
    if (exited) {
      pid_ = -1;
      return Status::Error("faultfs exited during start; output:\n" +
                           ReadFile(tree_.daemon_output()));
    }
    if (IsMountPoint(tree_.mnt())) {
      Result<nlohmann::json> ping = ControlCall(tree_.sock(), {{"cmd", "ping"}}, 1000);
      if (ping.ok()) return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Error("faultfs did not mount within 15 s; output:\n" +
                       ReadFile(tree_.daemon_output()));
}

Result<nlohmann::json> FaultFsDaemon::Call(const nlohmann::json& request) {
  return ControlCall(tree_.sock(), request, 10000);
}

uint64_t FaultFsDaemon::AddRule(const nlohmann::json& rule) {
  nlohmann::json request = rule;
  request["cmd"] = "add";
  Result<nlohmann::json> reply = Call(request);
  if (!reply.ok()) {
    ADD_FAILURE() << "add " << rule.dump() << ": " << reply.error();
    return 0;
  }
  if (!reply.value().value("ok", false)) {
    ADD_FAILURE() << "add " << rule.dump() << " refused: " << reply.value().dump();
    return 0;
  }
  return reply.value()["id"].get<uint64_t>();
}

void FaultFsDaemon::Signal(int sig) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> FaultFsDaemon::WaitExit(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pid_ <= 0) return 0;
  std::optional<int> status = WaitPid(pid_, Clock::now() + timeout);
  if (status) pid_ = -1;
  return status;
}

void FaultFsDaemon::Kill() {
  std::lock_guard<std::mutex> lock(mu_);
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  WaitPid(pid_, Clock::now() + std::chrono::seconds(10));
  pid_ = -1;
}

void FaultFsDaemon::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      std::optional<int> status = WaitPid(pid_, Clock::now() + std::chrono::seconds(10));
      if (!status) {
        ADD_FAILURE() << "faultfs ignored SIGTERM for 10 s; killing it";
        kill(pid_, SIGKILL);
        WaitPid(pid_, Clock::now() + std::chrono::seconds(10));
      } else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        // A clean stop exits 0; anything else (a sanitizer report, a crash) is a failure.
        ADD_FAILURE() << "faultfs stopped with wait status " << *status << "; output:\n"
                      << ReadFile(tree_.daemon_output());
      }
      pid_ = -1;
    }
  }
  EnsureUnmounted();
}

void FaultFsDaemon::EnsureUnmounted() {
  // auto_unmount's helper unmounts shortly after the daemon dies; give it a moment.
  for (int i = 0; i < 100 && IsMountPoint(tree_.mnt()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!IsMountPoint(tree_.mnt())) return;
  if (geteuid() == 0 && umount2(tree_.mnt().c_str(), MNT_DETACH) == 0) return;
  RunProcess({"/usr/bin/fusermount3", "-u", "-z", tree_.mnt()}, std::chrono::seconds(10));
}

BackgroundIo::BackgroundIo(FaultFsDaemon* daemon, std::function<ssize_t()> io)
    : daemon_(daemon), state_(std::make_shared<State>()) {
  thread_ = std::thread([state = state_, io = std::move(io)] {
    const ssize_t result = io();
    const int error = errno;
    std::lock_guard<std::mutex> lock(state->mu);
    state->result = result;
    state->error = error;
    state->done = true;
    state->cv.notify_all();
  });
}

BackgroundIo::~BackgroundIo() {
  if (!WaitDone(std::chrono::milliseconds(0))) {
    daemon_->Kill();
    if (!WaitDone(std::chrono::seconds(10))) {
      ADD_FAILURE() << "background I/O still blocked 10 s after killing faultfs";
      thread_.detach();  // Never hang the test binary.
      return;
    }
  }
  thread_.join();
}

bool BackgroundIo::WaitDone(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [this] { return state_->done; });
}

}  // namespace reftarget::faultfs::testing
