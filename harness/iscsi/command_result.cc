#include "harness/iscsi/command_result.h"

#include <cstdio>

namespace harness::iscsi {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCompleted: return "completed";
    case Outcome::kTimeout: return "timeout";
    case Outcome::kCancelled: return "cancelled";
    case Outcome::kConnectionLost: return "connection lost";
    case Outcome::kTransportError: return "transport error";
    case Outcome::kNotSent: return "not sent";
  }
  return "?";
}

std::string CommandResult::Describe() const {
  std::string out = cdb.Name() + " [" + cdb.Hex() + "] -> ";
  if (outcome != Outcome::kCompleted) {
    out += OutcomeName(outcome);
    if (!error.empty()) out += " (" + error + ")";
  } else {
    out += ScsiStatusName(status);
    if (status == scsi_status::kCheckCondition) out += " " + decoded.Describe();
    if (residual.kind != Residual::Kind::kNone) {
      out += residual.kind == Residual::Kind::kUnderflow ? ", underflow " : ", overflow ";
      out += std::to_string(residual.count);
    }
    if (!data_in.empty()) out += ", " + std::to_string(data_in.size()) + " bytes in";
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), " (%.3f ms)", static_cast<double>(duration.count()) / 1000.0);
  out += buf;
  return out;
}

}  // namespace harness::iscsi
