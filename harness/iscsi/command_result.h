// What one SCSI command produced, as the initiator saw it: how it ended (a status from the
// target, a timeout, a cancel, a transport error), the status byte, the raw and decoded
// sense, the Data-In bytes, the residual, the CDB that was sent and how long it took.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/iscsi/cdb.h"
#include "harness/iscsi/sense.h"

namespace harness::iscsi {

enum class DataDirection { kNone, kRead, kWrite };

// How a command ended. Only kCompleted carries a SCSI status from the target.
enum class Outcome {
  kCompleted,       // the target returned a SCSI status (GOOD, CHECK CONDITION, ...)
  kTimeout,         // no response within the command's time limit
  kCancelled,       // cancelled locally (after a TMF, or the caller's Cancel)
  kConnectionLost,  // the connection failed or was torn down before a response
  kTransportError,  // libiscsi reported a protocol error for this command
  kNotSent,         // the command could not be queued (see `error`)
};

// Returns "completed", "timeout", ...
const char* OutcomeName(Outcome outcome);

namespace scsi_status {
inline constexpr uint8_t kGood = 0x00;
inline constexpr uint8_t kCheckCondition = 0x02;
inline constexpr uint8_t kConditionMet = 0x04;
inline constexpr uint8_t kBusy = 0x08;
inline constexpr uint8_t kReservationConflict = 0x18;
inline constexpr uint8_t kTaskSetFull = 0x28;
inline constexpr uint8_t kAcaActive = 0x30;
inline constexpr uint8_t kTaskAborted = 0x40;
}  // namespace scsi_status

// RFC 7143 §11.4.5: the residual the target reported (U / O bits and Residual Count).
struct Residual {
  enum class Kind { kNone, kUnderflow, kOverflow };
  Kind kind = Kind::kNone;
  uint64_t count = 0;
};

struct CommandResult {
  Outcome outcome = Outcome::kNotSent;
  uint8_t status = 0;                // SCSI status; meaningful when outcome == kCompleted
  std::vector<uint8_t> sense;        // raw sense bytes (SenseLength prefix removed)
  DecodedSense decoded;              // the harness's own decode of `sense`
  std::vector<uint8_t> data_in;      // Data-In bytes received
  Residual residual;
  Cdb cdb;                           // the CDB as built (before any PDU rewrite)
  int lun = 0;
  uint32_t expected_length = 0;      // the EDTL libiscsi put in the SCSI Command PDU
  std::chrono::microseconds duration{0};
  std::string error;                 // libiscsi's text for a non-completed outcome

  // True for a completed command with GOOD status.
  bool good() const { return outcome == Outcome::kCompleted && status == scsi_status::kGood; }
  // True for CHECK CONDITION with sense key UNIT ATTENTION (06h).
  bool unit_attention() const {
    return outcome == Outcome::kCompleted && status == scsi_status::kCheckCondition &&
           decoded.has_key && decoded.key == sense_key::kUnitAttention;
  }
  // Returns "READ(16) [88 00 ...] -> CHECK CONDITION 05/21/00 ILLEGAL REQUEST: ... (1.2 ms)".
  std::string Describe() const;
};

}  // namespace harness::iscsi
