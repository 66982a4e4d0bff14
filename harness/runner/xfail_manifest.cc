#include "harness/runner/xfail_manifest.h"

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

namespace harness::runner {
namespace {

std::filesystem::path SelfDir() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear for the patterns manifests use.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<XfailManifest> XfailManifest::Load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(path.string() + ": cannot read the expected-failure manifest");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::Error(path.string() + ": not valid JSON");
  XfailManifest m;
  m.source_ = path;
  if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array()) {
    return Status::Error(path.string() + ": expected an object with an \"entries\" array");
  }
  size_t i = 0;
  for (const auto& e : j["entries"]) {
    const std::string where = path.string() + ": entries[" + std::to_string(i++) + "]";
    XfailEntry entry;
    for (auto [key, field] : {std::pair{"test", &entry.test}, std::pair{"clause", &entry.clause},
                              std::pair{"why", &entry.why}}) {
      if (!e.contains(key) || !e[key].is_string() || e[key].get<std::string>().empty()) {
        return Status::Error(where + ": \"" + key + "\" must be a non-empty string");
      }
      *field = e[key].get<std::string>();
    }
    m.entries_.push_back(std::move(entry));
  }
  return m;
}

Result<XfailManifest> XfailManifest::ForAdapter(const std::string& adapter) {
  std::vector<std::filesystem::path> dirs;
  if (const char* d = std::getenv("ISCSI_HARNESS_XFAIL_DIR"); d != nullptr && *d) {
    dirs.push_back(d);
  }
  const auto self = SelfDir();
  dirs.push_back(self / ".." / ".." / "share" / "iscsi-harness" / "xfail");  // build tree
  dirs.push_back(self / ".." / "share" / "iscsi-harness" / "xfail");        // install tree
  std::error_code ec;
  for (const auto& dir : dirs) {
    const auto file = dir / (adapter + ".json");
    if (std::filesystem::exists(file, ec)) return Load(file);
  }
  return XfailManifest{};
}

std::vector<std::string> XfailManifest::Apply(std::vector<reports::TestResult>* results) const {
  std::vector<std::string> passed;
  for (auto& r : *results) {
    const std::string full = r.suite + "." + r.name;
    for (const XfailEntry& e : entries_) {
      if (!GlobMatch(e.test, full) && !GlobMatch(e.test, r.name)) continue;
      if (r.outcome == reports::Outcome::kFail) {
        r.outcome = reports::Outcome::kXfail;
        r.reason = "expected failure (" + e.clause + "): " + e.why + " [" + r.reason + "]";
        if (r.clause.empty()) r.clause = e.clause;
      } else if (r.outcome == reports::Outcome::kPass) {
        passed.push_back(full);
      }
      break;
    }
  }
  return passed;
}

}  // namespace harness::runner
