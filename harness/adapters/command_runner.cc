#include "harness/adapters/command_runner.h"

#include <algorithm>

namespace harness::adapters {
namespace {

bool HasBlank(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

CommandRunner DefaultCommandRunner() {
  return [](const std::vector<std::string>& argv, const process::RunOptions& options) {
    return process::Run(argv, options);
  };
}

std::string TrimOutput(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\n')) ++start;
  return s.substr(start);
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

std::string DescribeCommand(const std::vector<std::string>& argv,
                            const std::vector<std::string>& secrets) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    const std::string shown = Redact(arg, secrets);
    line += HasBlank(shown) || shown.empty() ? "'" + shown + "'" : shown;
  }
  return line;
}

Result<std::string> RunTool(const CommandRunner& runner, const std::vector<std::string>& argv,
                            std::chrono::milliseconds limit,
                            const std::vector<std::string>& secrets) {
  process::RunOptions options;
  options.limit = limit;
  options.max_output_bytes = 64u << 10;
  const process::RunResult result = runner(argv, options);
  if (result.exited_ok()) return result.output;
  std::string message =
      "`" + DescribeCommand(argv, secrets) + "` failed (" + result.Describe() + ")";
  const std::string output = TrimOutput(Redact(result.output, secrets));
  if (!output.empty()) message += ": " + output;
  return Status::Error(message);
}

}  // namespace harness::adapters
