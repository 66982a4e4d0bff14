// faultfs: a FUSE pass-through file system that injects faults on command.
// See README.md in this directory for the rule semantics and the control protocol.
#include <fcntl.h>
#include <fuse_lowlevel.h>  // fuse_session_exit(), fuse_session_exited().
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fault-injection/faultfs/control_handler.h"
#include "fault-injection/faultfs/control_server.h"
#include "fault-injection/faultfs/ctl_command.h"
#include "fault-injection/faultfs/durability_tracker.h"
#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/faultfs/options.h"
#include "fault-injection/faultfs/passthrough.h"  // Defines FUSE_USE_VERSION first.
#include "fault-injection/faultfs/rules.h"

namespace reftarget::faultfs {
namespace {

void WakeHandler(int /*sig*/) {}

// Returns the libfuse argv for `opts`.
std::vector<std::string> FuseArgs(const Options& opts) {
  std::string mount_opts = "fsname=faultfs:" + opts.source + ",subtype=faultfs,default_permissions";
  if (opts.allow_other) mount_opts += ",allow_other";
  if (opts.auto_unmount) mount_opts += ",auto_unmount";
  std::vector<std::string> args = {"faultfs", "-o", mount_opts};
  for (const std::string& extra : opts.fuse_options) {
    args.push_back("-o");
    args.push_back(extra);
  }
  if (opts.debug) args.push_back("-d");
  return args;
}

// Owns a fuse instance: unmounts and destroys it on every exit path.
class Mount {
 public:
  Mount(fuse* f) : fuse_(f) {}
  ~Mount() {
    if (mounted_) fuse_unmount(fuse_);
    fuse_destroy(fuse_);
  }
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  bool MountAt(const std::string& path) {
    mounted_ = fuse_mount(fuse_, path.c_str()) == 0;
    return mounted_;
  }
  fuse* get() const { return fuse_; }

 private:
  fuse* fuse_;
  bool mounted_ = false;
};

int Run(const Options& opts) {
  // Termination signals are taken by the watcher thread with sigtimedwait, so block them in
  // every thread (threads inherit this mask). SIGUSR2, left unblocked in the main thread
  // with a handler that does nothing, interrupts the main thread's wait inside libfuse's
  // loop so that it sees the session has exited.
  sigset_t term;
  sigemptyset(&term);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&term, sig);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  signal(SIGPIPE, SIG_IGN);
  struct sigaction wake {};
  wake.sa_handler = WakeHandler;
  sigemptyset(&wake.sa_mask);
  wake.sa_flags = 0;  // No SA_RESTART: the wait must return EINTR.
  sigaction(SIGUSR2, &wake, nullptr);

  const int source_fd = open(opts.source.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (source_fd < 0) {
    std::cerr << "faultfs: --source " << opts.source << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  struct stat st;
  if (stat(opts.mount.c_str(), &st) != 0) {
    const int err = errno;
    std::cerr << "faultfs: --mount " << opts.mount << ": "
              << (err == ENOTCONN ? "a dead FUSE mount is there; run fusermount3 -u " + opts.mount
                                  : std::string(std::strerror(err)))
              << "\n";
    close(source_fd);
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    std::cerr << "faultfs: --mount " << opts.mount << ": not a directory\n";
    close(source_fd);
    return 1;
  }

  FaultLog log;
  Status log_ok = log.Open(opts.log);
  if (!log_ok.ok()) {
    std::cerr << "faultfs: " << log_ok.message() << "\n";
    close(source_fd);
    return 1;
  }
  RuleEngine engine(opts.seed);
  std::optional<DurabilityTracker> tracker;
  if (opts.tracking) tracker.emplace(opts.shadow_limit);
  FaultFs fs;
  fs.source_fd = source_fd;
  fs.engine = &engine;
  fs.tracker = tracker ? &*tracker : nullptr;
  fs.log = &log;
  fs.direct_io = opts.direct_io;
  fs.max_background = opts.max_threads;

  ControlHandler handler(&engine, fs.tracker, &log, source_fd);
  ControlServer server(opts.control,
                       [&handler](const std::string& line) { return handler.HandleLine(line); });
  Status started = server.Start();
  if (!started.ok()) {
    std::cerr << "faultfs: " << started.message() << "\n";
    close(source_fd);
    return 1;
  }

  std::vector<std::string> arg_strings = FuseArgs(opts);
  std::vector<char*> argv;
  for (std::string& arg : arg_strings) argv.push_back(arg.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  const fuse_operations ops = MakeFaultFsOperations();
  fuse* raw = fuse_new(&args, &ops, sizeof(ops), &fs);
  fuse_opt_free_args(&args);
  if (raw == nullptr) {
    std::cerr << "faultfs: fuse_new failed (bad -o option?)\n";
    server.Stop();
    close(source_fd);
    return 1;
  }
  int rc = 1;
  {
    Mount mount(raw);
    if (!mount.MountAt(opts.mount)) {
      std::cerr << "faultfs: mounting " << opts.mount
                << " failed (is /dev/fuse there? see above)\n";
    } else {
      fuse_session* se = fuse_get_session(mount.get());
      log.Event("faultfs mounted source=" + opts.source + " mount=" + opts.mount +
                " control=" + opts.control + " seed=" + std::to_string(opts.seed) +
                " tracking=" + (opts.tracking ? "on" : "off"));

      const pthread_t main_thread = pthread_self();
      std::atomic<bool> loop_done{false};
      std::thread watcher([&] {
        bool stopping = false;
        std::chrono::steady_clock::time_point first_signal;
        while (!loop_done.load()) {
          const timespec tick{0, 200 * 1000 * 1000};
          const int sig = sigtimedwait(&term, nullptr, &tick);
          // A second signal well after the first means the clean exit is stuck (a worker
          // blocked in the source file system): leave now; auto_unmount cleans up. Signals
          // arriving together (a wrapper forwarding one to the group) do not count.
          if (sig > 0 && stopping &&
              std::chrono::steady_clock::now() - first_signal > std::chrono::seconds(2)) {
            log.Event("second signal " + std::to_string(sig) + ": exiting at once");
            _exit(1);
          }
          if (sig > 0 && !stopping) {
            log.Event("signal " + std::to_string(sig) + ": releasing hangs and unmounting");
          }
          // An unmount from outside also ends the session: release hangs then too, or the
          // loop would wait forever for the workers they hold.
          if (!stopping && (sig > 0 || fuse_session_exited(se))) {
            stopping = true;
            first_signal = std::chrono::steady_clock::now();
          }
          if (stopping) {
            engine.Shutdown();
            fuse_session_exit(se);
            pthread_kill(main_thread, SIGUSR2);  // Repeated each tick until the loop returns.
          }
        }
      });

      fuse_loop_config* config = fuse_loop_cfg_create();
      fuse_loop_cfg_set_max_threads(config, opts.max_threads);
      fuse_loop_cfg_set_idle_threads(config, 8);
      rc = fuse_loop_mt(mount.get(), config) == 0 ? 0 : 1;
      fuse_loop_cfg_destroy(config);
      loop_done.store(true);
      watcher.join();
      engine.Shutdown();
      server.Stop();
      log.Event("faultfs unmounting " + opts.mount);
    }
  }
  // Handles the kernel never released (the session ended with files open).
  for (OpenFile* file : fs.open_files.TakeAll()) {
    close(file->fd);
    std::unique_ptr<OpenFile> owned(file);
  }
  server.Stop();
  close(source_fd);
  return rc;
}

}  // namespace
}  // namespace reftarget::faultfs

int main(int argc, char** argv) {
  using namespace reftarget::faultfs;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "ctl")
    return CtlMain(std::vector<std::string>(args.begin() + 1, args.end()));
  reftarget::Result<Options> opts = ParseOptions(args, geteuid() == 0);
  if (!opts.ok()) {
    std::cerr << "faultfs: " << opts.error() << "\n" << Usage();
    return 2;
  }
  if (opts.value().help) {
    std::cout << Usage();
    return 0;
  }
  return Run(opts.value());
}
