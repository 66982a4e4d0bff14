#include "target/backstore/test_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

extern char** environ;

namespace reftarget::backstore::testing {

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/backstore-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Pending::Pending() : state_(std::make_shared<State>()) {}

IoCompletion Pending::Callback() {
  return [state = state_](IoResult r) {
    std::lock_guard<std::mutex> lock(state->mu);
    ++state->calls;
    state->result = r;
    state->cv.notify_all();
  };
}

std::optional<IoResult> Pending::Wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(state_->mu);
  if (!state_->cv.wait_for(lock, timeout, [this] { return state_->calls > 0; })) {
    return std::nullopt;
  }
  return state_->result;
}

bool Pending::done() const { return calls() > 0; }

int Pending::calls() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->calls;
}

namespace {

IoResult WaitOrTimeout(Pending& p) {
  std::optional<IoResult> r = p.Wait();
  return r ? *r : IoResult{ETIMEDOUT};
}

}  // namespace

IoResult ReadSync(Backstore& store, uint64_t offset, std::span<uint8_t> buf) {
  Pending p;
  store.Read(offset, buf, p.Callback());
  return WaitOrTimeout(p);
}

IoResult WriteSync(Backstore& store, uint64_t offset, std::span<const uint8_t> buf, bool fua) {
  Pending p;
  store.Write(offset, buf, fua, p.Callback());
  return WaitOrTimeout(p);
}

IoResult FlushSync(Backstore& store) {
  Pending p;
  store.Flush(p.Callback());
  return WaitOrTimeout(p);
}

IoResult UnmapSync(Backstore& store, uint64_t offset, uint64_t length) {
  Pending p;
  store.Unmap(offset, length, p.Callback());
  return WaitOrTimeout(p);
}

void FillPattern(std::span<uint8_t> buf, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < buf.size(); ++i) {
    if (i % 8 == 0) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    buf[i] = static_cast<uint8_t>(x >> (8 * (i % 8)));
  }
}

Result<std::string> RunCommand(const std::vector<std::string>& argv) {
  std::string what = argv.empty() ? std::string("(empty)") : argv[0];
  for (size_t i = 1; i < argv.size(); ++i) what += " " + argv[i];
  if (argv.empty()) return Status::Error("RunCommand: empty argv");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::Error(what + ": pipe: " + strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return Status::Error(what + ": spawn: " + strerror(rc));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Error(what + ": exited with status " + std::to_string(status));
  }
  return out;
}

std::string LoopDevice::SkipReason() {
  if (geteuid() != 0) return "loop devices need root";
  if (access("/dev/loop-control", F_OK) != 0) return "no /dev/loop-control";
  return "";
}

Result<std::unique_ptr<LoopDevice>> LoopDevice::Attach(const std::string& file,
                                                       const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {"losetup", "-f", "--show"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.push_back(file);
  Result<std::string> out = RunCommand(argv);
  if (!out.ok()) return out.status();
  std::string path = out.value();
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  if (path.rfind("/dev/loop", 0) != 0) {
    return Status::Error("losetup printed '" + path + "', not a loop device");
  }
  return std::make_unique<LoopDevice>(path);
}

LoopDevice::~LoopDevice() {
  // Detach even while another test's store might still hold it: losetup -d is lazy (autoclear)
  // when the device is busy.
  Result<std::string> r = RunCommand({"losetup", "-d", path_});
  (void)r;
}

}  // namespace reftarget::backstore::testing
