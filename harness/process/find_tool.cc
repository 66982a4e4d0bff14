#include "harness/process/find_tool.h"

#include <cstdlib>
#include <system_error>

#include "harness/process/child_process.h"

namespace harness::process {

std::filesystem::path SelfDir() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self.parent_path();
}

std::filesystem::path FirstExisting(const std::vector<std::filesystem::path>& candidates) {
  for (const auto& p : candidates) {
    std::error_code ec;
    if (!p.empty() && std::filesystem::exists(p, ec)) {
      return std::filesystem::weakly_canonical(p, ec);
    }
  }
  return {};
}

std::filesystem::path FindTool(const char* env_var,
                               const std::vector<std::filesystem::path>& beside_self,
                               const std::string& name) {
  if (const char* env = std::getenv(env_var); env != nullptr && *env != '\0') return env;
  const std::filesystem::path self = SelfDir();
  std::vector<std::filesystem::path> candidates;
  if (!self.empty()) {
    for (const auto& relative : beside_self) candidates.push_back(self / relative);
  }
  if (auto found = FirstExisting(candidates); !found.empty()) return found;
  return FindProgram(name);
}

}  // namespace harness::process
