// The record of every injected fault: one line per event, to a file or stderr, so that a
// test failure can be lined up with what faultfs did and when.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "fault-injection/faultfs/rules.h"
#include "target/common/status.h"

namespace reftarget::faultfs {

// Thread-safe line logger. Lines look like
//   2024-05-01T12:00:00.123456Z fault rule=3 file=disk.img op=read offset=0 length=4096
//   action=error errno=EIO
class FaultLog {
 public:
  FaultLog() = default;
  ~FaultLog();
  FaultLog(const FaultLog&) = delete;
  FaultLog& operator=(const FaultLog&) = delete;

  // Appends to `path`; "" or "-" means stderr.
  Status Open(const std::string& path);
  // Logs that `fault` was applied to `request`; `detail` adds free text (e.g. "released").
  void Fault(const Request& request, const struct Fault& fault, std::string_view detail = {});
  // Logs a free-form event line ("start", "rule added", ...).
  void Event(std::string_view text);

 private:
  void WriteLine(const std::string& line);

  std::mutex mu_;
  FILE* file_ = nullptr;  // nullptr: stderr.
};

// Returns the current UTC time as 2024-05-01T12:00:00.123456Z.
std::string TimestampNow();

}  // namespace reftarget::faultfs
