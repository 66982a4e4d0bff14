#include "harness/process/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/process.hpp>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

namespace harness::process {
namespace bp = boost::process;
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(5);
std::atomic<bool> g_interrupted{false};

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

bp::environment MakeEnv(const std::map<std::string, std::string>& extra) {
  bp::environment env = boost::this_process::environment();
  // Not env[k]: Boost 1.74's find() compares the key past the end of shorter entries (an
  // ASan heap-buffer-overflow); set() checks the length first.
  for (const auto& [k, v] : extra) env.set(k, v);
  return env;
}

// Decodes a raw wait status into exit code / signal.
void DecodeWaitStatus(int status, int* exit_code, int* signal) {
  if (WIFEXITED(status)) {
    *exit_code = WEXITSTATUS(status);
    *signal = 0;
  } else if (WIFSIGNALED(status)) {
    *exit_code = -1;
    *signal = WTERMSIG(status);
  }
}

}  // namespace

std::string TailBytesOfFile(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0));
  const size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string out(size - start, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  if (start > 0) out = "[... " + std::to_string(start) + " bytes cut ...]\n" + out;
  return out;
}

void InterruptAll() { g_interrupted.store(true); }

bool Interrupted() { return g_interrupted.load(); }

std::string RunResult::Describe() const {
  if (!started) return "not started: " + error;
  if (interrupted) return "interrupted";
  if (timed_out) {
    return "timed out after " + std::to_string(duration.count() / 1000.0).substr(0, 6) + " s";
  }
  if (signal != 0) return "signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    return std::filesystem::exists(name) ? name : "";
  }
  auto found = bp::search_path(name);
  return found.empty() ? "" : found.string();
}

RunResult Run(const std::vector<std::string>& argv, const RunOptions& options) {
  RunResult result;
  if (argv.empty()) {
    result.error = "empty command line";
    return result;
  }
  if (Interrupted()) {
    result.error = "the harness was interrupted";
    return result;
  }
  const std::string exe = FindProgram(argv[0]);
  if (exe.empty()) {
    result.error = argv[0] + ": not found";
    return result;
  }
  // Output goes to files, not pipes: a chatty child never blocks, a killed one leaves its log.
  std::vector<std::filesystem::path> temporaries;
  auto temp_file = [&]() -> std::filesystem::path {
    char tmpl[] = "/tmp/iscsi-harness-run-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) return {};
    close(fd);
    temporaries.push_back(tmpl);
    return tmpl;
  };
  auto cleanup = [&] {
    std::error_code ignored;
    for (const auto& t : temporaries) std::filesystem::remove(t, ignored);
  };
  std::filesystem::path out_path = options.output_file.empty() ? temp_file() : options.output_file;
  std::filesystem::path err_path = options.separate_stderr ? temp_file() : out_path;
  if (out_path.empty() || err_path.empty()) {
    cleanup();
    result.error = "cannot create a temporary output file";
    return result;
  }
  FilePtr out(std::fopen(out_path.c_str(), "w"));
  FilePtr err(options.separate_stderr ? std::fopen(err_path.c_str(), "w") : nullptr);
  if (!out || (options.separate_stderr && !err)) {
    cleanup();
    result.error = out_path.string() + ": cannot open for writing";
    return result;
  }
  const std::vector<std::string> args(argv.begin() + 1, argv.end());
  const auto start = Clock::now();
  try {
    bp::group group;
    std::error_code ec;
    bp::child child(bp::exe = exe, bp::args = args, bp::std_out > out.get(),
                    bp::std_err > (err ? err.get() : out.get()), bp::std_in < bp::null,
                    MakeEnv(options.env),
                    bp::start_dir = options.working_dir.empty()
                                        ? std::filesystem::current_path().string()
                                        : options.working_dir.string(),
                    group);
    result.started = true;
    while (child.running(ec)) {
      if (Interrupted()) {
        result.interrupted = true;
        group.terminate(ec);
        break;
      }
      if (Clock::now() - start >= options.limit) {
        result.timed_out = true;
        group.terminate(ec);  // SIGKILL to the whole group: a tool's children go too
        break;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    child.wait(ec);
    DecodeWaitStatus(child.native_exit_code(), &result.exit_code, &result.signal);
  } catch (const std::exception& e) {
    result.started = false;
    result.error = exe + ": " + e.what();
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  out.reset();
  err.reset();
  result.output = TailBytesOfFile(out_path, options.max_output_bytes);
  if (options.separate_stderr) result.error_output = TailBytesOfFile(err_path, options.max_output_bytes);
  cleanup();
  return result;
}

struct BackgroundProcess::Impl {
  bp::group group;
  bp::child child;
  bool reaped = false;
  int exit_code = -1;
  int signal = 0;
};

BackgroundProcess::BackgroundProcess(std::unique_ptr<Impl> impl, std::filesystem::path log_file)
    : impl_(std::move(impl)), log_file_(std::move(log_file)) {}

Result<std::unique_ptr<BackgroundProcess>> BackgroundProcess::Start(
    const std::vector<std::string>& argv, const std::filesystem::path& log_file,
    const std::map<std::string, std::string>& env) {
  if (argv.empty()) return Status::Error("empty command line");
  const std::string exe = FindProgram(argv[0]);
  if (exe.empty()) return Status::Error(argv[0] + ": not found");
  FilePtr log(std::fopen(log_file.c_str(), "a"));
  if (!log) return Status::Error(log_file.string() + ": cannot open for appending");
  auto impl = std::make_unique<Impl>();
  try {
    const std::vector<std::string> args(argv.begin() + 1, argv.end());
    impl->child = bp::child(bp::exe = exe, bp::args = args, bp::std_out > log.get(),
                            bp::std_err > log.get(), bp::std_in < bp::null, MakeEnv(env),
                            impl->group);
  } catch (const std::exception& e) {
    return Status::Error(exe + ": cannot start: " + e.what());
  }
  return std::unique_ptr<BackgroundProcess>(new BackgroundProcess(std::move(impl), log_file));
}

BackgroundProcess::~BackgroundProcess() { Stop(); }

pid_t BackgroundProcess::pid() const { return impl_->child.id(); }

bool BackgroundProcess::Alive() {
  if (impl_->reaped) return false;
  std::error_code ec;
  if (impl_->child.running(ec)) return true;
  impl_->child.wait(ec);
  DecodeWaitStatus(impl_->child.native_exit_code(), &impl_->exit_code, &impl_->signal);
  impl_->reaped = true;
  return false;
}

Status BackgroundProcess::Signal(int sig) {
  if (!Alive()) return Status::Error("process " + std::to_string(pid()) + " has exited");
  if (kill(pid(), sig) != 0) {
    return Status::Error("kill(" + std::to_string(pid()) + ", " + std::to_string(sig) +
                         ") failed");
  }
  return Status::Ok();
}

bool BackgroundProcess::WaitForExit(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Alive()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

std::string BackgroundProcess::Stop(std::chrono::milliseconds grace) {
  if (Alive()) {
    kill(pid(), SIGCONT);  // a stopped child cannot act on SIGTERM
    kill(pid(), SIGTERM);
    if (!WaitForExit(grace)) {
      std::error_code ec;
      impl_->group.terminate(ec);
      WaitForExit(std::chrono::seconds(5));
    }
  }
  return DescribeState();
}

std::string BackgroundProcess::DescribeState() {
  if (Alive()) return "running";
  if (impl_->signal != 0) return "signal " + std::to_string(impl_->signal);
  return "exit " + std::to_string(impl_->exit_code);
}

std::string TailOfFile(const std::filesystem::path& path, size_t max_lines) {
  std::ifstream in(path);
  if (!in) return "";
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(std::move(line));
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::ostringstream out;
  for (const auto& l : lines) out << l << '\n';
  return out.str();
}

bool ProcessRunning(int pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;  // no procfs: kill() is all we know
  const size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

}  // namespace harness::process
