// The request and response that cross the iSCSI → SCSI boundary.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "target/common/io_buffer.h"

namespace reftarget::scsi {

// Identifies one I_T nexus (an initiator port on a target port) for unit attentions and
// reservations. Unique for the life of the process.
using NexusId = uint64_t;

enum class TaskAttribute : uint8_t { kUntagged = 0, kSimple = 1, kOrdered = 2, kHeadOfQueue = 3, kAca = 4 };

struct ScsiCommand {
  NexusId nexus = 0;
  uint64_t lun = 0;                  // the LUN number (flat or peripheral addressing decoded)
  std::vector<uint8_t> cdb;          // 6..260 bytes (16-byte BHS CDB plus any extended CDB AHS)
  bool read = false;                 // the initiator expects Data-In
  bool write = false;                // the initiator sends Data-Out
  uint32_t expected_length = 0;      // iSCSI Expected Data Transfer Length (EDTL)
  TaskAttribute attribute = TaskAttribute::kSimple;
  IoBuffer data_out;                 // Data-Out received (size() == bytes received)
  // LogicalUnit::TaskSetGeneration() when the transport received the command (0: unknown).
  // A reset in between aborts the command before it runs (SAM-5: it was in the task set).
  uint64_t lu_generation = 0;
};

// SAM status codes.
enum class ScsiStatus : uint8_t {
  kGood = 0x00,
  kCheckCondition = 0x02,
  kConditionMet = 0x04,
  kBusy = 0x08,
  kReservationConflict = 0x18,
  kTaskSetFull = 0x28,
  kAcaActive = 0x30,
  kTaskAborted = 0x40,
};

struct ScsiResponse {
  ScsiStatus status = ScsiStatus::kGood;
  std::vector<uint8_t> sense;        // sense data (fixed or descriptor), empty unless CHECK CONDITION
  IoBuffer data_in;                  // Data-In payload; only the first data_in_length bytes count
  uint32_t data_in_length = 0;       // bytes the command produced (before EDTL truncation)
  // Bytes the CDB asked to transfer in its direction, for residual computation by the
  // transport (SAM-5 5.4.3). Equals data_in_length for reads that completed.
  uint32_t cdb_transfer_length = 0;
};

// Called exactly once per command, on any thread.
using ScsiCompletion = std::function<void(ScsiResponse)>;

}  // namespace reftarget::scsi
