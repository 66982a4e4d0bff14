// A small leveled logger writing one line per event to stderr; thread-safe.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace reftarget::log {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// Sets the most verbose level that is written. Thread-safe.
void SetLevel(Level level);
Level GetLevel();
// Parses "error|warn|info|debug"; returns false for anything else.
bool ParseLevel(std::string_view text, Level* out);
// Writes one line "LEVEL component: message". Thread-safe.
void Write(Level level, std::string_view component, std::string_view message);

// Builds a message with << and writes it when destroyed, if the level is enabled.
class Line {
 public:
  Line(Level level, std::string_view component) : level_(level), component_(component) {}
  ~Line() { Write(level_, component_, stream_.str()); }
  template <typename T>
  Line& operator<<(const T& v) {
    stream_ << v;
    return *this;
  }

 private:
  Level level_;
  std::string_view component_;
  std::ostringstream stream_;
};

inline bool Enabled(Level level) { return static_cast<int>(level) <= static_cast<int>(GetLevel()); }

}  // namespace reftarget::log

namespace reftarget::log {
// Lets RT_LOG be one expression, so that it is safe after an unbraced if (glog's trick).
struct Voidify {
  void operator&(const Line&) {}
};
}  // namespace reftarget::log

#define RT_LOG(level, component)                                  \
  !::reftarget::log::Enabled(::reftarget::log::Level::level)     \
      ? (void)0                                                   \
      : ::reftarget::log::Voidify() &                             \
            ::reftarget::log::Line(::reftarget::log::Level::level, component)
