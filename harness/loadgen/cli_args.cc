#include "harness/loadgen/cli_args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

namespace harness::loadgen {
namespace {

Status OptionError(const std::string& option, const std::string& what) {
  return Status::Error(option + ": " + what);
}

Result<uint64_t> ParseUnsigned(const std::string& option, const std::string& v, uint64_t lo,
                               uint64_t hi) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 19) {
    return OptionError(option, "'" + v + "' is not a non-negative integer");
  }
  const uint64_t n = std::strtoull(v.c_str(), nullptr, 10);
  if (n < lo || n > hi) {
    return OptionError(option,
                       v + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return n;
}

Result<double> ParseSeconds(const std::string& option, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || errno != 0 || !std::isfinite(d) || d <= 0 ||
      d > 7 * 24 * 3600.0) {
    return OptionError(option, "'" + v + "' is not a number of seconds in (0, 604800]");
  }
  return d;
}

Result<std::vector<int>> ParseLuns(const std::string& option, const std::string& v) {
  std::vector<int> luns;
  size_t start = 0;
  for (;;) {
    const size_t comma = v.find(',', start);
    const std::string item =
        v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Result<uint64_t> n = ParseUnsigned(option, item, 0, 16383);
    if (!n.ok()) return n.status();
    luns.push_back(static_cast<int>(n.value()));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return luns;
}

// "[LUN=]FIRST:COUNT".
Status ParseRange(const std::string& option, const std::string& v, std::map<int, LbaRange>* ranges,
                  bool* all) {
  std::string rest = v;
  int lun = -1;
  if (const size_t eq = rest.find('='); eq != std::string::npos) {
    Result<uint64_t> l = ParseUnsigned(option, rest.substr(0, eq), 0, 16383);
    if (!l.ok()) return l.status();
    lun = static_cast<int>(l.value());
    rest = rest.substr(eq + 1);
  }
  const size_t colon = rest.find(':');
  if (colon == std::string::npos)
    return OptionError(option, "'" + v + "' is not [LUN=]FIRST:COUNT");
  Result<uint64_t> first = ParseUnsigned(option, rest.substr(0, colon), 0, UINT64_MAX >> 1);
  if (!first.ok()) return first.status();
  Result<uint64_t> count = ParseUnsigned(option, rest.substr(colon + 1), 1, UINT64_MAX >> 1);
  if (!count.ok()) return count.status();
  const LbaRange r{first.value(), count.value()};
  if (lun >= 0) {
    (*ranges)[lun] = r;
  } else {
    *all = true;
    (*ranges)[-1] = r;  // resolved against --luns after parsing
  }
  return Status::Ok();
}

}  // namespace

std::string Usage() {
  return R"(usage: iscsi-loadgen --portal HOST:PORT --target IQN [options]

A verifying iSCSI load generator: every block written carries its LUN, LBA, generation,
writer and a CRC32C; every block read back is checked. Exit status: 0 clean, 1 a
verification error or more than --max-errors I/O errors, 2 bad arguments or no session.

  --portal HOST:PORT       target portal (required)
  --target IQN             target name (required)
  --luns LIST              LUNs to load, e.g. 0,1 (default 0)
  --sessions N             sessions, each its own ISID and thread (default 1)
  --qd N                   commands in flight per session per LUN (default 16)
  --rw PCT                 percent of I/Os that are reads, as fio's rwmixread (default 50)
  --bs LIST                I/O sizes with optional weights: 4k or 4k:3,64k:1 (default 4k)
  --seq | --random         sequential or random offsets (default random)
  --seconds S              run time (default 10)
  --ios N                  instead of --seconds: I/Os per session per LUN
  --range [LUN=]FIRST:COUNT  LBA range to use (all LUNs, or one); default the whole LUN
                           up to --max-tracked-blocks
  --shared-range           all sessions share each range (default: a slice per session)
  --max-tracked-blocks N   blocks tracked per LUN, 16 bytes each (default 4194304)
  --no-zero-check          do not require never-written blocks to read as zeros
  --timeout-ms MS          per-command time limit (default 30000)
  --max-retries N          retries of a UA / TASK ABORTED / timed-out command (default 5)
  --reconnect-s S          give up reconnecting a lost session after S (default 60)
  --initiator IQN          initiator name (default iqn.2003-01.org.reftarget.harness:loadgen)
  --chap USER:SECRET       one-way CHAP
  --header-digest none|crc32c
  --fua                    write with FUA=1
  --seed N                 seed of the offset / size / mix choices (default random)
  --journal FILE           append every acknowledged write to FILE
  --journal-flush-ms MS    journal flush interval (default 200)
  --journal-sync           fdatasync the journal on each flush
  --verify-journal FILE    no load: read back every block FILE journals and report
  --json FILE              write the result as JSON to FILE ("-": standard output)
  --max-errors N           I/O errors tolerated before exit status 1 (default 0)
  --quiet                  print nothing but errors
  --help                   this text
)";
}

Result<CliOptions> ParseCommandLine(const std::vector<std::string>& args) {
  CliOptions o;
  LoadConfig& c = o.config;
  bool have_seconds = false;
  bool have_ios = false;
  bool range_for_all = false;
  std::map<int, LbaRange> ranges;
  using Handler = std::function<Status(const std::string& option, const std::string& value)>;
  // Options that take a value.
  const std::map<std::string, Handler> valued = {
      {"--portal",
       [&](auto&, auto& v) {
         c.portal = v;
         return Status::Ok();
       }},
      {"--target",
       [&](auto&, auto& v) {
         c.target = v;
         return Status::Ok();
       }},
      {"--initiator",
       [&](auto&, auto& v) {
         c.initiator = v;
         return Status::Ok();
       }},
      {"--luns",
       [&](auto& opt, auto& v) -> Status {
         Result<std::vector<int>> l = ParseLuns(opt, v);
         if (!l.ok()) return l.status();
         c.luns = l.value();
         return Status::Ok();
       }},
      {"--sessions",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 1, 1024);
         if (n.ok()) c.sessions = static_cast<int>(n.value());
         return n.status();
       }},
      {"--qd",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 1, 1024);
         if (n.ok()) c.queue_depth = static_cast<int>(n.value());
         return n.status();
       }},
      {"--rw",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 0, 100);
         if (n.ok()) c.workload.read_percent = static_cast<int>(n.value());
         return n.status();
       }},
      {"--bs",
       [&](auto& opt, auto& v) -> Status {
         Result<std::vector<BlockSizeWeight>> b = ParseBlockSizes(v);
         if (!b.ok()) return OptionError(opt, b.error());
         for (const BlockSizeWeight& w : b.value()) {
           if (w.bytes < kMinBlockSize || w.bytes % kMinBlockSize != 0) {
             return OptionError(opt,
                                std::to_string(w.bytes) + " bytes is not a multiple of 64 bytes");
           }
         }
         c.workload.block_sizes = b.value();
         return Status::Ok();
       }},
      {"--seconds",
       [&](auto& opt, auto& v) -> Status {
         Result<double> s = ParseSeconds(opt, v);
         if (!s.ok()) return s.status();
         c.workload.duration =
             std::chrono::milliseconds(static_cast<int64_t>(std::llround(s.value() * 1000)));
         have_seconds = true;
         return Status::Ok();
       }},
      {"--ios",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 1, UINT64_MAX >> 1);
         if (n.ok()) c.workload.io_count = n.value();
         have_ios = true;
         return n.status();
       }},
      {"--range", [&](auto& opt, auto& v) { return ParseRange(opt, v, &ranges, &range_for_all); }},
      {"--max-tracked-blocks",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 1, uint64_t{1} << 28);
         if (n.ok()) c.max_tracked_blocks = n.value();
         return n.status();
       }},
      {"--timeout-ms",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 1, 3600000);
         if (n.ok()) c.retry.command_limit = std::chrono::milliseconds(n.value());
         return n.status();
       }},
      {"--max-retries",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 0, 1000);
         if (n.ok()) c.retry.max_retries = static_cast<int>(n.value());
         return n.status();
       }},
      {"--reconnect-s",
       [&](auto& opt, auto& v) -> Status {
         Result<double> s = ParseSeconds(opt, v);
         if (!s.ok()) return s.status();
         c.reconnect_limit =
             std::chrono::milliseconds(static_cast<int64_t>(std::llround(s.value() * 1000)));
         return Status::Ok();
       }},
      {"--chap",
       [&](auto& opt, auto& v) -> Status {
         const size_t colon = v.find(':');
         if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) {
           return OptionError(opt, "expected USER:SECRET");
         }
         c.chap.user = v.substr(0, colon);
         c.chap.secret = v.substr(colon + 1);
         return Status::Ok();
       }},
      {"--header-digest",
       [&](auto& opt, auto& v) -> Status {
         if (v == "none") {
           c.header_digest = iscsi::HeaderDigest::kNone;
         } else if (v == "crc32c") {
           c.header_digest = iscsi::HeaderDigest::kCrc32c;
         } else {
           return OptionError(opt, "'" + v + "' is not none or crc32c");
         }
         return Status::Ok();
       }},
      {"--seed",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 1, UINT64_MAX >> 1);
         if (n.ok()) c.workload.seed = n.value();
         return n.status();
       }},
      {"--journal",
       [&](auto& opt, auto& v) -> Status {
         if (v.empty()) return OptionError(opt, "empty file name");
         c.journal_path = v;
         return Status::Ok();
       }},
      {"--journal-flush-ms",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 0, 3600000);
         if (n.ok()) c.journal.flush_interval = std::chrono::milliseconds(n.value());
         return n.status();
       }},
      {"--verify-journal",
       [&](auto& opt, auto& v) -> Status {
         if (v.empty()) return OptionError(opt, "empty file name");
         o.verify_journal_path = v;
         return Status::Ok();
       }},
      {"--json",
       [&](auto& opt, auto& v) -> Status {
         if (v.empty()) return OptionError(opt, "empty file name");
         o.json_path = v;
         return Status::Ok();
       }},
      {"--max-errors",
       [&](auto& opt, auto& v) -> Status {
         Result<uint64_t> n = ParseUnsigned(opt, v, 0, UINT64_MAX >> 1);
         if (n.ok()) o.max_errors = n.value();
         return n.status();
       }},
  };
  // Flags.
  const std::map<std::string, std::function<void()>> flags = {
      {"--seq", [&] { c.workload.sequential = true; }},
      {"--random", [&] { c.workload.sequential = false; }},
      {"--shared-range", [&] { c.shared_range = true; }},
      {"--no-zero-check", [&] { c.assume_zeroed = false; }},
      {"--fua", [&] { c.workload.fua = true; }},
      {"--journal-sync", [&] { c.journal.fdatasync = true; }},
      {"--quiet", [&] { o.quiet = true; }},
      {"--help", [&] { o.help = true; }},
      {"-h", [&] { o.help = true; }},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    bool inline_value = false;
    if (const size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (auto f = flags.find(name); f != flags.end()) {
      if (inline_value) return OptionError(name, "takes no value");
      f->second();
      continue;
    }
    auto h = valued.find(name);
    if (h == valued.end()) {
      return Status::Error(name.rfind("-", 0) == 0 ? name + ": unknown option"
                                                   : "unexpected argument '" + name + "'");
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return OptionError(name, "needs a value");
      value = args[++i];
    }
    if (Status st = h->second(name, value); !st.ok()) return st;
  }
  if (o.help) return o;
  if (c.portal.empty()) return OptionError("--portal", "required");
  if (c.target.empty()) return OptionError("--target", "required");
  if (have_seconds && have_ios) return OptionError("--ios", "cannot be combined with --seconds");
  if (o.verify_journal_path.empty() && c.portal.find(':') == std::string::npos) {
    return OptionError("--portal", "'" + c.portal + "' is not HOST:PORT");
  }
  for (const auto& [lun, r] : ranges) {
    if (lun < 0) continue;
    bool known = false;
    for (int l : c.luns) known |= l == lun;
    if (!known) return OptionError("--range", "LUN " + std::to_string(lun) + " is not in --luns");
  }
  for (int lun : c.luns) {
    auto it = ranges.find(lun);
    if (it != ranges.end()) {
      c.ranges[lun] = it->second;
    } else if (range_for_all) {
      c.ranges[lun] = ranges[-1];
    }
  }
  for (const auto& [lun, r] : c.ranges) {
    if (r.count > c.max_tracked_blocks) {
      return OptionError("--range", std::to_string(r.count) +
                                        " blocks is above --max-tracked-blocks " +
                                        std::to_string(c.max_tracked_blocks));
    }
  }
  if (Status st = Validate(c); !st.ok())
    return Status::Error("invalid configuration: " + st.message());
  return o;
}

}  // namespace harness::loadgen
