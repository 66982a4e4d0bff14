#include "target/common/logging.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

namespace reftarget::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_write_mu;
const char* Name(Level level) {
  switch (level) {
    case Level::kError: return "ERROR";
    case Level::kWarn: return "WARN";
    case Level::kInfo: return "INFO";
    case Level::kDebug: return "DEBUG";
  }
  return "?";
}
}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
Level GetLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

bool ParseLevel(std::string_view text, Level* out) {
  if (text == "error") *out = Level::kError;
  else if (text == "warn") *out = Level::kWarn;
  else if (text == "info") *out = Level::kInfo;
  else if (text == "debug") *out = Level::kDebug;
  else return false;
  return true;
}

void Write(Level level, std::string_view component, std::string_view message) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::lock_guard<std::mutex> lock(g_write_mu);
  std::fprintf(stderr, "%lld.%03lld %s %.*s: %.*s\n", static_cast<long long>(now / 1000),
               static_cast<long long>(now % 1000), Name(level), static_cast<int>(component.size()),
               component.data(), static_cast<int>(message.size()), message.data());
}

}  // namespace reftarget::log
