#include "harness/process/cpu_time.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace harness::process {
namespace {

// Splits `text` at blanks.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n') ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    if (j < text.size() && text[j] == '\n') break;
    i = j;
  }
  return out;
}

bool Unsigned(std::string_view text, unsigned long long* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(path + ": cannot read");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Result<ProcessCpu> ParseProcPidStat(std::string_view text, long ticks_per_s) {
  if (ticks_per_s <= 0) return Status::Error("clock ticks per second must be positive");
  const size_t paren = text.rfind(')');
  if (paren == std::string_view::npos) return Status::Error("stat: no ')' after the command");
  // After the command come field 3 (state) onwards: utime is field 14, stime field 15.
  const std::vector<std::string_view> f = Fields(text.substr(paren + 1));
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  if (f.size() <= kStime) return Status::Error("stat: fewer than 15 fields");
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  if (!Unsigned(f[kUtime], &utime)) return Status::Error("stat: utime is not a number");
  if (!Unsigned(f[kStime], &stime)) return Status::Error("stat: stime is not a number");
  ProcessCpu out;
  out.user_s = static_cast<double>(utime) / static_cast<double>(ticks_per_s);
  out.system_s = static_cast<double>(stime) / static_cast<double>(ticks_per_s);
  return out;
}

Result<MachineCpu> ParseProcStat(std::string_view text, long ticks_per_s) {
  if (ticks_per_s <= 0) return Status::Error("clock ticks per second must be positive");
  if (text.substr(0, 4) != "cpu ") return Status::Error("/proc/stat: no \"cpu\" line first");
  const std::vector<std::string_view> f = Fields(text);
  // cpu user nice system idle iowait irq softirq steal [guest guest_nice]
  if (f.size() < 9) return Status::Error("/proc/stat: the cpu line has fewer than 8 figures");
  unsigned long long v[8] = {};
  for (size_t i = 0; i < 8; ++i) {
    if (!Unsigned(f[i + 1], &v[i])) {
      return Status::Error("/proc/stat: cpu figure " + std::to_string(i + 1) + " is not a number");
    }
  }
  const double t = static_cast<double>(ticks_per_s);
  MachineCpu out;
  out.busy_s = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / t;
  out.idle_s = static_cast<double>(v[3] + v[4]) / t;
  return out;
}

Result<ProcessCpu> ReadProcessCpu(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  Result<ProcessCpu> cpu = ParseProcPidStat(text.value(), ::sysconf(_SC_CLK_TCK));
  if (!cpu.ok()) return Status::Error(path + ": " + cpu.error());
  return cpu;
}

Result<MachineCpu> ReadMachineCpu() {
  Result<std::string> text = ReadFile("/proc/stat");
  if (!text.ok()) return text.status();
  return ParseProcStat(text.value(), ::sysconf(_SC_CLK_TCK));
}

}  // namespace harness::process
