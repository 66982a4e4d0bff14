// faultfs's command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "target/common/status.h"

namespace reftarget::faultfs {

struct Options {
  std::string source;                    // --source DIR: the directory mirrored.
  std::string mount;                     // --mount MNT: where the mirror appears.
  std::string control;                   // --control SOCKET: the control socket path.
  std::string log;                       // --log FILE: fault log ("" = stderr).
  uint64_t seed = 0x5EEDFA17u;           // --seed N: probability draws.
  bool tracking = true;                  // --no-tracking turns durability tracking off.
  uint64_t shadow_limit = 256ull << 20;  // --shadow-limit SIZE.
  bool direct_io = true;                 // --no-direct-io lets the kernel cache pages.
  bool allow_other = false;              // --allow-other (default on when run as root).
  bool auto_unmount = true;              // --no-auto-unmount: keep the mount if faultfs dies.
  unsigned max_threads = 256;  // --max-threads N: concurrent requests (each hang holds one).
  bool debug = false;          // --debug: libfuse request trace on stderr.
  std::vector<std::string> fuse_options;  // -o OPTS, passed to libfuse.
  bool help = false;
};

// Parses argv (without the program name). Errors name the flag.
Result<Options> ParseOptions(const std::vector<std::string>& args, bool is_root);
// Returns the usage text.
std::string Usage();

}  // namespace reftarget::faultfs
