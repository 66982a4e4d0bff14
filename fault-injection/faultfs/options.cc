#include "fault-injection/faultfs/options.h"

#include <cstdlib>

#include "fault-injection/faultfs/names.h"

namespace reftarget::faultfs {

std::string Usage() {
  return "usage: faultfs --source DIR --mount MNT --control SOCKET [options]\n"
         "       faultfs ctl ...            (same as faultfs-ctl)\n"
         "Mounts MNT as a pass-through of DIR whose I/O obeys fault rules set at run time\n"
         "through the control socket (see faultfs-ctl --help). Runs in the foreground;\n"
         "SIGTERM or SIGINT releases every hang and unmounts.\n"
         "options:\n"
         "  --log FILE            fault log (default stderr)\n"
         "  --seed N              seed for probability draws (default 0x5EEDFA17)\n"
         "  --no-tracking         no durability tracking (no unsynced/powercut)\n"
         "  --shadow-limit SIZE   memory for saved synced data (default 256M)\n"
         "  --no-direct-io        let the kernel cache file data (faults then miss cached reads)\n"
         "  --allow-other         let other users in (default when run as root)\n"
         "  --no-auto-unmount     leave the mount behind if faultfs is killed\n"
         "  --max-threads N       FUSE worker threads; each hung request holds one (default 64)\n"
         "  -o OPTS               extra libfuse mount options\n"
         "  --debug               libfuse request trace on stderr\n";
}

Result<Options> ParseOptions(const std::vector<std::string>& args, bool is_root) {
  Options opts;
  opts.allow_other = is_root;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::Error(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      opts.help = true;
    } else if (flag == "--source" || flag == "--mount" || flag == "--control" || flag == "--log" ||
               flag == "-o") {
      Result<std::string> v = value();
      if (!v.ok()) return v.status();
      if (flag == "--source") opts.source = v.value();
      if (flag == "--mount") opts.mount = v.value();
      if (flag == "--control") opts.control = v.value();
      if (flag == "--log") opts.log = v.value();
      if (flag == "-o") opts.fuse_options.push_back(v.value());
    } else if (flag == "--seed" || flag == "--shadow-limit" || flag == "--max-threads") {
      Result<std::string> v = value();
      if (!v.ok()) return v.status();
      Result<uint64_t> n = ParseSize(v.value());
      if (!n.ok()) return Status::Error(flag + ": " + n.error());
      if (flag == "--seed") opts.seed = n.value();
      if (flag == "--shadow-limit") opts.shadow_limit = n.value();
      if (flag == "--max-threads") {
        if (n.value() < 2 || n.value() > 4096)
          return Status::Error("--max-threads must be in 2..4096");
        opts.max_threads = static_cast<unsigned>(n.value());
      }
    } else if (flag == "--no-tracking") {
      opts.tracking = false;
    } else if (flag == "--no-direct-io") {
      opts.direct_io = false;
    } else if (flag == "--allow-other") {
      opts.allow_other = true;
    } else if (flag == "--no-auto-unmount") {
      opts.auto_unmount = false;
    } else if (flag == "--debug" || flag == "-d") {
      opts.debug = true;
    } else {
      return Status::Error("unknown argument '" + flag + "'");
    }
  }
  if (opts.help) return opts;
  if (opts.source.empty()) return Status::Error("--source DIR is required");
  if (opts.mount.empty()) return Status::Error("--mount MNT is required");
  if (opts.control.empty()) return Status::Error("--control SOCKET is required");
  return opts;
}

}  // namespace reftarget::faultfs
