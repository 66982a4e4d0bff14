#include "harness/process/wait_ready.h"

#include <thread>

namespace harness::process {

Status WaitUntilReady(const std::string& tool, BackgroundProcess& process,
                      const std::function<bool()>& ready, const std::string& waiting_for,
                      std::chrono::milliseconds limit, const std::filesystem::path& log) {
  constexpr auto kPollGap = std::chrono::milliseconds(20);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (ready()) return Status::Ok();
    if (!process.Alive()) {
      return Status::Error(tool + " exited (" + process.DescribeState() + ") before " +
                           waiting_for + ToolLogTail(log));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error(tool + " did not finish " + waiting_for + " within " +
                           std::to_string(limit.count()) + " ms" + ToolLogTail(log));
    }
    std::this_thread::sleep_for(kPollGap);
  }
}

std::string ToolLogTail(const std::filesystem::path& log) {
  const std::string tail = TailOfFile(log, 20);
  return tail.empty() ? "" : "; its log ends:\n" + tail;
}

}  // namespace harness::process
