// Private to Session's implementation files: the records that live while libiscsi holds a
// callback pointer, and the helpers the three session_*.cc files share.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "harness/iscsi/session.h"

namespace harness::iscsi {

// Longest single poll(2): libiscsi's timeout scan runs on each iscsi_service() call.
inline constexpr std::chrono::milliseconds kMaxPollSlice{100};

inline std::string Ms(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

enum class OpKind { kPlain, kTmf, kNop, kDiscovery };

// A non-SCSI exchange (login, TMF, NOP, discovery, logout) waiting for libiscsi's callback.
// Heap-allocated and owned by ops_ so that a callback arriving after its waiter gave up
// still finds it; the callback then frees it.
struct Session::Op {
  Session* session = nullptr;
  uint64_t id = 0;
  OpKind kind = OpKind::kPlain;
  bool done = false;
  bool abandoned = false;
  int status = 0;
  uint32_t response = 0;
  std::vector<uint8_t> data;
  std::vector<DiscoveredTarget> targets;
  Clock::time_point start;
};

// A SCSI command submitted to libiscsi, alive until libiscsi's callback for it.
struct Session::Pending {
  Session* session = nullptr;
  CommandId id = 0;
  scsi_task* task = nullptr;
  CommandRequest request;  // owns the Data-Out buffer libiscsi sends from
  int lun = 0;
  Clock::time_point start;
  Clock::time_point deadline;
  bool delivered = false;  // a result (timeout, connection lost) was already reported
  std::string cancel_reason;
};

template <typename Done>
bool Session::PumpUntil(Done done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline) return done();
    if (!ServiceOnce(deadline)) return done();
  }
  return true;
}

}  // namespace harness::iscsi
