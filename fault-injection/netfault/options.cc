#include "fault-injection/netfault/options.h"

#include "fault-injection/faultfs/names.h"  // ParseSize.

namespace reftarget::netfault {

std::string Usage() {
  return "usage: netfault --listen 127.0.0.1:PORT|[::1]:PORT --target HOST:PORT --control SOCKET\n"
         "                [--log FILE] [--seed N] [options]\n"
         "       netfault ctl ...            (same as netfault-ctl)\n"
         "A TCP proxy that injects faults into each direction of each connection by rules set\n"
         "at run time through the control socket (see netfault-ctl --help). Listens on\n"
         "loopback only; port 0 picks a free port. Prints 'listening ADDR:PORT' on stdout\n"
         "once ready. Runs in the foreground; SIGTERM or SIGINT closes everything and exits.\n"
         "options:\n"
         "  --log FILE              fault log (default stderr)\n"
         "  --seed N                seed for probability draws (default 0x5EEDFA17)\n"
         "  --max-buffer SIZE       bytes queued per direction before reading stops (1M)\n"
         "  --connect-timeout MS    connect to the target (default 10000)\n"
         "  --max-connections N     further clients are reset at once (default 1024)\n";
}

Result<Options> ParseOptions(const std::vector<std::string>& args) {
  Options opts;
  bool have_listen = false;
  bool have_target = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      opts.help = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      return Status::Error(flag.rfind("--", 0) == 0 ? flag + " needs a value"
                                                    : "unknown argument '" + flag + "'");
    }
    const std::string& value = args[++i];
    if (flag == "--listen") {
      Result<HostPort> hp = ParseHostPort(value, /*allow_port_zero=*/true, flag);
      if (!hp.ok()) return hp.status();
      Result<SocketAddress> loopback = LoopbackAddress(hp.value(), flag);
      if (!loopback.ok()) return loopback.status();
      opts.listen = hp.value();
      have_listen = true;
    } else if (flag == "--target") {
      Result<HostPort> hp = ParseHostPort(value, /*allow_port_zero=*/false, flag);
      if (!hp.ok()) return hp.status();
      opts.target = hp.value();
      have_target = true;
    } else if (flag == "--control") {
      opts.control = value;
    } else if (flag == "--log") {
      opts.log = value;
    } else if (flag == "--seed" || flag == "--max-buffer" || flag == "--connect-timeout" ||
               flag == "--max-connections") {
      Result<uint64_t> n = faultfs::ParseSize(value);
      if (!n.ok()) return Status::Error(flag + ": " + n.error());
      if (flag == "--seed") {
        opts.seed = n.value();
      } else if (flag == "--max-buffer") {
        if (n.value() < 4096 || n.value() > (1ull << 30))
          return Status::Error("--max-buffer must be in 4k..1G");
        opts.max_buffer = n.value();
      } else if (flag == "--connect-timeout") {
        if (n.value() < 1 || n.value() > 600 * 1000)
          return Status::Error("--connect-timeout must be in 1..600000 ms");
        opts.connect_timeout_ms = static_cast<uint32_t>(n.value());
      } else {
        if (n.value() < 1 || n.value() > 65536)
          return Status::Error("--max-connections must be in 1..65536");
        opts.max_connections = n.value();
      }
    } else {
      return Status::Error("unknown argument '" + flag + "'");
    }
  }
  if (opts.help) return opts;
  if (!have_listen) return Status::Error("--listen ADDR:PORT is required");
  if (!have_target) return Status::Error("--target HOST:PORT is required");
  if (opts.control.empty()) return Status::Error("--control SOCKET is required");
  return opts;
}

}  // namespace reftarget::netfault
