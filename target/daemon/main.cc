// reftarget: the userspace iSCSI reference target. Thin main: parse flags, load the
// configuration, open portals, serve until SIGTERM/SIGINT, drain, exit 0.
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "target/admin/admin_requests.h"
#include "target/admin/admin_socket.h"
#include "target/admin/config_store.h"
#include "target/admin/live_target.h"
#include "target/common/logging.h"
#include "target/config/saveconfig_reader.h"
#include "target/iscsi/session/connection.h"
#include "target/iscsi/session/session_table.h"
#include "target/net/reactor.h"

namespace {

constexpr const char* kUsage =
    "usage: reftarget --config saveconfig.json [--admin-socket PATH] [--save-on-stop]\n"
    "                 [--threads N] [--log-level error|warn|info|debug] [--drain-timeout SECONDS]\n"
    "  --config         the configuration to serve (LIO saveconfig.json); with --admin-socket a\n"
    "                   missing file means an empty configuration, and `saveconfig` writes it\n"
    "  --admin-socket   serve reftarget-ctl on this Unix socket (mode 0600)\n"
    "  --save-on-stop   save the running configuration to --config on SIGTERM/SIGINT\n";

struct Options {
  std::string config_path;
  std::string admin_socket;
  unsigned threads = 0;
  unsigned drain_timeout_s = 30;
  bool save_on_stop = false;
  reftarget::log::Level level = reftarget::log::Level::kInfo;
};

bool ParseUnsigned(const std::string& text, unsigned* out) {
  if (text.empty() || text.size() > 6) return false;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *out = v;
  return true;
}

// Returns 0 on success, or the exit code for a usage error (2).
int ParseOptions(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "reftarget: %s needs a value\n%s", name, kUsage);
        return nullptr;
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--config") {
      const char* v = value("--config");
      if (!v) return 2;
      opt->config_path = v;
    } else if (arg == "--admin-socket") {
      const char* v = value("--admin-socket");
      if (!v) return 2;
      opt->admin_socket = v;
    } else if (arg == "--save-on-stop") {
      opt->save_on_stop = true;
    } else if (arg == "--threads") {
      const char* v = value("--threads");
      if (!v || !ParseUnsigned(v, &opt->threads) || opt->threads > 256) {
        std::fprintf(stderr, "reftarget: --threads: expected a number from 0 to 256\n");
        return 2;
      }
    } else if (arg == "--drain-timeout") {
      const char* v = value("--drain-timeout");
      if (!v || !ParseUnsigned(v, &opt->drain_timeout_s)) {
        std::fprintf(stderr, "reftarget: --drain-timeout: expected seconds\n");
        return 2;
      }
    } else if (arg == "--log-level") {
      const char* v = value("--log-level");
      if (!v || !reftarget::log::ParseLevel(v, &opt->level)) {
        std::fprintf(stderr, "reftarget: --log-level: expected error, warn, info or debug\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "reftarget: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (opt->config_path.empty()) {
    std::fprintf(stderr, "reftarget: --config is required\n%s", kUsage);
    return 2;
  }
  return 0;
}

// Every session and login holds a descriptor, and the soft limit is often 1024: raise it to
// the hard limit (as nginx and tgtd do) so the limit is the administrator's, not a default.
void RaiseDescriptorLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  rlim_t wanted = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : lim.rlim_max;
  lim.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    RT_LOG(kWarn, "main") << "cannot raise the descriptor limit: " << std::strerror(errno);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace reftarget;
  Options opt;
  if (int rc = ParseOptions(argc, argv, &opt); rc != 0) return rc;
  log::SetLevel(opt.level);

  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  config::Config initial;
  struct stat st{};
  if (!opt.admin_socket.empty() && ::stat(opt.config_path.c_str(), &st) != 0 && errno == ENOENT) {
    RT_LOG(kInfo, "main") << opt.config_path
                          << ": no saved configuration; starting empty (configure with reftarget-ctl)";
  } else {
    auto config = config::LoadConfigFile(opt.config_path);
    if (!config.ok()) {
      std::fprintf(stderr, "reftarget: %s\n", config.error().c_str());
      return 2;
    }
    for (const auto& key : config::UnknownKeys(config.value())) {
      RT_LOG(kWarn, "config") << opt.config_path << ": " << key << ": not used by reftarget; kept";
    }
    initial = std::move(config).value();
  }

  RaiseDescriptorLimit();
  iscsi::TargetRegistry registry;
  iscsi::SessionTable sessions;
  std::atomic<uint64_t> inflight{0};
  std::atomic<uint32_t> login_phase_connections{0};
  iscsi::ConnectionContext context{&registry, &sessions, &inflight, &login_phase_connections};

  unsigned threads = opt.threads != 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  net::ReactorPool pool(threads);
  pool.Start();

  admin::LiveTargetOptions live_options;
  live_options.drain_timeout = std::chrono::seconds(opt.drain_timeout_s);
  auto live = admin::LiveTarget::Start(std::move(initial), &pool, context, live_options);
  if (!live.ok()) {
    std::fprintf(stderr, "reftarget: %s: %s\n", opt.config_path.c_str(), live.error().c_str());
    pool.Stop();
    return 2;
  }
  for (const auto& e : live.value()->ListeningOn()) {
    RT_LOG(kInfo, "main") << "listening on " << e.ToString();
  }
  admin::AdminContext admin_context{live.value().get(), opt.config_path};
  std::unique_ptr<admin::AdminSocket> admin_socket;
  if (!opt.admin_socket.empty()) {
    auto opened = admin::AdminSocket::Open(opt.admin_socket, [&admin_context](const nlohmann::json& r) {
      return admin::HandleRequest(r, admin_context);
    });
    if (!opened.ok()) {
      std::fprintf(stderr, "reftarget: %s\n", opened.error().c_str());
      live.value()->CloseListeners();
      pool.Stop();
      return 2;
    }
    admin_socket = std::move(opened).value();
    RT_LOG(kInfo, "main") << "admin socket " << opt.admin_socket;
  }
  RT_LOG(kInfo, "main") << "serving " << live.value()->config().targets.size() << " target(s) with "
                        << threads << " reactor thread(s)";

  int sig = 0;
  sigwait(&stop_signals, &sig);
  RT_LOG(kInfo, "main") << "received " << strsignal(sig) << "; draining";
  admin_socket.reset();
  live.value()->CloseListeners();
  if (opt.save_on_stop) {
    Status saved = admin::SaveWithBackup(live.value()->config(), opt.config_path);
    if (saved.ok()) {
      RT_LOG(kInfo, "main") << "configuration saved to " << opt.config_path;
    } else {
      RT_LOG(kError, "main") << "--save-on-stop: " << saved.message();
    }
  }
  // Let commands already handed to backstores finish so that nothing acknowledged is lost.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.drain_timeout_s);
  while (inflight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (inflight.load() > 0) {
    RT_LOG(kWarn, "main") << inflight.load() << " command(s) still in flight after "
                          << opt.drain_timeout_s << " s; exiting anyway";
  }
  pool.Stop();
  live.value()->Shutdown();
  RT_LOG(kInfo, "main") << "stopped";
  return 0;
}
