#include "suites/target/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> MakeArgv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Only async-signal-safe calls between fork and exec: the test binary has threads.
[[noreturn]] void ExecChild(char* const* argv, int in_fd, int out_fd, int err_fd) {
  setpgid(0, 0);
  dup2(in_fd, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd, STDERR_FILENO);
  execvp(argv[0], argv);
  const char msg[] = "exec failed\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
  (void)ignored;
  _exit(127);
}

// Returns true once `pid` has exited, without reaping it: while the zombie holds the pid,
// its process group id cannot be reused, so killing the group stays safe.
bool ExitedNotReaped(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;
  }
  return info.si_pid == pid;
}

// Reaps `pid`, waiting at most `limit` (a process stuck in the kernel, e.g. on a hung
// FUSE request, may not die even from SIGKILL). Returns false if it could not.
bool ReapBounded(pid_t pid, std::chrono::milliseconds limit, int* status) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    pid_t w = waitpid(pid, status, WNOHANG);
    if (w == pid) return true;
    if (w < 0 && errno != EINTR) return false;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void FillResultFromStatus(int status, ProcessResult* r) {
  if (WIFEXITED(status)) r->exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r->term_signal = WTERMSIG(status);
}

}  // namespace

std::string ProcessResult::Describe() const {
  if (spawn_failed) return "spawn failed: " + err;
  if (timed_out) return "timed out after " + std::to_string(elapsed.count()) + " ms";
  if (term_signal != 0) return "signal " + std::to_string(term_signal);
  return "exit " + std::to_string(exit_code);
}

ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ProcessResult result;
  if (argv.empty()) {
    result.spawn_failed = true;
    result.err = "empty argv";
    return result;
  }
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_failed = true;
    result.err = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    result.spawn_failed = true;
    result.err = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<char*> cargv = MakeArgv(argv);
  const auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) ExecChild(cargv.data(), null_fd, out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (null_fd >= 0) close(null_fd);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.spawn_failed = true;
    result.err = std::string("fork: ") + std::strerror(errno);
    return result;
  }
  // Both the child and us set the group, so a kill right after fork finds it.
  setpgid(pid, pid);

  const auto deadline = start + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    int wait_ms =
        static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) +
        1;
    int n = poll(fds, 2, std::min(wait_ms, 1000));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t got = read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  // The pipes closed (or we killed the group): wait for the exit, bounded, then force.
  const auto reap_deadline = Clock::now() + (result.timed_out ? std::chrono::seconds(5) : timeout);
  while (!ExitedNotReaped(pid)) {
    if (Clock::now() >= reap_deadline) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Whatever is left in the child's group (grandchildren) goes too; the unreaped child
  // keeps the group id from being reused.
  kill(-pid, SIGKILL);
  int status = 0;
  if (ReapBounded(pid, std::chrono::seconds(10), &status)) FillResultFromStatus(status, &result);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

pid_t SpawnBackground(const std::vector<std::string>& argv, const std::string& log_path,
                      std::string* error) {
  if (argv.empty()) {
    *error = "empty argv";
    return -1;
  }
  int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int log_fd = open(log_path.empty() ? "/dev/null" : log_path.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in_fd < 0 || log_fd < 0) {
    *error = "open " + log_path + ": " + std::strerror(errno);
    if (in_fd >= 0) close(in_fd);
    if (log_fd >= 0) close(log_fd);
    return -1;
  }
  std::vector<char*> cargv = MakeArgv(argv);
  pid_t pid = fork();
  if (pid == 0) ExecChild(cargv.data(), in_fd, log_fd, log_fd);
  close(in_fd);
  close(log_fd);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return -1;
  }
  setpgid(pid, pid);
  return pid;
}

bool ChildAlive(pid_t pid, int* status) {
  int st = 0;
  pid_t w = waitpid(pid, &st, WNOHANG);
  if (w == 0) return true;
  if (w == pid && status != nullptr) *status = st;
  return false;
}

int TerminateAndReap(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return -1;
  kill(pid, SIGTERM);
  const auto deadline = Clock::now() + grace;
  while (!ExitedNotReaped(pid) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(-pid, SIGKILL);  // the child if it ignored SIGTERM, and leftovers in its group
  int status = 0;
  if (ReapBounded(pid, std::chrono::seconds(10), &status)) return status;
  return -1;
}

}  // namespace itest
