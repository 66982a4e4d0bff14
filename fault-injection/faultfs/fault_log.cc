#include "fault-injection/faultfs/fault_log.h"

#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "fault-injection/faultfs/names.h"

namespace reftarget::faultfs {

std::string TimestampNow() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  const size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof(buf) - n, ".%06ldZ", ts.tv_nsec / 1000);
  return buf;
}

FaultLog::~FaultLog() {
  if (file_ != nullptr) fclose(file_);
}

Status FaultLog::Open(const std::string& path) {
  if (path.empty() || path == "-") return Status::Ok();
  FILE* file = fopen(path.c_str(), "ae");
  if (file == nullptr) return Status::Error("--log " + path + ": " + std::strerror(errno));
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) fclose(file_);
  file_ = file;
  return Status::Ok();
}

void FaultLog::Fault(const Request& request, const struct Fault& fault, std::string_view detail) {
  std::string line = TimestampNow() + " fault rule=" + std::to_string(fault.rule_id) +
                     " file=" + std::string(request.file) + " op=" + OpName(request.op);
  if (request.has_range) {
    line +=
        " offset=" + std::to_string(request.offset) + " length=" + std::to_string(request.length);
  }
  line += std::string(" action=") + ActionName(fault.action);
  switch (fault.action) {
    case Action::kError:
      line += " errno=" + ErrnoName(fault.error);
      break;
    case Action::kDelay:
      line += " delay_ms=" + std::to_string(fault.delay_ms);
      break;
    case Action::kCorrupt:
      line += " xor=" + std::to_string(fault.corrupt_xor);
      break;
    case Action::kHang:
    case Action::kShort:
      break;
  }
  if (!detail.empty()) line += " " + std::string(detail);
  WriteLine(line);
}

void FaultLog::Event(std::string_view text) { WriteLine(TimestampNow() + " " + std::string(text)); }

void FaultLog::WriteLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  FILE* out = file_ != nullptr ? file_ : stderr;
  fprintf(out, "%s\n", line.c_str());
  fflush(out);
}

}  // namespace reftarget::faultfs
