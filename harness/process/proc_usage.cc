#include "harness/process/proc_usage.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace harness::process {
namespace {

// Returns the value of "Key:\tVALUE unit" lines, without the unit; nullopt if absent.
std::optional<std::string_view> Field(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      std::string_view value = line.substr(key.size() + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      const size_t blank = value.find_first_of(" \t");
      return blank == std::string_view::npos ? value : value.substr(0, blank);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

Result<uint64_t> Number(std::string_view text, std::string_view key) {
  std::optional<std::string_view> v = Field(text, key);
  if (!v) return Status::Error(std::string(key) + ": missing");
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || v->empty()) {
    return Status::Error(std::string(key) + ": not a number: '" + std::string(*v) + "'");
  }
  return out;
}

}  // namespace

Result<ProcessUsage> ParseProcStatus(std::string_view status_text) {
  // proc(5): "VmRSS: Resident set size ... in kB"; the unit is always kB.
  Result<uint64_t> rss_kb = Number(status_text, "VmRSS");
  if (!rss_kb.ok()) return rss_kb.status();
  if (rss_kb.value() > (UINT64_MAX >> 10)) return Status::Error("VmRSS: out of range");
  Result<uint64_t> threads = Number(status_text, "Threads");
  if (!threads.ok()) return threads.status();
  ProcessUsage usage;
  usage.rss_bytes = rss_kb.value() << 10;
  usage.threads = static_cast<int64_t>(threads.value());
  return usage;
}

Result<ProcessUsage> ReadProcessUsage(int pid) {
  const std::filesystem::path dir = "/proc/" + std::to_string(pid);
  std::ifstream in(dir / "status");
  if (!in) return Status::Error((dir / "status").string() + ": cannot read (process gone?)");
  std::ostringstream text;
  text << in.rdbuf();
  Result<ProcessUsage> usage = ParseProcStatus(text.str());
  if (!usage.ok()) return Status::Error((dir / "status").string() + ": " + usage.error());
  std::error_code ec;
  int64_t fds = 0;
  for (std::filesystem::directory_iterator it(dir / "fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (ec) return Status::Error((dir / "fd").string() + ": cannot list: " + ec.message());
  usage.value().open_fds = fds;
  return usage;
}

}  // namespace harness::process
