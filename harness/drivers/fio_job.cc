#include "harness/drivers/fio_job.h"

#include <sstream>

namespace harness::drivers {
namespace {

// Longest run the matrix asks for; beyond it a typo, not a measurement.
constexpr std::chrono::seconds kMaxRuntime{3600};
constexpr uint32_t kMaxIodepth = 4096;
constexpr uint32_t kMaxNumjobs = 256;
constexpr uint32_t kMaxBlockSize = 16u << 20;

bool NameOk(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// True if `text` could break the job file's line structure.
bool HasLineBreak(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos;
}

}  // namespace

const char* FioRw(FioPattern pattern) {
  switch (pattern) {
    case FioPattern::kRandRead:
      return "randread";
    case FioPattern::kRandWrite:
      return "randwrite";
    case FioPattern::kSeqRead:
      return "read";
    case FioPattern::kSeqWrite:
      return "write";
    case FioPattern::kRandRw:
      return "randrw";
  }
  return "randread";
}

const char* FioEngineName(FioEngine engine) {
  switch (engine) {
    case FioEngine::kLibiscsi:
      return "libiscsi";
    case FioEngine::kIoUring:
      return "io_uring";
    case FioEngine::kLibaio:
      return "libaio";
    case FioEngine::kNull:
      return "null";
    case FioEngine::kNet:
      return "net";
  }
  return "null";
}

std::string EscapeFioFilename(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    if (c == ':') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Status ValidateFioJob(const FioJobSpec& spec) {
  const std::string job = "fio job '" + spec.name + "': ";
  if (!NameOk(spec.name)) {
    return Status::Error(job + "name must be 1-64 letters, digits, '-', '_' or '.'");
  }
  if (spec.block_size == 0 || spec.block_size % 512 != 0 || spec.block_size > kMaxBlockSize) {
    return Status::Error(job + "block_size " + std::to_string(spec.block_size) +
                         " is not a multiple of 512 in 512.." + std::to_string(kMaxBlockSize));
  }
  if (spec.iodepth == 0 || spec.iodepth > kMaxIodepth) {
    return Status::Error(job + "iodepth " + std::to_string(spec.iodepth) + " is not in 1.." +
                         std::to_string(kMaxIodepth));
  }
  if (spec.numjobs == 0 || spec.numjobs > kMaxNumjobs) {
    return Status::Error(job + "numjobs " + std::to_string(spec.numjobs) + " is not in 1.." +
                         std::to_string(kMaxNumjobs));
  }
  if (spec.pattern == FioPattern::kRandRw && (spec.read_percent < 0 || spec.read_percent > 100)) {
    return Status::Error(job + "read_percent " + std::to_string(spec.read_percent) +
                         " is not in 0..100");
  }
  if (spec.runtime.count() <= 0 || spec.runtime > kMaxRuntime) {
    return Status::Error(job + "runtime " + std::to_string(spec.runtime.count()) +
                         " s is not in 1..3600 s");
  }
  if (spec.ramp.count() < 0 || spec.ramp > kMaxRuntime) {
    return Status::Error(job + "ramp " + std::to_string(spec.ramp.count()) +
                         " s is not in 0..3600 s");
  }
  if (HasLineBreak(spec.target) || HasLineBreak(spec.initiator)) {
    return Status::Error(job + "target and initiator must be one line");
  }
  switch (spec.engine) {
    case FioEngine::kLibiscsi:
      if (spec.target.rfind("iscsi://", 0) != 0) {
        return Status::Error(job + "target '" + spec.target +
                             "' is not an iscsi://HOST:PORT/IQN/LUN URL");
      }
      break;
    case FioEngine::kIoUring:
    case FioEngine::kLibaio:
      if (spec.target.empty() || spec.target[0] != '/') {
        return Status::Error(job + "target '" + spec.target + "' is not an absolute path");
      }
      break;
    case FioEngine::kNet: {
      const std::string& t = spec.target;
      const bool digits =
          !t.empty() && t.size() <= 5 && t.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoi(t) == 0 || std::stoi(t) > 65535) {
        return Status::Error(job + "target '" + t + "' is not a TCP port for the net engine");
      }
      if (spec.pattern != FioPattern::kSeqWrite) {
        return Status::Error(job + "the net engine measures a stream: pattern must be write");
      }
      break;
    }
    case FioEngine::kNull:
      if (spec.size_bytes == 0) return Status::Error(job + "the null engine needs size_bytes");
      break;
  }
  return Status::Ok();
}

std::string FioJobFile(const FioJobSpec& spec) {
  std::ostringstream out;
  out << "; written by iscsi-harness (harness/drivers/fio_job.cc)\n"
      << "[global]\n"
      << "ioengine=" << FioEngineName(spec.engine) << "\n"
      << "bs=" << spec.block_size << "\n"
      << "iodepth=" << spec.iodepth << "\n"
      << "time_based=1\n"
      << "runtime=" << spec.runtime.count() << "\n"
      << "ramp_time=" << spec.ramp.count()
      << "\n"
      // Total latency (submission to completion) percentiles, as users quote them.
      << "lat_percentiles=1\n"
      << "percentile_list=50:90:99:99.9:99.99\n"
      // The same offsets on every run, so repetitions measure the target, not the sequence.
      << "randrepeat=1\n"
      << "group_reporting=1\n";
  // The net engine needs a size even when time_based ends the run: 1 TiB never runs out.
  const uint64_t size =
      spec.size_bytes == 0 && spec.engine == FioEngine::kNet ? (1ull << 40) : spec.size_bytes;
  if (size > 0) out << "size=" << size << "\n";
  if (spec.engine == FioEngine::kNet) {
    out << "protocol=tcp\n"
        << "port=" << spec.target << "\n"
        << "[" << spec.name << "]\n"
        << "listen=1\n"
        << "rw=read\n"
        << "[" << spec.name << "-sender]\n"
        << "new_group=1\n"
        << "startdelay=1\n"
        << "hostname=127.0.0.1\n"
        << "rw=write\n";
    return out.str();
  }
  if (spec.engine == FioEngine::kLibiscsi && !spec.initiator.empty()) {
    out << "initiator=" << spec.initiator << "\n";
  }
  if (spec.engine == FioEngine::kIoUring || spec.engine == FioEngine::kLibaio) {
    out << "direct=" << (spec.direct ? 1 : 0) << "\n";
  }
  if (spec.engine != FioEngine::kNull) {
    out << "filename=" << EscapeFioFilename(spec.target) << "\n";
  }
  out << "[" << spec.name << "]\n"
      << "rw=" << FioRw(spec.pattern) << "\n";
  if (spec.pattern == FioPattern::kRandRw) out << "rwmixread=" << spec.read_percent << "\n";
  if (spec.numjobs > 1) out << "numjobs=" << spec.numjobs << "\n";
  return out.str();
}

}  // namespace harness::drivers
