// netfault: a TCP proxy between an initiator and a target that injects faults into each
// direction on command. See README.md in this directory for the rules and the protocol.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "fault-injection/faultfs/control_server.h"
#include "fault-injection/faultfs/fault_log.h"
#include "fault-injection/netfault/control_handler.h"
#include "fault-injection/netfault/ctl_command.h"
#include "fault-injection/netfault/mailbox.h"
#include "fault-injection/netfault/options.h"
#include "fault-injection/netfault/proxy.h"
#include "fault-injection/netfault/rule_engine.h"

namespace reftarget::netfault {
namespace {

int Fail(const std::string& message) {
  std::cerr << "netfault: " << message << "\n";
  return 1;
}

int Run(const Options& opts) {
  // Termination signals arrive through a signalfd in the event loop. Blocking them before
  // the control thread starts makes every thread inherit the mask.
  sigset_t term;
  sigemptyset(&term);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&term, sig);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Fd signal_fd(signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd.valid()) return Fail(std::string("signalfd: ") + std::strerror(errno));

  faultfs::FaultLog log;
  Status log_ok = log.Open(opts.log);
  if (!log_ok.ok()) return Fail(log_ok.message());
  Result<SocketAddress> listen = LoopbackAddress(opts.listen, "--listen");
  if (!listen.ok()) return Fail(listen.error());
  Result<SocketAddress> target = ResolveAddress(opts.target, "--target");
  if (!target.ok()) return Fail(target.error());

  ProxyConfig config;
  config.listen = listen.value();
  config.target = target.value();
  config.target_name = FormatAddress(target.value().get(), target.value().length);
  config.max_buffer = opts.max_buffer;
  config.connect_timeout_ms = opts.connect_timeout_ms;
  config.max_connections = opts.max_connections;
  RuleEngine engine(opts.seed);
  Proxy proxy(config, &engine, &log);
  Result<std::string> bound = proxy.Listen();
  if (!bound.ok()) return Fail(bound.error());

  Mailbox mailbox;
  Status mailbox_ok = mailbox.Open();
  if (!mailbox_ok.ok()) return Fail(mailbox_ok.message());
  ControlHandler handler(&proxy, &log);
  faultfs::ControlServer server(opts.control,
                                [&mailbox](const std::string& line) { return mailbox.Call(line); });
  Status started = server.Start();
  if (!started.ok()) return Fail(started.message());

  log.Event("netfault listening " + bound.value() + " target=" + config.target_name +
            " control=" + opts.control + " seed=" + std::to_string(opts.seed));
  std::cout << "listening " << bound.value() << std::endl;
  Status ran = proxy.Run(signal_fd.get(), &mailbox,
                         [&handler](const std::string& line) { return handler.HandleLine(line); });
  // Order matters: the mailbox answers a request the control thread may be waiting on, so
  // the thread can be joined; then the socket file goes.
  mailbox.Close();
  server.Stop();
  proxy.CloseAll("shutdown");
  log.Event("netfault stopped");
  if (!ran.ok()) return Fail(ran.message());
  return 0;
}

}  // namespace
}  // namespace reftarget::netfault

int main(int argc, char** argv) {
  using namespace reftarget::netfault;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "ctl")
    return CtlMain(std::vector<std::string>(args.begin() + 1, args.end()));
  reftarget::Result<Options> opts = ParseOptions(args);
  if (!opts.ok()) {
    std::cerr << "netfault: " << opts.error() << "\n" << Usage();
    return 2;
  }
  if (opts.value().help) {
    std::cout << Usage();
    return 0;
  }
  return Run(opts.value());
}
