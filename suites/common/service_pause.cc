#include "suites/common/service_pause.h"

#include <algorithm>
#include <thread>

#include "harness/process/child_process.h"

namespace harness::suites {
namespace {

// How often the wait checks for an interrupt.
constexpr std::chrono::milliseconds kSlice{200};

}  // namespace

void PauseServicing(iscsi::Session* session, std::chrono::milliseconds d) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + d;
  while (Clock::now() < until && !process::Interrupted()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    const auto slice = std::min(left, kSlice);
    if (session != nullptr && !session->broken()) {
      session->Service(slice);
    } else {
      std::this_thread::sleep_for(slice);
    }
  }
}

}  // namespace harness::suites
