#include "harness/process/spawn_run.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

extern char** environ;

namespace harness::process {
namespace {

using Clock = std::chrono::steady_clock;
// Short: a tool such as tgtadm exits within milliseconds, and the caller is often a change
// whose duration is being measured.
constexpr auto kPollInterval = std::chrono::milliseconds(1);

// An fd closed when the object dies.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// posix_spawn attributes and file actions, destroyed when the object dies.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// Returns a temporary file opened for writing (close-on-exec), and its path in `*path`.
int TempOutput(std::string* path) {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/iscsi-harness-spawn-XXXXXX";
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd >= 0) *path = tmpl;
  return fd;
}

// Returns the child's environment: ours, with `extra` added or replacing.
std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    if (extra.count(key) == 0) env.push_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

RunResult SpawnRun(const std::vector<std::string>& argv_in, const RunOptions& options) {
  RunResult result;
  if (argv_in.empty()) {
    result.error = "empty command line";
    return result;
  }
  if (Interrupted()) {
    result.error = "the harness was interrupted";
    return result;
  }
  std::string out_path = options.output_file.string();
  std::string err_path;
  Fd out, err;
  const bool temporary_out = out_path.empty();
  out.fd = temporary_out ? TempOutput(&out_path)
                         : ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (options.separate_stderr) err.fd = TempOutput(&err_path);
  auto cleanup = [&] {
    if (temporary_out && !out_path.empty()) ::unlink(out_path.c_str());
    if (!err_path.empty()) ::unlink(err_path.c_str());
  };
  if (out.fd < 0 || (options.separate_stderr && err.fd < 0)) {
    cleanup();
    result.error = (out.fd < 0 ? out_path : err_path) + ": cannot open for writing";
    return result;
  }

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, err.fd >= 0 ? err.fd : out.fd, STDERR_FILENO);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_dir.c_str());
  }
  // Its own process group, so that a timeout kills the tool's children too; default signal
  // dispositions and an empty mask, whatever the harness has set for itself.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = argv_in;
  std::vector<std::string> env = Environment(options.env);
  std::vector<char*> argp = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  const auto start = Clock::now();
  pid_t pid = -1;
  const bool search = argv_in[0].find('/') == std::string::npos;
  const int rc =
      search ? posix_spawnp(&pid, argp[0], &setup.actions, &setup.attr, argp.data(), envp.data())
             : posix_spawn(&pid, argp[0], &setup.actions, &setup.attr, argp.data(), envp.data());
  if (rc != 0) {
    cleanup();
    result.error = argv_in[0] + ": " + std::strerror(rc);
    return result;
  }
  result.started = true;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      result.error = std::string("waitpid: ") + std::strerror(errno);
      break;
    }
    const bool expired = Clock::now() - start >= options.limit;
    if (Interrupted() || expired) {
      (expired ? result.timed_out : result.interrupted) = true;
      ::kill(-pid, SIGKILL);  // the whole group: a tool's children go too
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ::close(out.fd);
  out.fd = -1;
  result.output = TailBytesOfFile(out_path, options.max_output_bytes);
  if (err.fd >= 0) result.error_output = TailBytesOfFile(err_path, options.max_output_bytes);
  cleanup();
  return result;
}

}  // namespace harness::process
